/** confab inbox: every conversation of every account, most recent first, with unread counts. */
import { limitOption } from '../args';
import { lastElement } from '../bus';
import { message, table, time } from '../format';
import type { Command } from './context';

export const inbox: Command = {
  name: 'inbox',
  summary: 'every conversation of every account, most recently active first, with its unread count',
  usage: 'confab inbox [--limit N] [--json]\nUnread = received messages and missed calls not acknowledged by any client (confab ack, or watch --ack).',
  options: { limit: { type: 'string' } },
  async run(ctx, p) {
    const limit = limitOption(p.values.limit, 50);
    const manager = await (await ctx.confab()).manager();
    // Which of the unread are missed calls: the pending queue's entries of kind call.
    const missed = new Map<string, number>();
    for (const m of ((await manager.GetPending(0)) as unknown[][]).map(message)) {
      if (m.kind === 'call') missed.set(m.channel, (missed.get(m.channel) ?? 0) + 1);
    }
    const rows = ((await manager.GetInbox(limit)) as unknown[][]).map(([ch, acc, target, last, unread]) => ({
      channel: lastElement(String(ch)), account: lastElement(String(acc)), target: String(target), lastActivity: Number(last), unread: Number(unread),
      missedCalls: missed.get(lastElement(String(ch))) ?? 0,
    }));
    if (ctx.out.json) return ctx.out.data(rows);
    if (rows.length === 0) return ctx.out.print('no conversations');
    const unread = (r: (typeof rows)[number]) =>
      r.unread === 0 ? '' : r.missedCalls === 0 ? String(r.unread) : `${r.unread} (📞 ${r.missedCalls} missed call${r.missedCalls === 1 ? '' : 's'})`;
    ctx.out.print(table(rows.map((r) => [r.channel, r.account, r.target, time(r.lastActivity), unread(r)]), ['CHANNEL', 'ACCOUNT', 'WITH', 'LAST', 'UNREAD']));
  },
};
