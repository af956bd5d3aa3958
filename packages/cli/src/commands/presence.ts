import { MANAGER, ROOT } from '../bus';
import type { Command } from './context';

const STATUSES = ['available', 'away', 'busy', 'invisible', 'offline'];

export const presence: Command = {
  name: 'presence',
  summary: 'show or set your presence on every account',
  usage: `confab presence [${STATUSES.join('|')} [MESSAGE...]] [--json]`,
  async run(ctx, p) {
    const c = await ctx.confab();
    if (p.positionals.length > 0) await (await c.manager()).SetPresence(p.positionals[0], p.positionals.slice(1).join(' '));
    const [status, message] = (await c.props(ROOT, MANAGER)).Presence as string[];
    if (ctx.out.json) return ctx.out.data({ status, message });
    ctx.out.print(`${status}${message ? ` (${message})` : ''}`);
  },
};
