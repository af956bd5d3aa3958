import { InvalidToxId, ToxId, toxIdChecksum } from '../src/tox-id';
import { Malformed } from '../src/wire/bytes';

// Addresses c-toxcore 0.2.18 reported with tox_self_get_address (test/vectors/expected.json).
const SELF = 'BB50FF9E82A574CFBF820E97F60FB9C143EC7415CF514F8CFD98EFF59E05961412345678A56B';
const SELF_KEY = 'BB50FF9E82A574CFBF820E97F60FB9C143EC7415CF514F8CFD98EFF59E059614';
const SELF_DEADBEEF = 'BB50FF9E82A574CFBF820E97F60FB9C143EC7415CF514F8CFD98EFF59E059614DEADBEEF8165';
const FRIEND = 'AE6FD143BAD56AEB004C38775C5D60240DED7DEAC3119904E819B98A90942755CAFEBABE1750';

function reason(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidToxId);
    expect(e).toBeInstanceOf(Malformed);
    return (e as InvalidToxId).reason;
  }
  throw new Error('did not throw');
}

describe('the Tox ID', () => {
  it('is the key, the nospam and the checksum c-toxcore computes', () => {
    const id = ToxId.from(Buffer.from(SELF_KEY, 'hex'), 0x12345678);
    expect(id.toString()).toBe(SELF);
    expect(id.nospam).toBe(0x12345678);
    expect(id.checksum).toBe(0xa56b);
    expect(Buffer.from(id.publicKey).toString('hex').toUpperCase()).toBe(SELF_KEY);
    expect(ToxId.parse(FRIEND).nospam).toBe(0xcafebabe);
  });

  it('XORs even and odd bytes into the two checksum bytes', () => {
    const b = new Uint8Array(36);
    b[0] = 0x01;
    b[2] = 0x10;
    b[35] = 0x80;
    expect(toxIdChecksum(b)).toBe(0x1180);
  });

  it('parses either case and surrounding white space', () => {
    expect(ToxId.parse(` ${SELF.toLowerCase()}\n`).equals(ToxId.parse(SELF))).toBe(true);
    expect(ToxId.fromBytes(ToxId.parse(FRIEND).bytes()).toString()).toBe(FRIEND);
  });

  it('changes the nospam, and with it the checksum, not the key', () => {
    const id = ToxId.parse(SELF).withNospam(0xdeadbeef);
    expect(id.toString()).toBe(SELF_DEADBEEF);
    expect(id.withNospam(0x12345678).toString()).toBe(SELF);
  });

  it('says what is wrong: length, hex, checksum', () => {
    expect(reason(() => ToxId.parse(SELF.slice(2)))).toBe('length');
    expect(reason(() => ToxId.parse(`${SELF}00`))).toBe('length');
    expect(reason(() => ToxId.parse(`${SELF.slice(0, 10)}G${SELF.slice(11)}`))).toBe('hex');
    expect(reason(() => ToxId.parse(`${SELF.slice(0, 75)}C`))).toBe('checksum');
    expect(reason(() => ToxId.parse(`${SELF.slice(0, 64)}12345679${SELF.slice(72)}`))).toBe('checksum');
    expect(reason(() => ToxId.fromBytes(new Uint8Array(37)))).toBe('length');
    expect(() => ToxId.parse(`${SELF.slice(0, 75)}C`)).toThrow(/checksum is A56C, expected A56B/);
    expect(() => ToxId.parse(`${SELF.slice(0, 10)}G${SELF.slice(11)}`)).toThrow(/'G' at position 11/);
  });

  it('refuses a key or nospam of the wrong size when built', () => {
    expect(() => ToxId.from(new Uint8Array(31), 0)).toThrow(RangeError);
    expect(() => ToxId.from(new Uint8Array(32), 2 ** 32)).toThrow(RangeError);
    expect(() => ToxId.from(new Uint8Array(32), -1)).toThrow(RangeError);
  });
});
