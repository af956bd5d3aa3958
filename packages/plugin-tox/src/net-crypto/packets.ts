/**
 * The packets of net_crypto (Tox spec § "Net crypto"), as pure functions of their keys: cookie
 * request (0x18), cookie response (0x19), the cookie itself, handshake (0x1a) and data (0x1b).
 * Every decoder checks the exact length before any crypto and reads through `Reader`; a packet
 * that does not verify yields `undefined`, never an exception.
 * @since 0.1.0
 */
import nacl from 'tweetnacl';
import { decrypt, encrypt } from '../crypto/box';
import { NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/keys';
import { incrementNonceBy } from '../crypto/nonce';
import { PacketKind } from '../dht/packet-kind';
import { Reader, Writer } from '../wire/bytes';
import { copyBytes } from '../wire/copy';
import {
  COOKIE_CONTENTS_LENGTH, COOKIE_LENGTH, COOKIE_REQUEST_LENGTH, COOKIE_REQUEST_PLAIN_LENGTH, COOKIE_RESPONSE_LENGTH,
  COOKIE_RESPONSE_PLAIN_LENGTH, COOKIE_TIMEOUT_S, CRYPTO_DATA_PACKET_MIN_SIZE, CRYPTO_MAX_PADDING, DATA_NUM_THRESHOLD,
  DATA_PACKET_OVERHEAD, HANDSHAKE_PACKET_LENGTH, HANDSHAKE_PLAIN_LENGTH, MAX_CRYPTO_DATA_SIZE, MAX_CRYPTO_PACKET_SIZE,
  PacketId, SHA512_SIZE,
} from './constants';

/** The keys a cookie carries: those of whoever asked for it. @since 0.1.0 */
export interface CookieKeys {
  readonly realPk: Uint8Array;
  readonly dhtPk: Uint8Array;
}

/**
 * spec § "Cookie": `[nonce][box(time, real pk, DHT pk)]` under our symmetric key. Only its maker
 * opens it, so the time's byte order is ours (big-endian seconds of our monotonic clock).
 */
export function makeCookie(symmetricKey: Uint8Array, nowS: number, keys: CookieKeys, nonce: Uint8Array): Uint8Array {
  const plain = new Writer(COOKIE_CONTENTS_LENGTH).u64(BigInt(Math.floor(nowS))).bytes(keys.realPk).bytes(keys.dhtPk).finish();
  return new Writer(COOKIE_LENGTH).bytes(nonce).bytes(encrypt(symmetricKey, nonce, plain)).finish();
}

/** Opens one of our cookies; `undefined` if it does not verify or is older than 15 s (or from the future). */
export function openCookie(symmetricKey: Uint8Array, nowS: number, cookie: Uint8Array): CookieKeys | undefined {
  if (cookie.length !== COOKIE_LENGTH) return undefined;
  const r = new Reader(cookie);
  const nonce = r.bytes(NONCE_SIZE, 'cookie nonce');
  const plain = decrypt(symmetricKey, nonce, r.rest());
  if (plain === undefined || plain.length !== COOKIE_CONTENTS_LENGTH) return undefined;
  const p = new Reader(plain);
  const made = Number(p.u64('cookie time'));
  const now = Math.floor(nowS);
  // spec § "Cookie": too old, or made "in the future", is invalid (c-toxcore's open_cookie)
  if (made + COOKIE_TIMEOUT_S < now || now < made) return undefined;
  return { realPk: copyBytes(p.bytes(PUBLIC_KEY_SIZE)), dhtPk: copyBytes(p.bytes(PUBLIC_KEY_SIZE)) };
}

/**
 * spec § "Cookie request": `[0x18][our DHT pk][nonce][box(real pk, 32 zero bytes, echo id)]`, the
 * box under the DHT combined key with the peer's DHT key.
 */
export function encodeCookieRequest(dhtSharedKey: Uint8Array, ourDhtPk: Uint8Array, ourRealPk: Uint8Array, echoId: Uint8Array, nonce: Uint8Array): Uint8Array {
  const plain = new Writer(COOKIE_REQUEST_PLAIN_LENGTH).bytes(ourRealPk).bytes(new Uint8Array(PUBLIC_KEY_SIZE)).bytes(echoId).finish();
  return new Writer(COOKIE_REQUEST_LENGTH).u8(PacketKind.COOKIE_REQUEST).bytes(ourDhtPk).bytes(nonce)
    .bytes(encrypt(dhtSharedKey, nonce, plain)).finish();
}

/** The sender's DHT key, read before any crypto (the size is checked by the caller). */
export function cookieRequestSender(packet: Uint8Array): Uint8Array {
  const r = new Reader(packet, 1);
  return r.bytes(PUBLIC_KEY_SIZE, 'cookie request sender');
}

/** @since 0.1.0 */
export interface CookieRequest {
  readonly realPk: Uint8Array;
  readonly echoId: Uint8Array;
}

/** Opens a cookie request with the DHT combined key of its sender; `undefined` if it does not verify. */
export function openCookieRequest(dhtSharedKey: Uint8Array, packet: Uint8Array): CookieRequest | undefined {
  if (packet.length !== COOKIE_REQUEST_LENGTH) return undefined;
  const r = new Reader(packet, 1 + PUBLIC_KEY_SIZE);
  const nonce = r.bytes(NONCE_SIZE, 'nonce');
  const plain = decrypt(dhtSharedKey, nonce, r.rest());
  if (plain === undefined || plain.length !== COOKIE_REQUEST_PLAIN_LENGTH) return undefined;
  const p = new Reader(plain);
  const realPk = copyBytes(p.bytes(PUBLIC_KEY_SIZE));
  p.bytes(PUBLIC_KEY_SIZE, 'padding');
  return { realPk, echoId: copyBytes(p.bytes(8, 'echo id')) };
}

/** spec § "Cookie response": `[0x19][nonce][box(cookie, echo id)]` under the same DHT combined key. */
export function encodeCookieResponse(dhtSharedKey: Uint8Array, cookie: Uint8Array, echoId: Uint8Array, nonce: Uint8Array): Uint8Array {
  const plain = new Writer(COOKIE_RESPONSE_PLAIN_LENGTH).bytes(cookie).bytes(echoId).finish();
  return new Writer(COOKIE_RESPONSE_LENGTH).u8(PacketKind.COOKIE_RESPONSE).bytes(nonce).bytes(encrypt(dhtSharedKey, nonce, plain)).finish();
}

/** @since 0.1.0 */
export interface CookieResponse {
  readonly cookie: Uint8Array;
  readonly echoId: Uint8Array;
}

export function openCookieResponse(dhtSharedKey: Uint8Array, packet: Uint8Array): CookieResponse | undefined {
  if (packet.length !== COOKIE_RESPONSE_LENGTH) return undefined;
  const r = new Reader(packet, 1);
  const nonce = r.bytes(NONCE_SIZE, 'nonce');
  const plain = decrypt(dhtSharedKey, nonce, r.rest());
  if (plain === undefined || plain.length !== COOKIE_RESPONSE_PLAIN_LENGTH) return undefined;
  const p = new Reader(plain);
  return { cookie: copyBytes(p.bytes(COOKIE_LENGTH)), echoId: copyBytes(p.bytes(8)) };
}

/** SHA-512 (spec § "Crypto": crypto_hash_sha512), via tweetnacl. */
export function sha512(b: Uint8Array): Uint8Array {
  return nacl.hash(b);
}

/** What a handshake carries, besides the cookie it answers. @since 0.1.0 */
export interface HandshakeBody {
  /** The base nonce of the sender's data packets. */
  readonly baseNonce: Uint8Array;
  /** The sender's session public key. */
  readonly sessionPk: Uint8Array;
  /** A cookie for the receiver to answer with (the sender made it). */
  readonly otherCookie: Uint8Array;
}

/**
 * spec § "Handshake": `[0x1a][cookie][nonce][box(base nonce, session pk, sha512(cookie), other cookie)]`,
 * the box under the real keys (`realSharedKey`: our real secret key with the peer's real public key).
 */
export function encodeHandshake(realSharedKey: Uint8Array, cookie: Uint8Array, body: HandshakeBody, nonce: Uint8Array): Uint8Array {
  const plain = new Writer(HANDSHAKE_PLAIN_LENGTH).bytes(body.baseNonce).bytes(body.sessionPk).bytes(sha512(cookie))
    .bytes(body.otherCookie).finish();
  return new Writer(HANDSHAKE_PACKET_LENGTH).u8(PacketKind.CRYPTO_HANDSHAKE).bytes(cookie).bytes(nonce)
    .bytes(encrypt(realSharedKey, nonce, plain)).finish();
}

/** The cookie at the head of a handshake (size checked by the caller). */
export function handshakeCookie(packet: Uint8Array): Uint8Array {
  return new Reader(packet, 1).bytes(COOKIE_LENGTH, 'handshake cookie');
}

/**
 * Opens the box of a handshake whose cookie was already opened, with the combined key of our real
 * secret key and the real key the cookie named; checks the SHA-512 of the cookie.
 */
export function openHandshakeBody(realSharedKey: Uint8Array, packet: Uint8Array): HandshakeBody | undefined {
  if (packet.length !== HANDSHAKE_PACKET_LENGTH) return undefined;
  const r = new Reader(packet, 1);
  const cookie = r.bytes(COOKIE_LENGTH, 'cookie');
  const nonce = r.bytes(NONCE_SIZE, 'nonce');
  const plain = decrypt(realSharedKey, nonce, r.rest());
  if (plain === undefined || plain.length !== HANDSHAKE_PLAIN_LENGTH) return undefined;
  const p = new Reader(plain);
  const baseNonce = copyBytes(p.bytes(NONCE_SIZE));
  const sessionPk = copyBytes(p.bytes(PUBLIC_KEY_SIZE));
  const hash = p.bytes(SHA512_SIZE);
  if (!equalBytes(hash, sha512(cookie))) return undefined;
  return { baseNonce, sessionPk, otherCookie: copyBytes(p.bytes(COOKIE_LENGTH)) };
}

/** The plain text of a data packet: buffer start, packet number, padding, payload. @since 0.1.0 */
export interface DataPlain {
  /** The first packet number the sender has not received from us (acknowledges all before). */
  readonly bufferStart: number;
  /** The packet number of a lossless packet; the sender's send-buffer end otherwise. */
  readonly packetNumber: number;
  /** The payload with the padding removed; its first byte is the packet id. */
  readonly data: Uint8Array;
}

/**
 * spec § "Data packet", plain text: `[buffer start u32][packet number u32][zero padding][data]`; the
 * padding makes `(MAX_CRYPTO_DATA_SIZE - length) % 8` zero bytes, as c-toxcore pads.
 */
export function encodeDataPlain(p: DataPlain): Uint8Array {
  if (p.data.length === 0 || p.data.length > MAX_CRYPTO_DATA_SIZE) throw new RangeError(`data of ${p.data.length} bytes`);
  const padding = (MAX_CRYPTO_DATA_SIZE - p.data.length) % CRYPTO_MAX_PADDING;
  return new Writer(8 + padding + p.data.length).u32(p.bufferStart).u32(p.packetNumber).bytes(new Uint8Array(padding)).bytes(p.data).finish();
}

/** Reads a data plain text; `undefined` when it is all padding. */
export function decodeDataPlain(plain: Uint8Array): DataPlain | undefined {
  const r = new Reader(plain);
  const bufferStart = r.u32('buffer start');
  const packetNumber = r.u32('packet number');
  let at = r.offset;
  while (at < plain.length && plain[at] === PacketId.PADDING) at++;
  if (at >= plain.length) return undefined;
  return { bufferStart, packetNumber, data: plain.subarray(at) };
}

/** spec § "Data packet": `[0x1b][last 2 bytes of the nonce][box(plain)]` under the session key. */
export function sealData(sessionSharedKey: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  return new Writer(DATA_PACKET_OVERHEAD + plain.length).u8(PacketKind.CRYPTO_DATA).bytes(nonce.subarray(NONCE_SIZE - 2))
    .bytes(encrypt(sessionSharedKey, nonce, plain)).finish();
}

/** Whether a data packet's length is possible, checked before any crypto. */
export function dataPacketSizeOk(length: number): boolean {
  return length > CRYPTO_DATA_PACKET_MIN_SIZE && length <= MAX_CRYPTO_PACKET_SIZE;
}

/**
 * Opens a data packet with the receive nonce (spec § "Data packet": the 2 bytes are the low bytes
 * of the full nonce; the receiver adds their difference, mod 2^16, to its own). On success, when
 * the difference is over 2 × DATA_NUM_THRESHOLD the receive nonce moves on by DATA_NUM_THRESHOLD,
 * in place — the window c-toxcore keeps. On failure `recvNonce` is untouched.
 */
export function openData(sessionSharedKey: Uint8Array, recvNonce: Uint8Array, packet: Uint8Array): Uint8Array | undefined {
  if (!dataPacketSizeOk(packet.length)) return undefined;
  const r = new Reader(packet, 1);
  const tail = r.u16('nonce tail');
  const current = (recvNonce[NONCE_SIZE - 2] << 8) | recvNonce[NONCE_SIZE - 1];
  const diff = (tail - current) & 0xffff;
  const nonce = incrementNonceBy(copyBytes(recvNonce), diff);
  const plain = decrypt(sessionSharedKey, nonce, r.rest());
  if (plain === undefined) return undefined;
  if (diff > DATA_NUM_THRESHOLD * 2) incrementNonceBy(recvNonce, DATA_NUM_THRESHOLD);
  return plain;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}
