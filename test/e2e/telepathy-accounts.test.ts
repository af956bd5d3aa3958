/**
 * Telepathy's AccountManager and Account (issue 17's first step), driven by the real mc-tool
 * (telepathy-glib 0.24, spec 0.27) against confabd on a private bus that can activate nothing, so
 * Mission Control is not there to answer: an account made with mc-tool is a Confab account (its
 * password in the secret store only), connects to ngircd when enabled and requested online, and is the
 * same account on im.confab.Confab1; an account made on Confab's API is a Telepathy account.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_PATH } from '../fixtures/confabd';
import { ircAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { until } from '../fixtures/processes';
import { mcTool, mcToolOk, tpAccountProp } from '../fixtures/telepathy/mc-tool';
import { tableFor } from '../../packages/telepathy/src/params';

const AM = 'org.freedesktop.Telepathy.AccountManager';
const PASSWORD = 's3cret-pass';

describe('mc-tool against confabd', () => {
  const { d, use } = withDaemon();
  let irc: Ngircd;
  let raw: RawIrcClient;
  let name = ''; // as mc-tool prints it: idle/irc/<confab id>
  const native = () => `${ROOT_PATH}/accounts/${name.split('/').pop()}`;

  beforeAll(async () => {
    irc = use(await startNgircd({ password: PASSWORD }));
    raw = use(await connectRawClient(irc.host, irc.port, 'watcher', PASSWORD));
  });

  it('finds confabd, and only confabd, behind the Telepathy names', async () => {
    const bus = (await d.client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    expect(((await bus.ListActivatableNames()) as string[]).filter((n) => n.includes('Telepathy'))).toEqual([]);
    const confabd = (await bus.GetNameOwner('im.confab.Confab1')) as string;
    expect(await bus.GetNameOwner(AM)).toBe(confabd);
    expect(await bus.GetNameOwner('org.freedesktop.Telepathy.MissionControl5')).toBe(confabd);
    expect(d.proc.output()).toContain('serving Telepathy as org.freedesktop.Telepathy.AccountManager');
  });

  it('add: a Confab account, disabled, its password in the secret store and nowhere else', async () => {
    const wrong = 'wrong-first-password';
    name = (await mcToolOk(d, 'add', 'idle/irc', 'Test IRC', 'string:account=alice', `string:server=${irc.host}`, `uint:port=${irc.port}`,
      `string:password=${wrong}`, 'string:fullname=Alice', 'string:charset=UTF-8')).trim();
    expect(name).toBe('idle/irc/irc_alice_127_0_0_1');
    expect((await mcToolOk(d, 'list')).split('\n')).toContain(name);

    const show = await mcToolOk(d, 'show', name);
    for (const line of ['Display Name: Test IRC', 'Enabled: disabled', 'Nickname: alice\n', 'Requested:  (0) ""', '(string) account = alice',
      `(uint) port = ${irc.port}`, '(string) fullname = Alice', '(string) charset = UTF-8', 'Provider: im.confab.Confab1']) {
      expect(show).toContain(line);
    }
    expect(show).not.toMatch(/password|wrong-first/);

    expect(await d.accountProp(native(), 'Protocol')).toBe('irc');
    expect(await d.accountProp(native(), 'Enabled')).toBe(false);
    expect(await d.accountProp(native(), 'Status')).toBe('disconnected');
    const params = (await d.accountProp(native(), 'Parameters')) as Record<string, { value: unknown }>;
    expect(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.value]))).toEqual({ nickname: 'alice', server: irc.host, port: BigInt(irc.port), realname: 'Alice' });
    expect(await d.accountProp(native(), 'SecretsSet')).toEqual(['password']);
    for (const file of readdirSync(d.dataDir).map((f) => join(d.dataDir, f)).filter((f) => statSync(f).isFile())) {
      expect(readFileSync(file).includes(wrong)).toBe(false); // the database (and its WAL), the encrypted secrets
    }
    expect(d.proc.output()).not.toContain(wrong);
  });

  it('update: a parameter, a secret, a Telepathy-only one cleared; an unknown one refused', async () => {
    await mcToolOk(d, 'update', name, 'string:fullname=Alice Liddell', `string:password=${PASSWORD}`, 'clear:charset');
    const show = await mcToolOk(d, 'show', name);
    expect(show).toContain('(string) fullname = Alice Liddell');
    expect(show).not.toContain('charset');
    expect(show).not.toContain(PASSWORD);
    expect(((await d.accountProp(native(), 'Parameters')) as Record<string, { value: unknown }>).realname.value).toBe('Alice Liddell');
    const bad = await mcTool(d, 'update', name, 'string:colour=blue');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("idle/irc has no parameter 'colour'");
  });

  it('display, nick, icon, service, auto-presence, auto-connect: the name and nick are Confab\'s, the rest kept', async () => {
    await mcToolOk(d, 'display', name, "Alice's IRC");
    await mcToolOk(d, 'nick', name, 'alicia');
    await mcToolOk(d, 'icon', name, 'im-test');
    await mcToolOk(d, 'service', name, 'testnet');
    await mcToolOk(d, 'auto-presence', name, 'away', 'brb');
    await mcToolOk(d, 'auto-connect', name, 'off');
    const show = await mcToolOk(d, 'show', name);
    for (const line of ["Display Name: Alice's IRC", 'Nickname: alicia', '(string) account = alicia', 'Icon: im-test', 'Service: testnet', 'Automatic: away (3) "brb"']) {
      expect(show).toContain(line);
    }
    expect(show).not.toContain('Connects: automatically');
    expect(await d.accountProp(native(), 'DisplayName')).toBe("Alice's IRC");
    expect(((await d.accountProp(native(), 'Parameters')) as Record<string, { value: unknown }>).nickname.value).toBe('alicia');
    expect((await mcTool(d, 'auto-presence', name, 'error')).code).not.toBe(0); // not a presence one can ask for
  });

  it('enable, then request available: connects to ngircd with the updated password; show says available', async () => {
    await mcToolOk(d, 'enable', name);
    expect(await mcToolOk(d, 'show', name)).toContain('Enabled: enabled');
    expect(await d.accountProp(native(), 'Status')).toBe('disconnected'); // enabled, but no presence asked yet (as with Mission Control)

    await mcToolOk(d, 'request', name, 'available');
    await d.waitForStatus(native(), 'connected');
    const show = await mcToolOk(d, 'show', name);
    for (const line of ['Current: available (2) ""', 'Requested: available (2) ""', 'Changing: no']) expect(show).toContain(line);
    // mc-tool 5.16's show prints no connection status; the property is what clients such as Polari read
    expect(await tpAccountProp(d, name, 'ConnectionStatus')).toEqual({ signature: 'u', value: 0 });
    expect(await tpAccountProp(d, name, 'HasBeenOnline')).toEqual({ signature: 'b', value: true });

    const from = raw.lines.length;
    raw.send('WHOIS alicia');
    const whois = await raw.waitFor((l) => l.command === '311', 5000, from); // RPL_WHOISUSER
    expect(whois.params.slice(1, 2)).toEqual(['alicia']);
    expect(whois.params.at(-1)).toBe('Alice Liddell');
  });

  it('reconnect: a new connection', async () => {
    const statuses = await d.statusLog(native());
    await mcToolOk(d, 'reconnect', name);
    await until(() => statuses.join(' ').includes('connecting connected'), 10000, 'the account to reconnect');
  });

  it('shows an account made on Confab’s own API', async () => {
    const bob = await d.createAccount('irc', 'Native Bob', ircAccount(irc, 'bob', { password: PASSWORD }), { connected: true });
    expect((await mcToolOk(d, 'list')).split('\n')).toContain('idle/irc/irc_bob_127_0_0_1');
    const show = await mcToolOk(d, 'show', 'idle/irc/irc_bob_127_0_0_1');
    for (const line of ['Display Name: Native Bob', 'Enabled: enabled', '(string) account = bob', 'Current: available (2) ""']) expect(show).toContain(line);
    expect(show).not.toContain(PASSWORD);
    await (await d.account(bob)).Remove();
    await expect(mcToolOk(d, 'list')).resolves.not.toContain('irc_bob');
  });

  it('disable: disconnects, on both APIs', async () => {
    await mcToolOk(d, 'disable', name);
    await d.waitForStatus(native(), 'disconnected');
    expect(await d.accountProp(native(), 'Enabled')).toBe(false);
    expect(await mcToolOk(d, 'show', name)).toContain('Enabled: disabled');
  });

  it('remove: gone from both APIs', async () => {
    await mcToolOk(d, 'remove', name);
    expect((await mcTool(d, 'list')).stdout).not.toContain(name);
    const objects = (await (await d.object(ROOT_PATH)).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, unknown>;
    expect(Object.keys(objects)).not.toContain(native());
    expect((await mcTool(d, 'show', name)).code).not.toBe(0);
  });

  it("names in its tables only parameters the daemon's plugins have", async () => {
    const m = await d.manager();
    for (const protocol of ['irc', 'xmpp', 'sip', 'tox']) {
      const names = ((await m.GetParameters(protocol)) as string[][]).map((p) => p[0]);
      const t = tableFor(protocol);
      for (const row of t.rows) if (row.confab) expect(names).toContain(row.confab);
      if (t.nickname) expect(names).toContain(t.nickname);
    }
  });
});
