/**
 * The ChannelDispatcher's approvers, observers, DelegateChannels and PresentChannel, and its hostile
 * cases (issue 17), with telepathy-glib clients (tp-approver.py: a TpBaseClient that is an Approver,
 * Handler and/or Observer, as GNOME Shell's chat client is, driven by commands on its stdin) on confabd's
 * private bus, an IRC account on ngircd, and raw IRC peers whose private messages make incoming channels
 * (one peer per case, so that each is a new channel and a new dispatch operation).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dbus from 'dbus-next';
import { ircAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { until } from '../fixtures/processes';
import { startTpClient, type Step, type TpClient } from '../fixtures/telepathy/tp-approver';

const TP = 'org.freedesktop.Telepathy';
const CD = `${TP}.ChannelDispatcher`;
const CD_PATH = '/org/freedesktop/Telepathy/ChannelDispatcher';
const OPS_PATH = '/org/freedesktop/Telepathy/DispatchOperation';
const v = (sig: string, value: unknown) => new dbus.Variant(sig, value);
const text = (target: string, type = 2) => ({
  [`${TP}.Channel.ChannelType`]: v('s', `${TP}.Channel.Type.Text`),
  [`${TP}.Channel.TargetHandleType`]: v('u', type),
  [`${TP}.Channel.TargetID`]: v('s', target),
});
const errorOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: { type?: string }) => e.type);
const about = (target: string) => (s: Step) => (s.targets as string[] | undefined)?.includes(target) ?? false;

/**
 * Two `.client` files the dispatcher must live with: one it cannot read (a `t` value that is no number),
 * and one it can, whose client cannot be started (no D-Bus service) and whose filter is the most specific
 * for incoming private chats, so that it is tried first every time (ServiceUnknown) and the next handler after it.
 */
function writeClientFiles(dataHome: string): void {
  const dir = join(dataHome, 'telepathy', 'clients');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Broken.client'), [
    '[org.freedesktop.Telepathy.Client]', 'Interfaces=org.freedesktop.Telepathy.Client.Handler;',
    '[org.freedesktop.Telepathy.Client.Handler.HandlerChannelFilter 0]', 'org.freedesktop.Telepathy.Channel.TargetHandleType t=one',
    '\u0000\u00ff[[[ not a key file', '',
  ].join('\n'));
  writeFileSync(join(dir, 'Hollow.client'), [
    '[org.freedesktop.Telepathy.Client]', 'Interfaces=org.freedesktop.Telepathy.Client.Handler;',
    '[org.freedesktop.Telepathy.Client.Handler.HandlerChannelFilter 0]',
    'org.freedesktop.Telepathy.Channel.ChannelType s=org.freedesktop.Telepathy.Channel.Type.Text',
    'org.freedesktop.Telepathy.Channel.TargetHandleType u=1',
    'org.freedesktop.Telepathy.Channel.Requested b=false', '',
  ].join('\n'));
}

describe('the Telepathy ChannelDispatcher: approvers, observers, delegation, presenting, and hostile clients', () => {
  const suite = withDaemon({
    config: JSON.stringify({ telepathy: { handlerTimeoutMs: 3000 } }),
    beforeLaunch: async () => writeClientFiles(suite.d.env().XDG_DATA_HOME!),
  });
  const { d, use } = suite;
  let irc: Ngircd;
  let tpAccount: string;
  let confabAccount: string;
  const clients: TpClient[] = [];

  beforeAll(async () => {
    irc = use(await startNgircd());
    confabAccount = await d.createAccount('irc', 'Telly', ircAccount(irc, 'telly'), { connected: true });
    tpAccount = `/org/freedesktop/Telepathy/Account/idle/irc/${confabAccount.split('/').pop()!}`;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.proc.stop();
  });

  const client = async (name: string, ...options: string[]) => {
    const c = await startTpClient(d.env(), name, options);
    clients.push(c);
    return c;
  };
  /** A raw IRC peer who sends `telly` a private message: a new incoming channel. */
  const peerSays = async (nick: string, words: string): Promise<RawIrcClient> => {
    const peer = use(await connectRawClient(irc.host, irc.port, nick));
    peer.privmsg('telly', words);
    return peer;
  };
  const cd = async () => (await d.client.getProxyObject(CD, CD_PATH)).getInterface(CD);
  const connection = async () => {
    const account = (await d.client.getProxyObject(`${TP}.AccountManager`, tpAccount)).getInterface('org.freedesktop.DBus.Properties');
    const path = ((await account.Get(`${TP}.Account`, 'Connection')) as { value: string }).value;
    return d.client.getProxyObject(path.slice(1).replace(/\//g, '.'), path);
  };
  /** The TargetIDs of the connection's channels. */
  const channelTargets = async () => {
    const props = (await connection()).getInterface('org.freedesktop.DBus.Properties');
    const chans = ((await props.Get(`${TP}.Connection.Interface.Requests`, 'Channels')) as { value: [string, Record<string, { value: unknown }>][] }).value;
    return chans.map((c) => String(c[1][`${TP}.Channel.TargetID`]?.value));
  };
  const operationList = async () => {
    const props = (await d.client.getProxyObject(CD, CD_PATH)).getInterface('org.freedesktop.DBus.Properties');
    return ((await props.Get(`${CD}.Interface.OperationList`, 'DispatchOperations')) as { value: [string, unknown][] }).value.map((o) => o[0]);
  };
  /** What the dispatcher still holds, seen from the bus: request objects, dispatch operation objects, the operation list. */
  const leftovers = async () => {
    const node = await d.client.getProxyObject(CD, CD_PATH);
    const ops = await d.client.getProxyObject(CD, OPS_PATH).then((o) => o.nodes, () => [] as string[]);
    return { requests: node.nodes.filter((n) => /Request\d+$/.test(n)).length, operationObjects: ops.length, operations: (await operationList()).length };
  };
  const nothingLeft = () => until(async () => {
    const left = await leftovers();
    return left.requests + left.operationObjects + left.operations === 0;
  }, 10000, 'no ChannelRequest or dispatch operation left on the bus');
  /** EnsureChannel + Proceed; the request's end: ['ok'] or ['failed', error, message]. */
  const request = async (props: Record<string, unknown>, handler: string, account = tpAccount) => {
    const path = (await (await cd()).EnsureChannel(account, props, BigInt(0), handler)) as string;
    const req = (await d.client.getProxyObject(CD, path)).getInterface(`${TP}.ChannelRequest`);
    const end = new Promise<string[]>((resolve) => {
      req.on('Failed', (error: string, message: string) => resolve(['failed', error, message]));
      req.on('Succeeded', () => resolve(['ok']));
    });
    await req.Proceed();
    return { path, end: await end };
  };
  /** confabd answers: the connection's status, the dispatcher's properties. */
  const answering = async () => {
    expect(await (await connection()).getInterface(`${TP}.Connection`).GetStatus()).toBe(0);
    expect(await operationList()).toBeDefined();
  };

  it('shows an incoming private chat to the approver first; HandleWith, Claim (then DelegateChannels), or no answer within the bound', async () => {
    const b = await client('ConfabB', '--handler', '--ack');
    const a = await client('ConfabApprover', '--approver', '--handler-empty', '--ack');

    // HandleWith(B): B gets it only once the approver decided
    await peerSays('peer1', 'one');
    const ado = await a.step('add-dispatch-operation', about('peer1'));
    expect(ado.op).toMatch(/^\/org\/freedesktop\/Telepathy\/DispatchOperation\/do\d+$/);
    expect(ado.possible_handlers).toContain(b.busName);
    expect(await operationList()).toContain(ado.op);
    expect(b.has('handled', about('peer1'))).toBe(false);
    a.send({ cmd: 'handle_with', op: ado.op, handler: b.busName });
    expect(await b.step('handled', about('peer1'))).toMatchObject({ requested: [false], requests: [] });
    expect(await a.step('decided', (s) => s.op === ado.op)).toMatchObject({ ok: true });
    await a.step('op-finished', (s) => s.op === ado.op);
    await nothingLeft();

    // Claim: the approver handles it itself, then hands it to B (GNOME Shell's way: DelegateChannels)
    await peerSays('peer2', 'two');
    const ado2 = await a.step('add-dispatch-operation', about('peer2'));
    a.send({ cmd: 'claim', op: ado2.op });
    expect(await a.step('decided', (s) => s.op === ado2.op)).toMatchObject({ ok: true, how: 'claim' });
    const claimed = (ado2.paths as string[])[0];
    a.send({ cmd: 'handled' });
    expect((await a.step('handled-list')).paths).toContain(claimed);
    expect(b.has('handled', about('peer2'))).toBe(false);
    a.send({ cmd: 'delegate', path: claimed, to: b.busName });
    expect(await a.step('delegated')).toMatchObject({ delegated: [claimed], not_delegated: {} });
    expect(await b.step('handled', about('peer2'))).toMatchObject({ paths: [claimed] });
    a.send({ cmd: 'handled' });
    await until(() => a.steps().filter((s) => s.step === 'handled-list').length === 2, 10000, 'the second handled-list');
    expect(a.steps().filter((s) => s.step === 'handled-list')[1].paths).not.toContain(claimed); // telepathy-glib dropped it

    // no decision: after the bound (handlerTimeoutMs) the best handler gets it, and the approver's late call fails
    await peerSays('peer3', 'three');
    const ado3 = await a.step('add-dispatch-operation', about('peer3'));
    expect(await b.step('handled', about('peer3'))).toMatchObject({ requested: [false] });
    await a.step('op-finished', (s) => s.op === ado3.op);
    a.send({ cmd: 'handle_with', op: ado3.op, handler: b.busName });
    expect(await a.step('decided', (s) => s.op === ado3.op)).toMatchObject({ ok: false });
    await nothingLeft();
    await answering();
  });

  it('lets the first of two approvers decide; the other one gets NotYours, then Finished', async () => {
    const b = await client('ConfabB2', '--handler', '--ack');
    const holder = await client('ConfabHolder', '--handler-empty', '--hold', '--ack');
    const a1 = await client('ConfabApprover1', '--approver');
    const a2 = await client('ConfabApprover2', '--approver');
    await peerSays('peer4', 'four');
    const op = (await a1.step('add-dispatch-operation', about('peer4'))).op;
    expect((await a2.step('add-dispatch-operation', about('peer4'))).op).toBe(op);
    a1.send({ cmd: 'handle_with', op, handler: holder.busName });
    await holder.step('handle-begin'); // the first decision is being applied: the holder has not answered yet
    a2.send({ cmd: 'handle_with', op, handler: b.busName });
    expect(await a2.step('decided')).toMatchObject({ ok: false, error: `${TP}.Error.NotYours` });
    holder.send({ cmd: 'release' });
    await holder.step('handled', about('peer4'));
    expect(await a1.step('decided')).toMatchObject({ ok: true });
    await a2.step('op-finished', (s) => s.op === op);
    expect(b.has('handled', about('peer4'))).toBe(false);
    await nothingLeft();
  });

  it('tells observers before the handler (with the dispatch operation, or "/" and the request), and a Recover observer started later of the channels there are', async () => {
    const oh = await client('ConfabWatcher', '--observer', '--handler', '--observe-delay', '300', '--ack');
    await peerSays('peer5', 'five');
    const handled = await oh.step('handled', about('peer5'));
    const steps = oh.steps();
    const observed = steps.findIndex((s) => s.step === 'observed' && about('peer5')(s));
    const answered = steps.findIndex((s) => s.step === 'observe-answered' && (s.paths as string[])[0] === (handled.paths as string[])[0]);
    expect(observed).toBeGreaterThanOrEqual(0);
    expect(answered).toBeGreaterThan(observed);
    expect(steps.indexOf(steps.find((s) => s.step === 'handled' && about('peer5')(s))!)).toBeGreaterThan(answered); // the handler only after the observer answered
    expect(steps[observed]).toMatchObject({ op: expect.stringMatching(/^\/org\/freedesktop\/Telepathy\/DispatchOperation\/do\d+$/), recovering: false, requests: [] });

    const { path: req, end } = await request(text('#watched'), oh.busName);
    expect(end).toEqual(['ok']);
    expect(await oh.step('observed', about('#watched'))).toMatchObject({ op: '/', requests: [req] });
    const room = await oh.step('handled', about('#watched'));
    expect(room.requests).toEqual([req]);

    const late = await client('ConfabLate', '--observer', '--recover');
    const observedByLate = () => late.steps().filter((s) => s.step === 'observed');
    await until(() => {
      const got = observedByLate().flatMap((s) => s.paths as string[]);
      return [...(handled.paths as string[]), ...(room.paths as string[])].every((p) => got.includes(p));
    }, 15000, 'the Recover observer told of both channels');
    for (const s of observedByLate()) expect(s).toMatchObject({ op: '/', recovering: true, requests: [] });
    await nothingLeft();
  });

  it('delegates a channel to another handler (NotDelegated when it refuses; NotYours for a channel not the caller\'s), and presents it to its handler again', async () => {
    const h1 = await client('ConfabFirst', '--handler', '--ack');
    const h2 = await client('ConfabSecond', '--handler-empty', '--ack');
    const refuser = await client('ConfabRefuser', '--handler-empty', '--refuse');
    await peerSays('peer6', 'six');
    const chan = ((await h1.step('handled', about('peer6'))).paths as string[])[0];

    h1.send({ cmd: 'delegate', path: chan, to: refuser.busName });
    await refuser.step('refused', (s) => (s.paths as string[])[0] === chan);
    expect(await h1.step('delegated')).toMatchObject({ delegated: [], not_delegated: { [chan]: `${TP}.Error.NotCapable` } });
    h1.send({ cmd: 'handled' });
    expect((await h1.step('handled-list')).paths).toContain(chan); // still h1's

    h1.send({ cmd: 'delegate', path: chan, to: h2.busName });
    expect(await h1.step('delegated', (s) => (s.delegated as string[]).length > 0)).toMatchObject({ delegated: [chan] });
    expect(await h2.step('handled', about('peer6'))).toMatchObject({ paths: [chan], time: 0 });

    // h1 no longer handles it: delegating it again is NotYours (the whole call, as Mission Control answers)
    h1.send({ cmd: 'delegate', path: chan, to: refuser.busName });
    expect(await h1.step('delegated', (s) => s.error !== undefined)).toMatchObject({ error: `${TP}.Error.NotYours` });

    // PresentChannel: HandleChannels again to its handler (h2), with the user action time
    h1.send({ cmd: 'present', path: chan, time: 12345 });
    expect(await h1.step('presented')).toMatchObject({ ok: true });
    expect(await h2.step('handled', (s) => s.time === 12345)).toMatchObject({ paths: [chan] });
    expect(await errorOf((await cd()).PresentChannel(`${CD_PATH}/NoSuchChannel`, BigInt(1)))).toBe(`${TP}.Error.InvalidArgument`);
    expect(await errorOf((await cd()).DelegateChannels([chan], BigInt(0), ''))).toBe(`${TP}.Error.NotYours`); // the test's own connection handles nothing
    await nothingLeft();
  });

  it('answers hostile requests and clients with typed Telepathy errors, blocks on none of them, and leaves nothing behind', async () => {
    const h = await client('ConfabSteady', '--handler', '--ack');
    const dispatcher = await cd();

    // wrong D-Bus types: the bus-level check, then the next request answered
    const wrong = new dbus.Message({ destination: CD, path: CD_PATH, interface: CD, member: 'EnsureChannel', signature: 'ssxs', body: [tpAccount, 'Text', BigInt(0), ''] });
    expect(await errorOf(d.client.call(wrong))).toMatch(/^org\.freedesktop\.DBus\.Error\./);
    // wrong variant types in the request, unknown channel type, handle type mismatches
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...text('#x'), [`${TP}.Channel.ChannelType`]: v('u', 1) }, `${TP}.Error.InvalidArgument`],
      [{ ...text('#x'), [`${TP}.Channel.TargetID`]: v('u', 7) }, `${TP}.Error.InvalidArgument`],
      [{ ...text('#x'), [`${TP}.Channel.ChannelType`]: v('s', `${TP}.Channel.Type.NoSuchType`) }, `${TP}.Error.NotImplemented`],
      [{ ...text('#x'), [`${TP}.Channel.TargetHandleType`]: v('u', 3) }, `${TP}.Error.NotImplemented`],
      [text('peer one', 1), `${TP}.Error.InvalidHandle`],
      [text('peer', 0), `${TP}.Error.NotImplemented`],
    ];
    for (const [props, error] of cases) {
      const id = `${String((props[`${TP}.Channel.TargetID`] as { value: unknown }).value)}/${String((props[`${TP}.Channel.TargetHandleType`] as { value: unknown }).value)}`;
      expect([id, ...(await request(props, h.busName)).end.slice(0, 2)]).toEqual([id, 'failed', error]);
      await answering();
    }
    // a nonexistent account, one of another CM, a preferred handler that is no client's name, one that is no client
    expect(await errorOf(dispatcher.EnsureChannel('/org/freedesktop/Telepathy/Account/idle/irc/nobody', text('#x'), BigInt(0), ''))).toBe(`${TP}.Error.InvalidArgument`);
    expect(await errorOf(dispatcher.EnsureChannel(tpAccount.replace('/idle/irc/', '/gabble/jabber/'), text('#x'), BigInt(0), ''))).toBe(`${TP}.Error.InvalidArgument`);
    expect(await errorOf(dispatcher.CreateChannel(tpAccount, text('#x'), BigInt(0), 'com.example.NotAClient'))).toBe(`${TP}.Error.InvalidArgument`);
    const nobody = await request(text('#nobody'), `${TP}.Client.NobodyHere`);
    expect(nobody.end.slice(0, 2)).toEqual(['failed', `${TP}.Error.NotAvailable`]);
    expect(nobody.end[2]).toContain('ServiceUnknown');
    await nothingLeft();

    // the malformed .client file is skipped and said in the log; the readable one whose client cannot be started ranks first
    // and is tried, then the running handler gets the private chat
    expect(d.proc.output()).toMatch(/ignoring Telepathy client file \S*Broken\.client/);
    await peerSays('peer7', 'seven');
    await h.step('handled', about('peer7'));

    // a handler that vanishes between AddRequest and HandleChannels; one that refuses (AddRequest, then RemoveRequest)
    const vanishing = await client('ConfabVanishing', '--handler-empty', '--exit-on-add-request');
    const gone = await request(text('#vanish'), vanishing.busName);
    await vanishing.step('request-added', (s) => s.request === gone.path);
    expect(gone.end.slice(0, 2)).toEqual(['failed', `${TP}.Error.NotAvailable`]);
    await answering();
    const refusing = await client('ConfabNo', '--handler-empty', '--requests', '--refuse');
    const refused = await request(text('#refused'), refusing.busName);
    expect(refused.end.slice(0, 2)).toEqual(['failed', `${TP}.Error.NotCapable`]);
    await refusing.step('request-added', (s) => s.request === refused.path);
    expect(await refusing.step('request-removed', (s) => s.request === refused.path)).toMatchObject({ error: `${TP}.Error.NotCapable` });
    await until(async () => !(await channelTargets()).some((t) => t === '#vanish' || t === '#refused'), 10000, 'the channels nobody took closed');

    // an approver that leaves the bus before deciding: the handler gets the chat
    const leaving = await client('ConfabLeaving', '--approver');
    await peerSays('peer8', 'eight');
    await leaving.step('add-dispatch-operation', about('peer8'));
    await leaving.proc.kill();
    await h.step('handled', about('peer8'));

    await nothingLeft();
    await answering();
    expect(await d.accountProp(`/im/confab/Confab1/accounts/${confabAccount.split('/').pop()!}`, 'Status')).toBe('connected');
  });
});
