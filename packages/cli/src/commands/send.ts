import { UsageError } from '../args';
import { lastElement } from '../bus';
import type { Command } from './context';

export const send: Command = {
  name: 'send',
  summary: 'send a message to a contact or a room (queued until the account is connected)',
  usage: 'confab send ACCOUNT TARGET TEXT... [--action|--notice] [--json]\n       confab send --channel CHANNEL TEXT... [--action|--notice] [--json]',
  options: { channel: { type: 'string', short: 'c' }, action: { type: 'boolean' }, notice: { type: 'boolean' } },
  async run(ctx, p) {
    if (p.values.action && p.values.notice) throw new UsageError('--action and --notice exclude each other');
    const kind = p.values.action ? 'action' : p.values.notice ? 'notice' : 'normal';
    const c = await ctx.confab();
    let channel = p.values.channel as string | undefined;
    const words = channel ? p.positionals : p.positionals.slice(2);
    if (!channel && p.positionals.length < 3) throw new UsageError(`missing arguments; usage: ${this.usage}`);
    const text = words.join(' ');
    if (!text) throw new UsageError('nothing to send');
    if (!channel) {
      // Room or person is the protocol's question, and the daemon asks it (Account.OpenConversation).
      const [account, target] = p.positionals;
      channel = (await (await c.account(account)).OpenConversation(target)) as string;
    }
    const id = (await (await c.channel(channel)).SendMessage(text, kind)) as bigint;
    if (ctx.out.json) return ctx.out.data({ id: String(id), channel: lastElement(channel) });
    ctx.out.print(`queued message ${String(id)} in channel ${lastElement(channel)}`);
  },
};
