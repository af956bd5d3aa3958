/**
 * confabd end to end through D-Bus with the test plugins: accounts, the outbox and confirmation,
 * the per-account error boundary, fatal reasons, and a plugin that fails to load.
 */
import { ROOT_PATH, toMsg, variants } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { until } from '../fixtures/processes';

const SECRET = 'pa55-Secret-Never-Shown';

describe('confabd with the test plugins', () => {
  const { d, received } = withDaemon({ testPlugins: true });
  const changed: Array<[number, string, string]> = [];
  const statuses: Array<[string, string, string, string]> = [];

  beforeAll(async () => {
    const m = await d.manager();
    m.on('MessagesChanged', (batch: unknown[][]) => changed.push(...batch.map((c) => [Number(c[0]), String(c[1]), String(c[2])] as [number, string, string])));
    m.on('AccountsChanged', (batch: string[][]) => statuses.push(...batch.map((s) => [s[0], s[1], s[2], s[3]] as [string, string, string, string])));
  });

  it('lists the protocols of the plugins that loaded and reports the one that did not', async () => {
    const m = await d.manager();
    const protocols = (await m.ListProtocols()) as string[][];
    expect(protocols.map((p) => p[0]).sort()).toEqual(['faulty', 'irc', 'sip', 'tox', 'xmpp']);
    const failed = (await d.prop(ROOT_PATH, 'im.confab.Confab1.Manager', 'FailedPlugins')) as string[][];
    expect(failed).toEqual([['confab-plugin-broken', 'this plugin is broken on purpose']]);
    const params = (await m.GetParameters('faulty')) as string[][];
    expect(params.find((p) => p[0] === 'password')?.[2]).toBe('secret');
    expect(params.find((p) => p[0] === 'name')?.[2]).toBe('required');
  });

  it('creates an account that connects, keeps its secret out of its properties, and sends through the outbox', async () => {
    const m = await d.manager();
    const path = await d.createAccount('faulty', 'Steady', { name: 'steady', password: SECRET });
    expect(path).toBe('/im/confab/Confab1/accounts/faulty_steady');
    await d.waitForStatus(path, 'connected');
    const params = (await d.accountProp(path, 'Parameters')) as Record<string, { value: unknown }>;
    expect(Object.keys(params)).toEqual(['name']);
    await until(async () => ((await d.accountProp(path, 'SecretsSet')) as string[]).includes('password'), 5000, 'SecretsSet');

    const acc = await d.account(path);
    const chPath = (await acc.OpenDirect('Echo-Bot')) as string;
    expect(await d.channelProp(chPath, 'Target')).toBe('echo-bot');
    const ch = await d.channel(chPath);
    const id = Number(await ch.SendMessage('hello', 'normal'));
    await until(() => changed.find((c) => c[0] === id && c[2] === 'sent'), 5000, 'the message to be confirmed');
    await until(() => received.find((r) => r.body === 'echo: hello'), 5000, 'the echo');
    const history = ((await ch.GetHistory(0n, 0)) as unknown[][]).map(toMsg);
    expect(history.map((h) => [h.body, h.state, h.outgoing])).toEqual([['hello', 'sent', true], ['echo: hello', 'received', false]]);
    expect(await d.accountProp(path, 'OutboxSize')).toBe(0);

    const pending = ((await m.GetPending(0)) as unknown[][]).map(toMsg);
    expect(pending.map((p) => p.body)).toEqual(['echo: hello']);
    await m.Acknowledge([BigInt(pending[0].id)]);
    expect(await m.GetPending(0)).toEqual([]);
  });

  it('a plugin that throws asynchronously ends only its own account, which reconnects', async () => {
    const steady = '/im/confab/Confab1/accounts/faulty_steady';
    const before = statuses.filter((s) => s[0] === steady).length;
    const crashy = await d.createAccount('faulty', 'Crashy', { name: 'crashy', 'crash-after-ms': 300 });
    await until(() => statuses.find((s) => s[0] === crashy && s[2] === 'crashed'), 10000, 'the crash to be reported');
    await until(() => statuses.filter((s) => s[0] === crashy && s[1] === 'connected').length >= 2, 10000, 'a reconnect after the crash');
    expect(statuses.filter((s) => s[0] === steady).length).toBe(before);
    expect(await d.accountProp(steady, 'Status')).toBe('connected');
    expect(d.proc.child.exitCode).toBeNull();
    await (await d.account(crashy)).Remove();
  });

  it('an authentication failure is final until the user acts', async () => {
    const path = await d.createAccount('faulty', 'Refused', { name: 'refused', 'fail-auth': true });
    await d.waitForStatus(path, 'disconnected', 'auth-failed');
    expect(await d.accountProp(path, 'StatusDetail')).toMatch(/refused the password/);
    expect(await d.accountProp(path, 'NextRetry')).toBe(0n);
    const acc = await d.account(path);
    const props = (await d.object(path)).getInterface('org.freedesktop.DBus.Properties');
    const seen: Array<Record<string, unknown>> = [];
    props.on('PropertiesChanged', (iface: string, changed: Record<string, { value: unknown }>) => {
      if (iface === 'im.confab.Confab1.Account') seen.push(Object.fromEntries(Object.entries(changed).map(([k, x]) => [k, x.value])));
    });
    await acc.Update(variants({ 'fail-auth': false }), []);
    await d.waitForStatus(path, 'connected');
    // PropertiesChanged carries what changed, and only that.
    await until(() => seen.some((c) => c.Status === 'connected'), 5000, 'PropertiesChanged for Status');
    expect(seen.some((c) => 'Parameters' in c)).toBe(true);
    for (const c of seen) expect(Object.keys(c)).not.toContain('Protocol');
    await acc.SetEnabled(false);
    await d.waitForStatus(path, 'disconnected', 'requested');
    await acc.Remove();
    const objects = (await (await d.object(ROOT_PATH)).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, unknown>;
    expect(Object.keys(objects)).not.toContain(path);
  });

  it('global presence offline disconnects every account and available brings them back', async () => {
    const m = await d.manager();
    const steady = '/im/confab/Confab1/accounts/faulty_steady';
    await m.SetPresence('offline', '');
    await d.waitForStatus(steady, 'disconnected', 'requested');
    const ch = await d.channel('/im/confab/Confab1/channels/1');
    const id = Number(await ch.SendMessage('while offline', 'normal'));
    expect(await d.accountProp(steady, 'OutboxSize')).toBe(1);
    await m.SetPresence('away', 'lunch');
    expect(await d.prop(ROOT_PATH, 'im.confab.Confab1.Manager', 'Presence')).toEqual(['away', 'lunch']);
    await d.waitForStatus(steady, 'connected');
    await until(() => changed.find((c) => c[0] === id && c[2] === 'sent'), 5000, 'the queued message to go out');
    await m.SetPresence('available', '');
  });
});
