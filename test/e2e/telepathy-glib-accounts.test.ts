/**
 * Polari's account calls through telepathy-glib itself (python3-gi, TelepathyGLib 0.12: the library
 * Polari 43 uses), against confabd on a private bus that activates nothing: Tp.AccountRequest for
 * idle/irc with Enabled and Service, set_nickname, request_presence(available) until telepathy-glib
 * says CONNECTED (so every property it reads has the type it insists on), then offline as Polari's quit
 * asks it — disconnected, still Enabled.
 */
import { join } from 'node:path';
import { REPO_ROOT, ROOT_PATH } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { start, until } from '../fixtures/processes';

const SCRIPT = join(REPO_ROOT, 'test', 'fixtures', 'telepathy', 'polari-account.py');

describe('a telepathy-glib client making an account as Polari does', () => {
  const { d, use } = withDaemon();
  let irc: Ngircd;
  let raw: RawIrcClient;

  beforeAll(async () => {
    irc = use(await startNgircd());
    raw = use(await connectRawClient(irc.host, irc.port, 'watcher'));
  });

  it('creates, names, connects and disconnects it; the account is Confab’s', async () => {
    const py = start('/usr/bin/python3', [SCRIPT, irc.host, String(irc.port), 'polly'], { env: d.env(), stdio: ['pipe', 'pipe', 'pipe'] });
    const steps = () => py.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    await until(() => steps().some((s) => s.step === 'connected' || s.error), 20000, 'telepathy-glib to see the account connected');
    const path = `${ROOT_PATH}/accounts/irc_polly_127_0_0_1`;
    expect(await d.accountProp(path, 'Status')).toBe('connected');
    const from = raw.lines.length;
    raw.send('WHOIS polly');
    expect((await raw.waitFor((l) => l.command === '311', 5000, from)).params[1]).toBe('polly'); // RPL_WHOISUSER: it is on the server

    py.child.stdin?.end('go on\n');
    expect(await py.exited).toBe(0);
    expect(steps()).toEqual([
      { step: 'created', path: '/org/freedesktop/Telepathy/Account/idle/irc/irc_polly_127_0_0_1', enabled: true, service: 'testnet', cm: 'idle', protocol: 'irc' },
      { step: 'connected', current: [2, 'available'], nickname: 'polly', params: { account: 'polly', server: irc.host, port: irc.port } },
      { step: 'disconnected', enabled: true, reason: 1 }, // REQUESTED; Enabled untouched by Polari's quit
    ]);
    expect(await d.accountProp(path, 'Protocol')).toBe('irc');
    expect(await d.accountProp(path, 'Status')).toBe('disconnected');
    expect(await d.accountProp(path, 'Enabled')).toBe(false); // offline requested: off on Confab, still Enabled on Telepathy
  });
});
