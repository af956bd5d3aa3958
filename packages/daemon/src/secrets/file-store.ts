/**
 * The fallback secret store: one file, `<dataDir>/secrets`, holding a JSON map encrypted with
 * tweetnacl's secretbox (XSalsa20-Poly1305) under a 32-byte key in `<dataDir>/secrets.key`. Both are
 * mode 0600 in a 0700 folder and written atomically (temporary file + rename). A fresh random nonce
 * is used for every write and stored in front of the ciphertext.
 *
 * This protects the secrets from anyone who gets the secrets file alone (a backup, a synced folder),
 * not from someone who can read the whole data folder as the user: that is what the Secret Service
 * is for, and why using this store logs a warning.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { ConfabError } from '@confab/sdk';
import type { SecretStore } from './secret-store';

type Secrets = Record<string, Record<string, string>>;

export class FileSecretStore implements SecretStore {
  readonly kind = 'file' as const;
  private readonly file: string;
  private readonly key: Uint8Array;
  private data: Secrets;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.file = join(dataDir, 'secrets');
    this.key = loadKey(join(dataDir, 'secrets.key'));
    this.data = this.read();
  }

  async get(accountId: string, name: string): Promise<string | undefined> {
    return this.data[accountId]?.[name];
  }

  async set(accountId: string, name: string, value: string): Promise<void> {
    this.data[accountId] = { ...this.data[accountId], [name]: value };
    this.write();
  }

  async delete(accountId: string, name: string): Promise<void> {
    if (!this.data[accountId] || !(name in this.data[accountId])) return;
    delete this.data[accountId][name];
    this.write();
  }

  async deleteAccount(accountId: string): Promise<void> {
    if (!(accountId in this.data)) return;
    delete this.data[accountId];
    this.write();
  }

  async list(accountId: string): Promise<string[]> {
    return Object.keys(this.data[accountId] ?? {}).sort();
  }

  async close(): Promise<void> {}

  private read(): Secrets {
    if (!existsSync(this.file)) return {};
    const raw = readFileSync(this.file);
    const nonce = raw.subarray(0, nacl.secretbox.nonceLength);
    const box = raw.subarray(nacl.secretbox.nonceLength);
    const plain = raw.length > nacl.secretbox.nonceLength ? nacl.secretbox.open(box, nonce, this.key) : null;
    if (!plain) throw new ConfabError('InvalidConfig', `${this.file} cannot be decrypted with ${this.file}.key (corrupt, or the key was replaced)`);
    try {
      return JSON.parse(Buffer.from(plain).toString('utf8')) as Secrets;
    } catch {
      throw new ConfabError('InvalidConfig', `${this.file} is corrupt`);
    }
  }

  private write(): void {
    const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
    const box = nacl.secretbox(Buffer.from(JSON.stringify(this.data), 'utf8'), nonce, this.key);
    atomicWrite(this.file, Buffer.concat([nonce, box]));
  }
}

function loadKey(path: string): Uint8Array {
  if (existsSync(path)) {
    const key = readFileSync(path);
    if (key.length !== nacl.secretbox.keyLength) throw new ConfabError('InvalidConfig', `${path} is not a ${nacl.secretbox.keyLength}-byte key`);
    return new Uint8Array(key);
  }
  const key = nacl.randomBytes(nacl.secretbox.keyLength);
  atomicWrite(path, Buffer.from(key));
  return key;
}

function atomicWrite(path: string, data: Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
