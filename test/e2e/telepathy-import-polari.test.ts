/**
 * Switching from Mission Control when the user is a Polari user: Polari keeps its passwords in the
 * keyring, not in accounts.cfg (it sets `password-prompt` and answers the server's password itself),
 * so `confab-import-mission-control` reads them there — a real GNOME Keyring on the test's bus, the
 * items stored by secret-tool under Polari's two libsecret schemas (org.gnome.Polari.Account and
 * org.gnome.Polari.Identify, `account-id` = the account's Telepathy path suffix, as Polari 43 stores
 * them). The imported account connects to an ngircd that demands that server password; the NickServ
 * password is named, not imported (polari-keyring.ts says why).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, ROOT_PATH, run } from '../fixtures/confabd';
import { startKeyring, type Keyring } from '../fixtures/gnome-keyring';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { tempDir } from '../fixtures/processes';

const TOOL = join(REPO_ROOT, 'packages', 'telepathy', 'bin', 'confab-import-mission-control.js');
const SERVER_PASSWORD = 'polari-server-pass';
const NICKSERV_PASSWORD = 'polari-nickserv-pass';

describe("confab-import-mission-control with Polari's keyring", () => {
  let keyring: Keyring | undefined;
  const { d, use } = withDaemon({
    config: JSON.stringify({ reconnect: { initialDelayMs: 200, maxDelayMs: 2000 } }), // secretStore: auto, the keyring
    beforeLaunch: async (bus) => {
      keyring = use(await startKeyring(bus));
    },
  });
  let irc: Ngircd;
  let cfg = '';
  const secretTool = (input: string, ...args: string[]) => run('secret-tool', args, keyring!.env, input);

  beforeAll(async () => {
    irc = use(await startNgircd({ password: SERVER_PASSWORD }));
    const folder = tempDir('polari-accounts-');
    use({ close: () => folder.remove() });
    cfg = join(folder.path, 'accounts.cfg');
    // What Polari 43 has Mission Control write for a network: no param-password, password-prompt on.
    writeFileSync(cfg, `[idle/irc/carol0]
manager=idle
protocol=irc
DisplayName=Test\\sNet
param-account=carol
param-server=127.0.0.1
param-port=${irc.port}
param-password-prompt=true
Enabled=true
ConnectAutomatically=true
`);
    for (const [schema, password, label] of [
      ['org.gnome.Polari.Account', SERVER_PASSWORD, 'Polari server password for Test Net'],
      ['org.gnome.Polari.Identify', NICKSERV_PASSWORD, 'Polari NickServ password for Test Net'],
    ] as const) {
      const r = await secretTool(password, 'store', `--label=${label}`, 'xdg:schema', schema, 'account-id', 'idle/irc/carol0');
      expect(r).toMatchObject({ code: 0, stderr: '' });
    }
  });

  it('imports the account with its server password from the keyring, never printed, and connects with it; the NickServ password is reported, left', async () => {
    const r = await run(process.execPath, [TOOL, cfg], d.env());
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('imported idle/irc/carol0 as idle/irc/irc_carol_127_0_0_1 (its server password from the keyring; its NickServ password stays in the keyring: Confab logs in to services by SASL, set sasl-password to use it)\n');
    expect(r.code).toBe(0);
    const account = `${ROOT_PATH}/accounts/irc_carol_127_0_0_1`;
    await d.waitForStatus(account, 'connected').catch(async (e: Error) => { throw new Error(`${e.message}: ${String(await d.accountProp(account, 'StatusDetail'))}\n${d.proc.output().split('\n').filter((l) => /carol|irc/.test(l)).slice(-15).join('\n')}`); }); // ngircd refuses a client without its PASS
    expect([...((await d.accountProp(account, 'SecretsSet')) as string[])].sort()).toEqual(['password']);
    expect(d.proc.output()).not.toContain(SERVER_PASSWORD);
    expect(d.proc.output()).not.toContain(NICKSERV_PASSWORD);
  });
});
