/**
 * Switching from Mission Control keeps the accounts: `confab-import-mission-control` reads an
 * accounts.cfg as Mission Control 5.16 writes it and makes each account again through confabd's
 * Telepathy AccountManager — the enabled IRC account connects to ngircd, the password Mission Control
 * kept in clear goes to Confab's secret store, a protocol Confab lacks is skipped, a second run imports
 * nothing twice.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, ROOT_PATH, run } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { tempDir } from '../fixtures/processes';
import { mcToolOk } from '../fixtures/telepathy/mc-tool';

const TOOL = join(REPO_ROOT, 'packages', 'telepathy', 'bin', 'confab-import-mission-control.js');

describe('confab-import-mission-control', () => {
  const { d, use } = withDaemon();
  let irc: Ngircd;
  let cfg = '';

  beforeAll(async () => {
    irc = use(await startNgircd());
    const folder = tempDir('mc-accounts-');
    use({ close: () => folder.remove() });
    cfg = join(folder.path, 'accounts.cfg');
    writeFileSync(cfg, `# Telepathy accounts

[idle/irc/alice0]
manager=idle
protocol=irc
DisplayName=Test\\sIRC
AutomaticPresence=0;;;
param-account=alice
param-port=${irc.port}
param-server=127.0.0.1
param-username=alice
Enabled=true
HasBeenOnline=true
NormalizedName=alice
Nickname=alice

[gabble/jabber/bob_40example_2ecom0]
manager=gabble
protocol=jabber
DisplayName=Bob
param-account=bob@example.com
param-password=mc-kept-this-in-clear
Enabled=false

[haze/icq/x0]
manager=haze
protocol=icq
`);
  });

  it('imports what Confab can serve, connects the enabled account, keeps the password secret', async () => {
    const r = await run(process.execPath, [TOOL, cfg], d.env());
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      'imported idle/irc/alice0 as idle/irc/irc_alice_127_0_0_1',
      'imported gabble/jabber/bob_40example_2ecom0 as gabble/jabber/xmpp_bob_example_com',
      'skipped haze/icq/x0: Confab has no protocol for haze/icq',
    ]);
    expect(r.code).toBe(0);
    await d.waitForStatus(`${ROOT_PATH}/accounts/irc_alice_127_0_0_1`, 'connected');
    expect(await d.accountProp(`${ROOT_PATH}/accounts/xmpp_bob_example_com`, 'SecretsSet')).toEqual(['password']);
    expect(await d.accountProp(`${ROOT_PATH}/accounts/xmpp_bob_example_com`, 'Enabled')).toBe(false);
    const show = await mcToolOk(d, 'show', 'gabble/jabber/xmpp_bob_example_com');
    expect(show).toContain('(string) account = bob@example.com');
    expect(show).not.toContain('mc-kept-this-in-clear');
    expect(await mcToolOk(d, 'show', 'idle/irc/irc_alice_127_0_0_1')).toContain('Display Name: Test IRC');
  });

  it('imports nothing twice', async () => {
    const r = await run(process.execPath, [TOOL, cfg], d.env());
    expect(r.stdout).toContain('skipped idle/irc/alice0: already on Confab as idle/irc/irc_alice_127_0_0_1');
    expect(r.stdout).toContain('skipped gabble/jabber/bob_40example_2ecom0: already on Confab as gabble/jabber/xmpp_bob_example_com');
    expect(r.code).toBe(0);
  });
});
