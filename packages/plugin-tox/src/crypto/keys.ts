/**
 * Tox key pairs, on tweetnacl (curve25519 as NaCl's crypto_box).
 * @since 0.1.0
 */
import { randomFillSync } from 'node:crypto';
import nacl from 'tweetnacl';

/** Byte sizes of the Crypto Numbers (Tox spec, "Crypto" § "Key"). @since 0.1.0 */
export const PUBLIC_KEY_SIZE = 32;
export const SECRET_KEY_SIZE = 32;
export const SHARED_KEY_SIZE = 32;
export const NONCE_SIZE = 24;
/** The poly1305 tag that every box carries (Tox spec, "DHT Packet": "at least 16 bytes"). */
export const MAC_SIZE = 16;

/** @since 0.1.0 */
export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** A fresh key pair, as crypto_box_keypair (Tox spec, "Crypto" § "Key Pair"). @since 0.1.0 */
export function newKeyPair(): KeyPair {
  const kp = nacl.box.keyPair();
  return { publicKey: kp.publicKey, secretKey: kp.secretKey };
}

/** The public key of a secret key, as crypto_scalarmult_base (Tox spec § "Key Pair"). @since 0.1.0 */
export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  if (secretKey.length !== SECRET_KEY_SIZE) throw new RangeError('a secret key is 32 bytes');
  const kp = nacl.box.keyPair.fromSecretKey(secretKey);
  return { publicKey: kp.publicKey, secretKey: kp.secretKey };
}

/**
 * `n` bytes from the CSPRNG, filled in place: one allocation per call (a nonce for nearly every
 * packet), where tweetnacl's randomBytes allocates twice, copies and zeroes. @since 0.1.0
 */
export function randomBytes(n: number): Uint8Array {
  return randomFillSync(new Uint8Array(n));
}

/** Byte equality of two keys (public keys are not secret: no need for constant time). @since 0.1.0 */
export function keysEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lower-case hex, for map keys and logs. @since 0.1.0 */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}
