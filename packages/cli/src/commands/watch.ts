/**
 * confab watch: one line per event, as it happens (stdout is flushed per line, so a pipe or a test
 * sees each at once). With --json, one JSON object per line.
 */
import { CALL, lastElement, ROOT, unwrap, type Confab, type Iface } from '../bus';
import { callLine, callState, followCall } from '../calls';
import { callEntryIds, message, messageLine, toJson, withCalls } from '../format';
import type { Command } from './context';

type Line = (event: string, data: Record<string, unknown>, text: string) => void;

export const watch: Command = {
  name: 'watch',
  summary: 'print messages, delivery states, account changes and calls as they happen',
  usage: 'confab watch [--pending] [--ack] [--json]',
  options: { pending: { type: 'boolean' }, ack: { type: 'boolean' } },
  async run(ctx, p) {
    const c = await ctx.confab();
    const m = await c.manager();
    const om = await c.iface(ROOT, 'org.freedesktop.DBus.ObjectManager');
    const targets = new Map<string, string>();
    const refreshTargets = async () => {
      for (const ch of (await c.objects()).channels) targets.set(lastElement(ch.path), String(ch.Target));
    };
    await refreshTargets();
    const line: Line = (event, data, text) =>
      process.stdout.write((ctx.out.json ? toJson({ event, ...data }) : text) + '\n');

    const onMessages = async (batch: unknown[][]) => {
      // a call's entry (a missed call, an ended one) is printed with its call, as `confab history` does
      const calls = callEntryIds(batch.map(message));
      const msgs = withCalls(batch.map(message), calls.length ? ((await m.GetCalls(calls)) as unknown[][]) : []);
      if (msgs.some((x) => !targets.has(x.channel))) await refreshTargets();
      for (const x of msgs) line('message', { ...x }, messageLine(x, targets.get(x.channel)));
      if (p.values.ack && msgs.length > 0) await m.Acknowledge(msgs.map((x) => BigInt(x.id)));
    };
    if (p.values.pending) await onMessages((await m.GetPending(0)) as unknown[][]);
    m.on('MessagesReceived', (batch: unknown[][]) => void onMessages(batch));
    m.on('MessagesChanged', (batch: unknown[][]) => {
      for (const [id, ch, state] of batch) line('state', { id: String(id), channel: lastElement(String(ch)), state }, `message #${String(id)} ${String(state)}`);
    });
    m.on('AccountsChanged', (batch: string[][]) => {
      for (const [path, st, reason, detail] of batch) {
        line('account', { account: lastElement(path), status: st, reason, detail }, `account ${lastElement(path)} ${st} (${reason})${detail ? `: ${detail}` : ''}`);
      }
    });
    m.on('ChatStateChanged', (ch: string, contact: string, state: string) => {
      line('chatstate', { channel: lastElement(ch), contact, state }, `${contact} ${state === 'composing' ? 'is typing' : `is ${state}`} (channel ${lastElement(ch)})`);
    });
    m.on('SubscriptionRequested', (acc: string, contact: string, message: string) => {
      line('subscription', { account: lastElement(acc), contact, message }, `account ${lastElement(acc)}: ${contact} asks to see your presence${message ? `: ${message}` : ''} (confab contact ${lastElement(acc)} allow|deny ${contact})`);
    });
    m.on('Invited', (acc: string, roomName: string, by: string) => {
      line('invited', { account: lastElement(acc), room: roomName, by }, `account ${lastElement(acc)} invited to ${roomName} by ${by}`);
    });
    m.on('PeopleChanged', (batch: string[][]) => {
      // added and removed people show as InterfacesAdded/Removed below
      for (const [path, change] of batch) if (change === 'changed') line('person', { person: lastElement(path), change }, `person ${lastElement(path)} changed (confab person ${lastElement(path)})`);
    });
    om.on('InterfacesAdded', (path: string) => {
      if (path.includes('/channels/')) void refreshTargets();
      line('added', { path }, `+ ${path.slice(ROOT.length + 1)}`);
    });
    om.on('InterfacesRemoved', (path: string) => line('removed', { path }, `- ${path.slice(ROOT.length + 1)}`));
    await watchCalls(c, m, om, line);
    // dbus-next sends the match rules for these signals without waiting for them; the bus handles one
    // connection's messages in order, so once a later call has returned, the rules are in place.
    await m.GetPending(1);
    process.stderr.write('confab: watching (Ctrl-C to stop)\n');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      c.bus.on('error', () => resolve());
    });
  },
};

/**
 * Incoming calls (Manager.IncomingCall), and each call's State changes: PropertiesChanged on every
 * call object, followed from when it appears on the bus (InterfacesAdded) until it leaves.
 */
async function watchCalls(c: Confab, m: Iface, om: Iface, line: Line): Promise<void> {
  const following = new Map<string, Promise<() => void>>();
  const accounts = new Map<string, string>();
  const follow = (path: string, props: Record<string, unknown>) => {
    accounts.set(path, lastElement(String(props.Account)));
    if (following.has(path)) return;
    const onState = (now: Record<string, unknown>) => {
      const s = callState(path, now);
      line('call', { ...s }, callLine(s));
    };
    following.set(path, followCall(c, path, onState, String(props.State)).catch(() => () => {}));
  };
  om.on('InterfacesAdded', (path: string, ifaces: Record<string, Record<string, { value: unknown }>>) => {
    if (ifaces[CALL]) follow(path, unwrap(ifaces[CALL]));
  });
  om.on('InterfacesRemoved', (path: string) => {
    void following.get(path)?.then((stop) => stop());
    following.delete(path);
    accounts.delete(path);
  });
  m.on('IncomingCall', (path: string, peer: string) => {
    const known = accounts.get(path);
    const account = known !== undefined ? Promise.resolve(known) : c.props(path, CALL).then((p) => lastElement(String(p.Account)), () => '?');
    void account.then((acc) => line('incoming-call', { call: lastElement(path), peer, account: acc }, `incoming call ${lastElement(path)} from ${peer} on ${acc}`));
  });
  for (const call of (await c.objects()).calls) follow(call.path, call);
}
