import { lastElement } from '../bus';
import type { Command } from './context';

export const join: Command = {
  name: 'join',
  summary: 'join a room, and rejoin it on every reconnect',
  usage: 'confab join ACCOUNT ROOM [--key KEY] [--json]',
  options: { key: { type: 'string' } },
  positionals: 2,
  async run(ctx, p) {
    const path = (await (await (await ctx.confab()).account(p.positionals[0])).JoinRoom(p.positionals[1], (p.values.key as string | undefined) ?? '')) as string;
    if (ctx.out.json) return ctx.out.data({ channel: lastElement(path), path });
    ctx.out.print(`channel ${lastElement(path)}: ${p.positionals[1]}`);
  },
};
