/** The account side of plugin-tox: parameters, contact ids, message splitting, the profile on disk. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateParams, withDefaults } from '@confab/sdk';
import { ProfileStore } from '../src/account/profile-store';
import { parseContact } from '../src/account/tox-contacts';
import { splitUtf8 } from '../src/account/tox-connection';
import { ToxProtocol } from '../src/account/tox-protocol';
import { accountSettings, parseBootstrapNode } from '../src/account/tox-settings';
import { createProfile, isDataEncrypted, parseSavedata, profileToxId, writeSavedata } from '../src/savedata';

const KEY = 'F404ABAA1C99A9D37D61AB54898F56793E1DEF8BD46B1038B9D822E8460FAB67';

describe('Tox account parameters', () => {
  const protocol = new ToxProtocol();

  it('needs a profile-password, and fills in public bootstrap nodes', () => {
    expect(() => validateParams(protocol.parameters, {})).toThrow(/profile-password/);
    const p = withDefaults(protocol.parameters, validateParams(protocol.parameters, { 'profile-password': 'pw' }));
    const s = accountSettings(p);
    expect(s.bootstrap.length).toBeGreaterThan(3);
    expect(s).toMatchObject({ bindAddress: '0.0.0.0', udpPort: 0, localDiscovery: true });
  });

  it('reads host:port:key bootstrap nodes, IPv6 in brackets, and refuses others clearly', () => {
    expect(parseBootstrapNode(`[::1]:33445:${KEY.toLowerCase()}`)).toEqual({ host: '::1', port: 33445, publicKey: KEY });
    expect(parseBootstrapNode(`tox.example.org:443:${KEY}`)).toMatchObject({ host: 'tox.example.org', port: 443 });
    for (const bad of ['127.0.0.1:33445', `127.0.0.1:0:${KEY}`, `127.0.0.1:70000:${KEY}`, `127.0.0.1:1:${KEY}00`, 'x y:1:z']) {
      expect(() => parseBootstrapNode(bad)).toThrow(/bootstrap node/);
    }
    expect(() => validateParams(protocol.parameters, { 'profile-password': 'pw', 'bootstrap-nodes': ['nope'] })).toThrow(/bootstrap-nodes/);
  });

  it('bounds names and status messages in bytes, as c-toxcore does', () => {
    expect(() => validateParams(protocol.parameters, { 'profile-password': 'pw', name: 'ü'.repeat(65) })).toThrow(/128 bytes/);
    expect(validateParams(protocol.parameters, { 'profile-password': 'pw', name: 'ü'.repeat(64) })).toMatchObject({ name: 'ü'.repeat(64) });
  });
});

describe('Tox contact ids', () => {
  const id = profileToxId(createProfile({ nospam: 0xdeadbeef })).toString();

  it('is the public key; a Tox ID or a tox: URI names the same contact and keeps its nospam', () => {
    const pk = id.slice(0, 64);
    expect(parseContact(pk.toLowerCase())).toEqual({ id: pk });
    const viaId = parseContact(`tox:${id.toLowerCase()}`);
    expect(viaId.id).toBe(pk);
    expect(viaId.toxId?.nospam).toBe(0xdeadbeef);
  });

  it('refuses a wrong checksum or length with a clear message', () => {
    const broken = id.slice(0, 72) + (id.slice(72) === '0000' ? '0001' : '0000');
    expect(() => parseContact(broken)).toThrow(/neither a Tox ID.*checksum/i);
    expect(() => parseContact('abc')).toThrow(/neither a Tox ID/);
  });
});

describe('splitting messages for Tox (at most 1,372 bytes a part)', () => {
  it('cuts between code points, never inside one', () => {
    const text = 'a'.repeat(1371) + '€' + 'b'.repeat(10); // € is 3 bytes: it does not fit in the first part
    const parts = splitUtf8(text, 1372);
    expect(parts.map((p) => Buffer.byteLength(p))).toEqual([1371, 13]);
    expect(parts.join('')).toBe(text);
    expect(splitUtf8('😀'.repeat(1000), 1372).every((p) => Buffer.byteLength(p) <= 1372 && !p.includes('\ufffd'))).toBe(true);
  });
});

describe('the profile on disk', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tox-profile-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a new identity, kept encrypted, and opens it again with the password only', async () => {
    const store = new ProfileStore(join(dir, 'acc'), 'pw');
    const p = await store.load();
    const onDisk = readFileSync(store.path);
    expect(isDataEncrypted(onDisk)).toBe(true);
    expect(onDisk.includes(Buffer.from(p.secretKey))).toBe(false);
    expect((await new ProfileStore(join(dir, 'acc'), 'pw').load()).publicKey).toEqual(p.publicKey);
    await expect(new ProfileStore(join(dir, 'acc'), 'wrong').load()).rejects.toMatchObject({ code: 'AuthenticationFailed' });
  });

  it('imports a plain profile once, then keeps its own encrypted copy; a file that is no profile is InvalidArgument', async () => {
    const source = createProfile({ nospam: 7 });
    writeFileSync(join(dir, 'plain.tox'), writeSavedata({ ...source, name: 'imported' }));
    const store = new ProfileStore(join(dir, 'acc'), 'pw');
    const p = await store.load(join(dir, 'plain.tox'));
    expect(p).toMatchObject({ name: 'imported', nospam: 7 });
    rmSync(join(dir, 'plain.tox'));
    expect((await store.load(join(dir, 'plain.tox'))).name).toBe('imported'); // ours now; the import is not read again
    writeFileSync(join(dir, 'junk'), 'not a profile');
    await expect(new ProfileStore(join(dir, 'other'), 'pw').load(join(dir, 'junk'))).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(new ProfileStore(join(dir, 'other'), 'pw').load(join(dir, 'missing'))).rejects.toMatchObject({ code: 'InvalidArgument' });
    expect(() => parseSavedata(readFileSync(store.path))).toThrow(/encrypted/);
  });
});
