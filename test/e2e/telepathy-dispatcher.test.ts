/**
 * The ChannelDispatcher (issue 17): telepathy-glib handler clients (tp-handler.py, a TpSimpleHandler) on
 * confabd's private bus, an IRC account on ngircd and a raw IRC peer. A room requested through the
 * dispatcher with TpAccountChannelRequest reaches the handler in HandleChannels; an incoming private
 * message is dispatched to it; a handler that leaves loses its channels; a private message that came
 * while no handler ran is given, still pending, to the handler that starts next (redelivery); and the
 * hostile cases: a handler that never answers HandleChannels, one that vanishes mid-call, a preferred
 * handler that does not exist, bad requests — typed errors, the daemon answering throughout, and no
 * request or dispatch operation left behind.
 */
import dbus from 'dbus-next';
import { ircAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { until } from '../fixtures/processes';
import { startHandler } from '../fixtures/telepathy/tp-handler';

const TP = 'org.freedesktop.Telepathy';
const CD = `${TP}.ChannelDispatcher`;
const CD_PATH = '/org/freedesktop/Telepathy/ChannelDispatcher';
const v = (sig: string, value: unknown) => new dbus.Variant(sig, value);

describe('the Telepathy ChannelDispatcher with telepathy-glib handlers', () => {
  const { d, use } = withDaemon({ config: JSON.stringify({ telepathy: { handlerTimeoutMs: 3000 } }) });
  let irc: Ngircd;
  let peer: RawIrcClient;
  let tpAccount: string;
  let confabAccount: string;

  beforeAll(async () => {
    irc = use(await startNgircd());
    peer = use(await connectRawClient(irc.host, irc.port, 'peer'));
    peer.join('#room');
    await peer.waitFor((l) => l.command === '366', 5000);
    confabAccount = await d.createAccount('irc', 'Telly', ircAccount(irc, 'telly'), { connected: true });
    tpAccount = `/org/freedesktop/Telepathy/Account/idle/irc/${confabAccount.split('/').pop()!}`;
  });

  const pendingBodies = async () => ((await (await d.manager()).GetPending(0)) as unknown[][]).map((m) => m[6]);
  const connection = async () => {
    const account = (await d.client.getProxyObject(`${TP}.AccountManager`, tpAccount)).getInterface('org.freedesktop.DBus.Properties');
    const path = ((await account.Get(`${TP}.Account`, 'Connection')) as { value: string }).value;
    return { path, obj: await d.client.getProxyObject(path.slice(1).replace(/\//g, '.'), path) };
  };
  const channelPaths = async () => {
    const { obj } = await connection();
    const chans = ((await obj.getInterface('org.freedesktop.DBus.Properties').Get(`${TP}.Connection.Interface.Requests`, 'Channels')) as { value: [string, unknown][] }).value;
    return chans.map((c) => c[0]);
  };
  /** What the dispatcher still holds, seen from the bus: request objects under its path, dispatch operations. */
  const leftovers = async () => {
    const node = await d.client.getProxyObject(CD, CD_PATH);
    const requests = node.nodes.filter((n) => /Request\d+$/.test(n));
    const ops = ((await node.getInterface('org.freedesktop.DBus.Properties').Get(`${CD}.Interface.OperationList`, 'DispatchOperations')) as { value: unknown[] }).value;
    return { requests: requests.length, operations: ops.length };
  };

  it('hands a room requested through the dispatcher to the preferred handler, and an incoming private chat to it', async () => {
    const h = await startHandler(d.env(), 'ConfabTestA', tpAccount, ['--request', '#room', '--ack']);
    const room = await h.step('handled', (s) => s.target === '#room');
    expect(room).toMatchObject({ handle_type: 2, requested: true, account: tpAccount });
    expect(room.requests).toEqual([expect.stringMatching(/^\/org\/freedesktop\/Telepathy\/ChannelDispatcher\/Request\d+$/)]);
    await h.step('requested');
    expect(await channelPaths()).toContain(room.path);

    peer.privmsg('#room', 'to the room');
    expect(await h.step('message', (s) => s.text === 'to the room')).toMatchObject({ sender: 'peer', path: room.path });

    peer.privmsg('telly', 'psst, privately');
    const priv = await h.step('handled', (s) => s.target === 'peer');
    expect(priv).toMatchObject({ handle_type: 1, requested: false, requests: [] });
    expect(priv.pending).toEqual(['psst, privately']); // its message, pending, with the channel
    await h.step('acked', (s) => s.path === priv.path);
    await until(async () => !(await pendingBodies()).includes('psst, privately'), 10000, 'the private message acknowledged on Confab');

    // the handler leaves the bus: the channels it handled are closed (the room stays joined on Confab)
    await h.proc.stop();
    await until(async () => !(await channelPaths()).includes(String(room.path)), 10000, 'the room channel closed');
    expect(await channelPaths()).not.toContain(priv.path);
    expect(await d.accountProp(`/im/confab/Confab1/accounts/${confabAccount.split('/').pop()!}`, 'Status')).toBe('connected');
    expect(await leftovers()).toEqual({ requests: 0, operations: 0 });
  });

  it('keeps a private message that came while no handler ran, and gives it to the handler that starts next', async () => {
    peer.privmsg('telly', 'while you were away');
    await until(async () => (await pendingBodies()).includes('while you were away'), 10000, 'the message pending on Confab');
    await new Promise((r) => setTimeout(r, 500)); // dispatch tried (Polari's .client is found, not activatable here) and given up
    expect(await pendingBodies()).toContain('while you were away');

    const h = await startHandler(d.env(), 'ConfabTestB', tpAccount, ['--ack']);
    const got = await h.step('handled', (s) => s.target === 'peer');
    expect(got).toMatchObject({ requested: false, pending: ['while you were away'] });
    await h.step('acked', (s) => s.path === got.path);
    await until(async () => !(await pendingBodies()).includes('while you were away'), 10000, 'acknowledged on Confab');
    await h.proc.stop();
    await until(async () => (await leftovers()).operations === 0, 5000, 'no dispatch operation left');
  });

  it('fails a request whose handler never answers, or vanishes mid-call, or does not exist, and goes on answering', async () => {
    const cd = (await d.client.getProxyObject(CD, CD_PATH)).getInterface(CD);
    const text = (target: string, type = 2) => ({
      [`${TP}.Channel.ChannelType`]: v('s', `${TP}.Channel.Type.Text`),
      [`${TP}.Channel.TargetHandleType`]: v('u', type),
      [`${TP}.Channel.TargetID`]: v('s', target),
    });
    /** EnsureChannel + Proceed, and the request's end: ['ok'] or ['failed', error]. */
    const request = async (props: Record<string, unknown>, handler: string) => {
      const path = (await cd.EnsureChannel(tpAccount, props, BigInt(0), handler)) as string;
      const req = (await d.client.getProxyObject(CD, path)).getInterface(`${TP}.ChannelRequest`);
      const end = new Promise<string[]>((resolve) => {
        req.on('Failed', (error: string) => resolve(['failed', error]));
        req.on('Succeeded', () => resolve(['ok']));
      });
      await req.Proceed();
      return end;
    };
    const errorOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: { type?: string }) => e.type);

    // no such handler: NotAvailable (the bus said ServiceUnknown), at once
    const t0 = Date.now();
    expect(await request(text('peer', 1), `${TP}.Client.NobodyHere`)).toEqual(['failed', `${TP}.Error.NotAvailable`]);
    expect(Date.now() - t0).toBeLessThan(3000);

    // a handler that never answers: NotAvailable (NoReply) after the bound (3 s here), the daemon answering meanwhile
    const stuck = await startHandler(d.env(), 'ConfabStuck', tpAccount, ['--never-answer']);
    const t1 = Date.now();
    const ending = request(text('#stuck'), stuck.busName);
    await stuck.step('stuck');
    const { obj } = await connection();
    expect(await obj.getInterface(`${TP}.Connection`).GetStatus()).toBe(0); // not blocked
    expect(await ending).toEqual(['failed', `${TP}.Error.NotAvailable`]);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(2500);
    const stuckChannel = (stuck.steps().find((s) => s.step === 'stuck')!.paths as string[])[0];
    await until(async () => !(await channelPaths()).includes(stuckChannel), 5000, 'the channel nobody took closed');

    // a handler that vanishes while HandleChannels is pending: the request fails before the bound
    const ending2 = request(text('#vanish'), stuck.busName);
    await stuck.step('stuck', (s) => String((s.paths as string[])[0]) !== stuckChannel);
    const t2 = Date.now();
    await stuck.proc.kill();
    expect((await ending2)[0]).toBe('failed');
    expect(Date.now() - t2).toBeLessThan(2500);

    // bad requests: typed errors, at the call or in Failed
    expect(await errorOf(cd.EnsureChannel('/org/freedesktop/Telepathy/Account/idle/irc/nobody', text('#x'), BigInt(0), ''))).toBe(`${TP}.Error.InvalidArgument`);
    expect(await errorOf(cd.EnsureChannel(tpAccount, text('#x'), BigInt(0), 'not.a.client'))).toBe(`${TP}.Error.InvalidArgument`);
    expect(await request({ [`${TP}.Channel.ChannelType`]: v('s', `${TP}.Channel.Type.StreamedMedia`) }, '')).toEqual(['failed', `${TP}.Error.NotImplemented`]);
    expect(await request({ ...text('#x'), [`${TP}.Channel.TargetHandleType`]: v('s', 'room') }, '')).toEqual(['failed', `${TP}.Error.InvalidArgument`]);

    // nothing left behind; the daemon and the connection still answer
    await until(async () => JSON.stringify(await leftovers()) === JSON.stringify({ requests: 0, operations: 0 }), 5000, 'no request or operation left');
    expect(await obj.getInterface(`${TP}.Connection`).GetStatus()).toBe(0);
    expect(await d.accountProp(`/im/confab/Confab1/accounts/${confabAccount.split('/').pop()!}`, 'Status')).toBe('connected');
  });
});
