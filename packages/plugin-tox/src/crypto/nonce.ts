/**
 * Nonces (Tox spec, "Crypto" § "Nonce"): random for most packets, incremented as a big-endian
 * number for the ordered streams of net_crypto.
 * @since 0.1.0
 */
import { NONCE_SIZE, randomBytes } from './keys';

/** A random 24-byte nonce from the CSPRNG (spec § "Nonce": "randombytes"). @since 0.1.0 */
export function randomNonce(): Uint8Array {
  return randomBytes(NONCE_SIZE);
}

/**
 * Adds 1 in place, reading the nonce as a big-endian number; the maximum wraps to 0 (spec § "Nonce":
 * "interpreting it as a Big Endian number and adding 1"). Every byte is visited whatever the carry,
 * so the time taken does not depend on the value. Returns the same array.
 * @since 0.1.0
 */
export function incrementNonce(nonce: Uint8Array): Uint8Array {
  return incrementNonceBy(nonce, 1);
}

/** Adds an unsigned 32-bit `n` in place, big-endian, wrapping (c-toxcore's increment_nonce_number). @since 0.1.0 */
export function incrementNonceBy(nonce: Uint8Array, n: number): Uint8Array {
  if (nonce.length !== NONCE_SIZE) throw new RangeError('a nonce is 24 bytes');
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError('the increment is a u32');
  let carry = 0;
  for (let i = NONCE_SIZE - 1; i >= 0; i--) {
    const add = i >= NONCE_SIZE - 4 ? (n >>> ((NONCE_SIZE - 1 - i) * 8)) & 0xff : 0;
    carry += nonce[i] + add;
    nonce[i] = carry & 0xff;
    carry >>>= 8;
  }
  return nonce;
}
