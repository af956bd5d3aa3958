/** confab account add|list|show|set|enable|disable|remove|reconnect */
import { pairs, requirePositionals, UsageError } from '../args';
import { accountPath, lastElement, variant, ACCOUNT, type Confab } from '../bus';
import { table } from '../format';
import type { Command, Context } from './context';

const SUBCOMMANDS = `usage:
  confab account add PROTOCOL NAME [--param name=value]... [--password-stdin | --secret-stdin NAME]
  confab account list
  confab account show ACCOUNT
  confab account set ACCOUNT name=value... [--unset NAME]... [--password-stdin | --secret-stdin NAME]
  confab account enable|disable|remove|reconnect ACCOUNT
ACCOUNT is an account id (see \`confab account list\`) or its object path.`;

/** Converts text values to variants of the parameter's declared type (from GetParameters). */
async function typed(confab: Confab, protocol: string, values: Array<[string, string]>): Promise<Record<string, unknown>> {
  const specs = new Map(((await (await confab.manager()).GetParameters(protocol)) as string[][]).map((s) => [s[0], s[1]]));
  const out: Record<string, unknown> = {};
  for (const [name, text] of values) {
    const type = specs.get(name);
    if (!type) throw new UsageError(`protocol '${protocol}' has no parameter '${name}' (see \`confab protocols ${protocol}\`)`);
    if (type === 'int') {
      if (!/^-?\d+$/.test(text)) throw new UsageError(`parameter '${name}' must be an integer`);
      out[name] = variant('i', Number(text));
    } else if (type === 'bool') {
      const t = text.toLowerCase();
      if (!['true', 'false', 'yes', 'no', '1', '0', 'on', 'off'].includes(t)) throw new UsageError(`parameter '${name}' must be true or false`);
      out[name] = variant('b', ['true', 'yes', '1', 'on'].includes(t));
    } else if (type === 'strings') out[name] = variant('as', text === '' ? [] : text.split(','));
    else out[name] = variant('s', text);
  }
  return out;
}

async function secretFromStdin(ctx: Context, values: Record<string, string | boolean | string[] | undefined>): Promise<Array<[string, string]>> {
  const name = values['password-stdin'] ? 'password' : (values['secret-stdin'] as string | undefined);
  if (!name) return [];
  const secret = (await ctx.stdin()).replace(/\r?\n$/, '');
  if (!secret) throw new UsageError(`nothing on standard input for '${name}'`);
  return [[name, secret]];
}

export const account: Command = {
  name: 'account',
  summary: 'add, list, show, change, enable, disable, reconnect or remove accounts',
  usage: SUBCOMMANDS,
  options: {
    param: { type: 'string', multiple: true, short: 'p' },
    unset: { type: 'string', multiple: true },
    'password-stdin': { type: 'boolean' },
    'secret-stdin': { type: 'string' },
  },
  async run(ctx, args) {
    const [sub, ...positionals] = args.positionals;
    const p = { ...args, positionals };
    const confab = () => ctx.confab();
    switch (sub) {
      case 'add': {
        requirePositionals(p, 2, 'confab account add PROTOCOL NAME [--param name=value]...');
        const [protocol, name] = p.positionals;
        const c = await confab();
        const values = [...pairs((p.values.param as string[] | undefined) ?? []), ...(await secretFromStdin(ctx, p.values))];
        const path = (await (await c.manager()).CreateAccount(protocol, name, await typed(c, protocol, values))) as string;
        return ctx.out.json ? ctx.out.data({ id: lastElement(path), path }) : ctx.out.print(`created account ${lastElement(path)}`);
      }
      case 'list': {
        const { accounts } = await (await confab()).objects();
        if (ctx.out.json) return ctx.out.data(accounts);
        return ctx.out.print(accounts.length === 0 ? 'no accounts (add one with `confab account add`)' :
          table(accounts.map((a) => [String(a.Id), String(a.Protocol), String(a.DisplayName), a.Enabled ? 'yes' : 'no', statusText(a)]), ['ACCOUNT', 'PROTOCOL', 'NAME', 'ENABLED', 'STATUS']));
      }
      case 'show':
        requirePositionals(p, 1, 'confab account show ACCOUNT');
        return show(ctx, await confab(), p.positionals[0]);
      case 'set': {
        requirePositionals(p, 1, 'confab account set ACCOUNT name=value... [--unset NAME]...');
        const c = await confab();
        const path = accountPath(p.positionals[0]);
        const protocol = String((await c.props(path, ACCOUNT)).Protocol);
        const values = [...pairs(p.positionals.slice(1)), ...(await secretFromStdin(ctx, p.values))];
        const unset = (p.values.unset as string[] | undefined) ?? [];
        if (values.length === 0 && unset.length === 0) throw new UsageError('nothing to set: give name=value, --unset NAME or --password-stdin');
        await (await c.account(path)).Update(await typed(c, protocol, values), unset);
        return ctx.out.json ? ctx.out.data({ ok: true }) : ctx.out.print(`updated ${lastElement(path)}`);
      }
      case 'enable':
      case 'disable':
      case 'remove':
      case 'reconnect': {
        requirePositionals(p, 1, `confab account ${sub} ACCOUNT`);
        const acc = await (await confab()).account(p.positionals[0]);
        if (sub === 'remove') await acc.Remove();
        else if (sub === 'reconnect') await acc.Reconnect();
        else await acc.SetEnabled(sub === 'enable');
        return ctx.out.json ? ctx.out.data({ ok: true }) : ctx.out.print(`${sub === 'remove' ? 'removed' : sub === 'reconnect' ? 'reconnecting' : sub + 'd'} ${lastElement(accountPath(p.positionals[0]))}`);
      }
      default:
        throw new UsageError(sub ? `unknown subcommand 'account ${sub}'\n${SUBCOMMANDS}` : SUBCOMMANDS);
    }
  },
};

/** `confab account show ACCOUNT`: one account's properties as a table. */
async function show(ctx: Context, c: Confab, id: string): Promise<void> {
  const props = await c.props(accountPath(id), ACCOUNT);
  if (ctx.out.json) return ctx.out.data(props);
  const params = Object.entries(props.Parameters as Record<string, unknown>).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  return ctx.out.print(table([
    ['id', String(props.Id)], ['protocol', String(props.Protocol)], ['name', String(props.DisplayName)], ['identity', String(props.Identity)],
    ['enabled', props.Enabled ? 'yes' : 'no'], ['status', statusText(props)], ['parameters', params.join(' ')],
    ['secrets set', (props.SecretsSet as string[]).join(', ') || '-'], ['outbox', String(props.OutboxSize)],
    ['next retry', props.NextRetry ? new Date(Number(props.NextRetry)).toISOString() : '-'],
  ]));
}

export function statusText(a: Record<string, unknown>): string {
  const reason = a.StatusReason && a.StatusReason !== 'none' && a.StatusReason !== 'requested' ? ` (${String(a.StatusReason)})` : '';
  const detail = a.StatusDetail ? `: ${String(a.StatusDetail)}` : '';
  return `${String(a.Status)}${reason}${a.Status === 'connected' ? '' : detail}`;
}

