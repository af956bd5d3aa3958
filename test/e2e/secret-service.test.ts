/**
 * Secrets in a real Secret Service (gnome-keyring-daemon on the private bus): confabd finds it by
 * itself, stores an account's password there (secret-tool, a client no one here wrote, sees it),
 * reads it back after a restart to log in to a password-protected IRC server, and deletes it with the
 * account. Without a Secret Service it falls back to the encrypted file, with a warning.
 */
import { ircAccount } from '../fixtures/accounts';
import { run, variants } from '../fixtures/confabd';
import { startKeyring, type Keyring } from '../fixtures/gnome-keyring';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';

const PASSWORD = 'Keyring-Held-Pass-77';
const ACCOUNT = '/im/confab/Confab1/accounts/irc_keyed_127_0_0_1';

describe('secrets in the Secret Service', () => {
  let irc: Ngircd;
  let keyring: Keyring | undefined;
  const { d, use } = withDaemon({
    config: JSON.stringify({ reconnect: { initialDelayMs: 200, maxDelayMs: 2000 } }), // secretStore: auto
    beforeLaunch: async (bus) => {
      keyring = use(await startKeyring(bus));
    },
  });

  beforeAll(async () => {
    irc = use(await startNgircd({ password: PASSWORD }));
  });

  const secretTool = (...args: string[]) => run('secret-tool', args, keyring!.env);

  it('is found and used, and a client no one here wrote sees the item', async () => {
    expect(await d.prop('/im/confab/Confab1', 'im.confab.Confab1.Manager', 'SecretStore')).toBe('secret-service');
    await d.createAccount('irc', 'Keyed', ircAccount(irc, 'keyed', { password: PASSWORD }), { connected: true });
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
    await acc.Update(variants({ password: 'wrong-now' }), []);
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
  const { d } = withDaemon({ config: '{}' });

  it('falls back to the encrypted file, with a warning', async () => {
    expect(await d.prop('/im/confab/Confab1', 'im.confab.Confab1.Manager', 'SecretStore')).toBe('file');
    expect(d.proc.output()).toMatch(/no Secret Service on this session: secrets are kept in .*encrypted/);
  });
});
