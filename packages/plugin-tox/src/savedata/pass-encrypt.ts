/**
 * toxencryptsave: a passphrase-encrypted savedata (c-toxcore 0.2.18 `toxencryptsave/toxencryptsave.c`
 * `tox_pass_encrypt`, `tox_pass_decrypt`, `tox_pass_key_derive_with_salt`, `tox_is_data_encrypted`):
 *
 *     "toxEsave" (8) | salt (32) | nonce (24) | MAC (16) | encrypted savedata
 *
 * The key: SHA-256 of the passphrase, then scrypt (salsa20/8, SHA-256) of that hash with the salt,
 * 32 bytes out. c-toxcore asks libsodium's `crypto_pwhash_scryptsalsa208sha256` for
 * `OPSLIMIT_INTERACTIVE * 2` (2 × 524288) and `MEMLIMIT_INTERACTIVE` (16 MiB); libsodium's
 * `pickparams` turns those into N = 2^14 = 16384, r = 8, p = 2 (opslimit ≥ memlimit / 32, so
 * N = the largest power of two ≤ memlimit / (128 r) / 2 … = 2^14, p = (opslimit / 4 / N) / r = 2).
 * The box is crypto_box_afternm with that key, i.e. XSalsa20-Poly1305 (tweetnacl `secretbox`).
 * A wrong passphrase and a damaged file look the same: the MAC fails (`WrongPassphrase`).
 *
 * scrypt costs ~80 ms and 16 MiB: the async forms run it on libuv's thread pool.
 */
import { createHash, scrypt, scryptSync } from 'node:crypto';
import nacl from 'tweetnacl';
import { Malformed, Truncated } from '../wire/bytes';

const MAGIC = new TextEncoder().encode('toxEsave');
/** `TOX_PASS_SALT_LENGTH`, `TOX_PASS_KEY_LENGTH`, `TOX_PASS_ENCRYPTION_EXTRA_LENGTH` (toxencryptsave.h). @since 0.1.0 */
export const PASS_SALT_LENGTH = 32;
export const PASS_KEY_LENGTH = 32;
export const PASS_ENCRYPTION_EXTRA_LENGTH = MAGIC.length + PASS_SALT_LENGTH + nacl.secretbox.nonceLength + nacl.secretbox.overheadLength;

/** What libsodium picks for c-toxcore's limits (see the header). @since 0.1.0 */
export const TOX_SCRYPT_PARAMS = { N: 16384, r: 8, p: 2 } as const;
const SCRYPT_OPTIONS = { ...TOX_SCRYPT_PARAMS, maxmem: 64 * 1024 * 1024 };

/** The MAC did not verify: a wrong passphrase, or a damaged file. @since 0.1.0 */
export class WrongPassphrase extends Error {
  constructor() {
    super('cannot decrypt the profile: wrong passphrase, or the file is damaged');
    this.name = 'WrongPassphrase';
  }
}

/** A derived key with its salt (`Tox_Pass_Key`). Derive once to encrypt many times. @since 0.1.0 */
export interface PassKey {
  readonly salt: Uint8Array;
  readonly key: Uint8Array;
}

/** Whether `data` starts with the "toxEsave" magic (`tox_is_data_encrypted`). @since 0.1.0 */
export function isDataEncrypted(data: Uint8Array): boolean {
  return data.length >= MAGIC.length && MAGIC.every((b, i) => data[i] === b);
}

type Passphrase = string | Uint8Array;

function hashed(passphrase: Passphrase): Buffer {
  const bytes = typeof passphrase === 'string' ? Buffer.from(passphrase, 'utf8') : passphrase;
  return createHash('sha256').update(bytes).digest();
}

function saltOrRandom(salt?: Uint8Array): Uint8Array {
  if (salt === undefined) return nacl.randomBytes(PASS_SALT_LENGTH);
  if (salt.length !== PASS_SALT_LENGTH) throw new Malformed(`a salt has ${PASS_SALT_LENGTH} bytes, not ${salt.length}`);
  return Uint8Array.from(salt);
}

/** `tox_pass_key_derive(_with_salt)`, on the thread pool. @since 0.1.0 */
export function derivePassKey(passphrase: Passphrase, salt?: Uint8Array): Promise<PassKey> {
  const s = saltOrRandom(salt);
  return new Promise((resolve, reject) => {
    scrypt(hashed(passphrase), s, PASS_KEY_LENGTH, SCRYPT_OPTIONS, (err, key) =>
      err ? reject(err) : resolve({ salt: s, key: new Uint8Array(key) }),
    );
  });
}

/** `tox_pass_key_derive(_with_salt)`, blocking for ~80 ms. @since 0.1.0 */
export function derivePassKeySync(passphrase: Passphrase, salt?: Uint8Array): PassKey {
  const s = saltOrRandom(salt);
  return { salt: s, key: new Uint8Array(scryptSync(hashed(passphrase), s, PASS_KEY_LENGTH, SCRYPT_OPTIONS)) };
}

/** The salt of an encrypted savedata (`tox_get_salt`), to derive its key. @since 0.1.0 */
export function getSalt(data: Uint8Array): Uint8Array {
  checkEnvelope(data);
  return Uint8Array.from(data.subarray(MAGIC.length, MAGIC.length + PASS_SALT_LENGTH)); // a copy, also of a Buffer
}

/** c-toxcore's order: the length (`…_INVALID_LENGTH`), then the magic (`…_BAD_FORMAT`). */
function checkEnvelope(data: Uint8Array): void {
  if (data.length <= PASS_ENCRYPTION_EXTRA_LENGTH) {
    throw new Truncated('encrypted savedata', PASS_ENCRYPTION_EXTRA_LENGTH + 1, data.length);
  }
  if (!isDataEncrypted(data)) throw new Malformed('not an encrypted Tox savedata (no toxEsave magic)');
}

/** `tox_pass_key_encrypt`: a fresh random nonce unless one is given (tests). @since 0.1.0 */
export function passKeyEncrypt(key: PassKey, plaintext: Uint8Array, nonce?: Uint8Array): Uint8Array {
  if (plaintext.length === 0) throw new Malformed('nothing to encrypt'); // c-toxcore refuses it too
  const n = nonce ?? nacl.randomBytes(nacl.secretbox.nonceLength);
  if (n.length !== nacl.secretbox.nonceLength) throw new Malformed(`a nonce has ${nacl.secretbox.nonceLength} bytes`);
  const boxed = nacl.secretbox(plaintext, n, key.key);
  const out = new Uint8Array(MAGIC.length + PASS_SALT_LENGTH + n.length + boxed.length);
  out.set(MAGIC);
  out.set(key.salt, MAGIC.length);
  out.set(n, MAGIC.length + PASS_SALT_LENGTH);
  out.set(boxed, MAGIC.length + PASS_SALT_LENGTH + n.length);
  return out;
}

/**
 * `tox_pass_key_decrypt`. Like c-toxcore it does not compare the file's salt with the key's: a key
 * for another salt fails as `WrongPassphrase`.
 * @since 0.1.0
 */
export function passKeyDecrypt(key: PassKey, data: Uint8Array): Uint8Array {
  checkEnvelope(data);
  const at = MAGIC.length + PASS_SALT_LENGTH;
  const nonce = data.subarray(at, at + nacl.secretbox.nonceLength);
  const plain = nacl.secretbox.open(data.subarray(at + nacl.secretbox.nonceLength), nonce, key.key);
  if (!plain) throw new WrongPassphrase();
  return plain;
}

/** `tox_pass_encrypt`: a new random salt and nonce. @since 0.1.0 */
export async function passEncrypt(plaintext: Uint8Array, passphrase: Passphrase): Promise<Uint8Array> {
  if (plaintext.length === 0) throw new Malformed('nothing to encrypt');
  return passKeyEncrypt(await derivePassKey(passphrase), plaintext);
}

/** `tox_pass_decrypt`. Throws `Truncated`, `Malformed` or `WrongPassphrase`. @since 0.1.0 */
export async function passDecrypt(data: Uint8Array, passphrase: Passphrase): Promise<Uint8Array> {
  return passKeyDecrypt(await derivePassKey(passphrase, getSalt(data)), data);
}

/** `tox_pass_encrypt`, blocking. @since 0.1.0 */
export function passEncryptSync(plaintext: Uint8Array, passphrase: Passphrase): Uint8Array {
  if (plaintext.length === 0) throw new Malformed('nothing to encrypt');
  return passKeyEncrypt(derivePassKeySync(passphrase), plaintext);
}

/** `tox_pass_decrypt`, blocking. @since 0.1.0 */
export function passDecryptSync(data: Uint8Array, passphrase: Passphrase): Uint8Array {
  return passKeyDecrypt(derivePassKeySync(passphrase, getSalt(data)), data);
}
