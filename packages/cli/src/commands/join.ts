import { parse, requirePositionals } from '../args';
import { lastElement } from '../bus';
import type { Command } from './context';

export const join: Command = {
  name: 'join',
  summary: 'join a room, and rejoin it on every reconnect',
  usage: 'confab join ACCOUNT ROOM [--key KEY] [--json]',
  async run(ctx) {
    const p = parse(ctx.argv, { key: { type: 'string' } });
    requirePositionals(p, 2, this.usage);
    const path = (await (await (await ctx.confab()).account(p.positionals[0])).JoinRoom(p.positionals[1], (p.values.key as string | undefined) ?? '')) as string;
    if (ctx.out.json) return ctx.out.data({ channel: lastElement(path), path });
    ctx.out.print(`channel ${lastElement(path)}: ${p.positionals[1]}`);
  },
};
