/**
 * Where an account's identity lives: `<account folder>/profile.tox`, c-toxcore's savedata encrypted
 * with the account's `profile-password` in `tox_pass_encrypt`'s format — so the secret key is never
 * on disk in the clear, and the file itself is the export: qTox, toxic, uTox and c-toxcore load it
 * with the same passphrase. Written whole to a temporary file, synced, then renamed: a crash leaves
 * the old profile or the new one, never half of one. The key derivation (scrypt, ~80 ms) runs once
 * per connection; later saves reuse the derived key with a fresh nonce.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfabError, InvalidArgumentError } from '@confab/sdk';
import {
  createProfile, derivePassKey, getSalt, isDataEncrypted, parseSavedata, passKeyDecrypt, passKeyEncrypt, writeSavedata,
  WrongPassphrase, type PassKey, type ToxProfile,
} from '../savedata';
import { Malformed, Truncated } from '../wire/bytes';

export const PROFILE_FILE = 'profile.tox';

/** Saves under way, by file: a connection that replaces another reads the profile only after its last save. */
const saving = new Map<string, Promise<void>>();

export class ProfileStore {
  private key?: PassKey;

  constructor(private readonly dir: string, private readonly password: string) {}

  get path(): string {
    return join(this.dir, PROFILE_FILE);
  }

  /**
   * The account's profile: ours if there is one; else the one to import (plain or encrypted with
   * the same password), saved as ours; else a new identity, saved. Typed errors: AuthenticationFailed
   * for a wrong password, InvalidArgument for a file that is not a profile.
   */
  async load(importPath?: string): Promise<ToxProfile> {
    await saving.get(this.path);
    const own = readIfThere(this.path);
    if (own) return this.open(own, 'the profile');
    let profile: ToxProfile;
    if (importPath) {
      const data = readIfThere(importPath);
      if (!data) throw new InvalidArgumentError(`import: no file ${importPath}`);
      profile = await this.open(data, `the profile to import (${importPath})`);
    } else {
      profile = createProfile();
    }
    await this.save(profile);
    return profile;
  }

  save(profile: ToxProfile): Promise<void> {
    const before = saving.get(this.path) ?? Promise.resolve();
    const done = before.then(() => this.write(profile));
    const tracked = done.catch(() => undefined).finally(() => {
      if (saving.get(this.path) === tracked) saving.delete(this.path);
    });
    saving.set(this.path, tracked);
    return done;
  }

  private async write(profile: ToxProfile): Promise<void> {
    this.key ??= await derivePassKey(this.password);
    const data = passKeyEncrypt(this.key, writeSavedata(profile));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }

  private async open(data: Uint8Array, what: string): Promise<ToxProfile> {
    try {
      if (!isDataEncrypted(data)) return parseSavedata(data);
      const key = await derivePassKey(this.password, getSalt(data));
      const profile = parseSavedata(passKeyDecrypt(key, data));
      this.key ??= key;
      return profile;
    } catch (e) {
      if (e instanceof WrongPassphrase) throw new ConfabError('AuthenticationFailed', `${what} does not open with the profile-password`);
      if (e instanceof Malformed || e instanceof Truncated) throw new InvalidArgumentError(`${what} is not a Tox profile: ${e.message}`);
      throw e;
    }
  }
}

function readIfThere(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
