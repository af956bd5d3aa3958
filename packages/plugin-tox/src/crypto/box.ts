/**
 * The Tox box: crypto_box_afternm / crypto_box_open_afternm with a precomputed (combined) key
 * (Tox spec, "Crypto" § "Box" and § "Combined Key"). tweetnacl's `box.after` output — the 16-byte
 * poly1305 tag followed by the cipher text — is byte-identical to libsodium's crypto_box_easy
 * and to what c-toxcore's encrypt_data_symmetric writes.
 * @since 0.1.0
 */
import nacl from 'tweetnacl';
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE, SECRET_KEY_SIZE, SHARED_KEY_SIZE } from './keys';

/** crypto_box_beforenm: the combined key of our secret key and their public key (~1 ms). @since 0.1.0 */
export function precompute(theirPublicKey: Uint8Array, ourSecretKey: Uint8Array): Uint8Array {
  if (theirPublicKey.length !== PUBLIC_KEY_SIZE || ourSecretKey.length !== SECRET_KEY_SIZE) {
    throw new RangeError('keys are 32 bytes');
  }
  return nacl.box.before(theirPublicKey, ourSecretKey);
}

/**
 * Encrypts and authenticates; the result is `MAC_SIZE` bytes longer than `plain`. Like c-toxcore,
 * an empty plain text is refused (no Tox packet is empty).
 * @since 0.1.0
 */
export function encrypt(sharedKey: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  checkKeyNonce(sharedKey, nonce);
  if (plain.length === 0) throw new RangeError('refusing to encrypt an empty message');
  return nacl.box.after(plain, nonce, sharedKey);
}

/**
 * Verifies and decrypts; `undefined` when the tag does not verify or the box holds no plain text
 * (c-toxcore's decrypt_data_symmetric fails for a box of 16 bytes or fewer).
 * @since 0.1.0
 */
export function decrypt(sharedKey: Uint8Array, nonce: Uint8Array, box: Uint8Array): Uint8Array | undefined {
  checkKeyNonce(sharedKey, nonce);
  if (box.length <= MAC_SIZE) return undefined;
  return nacl.box.open.after(box, nonce, sharedKey) ?? undefined;
}

function checkKeyNonce(sharedKey: Uint8Array, nonce: Uint8Array): void {
  if (sharedKey.length !== SHARED_KEY_SIZE) throw new RangeError('a shared key is 32 bytes');
  if (nonce.length !== NONCE_SIZE) throw new RangeError('a nonce is 24 bytes');
}
