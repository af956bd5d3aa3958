/**
 * telepathy-logger on Confab (issue 17). Polari 43's scroll-back is telepathy-logger's store, and the logger is a
 * Telepathy Observer (/usr/share/telepathy/clients/Logger.client, Recover=true) that logs only the channels a
 * ChannelDispatcher tells it of. On a private bus where the logger is D-Bus activatable (and Mission Control is
 * not), confabd's dispatcher finds its .client file and starts it by calling ObserveChannels; the logger then
 * reads the account, connection, dispatch operation and channel on its own and logs messages both ways.
 *
 * A telepathy-glib handler (tp-handler.py) holds a room and a private chat with a raw IRC peer on ngircd;
 * the history is read back with Tpl.LogManager as Polari reads it (tp-logger-read.py); every call the
 * logger made on the bus (dbus-monitor) was answered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dbus from 'dbus-next';
import { ircAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { tempDir, until } from '../fixtures/processes';
import { startMonitor, type BusMonitor } from '../fixtures/telepathy/bus-monitor';
import { startHandler } from '../fixtures/telepathy/tp-handler';
import { callsFrom, installLogger, readLog, type LoggedText, type LoggerHome } from '../fixtures/telepathy/tp-logger';

const TP = 'org.freedesktop.Telepathy';
const LOGGER = `${TP}.Client.Logger`;
const v = (sig: string, value: unknown) => new dbus.Variant(sig, value);

jest.setTimeout(60000);

describe('telepathy-logger observing Text channels through confabd\'s dispatcher', () => {
  const home = tempDir('confab-tplogger-');
  let logger!: LoggerHome;
  const { d, use } = withDaemon({
    config: JSON.stringify({ telepathy: { handlerTimeoutMs: 10000 } }),
    beforeLaunch: async (bus) => {
      logger = installLogger(bus, home.path);
    },
  });
  let irc: Ngircd;
  let peer: RawIrcClient;
  let monitor: BusMonitor;
  let tpAccount: string;

  beforeAll(async () => {
    monitor = use(await startMonitor(d.env().DBUS_SESSION_BUS_ADDRESS!, join(home.path, 'monitor.log')));
    irc = use(await startNgircd());
    peer = use(await connectRawClient(irc.host, irc.port, 'peer'));
    peer.join('#room');
    await peer.waitFor((l) => l.command === '366', 5000);
    const confabAccount = await d.createAccount('irc', 'Telly', ircAccount(irc, 'telly'), { connected: true });
    tpAccount = `/org/freedesktop/Telepathy/Account/idle/irc/${confabAccount.split('/').pop()!}`;
  });

  const busIface = async () => (await d.client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
  const pendingBodies = async () => ((await (await d.manager()).GetPending(0)) as unknown[][]).map((m) => m[6]);
  /** SendMessage on a Telepathy Text channel (spec Channel.Interface.Messages), as a handler sends. */
  const send = async (connectionPath: string, channel: string, text: string) => {
    const chan = (await d.client.getProxyObject(connectionPath.slice(1).replace(/\//g, '.'), channel)).getInterface(`${TP}.Channel.Interface.Messages`);
    await chan.SendMessage([{ 'message-type': v('u', 0) }, { 'content-type': v('s', 'text/plain'), content: v('s', text) }], 0);
  };
  /** The history of a conversation once it holds `count` events (the logger writes as the messages come). */
  const historyOf = (target: string, room: boolean, count: number) => until(async () => {
    const h = await readLog(logger, d.env(), tpAccount, target, room);
    return h.events.length >= count ? h : undefined;
  }, 15000, `${count} events in the log of ${target}\n${logger.debug().slice(-3000)}`);
  const brief = (events: LoggedText[]) => events.map((e) => [e.senderType === 3 ? 'me' : e.sender, e.message]);

  it('is started by the dispatcher and logs a room conversation and a private chat, both ways, each message once', async () => {
    expect(await (await busIface()).NameHasOwner(LOGGER)).toBe(false); // nobody started it but the dispatcher
    const h = await startHandler(d.env(), 'LogTest', tpAccount, ['--request', '#room', '--ack']);
    const room = await h.step('handled', (s) => s.target === '#room');
    await until(async () => (await (await busIface()).NameHasOwner(LOGGER)) as boolean, 15000, 'telepathy-logger activated by ObserveChannels');

    peer.privmsg('#room', 'hello room, from peer');
    await h.step('message', (s) => s.text === 'hello room, from peer');
    await send(String(room.connection), String(room.path), 'hello peer, from the room');
    await peer.waitFor((l) => l.command === 'PRIVMSG' && l.params[1] === 'hello peer, from the room', 10000);

    peer.privmsg('telly', 'psst, privately');
    const priv = await h.step('handled', (s) => s.target === 'peer');
    await send(String(priv.connection), String(priv.path), 'psst back');
    await peer.waitFor((l) => l.command === 'PRIVMSG' && l.params[1] === 'psst back', 10000);

    const roomLog = await historyOf('#room', true, 2);
    expect(brief(roomLog.events)).toEqual([['peer', 'hello room, from peer'], ['me', 'hello peer, from the room']]);
    expect(roomLog.events.map((e) => e.receiver)).toEqual(['#room', '#room']);
    expect(roomLog.dates).toEqual([expect.stringMatching(/^\d{8}$/)]);
    const privLog = await historyOf('peer', false, 2);
    expect(brief(privLog.events)).toEqual([['peer', 'psst, privately'], ['me', 'psst back']]);
    expect(privLog.events[1]).toMatchObject({ sender: 'telly', receiver: 'peer' });
    // on disk where Polari's LogManager looks: TpLogger/logs/<cm>_<protocol>_<account id>/chatrooms/#room/<date>.log
    const accountDir = join(logger.dataHome, 'TpLogger', 'logs', `idle_irc_${tpAccount.split('/').pop()!}`);
    expect(readFileSync(join(accountDir, 'chatrooms', '#room', `${roomLog.dates[0]}.log`), 'utf8')).toContain('hello peer, from the room');
    await h.proc.stop();
  });

  it('logs a private message that came while no handler ran, once, also after it is handed to the handler that starts next', async () => {
    peer.privmsg('telly', 'while nobody handled');
    await until(async () => (await pendingBodies()).includes('while nobody handled'), 10000, 'the message pending on Confab');
    // the dispatch observed it (the logger logs pending messages as it sees them) and waits for a handler
    const before = await historyOf('peer', false, 3);
    expect(brief(before.events).slice(2)).toEqual([['peer', 'while nobody handled']]);

    const h = await startHandler(d.env(), 'LogTestB', tpAccount, ['--ack']);
    const got = await h.step('handled', (s) => s.target === 'peer');
    expect(got.pending).toEqual(['while nobody handled']); // redelivered, still pending
    await h.step('acked', (s) => s.path === got.path);
    await until(async () => !(await pendingBodies()).includes('while nobody handled'), 10000, 'acknowledged on Confab');
    peer.privmsg('telly', 'and one more');
    await h.step('message', (s) => s.text === 'and one more');
    const after = await historyOf('peer', false, 4);
    expect(brief(after.events)).toEqual([['peer', 'psst, privately'], ['me', 'psst back'], ['peer', 'while nobody handled'], ['peer', 'and one more']]);
    await h.proc.stop();
  });

  it('got an answer to every call it made on the bus', async () => {
    const unique = (await (await busIface()).GetNameOwner(LOGGER)) as string;
    const calls = callsFrom(readFileSync(monitor.file, 'utf8'), unique);
    // what telepathy-logger 0.8 reads on its own (telepathy-glib proxies): account, connection, contacts, channel, messages
    expect([...calls.keys()]).toEqual(expect.arrayContaining([
      'org.freedesktop.DBus.Properties.GetAll(org.freedesktop.Telepathy.Account)',
      'org.freedesktop.DBus.Properties.GetAll(org.freedesktop.Telepathy.Connection)',
      'org.freedesktop.Telepathy.Connection.Interface.Contacts.GetContactAttributes',
      'org.freedesktop.DBus.Properties.Get(org.freedesktop.Telepathy.Channel.Interface.Messages)',
      'org.freedesktop.DBus.Properties.GetAll(org.freedesktop.Telepathy.ChannelDispatchOperation)',
    ]));
    const failed = [...calls].filter(([, o]) => o.errors.length > 0).map(([k, o]) => `${k}: ${o.errors.join('; ')}`);
    expect(failed).toEqual([]);
  });
});
