/** confab inbox: every conversation of every account, most recent first, with unread counts. */
import { limitOption } from '../args';
import { lastElement } from '../bus';
import { table, time } from '../format';
import type { Command } from './context';

export const inbox: Command = {
  name: 'inbox',
  summary: 'every conversation of every account, most recently active first, with its unread count',
  usage: 'confab inbox [--limit N] [--json]\nUnread = received and not acknowledged by any client (confab ack, or watch --ack).',
  options: { limit: { type: 'string' } },
  async run(ctx, p) {
    const limit = limitOption(p.values.limit, 50);
    const rows = ((await (await (await ctx.confab()).manager()).GetInbox(limit)) as unknown[][]).map(([ch, acc, target, last, unread]) => ({
      channel: lastElement(String(ch)), account: lastElement(String(acc)), target: String(target), lastActivity: Number(last), unread: Number(unread),
    }));
    if (ctx.out.json) return ctx.out.data(rows);
    if (rows.length === 0) return ctx.out.print('no conversations');
    ctx.out.print(table(rows.map((r) => [r.channel, r.account, r.target, time(r.lastActivity), r.unread ? String(r.unread) : '']), ['CHANNEL', 'ACCOUNT', 'WITH', 'LAST', 'UNREAD']));
  },
};
