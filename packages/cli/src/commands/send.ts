import { parse, UsageError } from '../args';
import { accountPath, lastElement } from '../bus';
import type { Command } from './context';

export const send: Command = {
  name: 'send',
  summary: 'send a message to a contact or a room (queued until the account is connected)',
  usage: 'confab send ACCOUNT TARGET TEXT... [--action|--notice] [--json]\n       confab send --channel CHANNEL TEXT... [--action|--notice] [--json]',
  async run(ctx) {
    const p = parse(ctx.argv, { channel: { type: 'string', short: 'c' }, action: { type: 'boolean' }, notice: { type: 'boolean' } });
    if (p.values.action && p.values.notice) throw new UsageError('--action and --notice exclude each other');
    const kind = p.values.action ? 'action' : p.values.notice ? 'notice' : 'normal';
    const c = await ctx.confab();
    let channel = p.values.channel as string | undefined;
    let words = p.positionals;
    if (!channel) {
      if (words.length < 3) throw new UsageError(`missing arguments; usage: ${this.usage}`);
      const [account, target] = words;
      words = words.slice(2);
      const acc = await c.account(account);
      if (/^[#&+!]/.test(target)) {
        // A room we know already, or else join it (a room must be joined to talk in it).
        const { channels } = await c.objects();
        const known = channels.find((ch) => ch.Account === accountPath(account) && ch.Kind === 'room' && String(ch.Target) === target.toLowerCase());
        channel = known?.path ?? ((await acc.JoinRoom(target, '')) as string);
      } else channel = (await acc.OpenDirect(target)) as string;
    }
    const text = words.join(' ');
    if (!text) throw new UsageError('nothing to send');
    const id = (await (await c.channel(channel)).SendMessage(text, kind)) as bigint;
    if (ctx.out.json) return ctx.out.data({ id: String(id), channel: lastElement(channel) });
    ctx.out.print(`queued message ${String(id)} in channel ${lastElement(channel)}`);
  },
};
