import { UsageError } from '../args';
import type { Command } from './context';

export const ack: Command = {
  name: 'ack',
  summary: 'acknowledge received messages and missed calls (removes them from the pending queue)',
  usage: 'confab ack ID... [--json]',
  positionals: 1,
  async run(ctx, p) {
    const ids = p.positionals.map((id) => {
      if (!/^\d+$/.test(id)) throw new UsageError(`'${id}' is not a message or call entry id`);
      return BigInt(id);
    });
    await (await (await ctx.confab()).manager()).Acknowledge(ids);
    if (ctx.out.json) return ctx.out.data({ acknowledged: ids.map(String) });
    ctx.out.print(`acknowledged ${ids.length} message${ids.length === 1 ? '' : 's'}`);
  },
};
