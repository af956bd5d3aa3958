import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfabError } from '@confab/sdk';
import { FileSecretStore } from '../src/secrets/file-store';

describe('the encrypted secrets file', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'confab-secrets-')), 'data');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('round-trips, lists and deletes, across reopening', async () => {
    const a = new FileSecretStore(dir);
    await a.set('acc1', 'password', 'hunter2');
    await a.set('acc1', 'token', 't');
    await a.set('acc2', 'password', 'other');
    const b = new FileSecretStore(dir);
    expect(await b.get('acc1', 'password')).toBe('hunter2');
    expect(await b.list('acc1')).toEqual(['password', 'token']);
    await b.delete('acc1', 'token');
    await b.deleteAccount('acc2');
    const c = new FileSecretStore(dir);
    expect(await c.list('acc1')).toEqual(['password']);
    expect(await c.get('acc2', 'password')).toBeUndefined();
  });

  it('keeps the file and the key private and never writes the plaintext', async () => {
    const s = new FileSecretStore(dir);
    await s.set('acc', 'password', 'plain-text-never');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'secrets')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'secrets.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'secrets')).includes(Buffer.from('plain-text-never'))).toBe(false);
  });

  it('refuses a file it cannot decrypt with a clear error that shows no secret', async () => {
    const s = new FileSecretStore(dir);
    await s.set('acc', 'password', 'do-not-show');
    writeFileSync(join(dir, 'secrets.key'), Buffer.alloc(32, 7));
    let err: unknown;
    try {
      new FileSecretStore(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfabError);
    expect((err as ConfabError).message).toMatch(/cannot be decrypted/);
    expect((err as ConfabError).message).not.toContain('do-not-show');
  });
});
