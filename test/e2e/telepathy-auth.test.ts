/**
 * Telepathy's password prompt (issue 17): an IRC account made with mc-tool with `password-prompt=true`
 * and no password, on an ngircd that demands a server password (PASS). Connecting it makes its
 * Connection (status Connecting) offer a ServerAuthentication channel (SASLAuthentication,
 * X-TELEPATHY-PASSWORD) that the ChannelDispatcher hands to a telepathy-glib handler answering as
 * Polari 43 does (tp-auth-handler.py): with the right password the account connects and the password
 * is kept nowhere; with a wrong one the channel says Server_Failed (AuthenticationFailed) and the
 * account ends with reason Authentication_Failed; with no handler the attempt fails after
 * telepathy.handlerTimeoutMs. Neither password ever appears in confabd's output (debug level) or its
 * D-Bus properties. Then: calls on a Connection (and its channel) after `mc-tool request … offline`
 * get org.freedesktop.Telepathy.Error.Disconnected, not UnknownMethod, and confabd goes on.
 */
import { join } from 'node:path';
import dbus from 'dbus-next';
import { REPO_ROOT, ROOT_PATH } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { start, until, type Started } from '../fixtures/processes';
import { mcToolIn, tpPath } from '../fixtures/telepathy/tp-account';

const TP = 'org.freedesktop.Telepathy';
const AUTH = `${TP}.Channel.Type.ServerAuthentication`;
const SASL = `${TP}.Channel.Interface.SASLAuthentication`;
const AM = `${TP}.AccountManager`;
const PROPS = 'org.freedesktop.DBus.Properties';
const SCRIPT = join(REPO_ROOT, 'test', 'fixtures', 'telepathy', 'tp-auth-handler.py');
const SERVER_PASSWORD = 'Srv-pw-5f1c83-never-shown';
const WRONG_PASSWORD = 'Wrong-pw-9ab2e4-never-shown';

type Step = Record<string, unknown> & { step?: string };

describe('Telepathy ServerAuthentication (password-prompt) and calls on a Connection that went away', () => {
  const { d, use } = withDaemon({
    config: JSON.stringify({ reconnect: { initialDelayMs: 200, maxDelayMs: 2000 }, secretStore: 'file', telepathy: { handlerTimeoutMs: 10000 } }),
  });
  let irc: Ngircd;
  const accounts: string[] = [];

  beforeAll(async () => {
    irc = use(await startNgircd({ password: SERVER_PASSWORD }));
  });

  /** tp-auth-handler.py as NAME, answering with `password` (from its environment); its JSON lines as steps. */
  async function authHandler(name: string, password: string, extra: string[] = []) {
    const proc: Started = start('/usr/bin/python3', [SCRIPT, name, ...extra], { env: d.env({ TP_AUTH_PASSWORD: password }) });
    const steps = () => proc.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Step);
    const step = (want: string, accept: (s: Step) => boolean = () => true) => until(() => {
      const err = steps().find((s) => s.error && !s.step);
      if (err) throw new Error(`tp-auth-handler.py failed: ${String(err.error)}\n${proc.output()}`);
      return steps().find((s) => s.step === want && accept(s));
    }, 30000, `tp-auth-handler.py's step '${want}'\n${proc.output()}`);
    await step('registered');
    return { proc, steps, step };
  }

  /** mc-tool add idle/irc with password-prompt and no password, then enable: Polari's kind of account. */
  async function promptingAccount(nick: string): Promise<string> {
    const name = (await mcToolIn(d.env(), 'add', 'idle/irc', nick, `string:account=${nick}`, `string:server=${irc.host}`,
      `uint:port=${irc.port}`, 'bool:password-prompt=true')).trim();
    await mcToolIn(d.env(), 'enable', name);
    accounts.push(name);
    return name;
  }

  const account = async (name: string) => (await d.client.getProxyObject(AM, tpPath(name))).getInterface(PROPS);
  const accountProp = async (name: string, prop: string) => ((await (await account(name)).Get(`${TP}.Account`, prop)) as { value: unknown }).value;
  const confabPath = (name: string) => `${ROOT_PATH}/accounts/${name.split('/').pop()!}`;
  const wellKnown = (path: string) => path.slice(1).replace(/\//g, '.');

  /** A raw method call; resolves with the reply body or the error's name. */
  async function call(destination: string, path: string, iface: string, member: string, signature = '', body: unknown[] = []): Promise<{ body?: unknown[]; error?: string }> {
    try {
      const reply = await d.client.call(new dbus.Message({ destination, path, interface: iface, member, signature, body }));
      return { body: reply?.body ?? [] };
    } catch (err) {
      return { error: (err as { type?: string }).type ?? String(err) };
    }
  }

  it('asks the password of a Polari-like handler through a ServerAuthentication channel; the right one connects, and is kept nowhere', async () => {
    const h = await authHandler('ConfabAuthRight', SERVER_PASSWORD);
    try {
      await rightPassword(h);
    } finally {
      await h.proc.stop();
    }
  });

  async function rightPassword(h: Awaited<ReturnType<typeof authHandler>>): Promise<void> {
    const name = await promptingAccount('alice');
    await mcToolIn(d.env(), 'request', name, 'available');
    const handled = await h.step('handled');
    expect(handled).toMatchObject({
      channel_type: AUTH, method: SASL, has_initial_data: true, protocol: 'irc', account: tpPath(name),
      connection_status: 1, // telepathy-glib prepared the Connecting connection for the handler
    });
    expect(handled.mechanisms).toContain('X-TELEPATHY-PASSWORD');
    expect(String(handled.path)).toBe(`${String(handled.connection)}/ServerAuthentication1`);
    await h.step('closed', (s) => s.path === handled.path); // Polari closes it on Succeeded
    expect(h.steps().filter((s) => s.step === 'sasl').map((s) => s.status)).toEqual([1, 2, 4]); // In_Progress, Server_Succeeded, (AcceptSASL) Succeeded
    expect(h.steps().filter((s) => s.step === 'call-failed')).toEqual([]);
    await until(async () => (await accountProp(name, 'ConnectionStatus')) === 0, 20000, 'the account connected through the PASS-protected server');
    // The Connecting connection's path became the connected one.
    expect(await accountProp(name, 'Connection')).toBe(handled.connection);
    const status = await call(wellKnown(String(handled.connection)), String(handled.connection), PROPS, 'Get', 'ss', [`${TP}.Connection`, 'Status']);
    expect((status.body?.[0] as { value: number }).value).toBe(0);
    // Never stored: no secret on Confab, no password in the Telepathy parameters.
    expect(await d.accountProp(confabPath(name), 'SecretsSet')).toEqual([]);
    expect(Object.keys((await accountProp(name, 'Parameters')) as object)).not.toContain('password');
  }

  it('a wrong password: Server_Failed with AuthenticationFailed on the channel, and the account ends with Authentication_Failed', async () => {
    const h = await authHandler('ConfabAuthWrong', WRONG_PASSWORD);
    try {
      await wrongPassword(h);
    } finally {
      await h.proc.stop();
    }
  });

  async function wrongPassword(h: Awaited<ReturnType<typeof authHandler>>): Promise<void> {
    const name = await promptingAccount('bob');
    await mcToolIn(d.env(), 'request', name, 'available');
    const handled = await h.step('handled');
    const failed = await h.step('sasl', (s) => s.status === 5);
    expect(failed.error).toBe(`${TP}.Error.AuthenticationFailed`);
    expect(h.steps().filter((s) => s.step === 'sasl').map((s) => s.status)).toEqual([1, 5]);
    await until(async () => (await accountProp(name, 'ConnectionStatusReason')) === 3 && (await accountProp(name, 'ConnectionStatus')) === 2,
      20000, 'the account disconnected with Authentication_Failed');
    expect(await accountProp(name, 'ConnectionError')).toBe(`${TP}.Error.AuthenticationFailed`);
    expect(await accountProp(name, 'Connection')).toBe('/');
    // The Connecting connection went: its name released, and a call on its path answers Disconnected.
    const names = (await d.client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    await until(async () => !(await names.NameHasOwner(wellKnown(String(handled.connection)))), 10000, 'the connecting connection name released');
    const confabd = (await names.GetNameOwner(AM)) as string;
    expect(await call(confabd, String(handled.connection), `${TP}.Connection`, 'GetStatus')).toEqual({ error: `${TP}.Error.Disconnected` });
    expect(await d.accountProp(confabPath(name), 'SecretsSet')).toEqual([]);
  }

  it('a handler that has no password aborts (AbortSASL, as Polari does without a keyring entry): Client_Failed, and the attempt fails', async () => {
    const h = await authHandler('ConfabAuthAbort', '', ['--abort']);
    try {
      const name = await promptingAccount('dave');
      await mcToolIn(d.env(), 'request', name, 'available');
      const handled = await h.step('handled');
      const aborted = await h.step('sasl', (s) => s.path === handled.path && s.status === 6);
      expect(aborted.error).toBe(`${TP}.Error.Cancelled`);
      await h.step('closed', (s) => s.path === handled.path);
      await until(async () => (await accountProp(name, 'ConnectionStatusReason')) === 3 && (await accountProp(name, 'ConnectionStatus')) === 2,
        20000, 'the attempt failed with the prompt aborted');
      const details = (await accountProp(name, 'ConnectionErrorDetails')) as Record<string, { value: string }>;
      expect(details['debug-message'].value).toBe('the Telepathy client aborted the password prompt');
      expect(h.steps().filter((s) => s.step === 'call-failed')).toEqual([]);
    } finally {
      await h.proc.stop();
    }
  });

  it('with no handler, the channel is on the Connecting connection (hostile calls answered with typed errors) and the attempt fails after the bound', async () => {
    const name = await promptingAccount('carol');
    await mcToolIn(d.env(), 'request', name, 'available');
    const conn = String(await until(async () => {
      const c = await accountProp(name, 'Connection');
      return c !== '/' ? c : undefined;
    }, 20000, 'the Connecting connection named by the Account'));
    const on = (path: string, iface: string, member: string, sig = '', body: unknown[] = []) => call(wellKnown(conn), path, iface, member, sig, body);
    expect(((await on(conn, PROPS, 'Get', 'ss', [`${TP}.Connection`, 'Status'])).body?.[0] as { value: number }).value).toBe(1);
    const channels = ((await on(conn, PROPS, 'Get', 'ss', [`${TP}.Connection.Interface.Requests`, 'Channels'])).body?.[0] as { value: [string, Record<string, { value: unknown }>][] }).value;
    expect(channels).toHaveLength(1);
    const [chan, props] = channels[0];
    expect(props[`${TP}.Channel.ChannelType`].value).toBe(AUTH);
    expect(props[`${AUTH}.AuthenticationMethod`].value).toBe(SASL);
    expect(props[`${SASL}.AvailableMechanisms`].value).toEqual(['X-TELEPATHY-PASSWORD']);
    expect(((await on(chan, PROPS, 'Get', 'ss', [SASL, 'SASLStatus'])).body?.[0] as { value: number }).value).toBe(0);
    // Hostile: another mechanism, a password that would inject an IRC line, calls out of order.
    expect(await on(chan, SASL, 'StartMechanismWithData', 'say', ['PLAIN', Buffer.from('x')])).toEqual({ error: `${TP}.Error.NotImplemented` });
    expect(await on(chan, SASL, 'StartMechanismWithData', 'say', ['X-TELEPATHY-PASSWORD', Buffer.from('pw\r\nQUIT')])).toEqual({ error: `${TP}.Error.InvalidArgument` });
    expect(await on(chan, SASL, 'StartMechanismWithData', 'say', ['X-TELEPATHY-PASSWORD', Buffer.alloc(0)])).toEqual({ error: `${TP}.Error.InvalidArgument` });
    expect(await on(chan, SASL, 'AcceptSASL')).toEqual({ error: `${TP}.Error.NotAvailable` });
    expect(await on(chan, SASL, 'Respond', 'ay', [Buffer.from('x')])).toEqual({ error: `${TP}.Error.NotAvailable` });
    expect(await on(conn, `${TP}.Connection`, 'InspectHandles', 'uau', [1, [1]])).toEqual({ error: `${TP}.Error.Disconnected` });
    // Nobody gives a password: after telepathy.handlerTimeoutMs the attempt fails, cleanly.
    await until(async () => (await accountProp(name, 'ConnectionStatusReason')) === 3 && (await accountProp(name, 'ConnectionStatus')) === 2,
      40000, 'the attempt failed with no password given');
    const details = (await accountProp(name, 'ConnectionErrorDetails')) as Record<string, { value: string }>;
    expect(details['debug-message'].value).toMatch(/no Telepathy client gave the password within 10 s/);
    expect(await accountProp(name, 'Connection')).toBe('/');
    expect(d.proc.child.exitCode).toBeNull();
  });

  it('answers calls on a Connection and its channel with Disconnected after mc-tool requested the account offline; confabd goes on', async () => {
    const name = accounts[0]; // alice, connected by the first test
    await until(async () => (await accountProp(name, 'ConnectionStatus')) === 0, 20000, 'alice connected');
    const conn = String(await accountProp(name, 'Connection'));
    const names = (await d.client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    const owner = (await names.GetNameOwner(wellKnown(conn))) as string; // what telepathy-glib addresses it by
    const v = (sig: string, value: unknown) => new dbus.Variant(sig, value);
    const ensured = await call(owner, conn, `${TP}.Connection.Interface.Requests`, 'EnsureChannel', 'a{sv}', [{
      [`${TP}.Channel.ChannelType`]: v('s', `${TP}.Channel.Type.Text`), [`${TP}.Channel.TargetHandleType`]: v('u', 1), [`${TP}.Channel.TargetID`]: v('s', 'somebody'),
    }]);
    expect(ensured.error).toBeUndefined();
    const chan = String(ensured.body?.[1]);
    expect(chan.startsWith(`${conn}/`)).toBe(true);

    await mcToolIn(d.env(), 'request', name, 'offline');
    await until(async () => (await accountProp(name, 'Connection')) === '/' && (await accountProp(name, 'ConnectionStatus')) === 2, 20000, 'alice offline');
    const disconnected = { error: `${TP}.Error.Disconnected` };
    expect(await call(owner, conn, `${TP}.Connection`, 'GetStatus')).toEqual(disconnected);
    expect(await call(owner, conn, `${TP}.Connection`, 'GetSelfHandle')).toEqual(disconnected);
    expect(await call(owner, conn, PROPS, 'GetAll', 's', [`${TP}.Connection`])).toEqual(disconnected);
    expect(await call(owner, conn, `${TP}.Connection.Interface.Contacts`, 'GetContactAttributes', 'auas', [[1], []])).toEqual(disconnected);
    expect(await call(owner, chan, `${TP}.Channel`, 'Close')).toEqual(disconnected);
    expect(await call(owner, chan, `${TP}.Channel.Type.Text`, 'ListPendingMessages', 'b', [false])).toEqual(disconnected);
    // The well-known name is released: the bus itself answers for it.
    await until(async () => !(await names.NameHasOwner(wellKnown(conn))), 10000, 'the connection name released');
    // confabd goes on: its AccountManager and the account answer, and it can connect again.
    expect(((await (await d.client.getProxyObject(AM, '/org/freedesktop/Telepathy/AccountManager')).getInterface(PROPS).Get(AM, 'ValidAccounts')) as { value: string[] }).value)
      .toContain(tpPath(name));
    expect(d.proc.child.exitCode).toBeNull();
  });

  it('never shows either password in confabd\'s output (debug level) or on its D-Bus properties', async () => {
    const out = d.proc.output();
    expect(out).toContain('its password is asked of a Telepathy client'); // the prompts were made
    expect(out).not.toContain(SERVER_PASSWORD);
    expect(out).not.toContain(WRONG_PASSWORD);
    for (const name of accounts) {
      const all = JSON.stringify(await (await account(name)).GetAll(`${TP}.Account`), (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
      expect(all).not.toContain(SERVER_PASSWORD);
      expect(all).not.toContain(WRONG_PASSWORD);
      expect(await d.accountProp(confabPath(name), 'SecretsSet')).toEqual([]);
    }
  });
});
