/**
 * The call model on D-Bus (docs/calls.md), through confabd with the scripted calls of the test
 * plugin 'faulty' (test/fixtures/plugins): Manager.StartCall, Call objects in the ObjectManager with
 * their states and end reasons, IncomingCall, Accept/Reject/Hangup/Hold/Resume/SetMuted/SendDtmf,
 * typed errors for wrong arguments, a protocol without calls, a missed call in its conversation's
 * history and unread in the inbox until acknowledged (D-Bus and CLI), and a call left going when
 * confabd is killed found ended after the restart. What this shows is the model, not a protocol's calls: those
 * are shown against real peers (SIP with baresip, issue 16).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CLI_MAIN, toMsg, v } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { start as spawnProcess, until } from '../fixtures/processes';

const CALL = 'im.confab.Confab1.Call';

describe('calls on D-Bus', () => {
  const { d } = withDaemon({ testPlugins: true });
  let account: string;
  const incoming: Array<[string, string]> = [];

  beforeAll(async () => {
    account = await d.createAccount('faulty', 'Caller', { name: 'caller' }, { connected: true });
    (await d.manager()).on('IncomingCall', (call: string, peer: string) => incoming.push([call, peer]));
  });

  const prop = (call: string, name: string) => d.prop(call, CALL, name);
  const call = async (path: string) => (await d.object(path)).getInterface(CALL);
  const stateIs = (path: string, state: string, reason?: string) =>
    until(async () => (await prop(path, 'State')) === state && (reason === undefined || (await prop(path, 'EndReason')) === reason), 10000, `${path} to be ${state} ${reason ?? ''}`);
  const start = async (target: string, options: Record<string, ReturnType<typeof v>> = {}) =>
    (await (await d.manager()).StartCall(account, target, options)) as string;

  it('places a call that is answered, holds, resumes, mutes, sends DTMF and hangs up; it ends hangup', async () => {
    const path = await start('Alice');
    expect(path).toMatch(/^\/im\/confab\/Confab1\/calls\/\d+$/);
    expect(await prop(path, 'Direction')).toBe('outgoing');
    expect(await prop(path, 'Peer')).toBe('alice'); // as the protocol normalizes contacts
    await stateIs(path, 'active');
    expect(Number(await prop(path, 'AnsweredAt'))).toBeGreaterThan(0);
    const c = await call(path);
    await c.Hold();
    await stateIs(path, 'held');
    await c.Resume();
    await stateIs(path, 'active');
    await c.SetMuted(true);
    expect(await prop(path, 'Muted')).toBe(true);
    await c.SendDtmf('12#');
    await expect(c.SendDtmf('hello')).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
    await c.Hangup();
    await stateIs(path, 'ended', 'hangup');
    expect(Number(await prop(path, 'EndedAt'))).toBeGreaterThanOrEqual(Number(await prop(path, 'AnsweredAt')));
    await expect(c.Hangup()).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
    const channel = String(await prop(path, 'Channel'));
    expect(await d.channelProp(channel, 'Target')).toBe('alice');
  });

  it('a busy callee ends the call busy; one who never answers keeps it ringing until we cancel', async () => {
    const busy = await start('busy');
    await stateIs(busy, 'ended', 'busy');
    expect(Number(await prop(busy, 'AnsweredAt'))).toBe(0);
    const nobody = await start('nobody');
    await stateIs(nobody, 'ringing');
    await (await call(nobody)).Hangup();
    await stateIs(nobody, 'ended', 'hangup');
  });

  it('announces an incoming call, ringing, before IncomingCall; it can be accepted or rejected', async () => {
    await d.send(account, 'Bob', '/ring');
    const [first, peer] = await until(() => incoming[0], 10000, 'IncomingCall');
    expect(peer).toBe('bob');
    expect(await prop(first, 'State')).toBe('ringing');
    expect(await prop(first, 'Direction')).toBe('incoming');
    await (await call(first)).Accept({ video: v('b', false) });
    await stateIs(first, 'active');
    await (await call(first)).Hangup();
    await stateIs(first, 'ended', 'hangup');

    await d.send(account, 'Carol', '/ring');
    const [second] = await until(() => incoming[1], 10000, 'a second IncomingCall');
    await expect((await call(second)).Reject('maybe')).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
    await (await call(second)).Reject('declined');
    await stateIs(second, 'ended', 'declined');
  });

  it('refuses wrong arguments with typed errors, and a call from an account that is not connected with Offline', async () => {
    const m = await d.manager();
    await expect(m.StartCall(account, 'x', { colour: v('s', 'red') })).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
    await expect(m.StartCall(account, 'x', { audio: v('s', 'yes') })).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
    await expect(m.StartCall(account, 'x', { audio: v('b', false) })).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
    await expect(m.StartCall('/im/confab/Confab1/channels/1', 'x', {})).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
    await expect(m.StartCall(account, '', {})).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
    const broken = await d.createAccount('faulty', 'Offline', { name: 'offline', 'fail-auth': true });
    await d.waitForStatus(broken, 'disconnected', 'auth-failed');
    await expect(m.StartCall(broken, 'x', {})).rejects.toMatchObject({ type: 'im.confab.Error.Offline' });
  });

  it('the CLI places, lists, answers and hangs up calls; `confab call` follows a call to its end', async () => {
    const acc = account.split('/').pop()!;
    const detached = await d.cli(['call', acc, 'nobody', '--detach']);
    expect(detached.code).toBe(0);
    const id = detached.stdout.trim();
    expect(id).toMatch(/^\d+$/);
    const listed = await d.cli(['calls']);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+${acc}\\s+nobody\\s+outgoing\\s+(dialing|ringing)`, 'm'));
    expect((await d.cli(['hangup', id])).code).toBe(0);
    await stateIs(`/im/confab/Confab1/calls/${id}`, 'ended', 'hangup');
    const busy = await d.cli(['call', acc, 'busy', '--json']);
    expect(busy.code).toBe(1); // never answered
    expect(busy.stdout.trim().split('\n').map((l) => JSON.parse(l) as { state: string }).map((e) => e.state)).toContain('ended');
    expect(busy.stdout).toContain('"reason":"busy"');
    const bad = await d.cli(['dtmf', id, '12x']);
    expect(bad.code).toBe(2);
  });

  it('a missed call is history: between the messages of its conversation, unread in the inbox until acknowledged, on D-Bus and in the CLI', async () => {
    const m = await d.manager();
    const received = await d.receivedLog();
    await d.send(account, 'Dave', 'are you there?');
    const channel = await d.channelOf(account, 'dave');
    await d.send(account, 'Dave', '/ring-cancel'); // Dave calls, and gives up before anyone answers
    const missed = await until(() => received.find((x) => x.kind === 'call'), 10000, 'the missed call in MessagesReceived');
    expect(missed).toMatchObject({ channel, account, sender: 'dave', kind: 'call', state: 'ended', body: 'Missed call (cancelled)', outgoing: false });

    // History: the call's entry after the message that made Dave call, in the same id space.
    const history = await until(async () => {
      const h = await d.history(channel);
      return h.filter((x) => x.body.startsWith('echo: ')).length === 2 ? h : undefined;
    }, 10000, 'both echoes in history');
    const at = history.findIndex((x) => x.id === missed.id);
    expect(at).toBeGreaterThan(history.findIndex((x) => x.body === '/ring-cancel'));
    expect(history[at]).toEqual(missed);
    const page = ((await (await d.channel(channel)).GetHistory(BigInt(missed.id), 1)) as unknown[][]).map(toMsg);
    expect(page.map((x) => x.body)).toEqual([history[at - 1].body]);
    const [details] = (await m.GetCalls([BigInt(missed.id), BigInt(history[0].id)])) as unknown[][];
    expect(details.map((x) => (typeof x === 'bigint' ? Number(x) : x))).toEqual([
      missed.id, expect.stringMatching(/^\/im\/confab\/Confab1\/calls\/\d+$/), 'incoming', true, false, 'ended', 'cancelled', '', missed.time, 0, expect.any(Number),
    ]);

    // The inbox: unread = the pending queue of the channel (the echoes and the missed call).
    const pending = ((await m.GetPending(0)) as unknown[][]).map(toMsg).filter((x) => x.channel === channel);
    expect(pending.map((x) => x.kind).sort()).toEqual(['call', 'normal', 'normal']);
    const inboxRow = async () => ((await m.GetInbox(0)) as unknown[][]).find((r) => r[0] === channel)!;
    expect(Number((await inboxRow())[4])).toBe(3);
    expect(Number(await d.channelProp(channel, 'UnreadCount'))).toBe(3);

    // The CLI says it in words, and in JSON with the call.
    const acc = account.split('/').pop()!;
    const text = await d.cli(['history', acc, 'dave']);
    expect(text.stdout).toMatch(new RegExp(`#${missed.id} ${acc} dave 📞 missed call from dave \\(cancelled\\)$`, 'm'));
    const json = JSON.parse((await d.cli(['history', acc, 'dave', '--json'])).stdout) as Array<{ id: string; kind: string; call?: { direction: string; endReason: string } }>;
    expect(json.find((x) => x.id === String(missed.id))).toMatchObject({ kind: 'call', call: { direction: 'incoming', endReason: 'cancelled' } });
    expect((await d.cli(['inbox'])).stdout).toMatch(/\bdave\b.*\s3 \(📞 1 missed call\)$/m);
    const inboxJson = JSON.parse((await d.cli(['inbox', '--json'])).stdout) as Array<{ target: string; unread: number; missedCalls: number }>;
    expect(inboxJson.find((r) => r.target === 'dave')).toMatchObject({ unread: 3, missedCalls: 1 });

    // `confab watch --pending` prints the missed call as history does (with its call, not its entry's text).
    const watch = spawnProcess(process.execPath, [CLI_MAIN, 'watch', '--pending'], { env: d.env() });
    try {
      await until(() => watch.output().includes(`#${missed.id} ${acc} dave 📞 missed call from dave (cancelled)`), 10000, `watch to print the missed call: ${watch.output()}`);
    } finally {
      await watch.stop();
    }

    // Acknowledged as messages are (confab ack): nothing unread, no missed call.
    expect((await d.cli(['ack', ...pending.map((x) => String(x.id))])).code).toBe(0);
    expect(Number((await inboxRow())[4])).toBe(0);
    expect(Number(await d.channelProp(channel, 'UnreadCount'))).toBe(0);
    expect((await d.cli(['inbox'])).stdout).not.toContain('missed call');
  });

  it('a call going when confabd is killed is ended network-error after the restart', async () => {
    const path = await start('nobody');
    await stateIs(path, 'ringing');
    const id = path.split('/').pop();
    await d.kill();
    await d.restart();
    await d.waitForStatus(account, 'connected');
    // An ended call is not brought back to the bus; its row is history (the database says how it ended).
    const objects = (await (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, unknown>;
    expect(Object.keys(objects)).not.toContain(path);
    const db = new Database(join(d.dataDir, 'confab.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT state, end_reason FROM calls WHERE id = ?').all(Number(id))).toEqual([{ state: 'ended', end_reason: 'network-error' }]);
    } finally {
      db.close();
    }
  });
});
