/**
 * Secrets in a real Secret Service (gnome-keyring-daemon on the private bus): confabd finds it by
 * itself, stores an account's password there (secret-tool, a client no one here wrote, sees it),
 * reads it back after a restart to log in to a password-protected IRC server, and deletes it with the
 * account. Without a Secret Service it falls back to the encrypted file, with a warning.
 */
import { DaemonFixture, run, v } from '../fixtures/confabd';
import { startKeyring, type Keyring } from '../fixtures/gnome-keyring';
import { startNgircd, type Ngircd } from '../fixtures/ngircd';
import { stopAll } from '../fixtures/processes';

const PASSWORD = 'Keyring-Held-Pass-77';
const ACCOUNT = '/im/confab/Confab1/accounts/irc_keyed_127_0_0_1';

describe('secrets in the Secret Service', () => {
  let irc: Ngircd;
  let keyring: Keyring | undefined;
  let d: DaemonFixture;

  beforeAll(async () => {
    irc = await startNgircd({ password: PASSWORD });
    d = await DaemonFixture.start({
      config: JSON.stringify({ reconnect: { initialDelayMs: 200, maxDelayMs: 2000 } }), // secretStore: auto
      beforeLaunch: async (bus) => {
        keyring = await startKeyring(bus);
      },
    });
  });
  afterAll(async () => {
    await d?.stop();
    await keyring?.stop();
    await irc?.stop();
    await stopAll();
  });

  const secretTool = (...args: string[]) => run('secret-tool', args, keyring!.env);

  it('is found and used, and a client no one here wrote sees the item', async () => {
    expect(await d.prop('/im/confab/Confab1', 'im.confab.Confab1.Manager', 'SecretStore')).toBe('secret-service');
    const m = await d.manager();
    await m.CreateAccount('irc', 'Keyed', { server: v('s', irc.host), port: v('i', irc.port), nickname: v('s', 'keyed'), password: v('s', PASSWORD) });
    await d.waitForStatus(ACCOUNT, 'connected');
    const found = await secretTool('search', 'application', 'im.confab.Confab1');
    expect(found.stdout + found.stderr).toMatch(/attribute\.account = irc_keyed_127_0_0_1/);
    expect((await secretTool('lookup', 'application', 'im.confab.Confab1', 'account', 'irc_keyed_127_0_0_1', 'name', 'password')).stdout).toBe(PASSWORD);
    expect(await d.accountProp(ACCOUNT, 'SecretsSet')).toEqual(['password']);
  });

  it('reads it back after a restart to log in', async () => {
    await d.kill();
    await d.restart();
    await d.waitForStatus(ACCOUNT, 'connected');
    expect(d.proc.output()).not.toContain(PASSWORD);
  });

  it('a changed password goes to the keyring, and removing the account deletes it', async () => {
    const acc = await d.account(ACCOUNT);
    await acc.Update({ password: v('s', 'wrong-now') }, []);
    await d.waitForStatus(ACCOUNT, 'disconnected', 'auth-failed');
    expect((await secretTool('lookup', 'application', 'im.confab.Confab1', 'account', 'irc_keyed_127_0_0_1', 'name', 'password')).stdout).toBe('wrong-now');
    await acc.Remove();
    const left = await secretTool('search', '--all', 'application', 'im.confab.Confab1');
    expect(left.stdout + left.stderr).not.toMatch(/irc_keyed/);
    expect(d.proc.output()).not.toContain(PASSWORD);
    expect(d.proc.output()).not.toContain('wrong-now');
  });
});

describe('no Secret Service', () => {
  let d: DaemonFixture;
  beforeAll(async () => {
    d = await DaemonFixture.start({ config: '{}' });
  });
  afterAll(async () => {
    await d?.stop();
    await stopAll();
  });

  it('falls back to the encrypted file, with a warning', async () => {
    expect(await d.prop('/im/confab/Confab1', 'im.confab.Confab1.Manager', 'SecretStore')).toBe('file');
    expect(d.proc.output()).toMatch(/no Secret Service on this session: secrets are kept in .*encrypted/);
  });
});
