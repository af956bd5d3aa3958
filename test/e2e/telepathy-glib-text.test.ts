/**
 * Telepathy Connection objects and Text channels (issue 17, step 2), through telepathy-glib itself
 * (python3-gi, TelepathyGLib 0.12) against confabd on a private bus, an IRC account on ngircd and a raw
 * IRC peer: the Account's Connection prepared (CONNECTED), a room channel ensured by TargetID and its
 * members, a message sent that the peer receives, one the peer sends received, and a private message
 * arriving in a new unrequested channel — acknowledged there, and so no longer pending on Confab's own API.
 */
import { join } from 'node:path';
import dbus from 'dbus-next';
import { REPO_ROOT } from '../fixtures/confabd';
import { ircAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { start, until } from '../fixtures/processes';

const SCRIPT = join(REPO_ROOT, 'test', 'fixtures', 'telepathy', 'polari-text.py');

describe('a telepathy-glib client in rooms and private chats of an IRC account', () => {
  const { d, use } = withDaemon();
  let irc: Ngircd;
  let peer: RawIrcClient;
  let tpAccount: string;

  beforeAll(async () => {
    irc = use(await startNgircd());
    peer = use(await connectRawClient(irc.host, irc.port, 'peer'));
    peer.join('#room');
    await peer.waitFor((l) => l.command === '366', 5000); // RPL_ENDOFNAMES: joined
    const path = await d.createAccount('irc', 'Telly', ircAccount(irc, 'telly'), { connected: true });
    tpAccount = `/org/freedesktop/Telepathy/Account/idle/irc/${path.split('/').pop()!}`;
  });

  it('joins, lists, sends, receives, and acknowledges a private message on Confab', async () => {
    const py = start('/usr/bin/python3', [SCRIPT, tpAccount, '#room', 'peer'], { env: d.env(), stdio: ['pipe', 'pipe', 'pipe'] });
    const steps = () => py.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const step = (name: string) => until(() => {
      const all = steps();
      const err = all.find((s) => s.error);
      if (err) throw new Error(`the client failed: ${String(err.error)}\n${py.output()}`);
      return all.find((s) => s.step === name);
    }, 30000, `the client's step '${name}'`);

    const conn = await step('connection');
    expect(conn).toMatchObject({ status: 0, self_id: 'telly', cm: 'idle', protocol: 'irc' });
    expect(conn.path).toMatch(/^\/org\/freedesktop\/Telepathy\/Connection\/idle\/irc\/irc_telly_127_0_0_1_\d+$/);
    const dbusIface = (await d.client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    // its well-known name (the path with dots) is owned by the unique name telepathy-glib resolved it to: confabd's
    expect(await dbusIface.GetNameOwner(String(conn.path).slice(1).replace(/\//g, '.'))).toBe(conn.bus);
    expect(await dbusIface.GetNameOwner('im.confab.Confab1')).toBe(conn.bus);

    const from = peer.lines.length;
    const room = await step('room');
    expect(room).toMatchObject({ target: '#room', handle_type: 2, requested: true, yours: true, self_member: 'telly' });
    expect(room.members).toEqual(['peer', 'telly']);

    await step('sent');
    const got = await peer.waitFor((l) => l.command === 'PRIVMSG' && l.params[0] === '#room', 10000, from);
    expect(got.params[1]).toBe('hello from telepathy');
    expect(got.prefix.split('!')[0]).toBe('telly');

    peer.privmsg('#room', 'hello from the peer');
    expect(await step('room-message')).toMatchObject({ sender: 'peer', text: 'hello from the peer' });

    peer.privmsg('telly', 'psst, privately');
    const priv = await step('private');
    expect(priv).toMatchObject({ target: 'peer', requested: false, text: 'psst, privately', sender: 'peer', initiator: 'peer' });

    expect(await step('acked')).toMatchObject({ pending: 0 });
    expect(await py.exited).toBe(0);
    const pending = (await (await d.manager()).GetPending(0)) as unknown[][];
    expect(pending.map((m) => Number(m[0]))).not.toContain(Number(priv.id)); // Confab's own queue: acknowledged there
    expect(pending.map((m) => m[6])).not.toContain('hello from the peer'); // the room message, acked by the client too
  });

  it('refuses bad requests with typed Telepathy errors, and goes on answering', async () => {
    const tp = 'org.freedesktop.Telepathy';
    const account = (await d.client.getProxyObject('org.freedesktop.Telepathy.AccountManager', tpAccount)).getInterface('org.freedesktop.DBus.Properties');
    const connPath = ((await account.Get(`${tp}.Account`, 'Connection')) as { value: string }).value;
    const conn = await d.client.getProxyObject(connPath.slice(1).replace(/\//g, '.'), connPath);
    const requests = conn.getInterface(`${tp}.Connection.Interface.Requests`);
    const connection = conn.getInterface(`${tp}.Connection`);
    const v = (sig: string, value: unknown) => new dbus.Variant(sig, value);
    const errorOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: { type?: string }) => e.type);
    const text = v('s', `${tp}.Channel.Type.Text`);
    expect(await errorOf(requests.EnsureChannel({ [`${tp}.Channel.ChannelType`]: v('s', `${tp}.Channel.Type.StreamedMedia`), [`${tp}.Channel.TargetHandleType`]: v('u', 1), [`${tp}.Channel.TargetID`]: v('s', 'peer') })))
      .toBe(`${tp}.Error.NotImplemented`);
    expect(await errorOf(requests.EnsureChannel({ [`${tp}.Channel.ChannelType`]: text, [`${tp}.Channel.TargetHandleType`]: v('s', 'room'), [`${tp}.Channel.TargetID`]: v('s', '#x') })))
      .toBe(`${tp}.Error.InvalidArgument`);
    expect(await errorOf(requests.EnsureChannel({ [`${tp}.Channel.ChannelType`]: text, [`${tp}.Channel.TargetHandleType`]: v('u', 1), [`${tp}.Channel.TargetHandle`]: v('u', 9999) })))
      .toBe(`${tp}.Error.InvalidHandle`);
    expect(await errorOf(requests.EnsureChannel({ [`${tp}.Channel.ChannelType`]: text, [`${tp}.Channel.TargetHandleType`]: v('u', 1), [`${tp}.Channel.TargetID`]: v('s', 'not a nick!') })))
      .toBe(`${tp}.Error.InvalidHandle`);
    expect(await errorOf(requests.CreateChannel({ [`${tp}.Channel.ChannelType`]: text, [`${tp}.Channel.TargetHandleType`]: v('u', 5), [`${tp}.Channel.TargetID`]: v('s', 'x') })))
      .toBe(`${tp}.Error.NotImplemented`);
    expect(await errorOf(connection.InspectHandles(1, [9999]))).toBe(`${tp}.Error.InvalidHandle`);
    expect(await errorOf(connection.RequestHandles(7, ['x']))).toBe(`${tp}.Error.InvalidArgument`);
    const [room] = ((await conn.getInterface('org.freedesktop.DBus.Properties').Get(`${tp}.Connection.Interface.Requests`, 'Channels')) as { value: [string][] }).value;
    const channel = await d.client.getProxyObject(connPath.slice(1).replace(/\//g, '.'), room[0]);
    const messages = channel.getInterface(`${tp}.Channel.Interface.Messages`);
    expect(await errorOf(messages.SendMessage([{}], 0))).toBe(`${tp}.Error.InvalidArgument`);
    expect(await errorOf(messages.SendMessage([{ 'message-type': v('u', 4) }, { 'content-type': v('s', 'text/plain'), content: v('s', 'x') }], 0))).toBe(`${tp}.Error.NotImplemented`);
    expect(await errorOf(channel.getInterface(`${tp}.Channel.Type.Text`).AcknowledgePendingMessages([424242]))).toBe(`${tp}.Error.InvalidArgument`);

    expect(await connection.GetStatus()).toBe(0); // still connected, still answering
    expect(await connection.InspectHandles(1, [await connection.GetSelfHandle()])).toEqual(['telly']);
    expect(await d.accountProp(`/im/confab/Confab1/accounts/${tpAccount.split('/').pop()!}`, 'Status')).toBe('connected');
  });
});
