/**
 * confab watch: one line per event, as it happens (stdout is flushed per line, so a pipe or a test
 * sees each at once). With --json, one JSON object per line.
 */
import { lastElement, ROOT } from '../bus';
import { message, messageLine, toJson } from '../format';
import type { Command } from './context';

export const watch: Command = {
  name: 'watch',
  summary: 'print messages, delivery states and account changes as they happen',
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
    const line = (event: string, data: Record<string, unknown>, text: string) =>
      process.stdout.write((ctx.out.json ? toJson({ event, ...data }) : text) + '\n');

    const onMessages = async (batch: unknown[][]) => {
      const msgs = batch.map(message);
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
