/** confab contact ACCOUNT list|add|remove|info */
import { UsageError } from '../args';
import { ACCOUNT, accountPath } from '../bus';
import { table } from '../format';
import type { Command } from './context';

const USAGE = `usage:
  confab contact ACCOUNT list
  confab contact ACCOUNT add CONTACT [--alias NAME]
  confab contact ACCOUNT remove CONTACT
  confab contact ACCOUNT info CONTACT
  confab contact ACCOUNT requests
  confab contact ACCOUNT allow|deny CONTACT
Contacts are kept per account; their presence is watched while the account is connected. Where the
server keeps the list (XMPP roster), add and remove need the account connected.
\`info\` asks the network now (IRC: WHOIS; XMPP: the roster item and online resources).
\`requests\` lists who asked to see your presence; \`allow\` (and ask back) or \`deny\` answers.`;

export const contact: Command = {
  name: 'contact',
  summary: "list, add or remove an account's contacts, or ask the network about one",
  usage: USAGE,
  options: { alias: { type: 'string' } },
  positionals: 2,
  async run(ctx, p) {
    const [accountId, sub, who] = p.positionals;
    const c = await ctx.confab();
    const acc = await c.account(accountId);
    if (sub !== 'list' && sub !== 'requests' && !who) throw new UsageError(`missing the contact; ${USAGE}`);
    switch (sub) {
      case 'list': {
        const props = await c.props(accountPath(accountId), ACCOUNT);
        const rows = (props.Contacts as string[][]).map(([id, alias, status, message]) => ({ id, alias, presence: status, message }));
        if (ctx.out.json) return ctx.out.data(rows);
        if (rows.length === 0) return ctx.out.print('no contacts');
        return ctx.out.print(table(rows.map((r) => [r.id, r.alias, r.presence, r.message]), ['CONTACT', 'ALIAS', 'PRESENCE', 'MESSAGE']));
      }
      case 'add':
        await acc.AddContact(who, (p.values.alias as string | undefined) ?? '');
        return ctx.out.json ? ctx.out.data({ added: who }) : ctx.out.print(`added ${who}`);
      case 'remove':
        await acc.RemoveContact(who);
        return ctx.out.json ? ctx.out.data({ removed: who }) : ctx.out.print(`removed ${who}`);
      case 'requests': {
        const props = await c.props(accountPath(accountId), ACCOUNT);
        const rows = (props.SubscriptionRequests as string[][]).map(([id, message]) => ({ id, message }));
        if (ctx.out.json) return ctx.out.data(rows);
        if (rows.length === 0) return ctx.out.print('no requests');
        return ctx.out.print(table(rows.map((r) => [r.id, r.message]), ['CONTACT', 'MESSAGE']));
      }
      case 'allow':
      case 'deny':
        await acc.AnswerSubscription(who, sub === 'allow');
        return ctx.out.json ? ctx.out.data({ [sub === 'allow' ? 'allowed' : 'denied']: who }) : ctx.out.print(`${sub === 'allow' ? 'allowed' : 'denied'} ${who}`);
      case 'info': {
        const info = (await acc.GetContactInfo(who)) as Record<string, string>;
        if (ctx.out.json) return ctx.out.data(info);
        return ctx.out.print(table(Object.entries(info).map(([k, v]) => [k, v])));
      }
      default:
        throw new UsageError(`unknown subcommand '${sub}'; ${USAGE}`);
    }
  },
};
