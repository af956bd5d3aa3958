import { MANAGER, ROOT } from '../bus';
import { table } from '../format';
import { statusText } from './account';
import type { Command } from './context';

export const status: Command = {
  name: 'status',
  summary: "the daemon's state: presence, accounts, plugins, configuration",
  usage: 'confab status [--json]',
  async run(ctx, p) {
    const c = await ctx.confab();
    const m = await c.props(ROOT, MANAGER);
    const { accounts } = await c.objects();
    if (ctx.out.json) return ctx.out.data({ ...m, Accounts: accounts });
    const [presence, message] = m.Presence as string[];
    const lines = [
      `confabd ${String(m.Version)}, presence ${presence}${message ? ` (${message})` : ''}, secrets in ${String(m.SecretStore)}`,
    ];
    if (m.ConfigError) lines.push(`configuration error: ${String(m.ConfigError)}`);
    for (const [pkg, why] of m.FailedPlugins as string[][]) lines.push(`plugin ${pkg} failed to load: ${why}`);
    lines.push(accounts.length === 0 ? 'no accounts' : table(accounts.map((a) => [String(a.Id), String(a.Protocol), a.Enabled ? statusText(a) : 'disabled', a.OutboxSize ? `${String(a.OutboxSize)} queued` : '']), ['ACCOUNT', 'PROTOCOL', 'STATUS', 'OUTBOX']));
    ctx.out.print(lines.join('\n'));
  },
};
