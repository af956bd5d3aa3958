/**
 * A Tox profile: c-toxcore's savedata (what `tox_get_savedata` writes and `tox_new` loads with
 * `TOX_SAVEDATA_TYPE_TOX_SAVE`), read into a typed model and written back.
 *
 * Layout (Tox spec, "State Format"; c-toxcore 0.2.18 `toxcore/tox.c` `tox_load`, `tox_get_savedata`):
 *
 *     0 u32 | 0x15ed1b1f u32le | sections (cookie 0x01ce) … | END (type 255, length 0) | ignored tail
 *
 * Sections, in the order c-toxcore writes them:
 *   1 NOSPAMKEYS     nospam (4) | public key (32) | secret key (32)
 *   2 DHT            see dht.ts
 *   3 FRIENDS        see friends.ts
 *   4 NAME           our name, ≤ 128 bytes
 *   5 STATUSMESSAGE  ≤ 1007 bytes
 *   6 STATUS         1 byte, see user-status.ts
 *  10 TCP_RELAY      ≤ 8 packed nodes (NUM_SAVED_TCP_RELAYS), TCP or UDP families
 *  11 PATH_NODE      ≤ 8 packed nodes (NUM_SAVED_PATH_NODES), UDP families
 *  20 CONFERENCES    (not modelled)
 *
 * Sections we do not model (CONFERENCES, GROUPS from later versions, unknown types) are kept verbatim
 * and written back after the modelled ones, in their order; so is what follows END. c-toxcore writes
 * zeros there, and so `writeSavedata(parseSavedata(x))` gives `x` back byte for byte for its files.
 *
 * The nospam: c-toxcore keeps it in the byte order of the Tox ID and writes that u32 little-endian, so
 * on the little-endian machines that write every profile in practice the file holds the ID's bytes
 * (big-endian). We read and write it that way.
 *
 * Known differences from c-toxcore's loader, all for files it never writes: a profile without
 * NOSPAMKEYS (c-toxcore would make up a new identity), a second NAME/STATUS…/NOSPAMKEYS section, a
 * length beyond its field, an unknown user status or node family, more nodes than c-toxcore keeps are
 * `Malformed` here, where c-toxcore ignores the field or the section.
 */
import { copyBytes } from '../wire/copy';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import nacl from 'tweetnacl';
import { ToxId } from '../tox-id';
import { Malformed, Reader, Writer } from '../wire/bytes';
import { readDht, writeDht } from './dht';
import { MAX_NAME_LENGTH, MAX_STATUS_MESSAGE_LENGTH, SavedFriend, encodeText, readFriends, writeFriends } from './friends';
import { readU32le, writeU32le } from './little-endian';
import { SavedNode, readNodes, writeNodes } from './nodes';
import { isDataEncrypted } from './pass-encrypt';
import { RawSection, readSections, writeSection } from './sections';
import { UserStatus, readUserStatus, userStatusByte } from './user-status';

const STATE_COOKIE_GLOBAL = 0x15ed1b1f;
const STATE_COOKIE_TYPE = 0x01ce;

/** `State_Type` in c-toxcore 0.2.18 `toxcore/state.h`. @since 0.1.0 */
export const SectionType = {
  NOSPAMKEYS: 1,
  DHT: 2,
  FRIENDS: 3,
  NAME: 4,
  STATUSMESSAGE: 5,
  STATUS: 6,
  TCP_RELAY: 10,
  PATH_NODE: 11,
  CONFERENCES: 20,
  END: 255,
} as const;

/** `NUM_SAVED_TCP_RELAYS` (net_crypto.h), `NUM_SAVED_PATH_NODES` (Messenger.c). */
export const MAX_SAVED_TCP_RELAYS = 8;
export const MAX_SAVED_PATH_NODES = 8;

/** @since 0.1.0 */
export interface ToxProfile {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly nospam: number;
  readonly name: string;
  readonly statusMessage: string;
  readonly userStatus: UserStatus;
  readonly friends: readonly SavedFriend[];
  /** Nodes the DHT knew, to bootstrap from next time. */
  readonly dhtNodes: readonly SavedNode[];
  readonly tcpRelays: readonly SavedNode[];
  /** Onion path nodes. */
  readonly pathNodes: readonly SavedNode[];
  /** DHT sections other than the node list, verbatim. */
  readonly dhtOtherSections: readonly RawSection[];
  /** Sections not modelled (CONFERENCES, unknown types), verbatim and in file order. */
  readonly otherSections: readonly RawSection[];
  /** Bytes after END, verbatim (c-toxcore leaves zeros there). */
  readonly trailing: Uint8Array;
}

/** A new profile: the given (or a random) secret key and nospam, nothing else. @since 0.1.0 */
export function createProfile(opts: { secretKey?: Uint8Array; nospam?: number } = {}): ToxProfile {
  const keys = opts.secretKey ? nacl.box.keyPair.fromSecretKey(opts.secretKey) : nacl.box.keyPair();
  return {
    secretKey: keys.secretKey,
    publicKey: keys.publicKey,
    nospam: opts.nospam ?? new DataView(nacl.randomBytes(4).buffer).getUint32(0),
    name: '',
    statusMessage: '',
    userStatus: 'available',
    friends: [],
    dhtNodes: [],
    tcpRelays: [],
    pathNodes: [],
    dhtOtherSections: [],
    otherSections: [],
    trailing: new Uint8Array(0),
  };
}

/** The profile's Tox ID (its public key and nospam). @since 0.1.0 */
export function profileToxId(profile: ToxProfile): ToxId {
  return ToxId.from(profile.publicKey, profile.nospam);
}

const utf8 = new TextDecoder('utf-8');

/**
 * Reads an unencrypted savedata. Throws `Truncated` or `Malformed` (with what and where), nothing else;
 * an encrypted one is `Malformed` ("decrypt it first").
 * @since 0.1.0
 */
export function parseSavedata(input: Uint8Array): ToxProfile {
  // A plain view, so that `.slice()` below copies even when the caller passes a Buffer (whose slice is a view).
  const data = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (data.length >= 8 && isDataEncrypted(data)) throw new Malformed('the savedata is encrypted (toxEsave): decrypt it first');
  const r = new Reader(data);
  const zero = readU32le(r, 'savedata header');
  const cookie = readU32le(r, 'savedata cookie');
  if (zero !== 0 || cookie !== STATE_COOKIE_GLOBAL) throw new Malformed('not a Tox savedata (no 0x15ed1b1f cookie)');
  const { sections } = readSections(r, STATE_COOKIE_TYPE, 'savedata', SectionType.END);
  const trailing = copyBytes(r.rest());

  const seen = new Set<number>();
  const draft: Draft = {
    name: '', statusMessage: '', userStatus: 'available', friends: [], dhtNodes: [], dhtOtherSections: [], tcpRelays: [], pathNodes: [], otherSections: [],
  };
  for (const { type, data: d } of sections) {
    if (type !== SectionType.FRIENDS && isModelled(type)) {
      if (seen.has(type)) throw new Malformed(`a second savedata section of type ${type}`);
      seen.add(type);
    }
    const read = SECTION_READERS.get(type);
    if (read) read(d, draft);
    else draft.otherSections.push({ type, data: d });
  }
  const { keys, ...rest } = draft;
  if (!keys) throw new Malformed('the savedata has no NOSPAMKEYS section (no identity)');
  return { ...keys, ...rest, trailing };
}

/** A profile being read: every section's part, the identity once NOSPAMKEYS was read. */
type Draft = { -readonly [K in Exclude<keyof ToxProfile, 'nospam' | 'publicKey' | 'secretKey' | 'trailing' | 'friends' | 'otherSections'>]: ToxProfile[K] } & {
  keys?: { nospam: number; publicKey: Uint8Array; secretKey: Uint8Array };
  friends: SavedFriend[];
  otherSections: RawSection[];
};

/** What each modelled section sets (c-toxcore's state_load_callback in Messenger.c), by section type. */
const SECTION_READERS = new Map<number, (d: Uint8Array, p: Draft) => void>([
  [SectionType.NOSPAMKEYS, (d, p) => { p.keys = readNospamKeys(d); }],
  [SectionType.DHT, (d, p) => {
    const dht = readDht(d);
    p.dhtNodes = dht.nodes;
    p.dhtOtherSections = dht.otherSections;
  }],
  [SectionType.FRIENDS, (d, p) => { p.friends.push(...readFriends(d)); }],
  [SectionType.NAME, (d, p) => {
    if (d.length > MAX_NAME_LENGTH) throw new Malformed(`NAME of ${d.length} bytes, at most ${MAX_NAME_LENGTH}`);
    p.name = utf8.decode(d);
  }],
  [SectionType.STATUSMESSAGE, (d, p) => {
    if (d.length > MAX_STATUS_MESSAGE_LENGTH) throw new Malformed(`STATUSMESSAGE of ${d.length} bytes, at most ${MAX_STATUS_MESSAGE_LENGTH}`);
    p.statusMessage = utf8.decode(d);
  }],
  [SectionType.STATUS, (d, p) => {
    if (d.length !== 1) throw new Malformed(`STATUS of ${d.length} bytes, not 1`);
    p.userStatus = readUserStatus(d[0], 'STATUS');
  }],
  [SectionType.TCP_RELAY, (d, p) => { p.tcpRelays = readNodes(d, { tcpAllowed: true, max: MAX_SAVED_TCP_RELAYS, what: 'TCP relays' }); }],
  [SectionType.PATH_NODE, (d, p) => { p.pathNodes = readNodes(d, { tcpAllowed: false, max: MAX_SAVED_PATH_NODES, what: 'path nodes' }); }],
]);

function isModelled(type: number): boolean {
  return (type >= SectionType.NOSPAMKEYS && type <= SectionType.STATUS) || type === SectionType.TCP_RELAY || type === SectionType.PATH_NODE;
}

/** NOSPAMKEYS: c-toxcore refuses any other length, and a public key that is not the secret key's. */
function readNospamKeys(d: Uint8Array): { nospam: number; publicKey: Uint8Array; secretKey: Uint8Array } {
  if (d.length !== 4 + 32 + 32) throw new Malformed(`NOSPAMKEYS of ${d.length} bytes, not 68`);
  const r = new Reader(d);
  const nospam = r.u32('nospam');
  const publicKey = copyBytes(r.bytes(32, 'public key'));
  const secretKey = copyBytes(r.bytes(32, 'secret key'));
  if (Buffer.compare(publicKeyOf(secretKey), publicKey) !== 0) throw new Malformed('NOSPAMKEYS: the public key is not the secret key’s');
  return { nospam, publicKey, secretKey };
}

/** PKCS #8 (RFC 8410) wrapping of a raw X25519 private key. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * crypto_scalarmult_base(secret key), natively: ~10× faster than tweetnacl's pure-JS scalar
 * multiplication under jest, and the same result (both clamp the scalar as X25519 does).
 */
function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  const key = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
}

/**
 * Writes a savedata that c-toxcore 0.2.18 loads. Throws `Malformed` for a value the format cannot hold
 * (a name over 128 bytes of UTF-8, a key of the wrong size, nine TCP relays…).
 * @since 0.1.0
 */
export function writeSavedata(profile: ToxProfile): Uint8Array {
  const p = profile;
  if (p.secretKey.length !== 32 || p.publicKey.length !== 32) throw new Malformed('keys have 32 bytes');
  if (!Number.isInteger(p.nospam) || p.nospam < 0 || p.nospam > 0xffffffff) throw new Malformed(`nospam ${p.nospam} is not a u32`);
  if (p.tcpRelays.length > MAX_SAVED_TCP_RELAYS) throw new Malformed(`${p.tcpRelays.length} TCP relays, at most ${MAX_SAVED_TCP_RELAYS}`);
  if (p.pathNodes.length > MAX_SAVED_PATH_NODES) throw new Malformed(`${p.pathNodes.length} path nodes, at most ${MAX_SAVED_PATH_NODES}`);
  if (p.pathNodes.some((n) => n.tcp)) throw new Malformed('a path node is UDP, not TCP');
  for (const s of p.otherSections) {
    if (isModelled(s.type) || s.type === SectionType.END) throw new Malformed(`section type ${s.type} is not an other section`);
  }

  const w = new Writer(4096);
  writeU32le(w, 0);
  writeU32le(w, STATE_COOKIE_GLOBAL);
  const section = (type: number, build: (s: Writer) => void): void => {
    const s = new Writer();
    build(s);
    writeSection(w, STATE_COOKIE_TYPE, type, s.finish());
  };
  section(SectionType.NOSPAMKEYS, (s) => s.u32(p.nospam).bytes(p.publicKey).bytes(p.secretKey));
  writeSection(w, STATE_COOKIE_TYPE, SectionType.DHT, writeDht({ nodes: [...p.dhtNodes], otherSections: [...p.dhtOtherSections] }));
  section(SectionType.FRIENDS, (s) => writeFriends(s, p.friends));
  section(SectionType.NAME, (s) => s.bytes(encodeText(p.name, MAX_NAME_LENGTH, 'name')));
  section(SectionType.STATUSMESSAGE, (s) => s.bytes(encodeText(p.statusMessage, MAX_STATUS_MESSAGE_LENGTH, 'status message')));
  section(SectionType.STATUS, (s) => s.u8(userStatusByte(p.userStatus)));
  section(SectionType.TCP_RELAY, (s) => writeNodes(s, p.tcpRelays, 'TCP relay'));
  section(SectionType.PATH_NODE, (s) => writeNodes(s, p.pathNodes, 'path node'));
  for (const s of p.otherSections) writeSection(w, STATE_COOKIE_TYPE, s.type, s.data);
  writeSection(w, STATE_COOKIE_TYPE, SectionType.END, new Uint8Array(0));
  w.bytes(p.trailing);
  return w.finish();
}
