/** confab people [TEXT] and confab person PERSON show|link|unlink|merge|alias|open|timeline, confab person of ACCOUNT CONTACT */
import { countOption, limitOption, UsageError } from '../args';
import { accountPath, lastElement, personPath, PERSON, type Confab } from '../bus';
import { callEntryIds, message, messageLine, table, withCalls } from '../format';
import type { Command } from './context';

interface PersonView {
  id: string;
  name: string;
  alias: string;
  presence: string;
  message: string;
  contacts: Array<{ account: string; contact: string; alias: string; presence: string; message: string; reason: string }>;
  addresses: string[];
}

function view(props: Record<string, unknown>): PersonView {
  const [presence, msg] = props.Presence as string[];
  return {
    id: String(props.Id),
    name: String(props.Name),
    alias: String(props.Alias),
    presence,
    message: msg,
    contacts: (props.Contacts as string[][]).map(([account, contact, alias, status, message, reason]) => ({ account: lastElement(account), contact, alias, presence: status, message, reason })),
    addresses: props.Addresses as string[],
  };
}

const contactsOf = (p: PersonView) => p.contacts.map((c) => `${c.contact} (${c.account})`).join(', ');

export const people: Command = {
  name: 'people',
  summary: 'everyone you talk to, each with their contacts across accounts; or those matching a text',
  usage: 'confab people [TEXT] [--limit N] [--json]\nWithout TEXT, every person; with it, those whose name, contacts or addresses contain it.',
  options: { limit: { type: 'string' } },
  async run(ctx, p) {
    const limit = limitOption(p.values.limit, 0);
    const c = await ctx.confab();
    let rows: PersonView[];
    if (p.positionals.length > 0) {
      const paths = (await (await c.manager()).SearchPeople(p.positionals.join(' '), limit)) as string[];
      rows = await Promise.all(paths.map(async (path) => view(await c.props(path, PERSON))));
    } else {
      rows = (await c.objects()).people.map(view);
      if (limit > 0) rows = rows.slice(0, limit);
    }
    if (ctx.out.json) return ctx.out.data(rows);
    if (rows.length === 0) return ctx.out.print(p.positionals.length > 0 ? 'no one matches' : 'no people (add contacts to accounts: confab contact ACCOUNT add …)');
    ctx.out.print(table(rows.map((r) => [r.id, r.name, r.presence, contactsOf(r)]), ['PERSON', 'NAME', 'PRESENCE', 'CONTACTS']));
  },
};

const USAGE = `usage:
  confab person PERSON [show]
  confab person PERSON link ACCOUNT CONTACT
  confab person PERSON unlink ACCOUNT CONTACT
  confab person PERSON merge OTHER
  confab person PERSON alias [NAME]
  confab person PERSON open [--call]
  confab person PERSON timeline [--limit N] [--before ID]
  confab person of ACCOUNT CONTACT
PERSON is the number \`confab people\` shows. \`link\` moves a contact to the person and remembers it;
\`unlink\` takes it out for good (automatic linking never joins them again); \`open\` starts a
conversation with their best contact and prints the channel; \`timeline\` shows their messages from
every account in one list.`;

export const person: Command = {
  name: 'person',
  summary: "show one person, link or unlink their contacts, talk to them, read their timeline",
  usage: USAGE,
  options: { call: { type: 'boolean' }, limit: { type: 'string', short: 'n' }, before: { type: 'string' } },
  positionals: 1,
  async run(ctx, p) {
    const [id, sub = 'show', a, b] = p.positionals;
    const c = await ctx.confab();
    if (id === 'of') {
      if (!sub || !a || sub === 'show') throw new UsageError(USAGE);
      const path = (await (await c.manager()).GetPerson(accountPath(sub), a)) as string;
      return ctx.out.json ? ctx.out.data({ person: lastElement(path) }) : ctx.out.print(lastElement(path));
    }
    const obj = await c.person(id);
    const need = (n: number) => {
      if (p.positionals.length < 2 + n) throw new UsageError(`missing arguments; ${USAGE}`);
    };
    switch (sub) {
      case 'show':
        return show(ctx, c, id);
      case 'link':
        need(2);
        await obj.Link(accountPath(a), b);
        return ctx.out.json ? ctx.out.data({ linked: b, person: id }) : ctx.out.print(`linked ${b} (${a}) to person ${id}`);
      case 'unlink': {
        need(2);
        const now = lastElement((await obj.Unlink(accountPath(a), b)) as string);
        return ctx.out.json ? ctx.out.data({ unlinked: b, person: now }) : ctx.out.print(`unlinked ${b} (${a}): now person ${now}`);
      }
      case 'merge':
        need(1);
        await obj.Merge(personPath(a));
        return ctx.out.json ? ctx.out.data({ merged: a, person: id }) : ctx.out.print(`merged person ${a} into person ${id}`);
      case 'alias':
        await obj.SetAlias(p.positionals.slice(2).join(' '));
        return show(ctx, c, id);
      case 'open': {
        const channel = lastElement((await obj.OpenConversation(p.values.call ? 'call' : 'text')) as string);
        return ctx.out.json ? ctx.out.data({ channel }) : ctx.out.print(channel);
      }
      case 'timeline': {
        const wire = ((await obj.GetTimeline(BigInt(countOption(p.values.before, 'before')), countOption(p.values.limit, 'limit'))) as unknown[][]).map(message);
        const calls = callEntryIds(wire);
        const messages = withCalls(wire, calls.length ? ((await (await c.manager()).GetCalls(calls)) as unknown[][]) : []);
        if (ctx.out.json) return ctx.out.data(messages);
        const { channels } = await c.objects();
        const targets = new Map(channels.map((ch) => [lastElement(ch.path), String(ch.Target)]));
        return ctx.out.print(messages.length === 0 ? 'no messages' : messages.map((m) => messageLine(m, targets.get(m.channel))).join('\n'));
      }
      default:
        throw new UsageError(`unknown subcommand '${sub}'; ${USAGE}`);
    }
  },
};

async function show(ctx: Parameters<Command['run']>[0], c: Confab, id: string): Promise<void> {
  const v = view(await c.props(personPath(id), PERSON));
  if (ctx.out.json) return ctx.out.data(v);
  const head = `person ${v.id}: ${v.name}${v.alias ? '' : ' (no alias)'} — ${v.presence}${v.message ? ` (${v.message})` : ''}`;
  const rows = v.contacts.map((x) => [x.account, x.contact, x.alias, x.presence, x.reason]);
  const addresses = v.addresses.length ? `\naddresses: ${v.addresses.join(', ')}` : '';
  ctx.out.print(`${head}\n${table(rows, ['ACCOUNT', 'CONTACT', 'ALIAS', 'PRESENCE', 'WHY'])}${addresses}`);
}
