import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PASS_ENCRYPTION_EXTRA_LENGTH,
  TOX_SCRYPT_PARAMS,
  WrongPassphrase,
  derivePassKey,
  derivePassKeySync,
  getSalt,
  isDataEncrypted,
  parseSavedata,
  passDecrypt,
  passEncrypt,
  passKeyDecrypt,
  passKeyEncrypt,
  writeSavedata,
} from '../src/savedata';
import { Malformed, Truncated } from '../src/wire/bytes';

const VECTORS = join(__dirname, 'vectors');
const expected = JSON.parse(readFileSync(join(VECTORS, 'expected.json'), 'utf8')) as {
  passphrase: string;
  plain: { file: string };
  encrypted: { file: string; salt: string };
  kdf: { passphrase: string; salt: string; key: string }[];
};
const encrypted = new Uint8Array(readFileSync(join(VECTORS, expected.encrypted.file)));
const plain = new Uint8Array(readFileSync(join(VECTORS, expected.plain.file)));

describe('toxencryptsave', () => {
  it('derives the key libsodium derives for c-toxcore (scrypt N=16384 r=8 p=2 over SHA-256)', async () => {
    expect(TOX_SCRYPT_PARAMS).toEqual({ N: 16384, r: 8, p: 2 });
    for (const v of expected.kdf) {
      const salt = Buffer.from(v.salt, 'hex');
      expect(Buffer.from(derivePassKeySync(v.passphrase, salt).key).toString('hex').toUpperCase()).toBe(v.key);
      expect(Buffer.from((await derivePassKey(Buffer.from(v.passphrase), salt)).key).toString('hex').toUpperCase()).toBe(v.key);
    }
  });

  it('recognises and decrypts a file c-toxcore encrypted', async () => {
    expect(isDataEncrypted(encrypted)).toBe(true);
    expect(isDataEncrypted(plain)).toBe(false);
    expect(Buffer.from(getSalt(encrypted)).toString('hex').toUpperCase()).toBe(expected.encrypted.salt);
    expect(Buffer.compare(await passDecrypt(encrypted, expected.passphrase), plain)).toBe(0);
  });

  it('says WrongPassphrase for a wrong passphrase or a damaged file', async () => {
    await expect(passDecrypt(encrypted, 'correct horse battery stapler')).rejects.toThrow(WrongPassphrase);
    const damaged = encrypted.slice();
    damaged[200] ^= 1;
    const key = derivePassKeySync(expected.passphrase, getSalt(encrypted));
    expect(() => passKeyDecrypt(key, damaged)).toThrow(WrongPassphrase);
    expect(() => passKeyDecrypt(key, damaged)).toThrow(/wrong passphrase, or the file is damaged/);
  });

  it('refuses what is not an encrypted savedata, as c-toxcore does', async () => {
    await expect(passDecrypt(plain, 'x')).rejects.toThrow(Malformed);
    await expect(passDecrypt(encrypted.subarray(0, PASS_ENCRYPTION_EXTRA_LENGTH), 'x')).rejects.toThrow(Truncated);
    await expect(passEncrypt(new Uint8Array(0), 'x')).rejects.toThrow(Malformed);
    expect(isDataEncrypted(encrypted.subarray(0, 7))).toBe(false);
  });

  it('writes the layout c-toxcore reads: magic, salt, nonce, MAC, data', async () => {
    const profile = parseSavedata(plain);
    const exported = writeSavedata({ ...profile, name: 'exported by Confab' });
    const out = await passEncrypt(exported, expected.passphrase);
    expect(Buffer.from(out.subarray(0, 8)).toString()).toBe('toxEsave');
    expect(out.length).toBe(exported.length + PASS_ENCRYPTION_EXTRA_LENGTH);
    expect(parseSavedata(await passDecrypt(out, expected.passphrase)).name).toBe('exported by Confab');
    // the same key and nonce give the same bytes; a fresh call a fresh salt and nonce
    const key = derivePassKeySync(expected.passphrase, getSalt(encrypted));
    const nonce = encrypted.subarray(40, 64);
    expect(Buffer.compare(passKeyEncrypt(key, plain, nonce), encrypted)).toBe(0);
    expect(Buffer.compare(await passEncrypt(exported, 'p'), await passEncrypt(exported, 'p'))).not.toBe(0);
  });
});
