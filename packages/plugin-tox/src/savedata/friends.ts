/**
 * The FRIENDS section: one fixed-size record per friend, the memory image of c-toxcore 0.2.18's
 * `struct Saved_Friend` on x86-64 (`toxcore/Messenger.c` `friend_save`, `friend_load`; Tox spec,
 * "State Format", "Friends"), 2216 bytes:
 *
 *     off  size
 *       0     1  status: 1 added, 2 request sent, 3 confirmed (4, online, is saved as 3; 0 is skipped)
 *       1    32  long-term public key
 *      33  1024  friend request message we send (status 1 and 2 only)
 *    1057     1  padding
 *    1058     2  request message length, big-endian
 *    1060   128  name (status 3)
 *    1188     2  name length, big-endian
 *    1190  1007  status message
 *    2197     1  padding
 *    2198     2  status message length, big-endian
 *    2200     1  user status: 0 none, 1 away, 2 busy
 *    2201     3  padding
 *    2204     4  nospam of the Tox ID the request goes to, as in the ID (status 1 and 2)
 *    2208     8  last seen, Unix seconds, big-endian
 *
 * c-toxcore writes zeros in the fields a status does not use, and so do we. It loads a record whose
 * lengths exceed their fields by ignoring the field, and skips one with an invalid key; we refuse the
 * file (`Malformed`) instead.
 */
import { copyBytes } from '../wire/copy';
import { Malformed, Reader, Writer } from '../wire/bytes';
import { UserStatus, readUserStatus, userStatusByte } from './user-status';

/** `SAVED_FRIEND_REQUEST_SIZE`, `MAX_NAME_LENGTH`, `MAX_STATUSMESSAGE_LENGTH` in Messenger.{c,h}. */
const REQUEST_FIELD = 1024;
/** `MAX_FRIEND_REQUEST_DATA_SIZE`, `TOX_MAX_FRIEND_REQUEST_LENGTH`: c-toxcore refuses a longer request. */
export const MAX_FRIEND_REQUEST_LENGTH = 1016;
export const MAX_NAME_LENGTH = 128;
export const MAX_STATUS_MESSAGE_LENGTH = 1007;
export const SAVED_FRIEND_SIZE = 2216;

const FRIEND_ADDED = 1;
const FRIEND_REQUESTED = 2;
const FRIEND_CONFIRMED = 3;

/** A friend who accepted (or was added without a request). @since 0.1.0 */
export interface ConfirmedFriend {
  readonly kind: 'confirmed';
  readonly publicKey: Uint8Array;
  readonly name: string;
  readonly statusMessage: string;
  readonly userStatus: UserStatus;
  /** Unix seconds when last seen online; 0 if never. */
  readonly lastSeen: number;
}

/** A friend we asked and who has not accepted yet. @since 0.1.0 */
export interface PendingFriend {
  readonly kind: 'pending';
  readonly publicKey: Uint8Array;
  /** False until the request went out at least once (status 1 rather than 2). */
  readonly requestSent: boolean;
  readonly requestMessage: string;
  /** The nospam of the Tox ID the request is for. */
  readonly nospam: number;
}

/** @since 0.1.0 */
export type SavedFriend = ConfirmedFriend | PendingFriend;

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

export function readFriends(data: Uint8Array): SavedFriend[] {
  if (data.length % SAVED_FRIEND_SIZE !== 0) {
    throw new Malformed(`FRIENDS section of ${data.length} bytes is not a multiple of ${SAVED_FRIEND_SIZE}`);
  }
  const friends: SavedFriend[] = [];
  const r = new Reader(data);
  while (r.remaining > 0) {
    const friend = readFriend(r, friends.length);
    if (friend) friends.push(friend);
  }
  return friends;
}

function readFriend(r: Reader, index: number): SavedFriend | undefined {
  const what = `friend ${index}`;
  const status = r.u8(`${what} status`);
  const publicKey = copyBytes(r.bytes(32, `${what} public key`));
  const request = r.bytes(REQUEST_FIELD, `${what} request`);
  r.bytes(1, 'padding');
  const requestLength = r.u16(`${what} request length`);
  const name = r.bytes(MAX_NAME_LENGTH, `${what} name`);
  const nameLength = r.u16(`${what} name length`);
  const statusMessage = r.bytes(MAX_STATUS_MESSAGE_LENGTH, `${what} status message`);
  r.bytes(1, 'padding');
  const statusMessageLength = r.u16(`${what} status message length`);
  const userStatus = r.u8(`${what} user status`);
  r.bytes(3, 'padding');
  const nospam = r.u32(`${what} request nospam`);
  const lastSeen = r.u64(`${what} last seen`);
  if (status === 0) return undefined; // an empty slot; c-toxcore skips it too
  checkKey(publicKey, what);
  if (status >= FRIEND_CONFIRMED) {
    if (nameLength > MAX_NAME_LENGTH) throw new Malformed(`${what} name length ${nameLength} > ${MAX_NAME_LENGTH}`);
    if (statusMessageLength > MAX_STATUS_MESSAGE_LENGTH) {
      throw new Malformed(`${what} status message length ${statusMessageLength} > ${MAX_STATUS_MESSAGE_LENGTH}`);
    }
    if (lastSeen > BigInt(Number.MAX_SAFE_INTEGER)) throw new Malformed(`${what} last seen ${lastSeen} is not a time`);
    return {
      kind: 'confirmed',
      publicKey,
      name: utf8.decode(name.subarray(0, nameLength)),
      statusMessage: utf8.decode(statusMessage.subarray(0, statusMessageLength)),
      userStatus: readUserStatus(userStatus, `${what} user status`),
      lastSeen: Number(lastSeen),
    };
  }
  if (requestLength > MAX_FRIEND_REQUEST_LENGTH) {
    throw new Malformed(`${what} request length ${requestLength} > ${MAX_FRIEND_REQUEST_LENGTH}`);
  }
  return {
    kind: 'pending',
    publicKey,
    requestSent: status === FRIEND_REQUESTED,
    requestMessage: utf8.decode(request.subarray(0, requestLength)),
    nospam,
  };
}

/**
 * c-toxcore drops a friend whose key has the top bit of its last byte set (`public_key_valid`,
 * crypto_core.c: "Last bit of key is always zero"); it never saves one, so such a record is refused.
 */
function checkKey(publicKey: Uint8Array, what: string): void {
  if (publicKey[31] >= 128) throw new Malformed(`${what} public key is not a Curve25519 key (last byte ≥ 128)`);
}

/** Encodes a text field, refusing more bytes than `max`. */
export function encodeText(text: string, max: number, what: string): Uint8Array {
  const bytes = encoder.encode(text);
  if (bytes.length > max) throw new Malformed(`${what} is ${bytes.length} bytes of UTF-8, at most ${max}`);
  return bytes;
}

export function writeFriends(w: Writer, friends: readonly SavedFriend[]): void {
  friends.forEach((f, i) => {
    const what = `friend ${i}`;
    if (f.publicKey.length !== 32) throw new Malformed(`${what} public key of ${f.publicKey.length} bytes`);
    checkKey(f.publicKey, what);
    const field = (bytes: Uint8Array, size: number): Uint8Array => {
      const out = new Uint8Array(size);
      out.set(bytes);
      return out;
    };
    if (f.kind === 'confirmed') {
      const name = encodeText(f.name, MAX_NAME_LENGTH, `${what} name`);
      const message = encodeText(f.statusMessage, MAX_STATUS_MESSAGE_LENGTH, `${what} status message`);
      if (!Number.isSafeInteger(f.lastSeen) || f.lastSeen < 0) throw new Malformed(`${what} last seen ${f.lastSeen}`);
      w.u8(FRIEND_CONFIRMED).bytes(f.publicKey).bytes(new Uint8Array(REQUEST_FIELD)).u8(0).u16(0);
      w.bytes(field(name, MAX_NAME_LENGTH)).u16(name.length);
      w.bytes(field(message, MAX_STATUS_MESSAGE_LENGTH)).u8(0).u16(message.length);
      w.u8(userStatusByte(f.userStatus)).bytes(new Uint8Array(3)).u32(0).u64(BigInt(f.lastSeen));
    } else {
      const request = encodeText(f.requestMessage, MAX_FRIEND_REQUEST_LENGTH, `${what} request message`);
      if (!Number.isInteger(f.nospam) || f.nospam < 0 || f.nospam > 0xffffffff) throw new Malformed(`${what} nospam ${f.nospam}`);
      w.u8(f.requestSent ? FRIEND_REQUESTED : FRIEND_ADDED).bytes(f.publicKey);
      w.bytes(field(request, REQUEST_FIELD)).u8(0).u16(request.length);
      w.bytes(new Uint8Array(MAX_NAME_LENGTH)).u16(0);
      w.bytes(new Uint8Array(MAX_STATUS_MESSAGE_LENGTH)).u8(0).u16(0);
      w.u8(0).bytes(new Uint8Array(3)).u32(f.nospam).u64(0n);
    }
  });
}
