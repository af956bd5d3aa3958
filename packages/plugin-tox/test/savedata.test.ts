import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ToxProfile,
  createProfile,
  parseSavedata,
  passDecryptSync,
  profileToxId,
  writeSavedata,
} from '../src/savedata';
import { ToxId } from '../src/tox-id';
import { Malformed, Truncated } from '../src/wire/bytes';

const VECTORS = join(__dirname, 'vectors');
const vector = (name: string): Uint8Array => new Uint8Array(readFileSync(join(VECTORS, name)));

interface ApiFriend {
  publicKey: string;
  name: string;
  statusMessage: string;
  status: number;
  lastOnline: number;
}
interface ApiSelf {
  address: string;
  publicKey: string;
  secretKey: string;
  nospam: number;
  name: string;
  statusMessage: string;
  status: number;
  friends: ApiFriend[];
}
interface Pending {
  publicKey: string;
  requestMessage: string;
  nospam: number;
  /** The Tox ID c-toxcore's tox_friend_add got, where known. */
  friendAddress?: string;
}
type Node = [string, number, boolean];
const expected = JSON.parse(readFileSync(join(VECTORS, 'expected.json'), 'utf8')) as {
  passphrase: string;
  plain: { file: string; self: ApiSelf; pending: Pending[] };
  encrypted: { file: string };
  resaved: { file: string; self: ApiSelf; pending: Pending[]; dhtNodes: Node[]; tcpRelays: Node[]; pathNodes: Node[] };
};

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const STATUS = ['available', 'away', 'busy'];

/** The profile against what c-toxcore's API reported after loading the same file. */
function expectSameAsCToxcore(p: ToxProfile, self: ApiSelf, pending: Pending[]): void {
  expect(profileToxId(p).toString()).toBe(self.address);
  expect(hex(p.publicKey)).toBe(self.publicKey);
  expect(hex(p.secretKey)).toBe(self.secretKey);
  expect(p.nospam).toBe(self.nospam);
  expect(p.name).toBe(self.name);
  expect(p.statusMessage).toBe(self.statusMessage);
  expect(p.userStatus).toBe(STATUS[self.status]);
  // c-toxcore lists every friend, pending ones with empty fields; the request is only in the file
  expect(p.friends.map((f) => hex(f.publicKey))).toEqual(self.friends.map((f) => f.publicKey));
  const pendingKeys = new Set(pending.map((f) => f.publicKey));
  p.friends.forEach((f, i) => {
    const api = self.friends[i];
    if (f.kind === 'confirmed') {
      expect(pendingKeys.has(hex(f.publicKey))).toBe(false);
      expect({ name: f.name, statusMessage: f.statusMessage, userStatus: f.userStatus, lastSeen: f.lastSeen }).toEqual({
        name: api.name,
        statusMessage: api.statusMessage,
        userStatus: STATUS[api.status],
        lastSeen: api.lastOnline,
      });
    }
  });
  const pendingInFile = p.friends.flatMap((f) =>
    f.kind === 'pending' ? [{ publicKey: hex(f.publicKey), requestMessage: f.requestMessage, nospam: f.nospam }] : [],
  );
  expect(pendingInFile).toEqual(pending.map(({ friendAddress: _, ...rest }) => rest));
  for (const f of pending) {
    if (f.friendAddress) expect(ToxId.from(Buffer.from(f.publicKey, 'hex'), f.nospam).toString()).toBe(f.friendAddress);
  }
}

const nodes = (list: readonly { host: string; port: number; tcp: boolean }[]): Node[] => list.map((n) => [n.host, n.port, n.tcp]);

describe('c-toxcore savedata', () => {
  it('reads a savedata written by c-toxcore 0.2.18 as c-toxcore does', () => {
    const p = parseSavedata(vector(expected.plain.file));
    expectSameAsCToxcore(p, expected.plain.self, expected.plain.pending);
    expect(p.friends.filter((f) => f.kind === 'pending').map((f) => f.kind === 'pending' && f.requestSent)).toEqual([false]);
    expect(p.dhtNodes).toEqual([]);
    expect(p.otherSections.map((s) => [s.type, s.data.length])).toEqual([[20, 0]]); // CONFERENCES, empty
    expect(p.trailing.every((b) => b === 0)).toBe(true);
  });

  it('reads friend names, statuses, last seen and nodes that went through c-toxcore', () => {
    const p = parseSavedata(vector(expected.resaved.file));
    expectSameAsCToxcore(p, expected.resaved.self, expected.resaved.pending);
    expect(nodes(p.dhtNodes)).toEqual(expected.resaved.dhtNodes);
    expect(nodes(p.tcpRelays)).toEqual(expected.resaved.tcpRelays);
    expect(nodes(p.pathNodes)).toEqual(expected.resaved.pathNodes);
  });

  it('decrypts c-toxcore’s tox_pass_encrypt output to the same savedata', () => {
    const plain = passDecryptSync(vector(expected.encrypted.file), expected.passphrase);
    expect(Buffer.compare(plain, vector(expected.plain.file))).toBe(0);
  });

  it.each([['plain'], ['resaved']] as const)('writes the %s vector back byte for byte', (which) => {
    const bytes = vector(expected[which].file);
    expect(Buffer.compare(writeSavedata(parseSavedata(bytes)), bytes)).toBe(0);
  });

  it('keeps sections it does not model, and reads back what it writes', () => {
    const base = parseSavedata(vector(expected.resaved.file));
    const conference = Uint8Array.from([1, 2, 3, 4, 5]);
    const changed: ToxProfile = {
      ...base,
      nospam: 0x0badf00d,
      name: 'x'.repeat(128),
      statusMessage: 'ü'.repeat(503),
      userStatus: 'available',
      otherSections: [{ type: 20, data: conference }, { type: 7, data: Uint8Array.of(9) }],
      dhtOtherSections: [{ type: 9, data: Uint8Array.of(1, 2) }],
      trailing: new Uint8Array(0),
      tcpRelays: [{ host: '::ffff:1.2.3.4', port: 1, tcp: false, publicKey: new Uint8Array(32) }],
    };
    const again = parseSavedata(writeSavedata(changed));
    expect(again).toEqual({ ...changed, tcpRelays: [{ ...changed.tcpRelays[0], host: '1.2.3.4' }] }); // IPv4-mapped reads as IPv4, as c-toxcore keeps addresses
    expect(profileToxId(again).equals(ToxId.from(base.publicKey, 0x0badf00d))).toBe(true);
  });

  it('creates a profile from a secret key, with the key pair c-toxcore derives', () => {
    const p = createProfile({ secretKey: Buffer.from(expected.plain.self.secretKey, 'hex'), nospam: 0x12345678 });
    expect(profileToxId(p).toString()).toBe(expected.plain.self.address);
    expect(parseSavedata(writeSavedata(p))).toEqual(p);
    expect(createProfile().secretKey).not.toEqual(createProfile().secretKey);
  });

  it('refuses to write what the format cannot hold', () => {
    const p = parseSavedata(vector(expected.resaved.file));
    const bad: Partial<ToxProfile>[] = [
      { name: 'x'.repeat(129) },
      { statusMessage: 'é'.repeat(504) },
      { nospam: 2 ** 32 },
      { tcpRelays: Array(9).fill(p.tcpRelays[0]) },
      { pathNodes: [{ ...p.pathNodes[0], tcp: true }] },
      { dhtNodes: [{ ...p.dhtNodes[0], host: 'example.org' }] },
      { friends: [{ ...p.friends[0], publicKey: new Uint8Array(32).fill(0xff) }] },
      { friends: [{ kind: 'pending', publicKey: new Uint8Array(32), requestSent: false, requestMessage: 'r'.repeat(1017), nospam: 0 }] },
      { otherSections: [{ type: 4, data: new Uint8Array(0) }] },
    ];
    for (const change of bad) expect(() => writeSavedata({ ...p, ...change })).toThrow(Malformed);
  });

  describe('a hostile or damaged file', () => {
    const good = vector(expected.plain.file);
    const at = (offset: number, bytes: number[]): Uint8Array => {
      const b = good.slice();
      b.set(bytes, offset);
      return b;
    };
    const cases: [string, Uint8Array, typeof Truncated | typeof Malformed, RegExp][] = [
      ['empty', new Uint8Array(0), Truncated, /savedata header/],
      ['no cookie', at(4, [0, 0, 0, 0]), Malformed, /not a Tox savedata/],
      ['encrypted', new TextEncoder().encode('toxEsave and more'), Malformed, /decrypt it first/],
      ['a section longer than the file', at(8, [0xff, 0xff, 0xff, 0xff]), Truncated, /section of type 1/],
      ['a wrong section cookie', at(14, [0xcf, 0x01]), Malformed, /cookie 0x1cf/],
      ['a key pair that does not match', at(0x40, [0x55]), Malformed, /public key is not the secret key/],
      ['NOSPAMKEYS of another length', at(8, [0x43]), Malformed, /NOSPAMKEYS of 67 bytes|cookie/],
      ['a tail shorter than a header', good.slice(0, 0x54 + 5), Truncated, /section header/],
      ['a DHT cookie', at(0x5c, [0x0e]), Malformed, /DHT section cookie/],
      ['a friend name length over 128', at(0x70 + 1188, [0x00, 0x81]), Malformed, /name length 129/],
      ['a request length over 1016', at(0x70 + 2 * 2216 + 1058, [0x03, 0xf9]), Malformed, /request length 1017/],
      ['a friend list not a multiple of 2216', at(0x68, [0xf7]), Malformed, /not a multiple of 2216|cookie/],
    ];
    it.each(cases)('%s', (_what, bytes, type, message) => {
      expect(() => parseSavedata(bytes)).toThrow(type);
      expect(() => parseSavedata(bytes)).toThrow(message);
    });

    it('refuses a second NAME, a NAME over 128 bytes, an END with data, a status of 3; keeps an unknown type', () => {
      const p = parseSavedata(good);
      const tail = writeSavedata({ ...p, otherSections: [], trailing: new Uint8Array(0) });
      const endAt = tail.length - 8;
      const withSection = (type: number, data: number[]): Uint8Array => {
        const s = new Uint8Array(8 + data.length);
        new DataView(s.buffer).setUint32(0, data.length, true);
        new DataView(s.buffer).setUint32(4, (0x01ce << 16) | type, true);
        s.set(data, 8);
        return Buffer.concat([tail.subarray(0, endAt), s, tail.subarray(endAt)]);
      };
      expect(() => parseSavedata(withSection(4, [65]))).toThrow(/second savedata section of type 4/);
      expect(() => parseSavedata(withSection(255, [0]))).toThrow(/END section has length 1/);
      expect(parseSavedata(withSection(99, [7, 7])).otherSections).toEqual([{ type: 99, data: Uint8Array.of(7, 7) }]);
      const nameAt = Buffer.from(tail).indexOf(Buffer.from([0x0f, 0, 0, 0, 4, 0, 0xce, 1])); // "Confab test ✓", 15 bytes
      const longName = Buffer.concat([tail.subarray(0, nameAt), Buffer.from([129, 0, 0, 0, 4, 0, 0xce, 1]), Buffer.alloc(129, 65), tail.subarray(nameAt + 8 + 15)]);
      expect(() => parseSavedata(longName)).toThrow(/NAME of 129 bytes/);
      const status = Buffer.from(tail);
      const statusAt = status.indexOf(Buffer.from([1, 0, 0, 0, 6, 0, 0xce, 1]));
      status[statusAt + 8] = 3;
      expect(() => parseSavedata(status)).toThrow(/STATUS 3 is none of/);
    });
  });
});
