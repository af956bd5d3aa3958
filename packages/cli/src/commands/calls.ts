import { lastElement } from '../bus';
import { callRow } from '../calls';
import { table } from '../format';
import type { Command } from './context';

export const calls: Command = {
  name: 'calls',
  summary: 'the calls on the bus: ringing, going on, or ended in the last minute',
  usage: 'confab calls [--json]',
  async run(ctx) {
    const { calls: all } = await (await ctx.confab()).objects();
    if (ctx.out.json) return ctx.out.data(all.map((c) => ({ id: lastElement(c.path), ...c })));
    if (all.length === 0) return ctx.out.print('no calls');
    ctx.out.print(table(all.map(callRow), ['CALL', 'ACCOUNT', 'PEER', 'DIRECTION', 'STATE', 'REASON', 'STARTED']));
  },
};
