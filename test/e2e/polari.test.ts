/**
 * Real Polari 43 under Xvfb on Confab (issue 17): Polari on a private bus whose only Telepathy services are
 * confabd's (the bus has no service files: Mission Control cannot be activated), with a fresh HOME, XDG
 * folders and GSettings in memory, and no keyring (Polari's password lookups fail and it goes on: its
 * account has no password). Driven without a GUI robot where it can be:
 *
 *  - `polari irc://127.0.0.1:<port>/polari` is Polari's own account creation and join (the path its
 *    "irc://" URL handler takes): AccountManager.CreateAccount("idle", "irc", …), RequestedPresence
 *    available, then ChannelDispatcher.EnsureChannel for #polari with Polari's handler preferred;
 *  - Polari's GApplication actions (`org.gtk.Actions.Activate` on /org/gnome/Polari): `message-user`
 *    sends a private message;
 *  - a message in the room is typed into Polari's entry with xdotool (no action sends to a room).
 *
 * Checked from outside: the raw IRC peer's lines, Confab's own API (accounts, pending queue) and the
 * Telepathy objects on the bus; a screenshot of the screen goes to test/artifacts/polari/.
 */
import { existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import dbus from 'dbus-next';
import { REPO_ROOT, run } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { start, tempDir, until } from '../fixtures/processes';
import { startPolari, startXvfb, type Polari, type Xvfb } from '../fixtures/telepathy/polari';

const TP = 'org.freedesktop.Telepathy';
const ARTIFACTS = join(REPO_ROOT, 'test', 'artifacts', 'polari');

jest.setTimeout(60000);

describe('Polari 43 under Xvfb on confabd', () => {
  const { d, use, received } = withDaemon();
  let irc: Ngircd;
  let peer: RawIrcClient;
  let x: Xvfb;
  let polari: Polari;
  let nick: string;
  let tpAccount: string;
  const monitorDir = tempDir('confab-polari-monitor-');
  const monitorLog = join(monitorDir.path, 'monitor.log');

  const pendingBodies = async () => ((await (await d.manager()).GetPending(0)) as unknown[][]).map((m) => m[6]);
  /** The HandleChannels calls the dispatcher made to Polari's handler: each call's text (dbus-monitor's). */
  const handleChannelsToPolari = () => readFileSync(monitorLog, 'utf8').split(/\n(?=method call|signal|method return|error)/)
    .filter((m) => m.includes('destination=org.freedesktop.Telepathy.Client.Polari') && m.includes('member=HandleChannels'));

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    irc = use(await startNgircd());
    peer = use(await connectRawClient(irc.host, irc.port, 'peer'));
    peer.join('#polari');
    await peer.waitFor((l) => l.command === '366', 5000);
    peer.send('TOPIC #polari :Confab speaks Telepathy');
    // every call on the bus, to see what the dispatcher handed to Polari (stopped by its PID with the rest)
    use(start('dbus-monitor', ['--address', d.env().DBUS_SESSION_BUS_ADDRESS!], { stdio: ['ignore', openSync(monitorLog, 'w'), 'ignore'] }));
    x = use(await startXvfb());
    // Polari's own account creation and join: what its irc:// URL handler does (application.js _openURIs)
    polari = use(await startPolari(d.env(), x.display, d.client, [`irc://${irc.host}:${irc.port}/polari`]));
  }, 60000);

  afterAll(() => monitorDir.remove());

  it('creates its IRC account through the AccountManager and joins the room on ngircd', async () => {
    const joined = await peer.waitFor((l) => l.command === 'JOIN' && l.params[0] === '#polari' && !l.prefix.startsWith('peer!'), 40000);
    nick = joined.prefix.split('!')[0];
    const am = (await d.client.getProxyObject(`${TP}.AccountManager`, '/org/freedesktop/Telepathy/AccountManager')).getInterface('org.freedesktop.DBus.Properties');
    const accounts = ((await am.Get(`${TP}.AccountManager`, 'ValidAccounts')) as { value: string[] }).value;
    expect(accounts).toHaveLength(1);
    tpAccount = accounts[0];
    expect(tpAccount).toMatch(/^\/org\/freedesktop\/Telepathy\/Account\/idle\/irc\//); // Polari's CreateAccount("idle", "irc", …)
    const confabPath = `/im/confab/Confab1/accounts/${tpAccount.split('/').pop()!}`;
    expect(await d.accountProp(confabPath, 'Status')).toBe('connected'); // the same account on Confab's own API
    // the room reached Polari's handler through the ChannelDispatcher (its EnsureChannel, Polari preferred)
    await until(() => handleChannelsToPolari().some((m) => m.includes('"#polari"')), 10000, 'HandleChannels(#polari) to Polari');
  });

  it('acknowledges a message the peer sends to the room (it leaves Confab\'s pending queue)', async () => {
    peer.privmsg('#polari', 'hello Polari, from the room');
    await until(async () => received.some((m) => m.body === 'hello Polari, from the room'), 10000, 'the message stored by Confab');
    await until(async () => !(await pendingBodies()).includes('hello Polari, from the room'), 15000, 'Polari acknowledging it');
  });

  it('sends what is typed into its entry to the room (xdotool, no window manager)', async () => {
    const from = peer.lines.length;
    const env = { ...process.env, DISPLAY: x.display };
    expect((await run('xdotool', ['type', '--delay', '30', 'typed into Polari'], env)).code).toBe(0);
    expect((await run('xdotool', ['key', 'Return'], env)).code).toBe(0);
    const got = await peer.waitFor((l) => l.command === 'PRIVMSG' && l.params[0] === '#polari', 15000, from);
    expect(got.params[1]).toBe('typed into Polari');
    expect(got.prefix.split('!')[0]).toBe(nick);
  });

  it('is handed an incoming private chat by the dispatcher', async () => {
    peer.privmsg(nick, 'psst, Polari');
    await until(() => handleChannelsToPolari().some((m) => m.includes('"peer"') && /Requested"\s*variant\s*boolean false/.test(m)), 15000,
      'HandleChannels of the unrequested channel from peer to Polari');
  });

  it('sends a private message with its message-user action', async () => {
    const actions = await polari.actions();
    expect(actions['message-user']).toBe('(sssb)'); // account path, nick, message, present the window
    const from = peer.lines.length;
    await polari.activate('message-user', new dbus.Variant('(sssb)', [tpAccount, 'peer', 'hello peer, from Polari', false]));
    const got = await peer.waitFor((l) => l.command === 'PRIVMSG' && l.params[0] === 'peer', 15000, from);
    expect(got.params[1]).toBe('hello peer, from Polari');
    expect(got.prefix.split('!')[0]).toBe(nick);
  });

  it('leaves a screenshot of its window', async () => {
    await new Promise((r) => setTimeout(r, 1000)); // the last message drawn
    const file = join(ARTIFACTS, 'polari.png');
    await x.screenshot(file);
    expect(existsSync(file) && statSync(file).size).toBeGreaterThan(10000);
  });
});
