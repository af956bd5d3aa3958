import { countOption, UsageError } from '../args';
import { channelPath } from '../bus';
import { callEntryIds, message, messageLine, withCalls } from '../format';
import type { Command } from './context';

export const history: Command = {
  name: 'history',
  summary: "a channel's history, or a full-text search of all history",
  usage: 'confab history CHANNEL [--limit N] [--before ID] [--json]\n       confab history ACCOUNT TARGET [--limit N] [--before ID] [--json]\n       confab history --search QUERY [--limit N] [--before ID] [--json]',
  options: { limit: { type: 'string', short: 'n' }, before: { type: 'string' }, search: { type: 'string', short: 's' } },
  async run(ctx, p) {
    const limit = countOption(p.values.limit, 'limit');
    const before = BigInt(countOption(p.values.before, 'before'));
    const c = await ctx.confab();
    let wire: unknown[][];
    if (p.values.search !== undefined) {
      wire = ((await (await c.manager()).SearchHistory(p.values.search, before, limit)) as unknown[][]).reverse();
    } else {
      let path: string;
      if (p.positionals.length === 1) path = channelPath(p.positionals[0]);
      else if (p.positionals.length === 2) {
        // The target compared as the protocol normalizes it (a Tox key in either case): the daemon's question.
        const [account, target] = p.positionals;
        path = (await (await c.account(account)).FindConversation(target)) as string;
      } else throw new UsageError(`usage: ${this.usage}`);
      wire = (await (await c.channel(path)).GetHistory(before, limit)) as unknown[][];
    }
    // Calls' entries (kind call) get their calls: direction, how they ended, how long they lasted.
    const calls = callEntryIds(wire.map(message));
    const messages = withCalls(wire.map(message), calls.length ? ((await (await c.manager()).GetCalls(calls)) as unknown[][]) : []);
    if (ctx.out.json) return ctx.out.data(messages);
    const { channels } = await c.objects();
    const targets = new Map(channels.map((ch) => [ch.path.slice(ch.path.lastIndexOf('/') + 1), String(ch.Target)]));
    ctx.out.print(messages.length === 0 ? 'no messages' : messages.map((m) => messageLine(m, targets.get(m.channel))).join('\n'));
  },
};
