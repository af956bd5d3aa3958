/** confab search TEXT: people (names, contacts, addresses) and messages (full text) at once. */
import { UsageError } from '../args';
import { lastElement, PERSON } from '../bus';
import { message, messageLine, table } from '../format';
import type { Command } from './context';

const USAGE = 'confab search TEXT [--limit N] [--json]\nPeople whose name, contacts or addresses contain TEXT, then messages containing its words (confab history --search takes FTS5 syntax).';

export const search: Command = {
  name: 'search',
  summary: 'search people, contacts and message history at once',
  usage: USAGE,
  options: { limit: { type: 'string', short: 'n' } },
  positionals: 1,
  async run(ctx, p) {
    const limit = p.values.limit === undefined ? 20 : Number(p.values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a number from 1 to 1000');
    const text = p.positionals.join(' ');
    // Every word as an FTS5 string (doubled quotes), so that the text is never taken as query syntax.
    const fts = text.split(/\s+/).filter(Boolean).map((w) => `"${w.replace(/"/g, '""')}"`).join(' ');
    const c = await ctx.confab();
    const m = await c.manager();
    const paths = (await m.SearchPeople(text, limit)) as string[];
    const found = await Promise.all(paths.map(async (path) => {
      const props = await c.props(path, PERSON);
      return { id: lastElement(path), name: String(props.Name), presence: String((props.Presence as string[])[0]) };
    }));
    const messages = ((await m.SearchHistory(fts, 0n, limit)) as unknown[][]).map(message);
    if (ctx.out.json) return ctx.out.data({ people: found, messages });
    const parts: string[] = [];
    parts.push(found.length === 0 ? 'people: none' : `people:\n${table(found.map((f) => [f.id, f.name, f.presence]), ['PERSON', 'NAME', 'PRESENCE'])}`);
    parts.push(messages.length === 0 ? 'messages: none' : `messages:\n${messages.map((x) => messageLine(x)).join('\n')}`);
    ctx.out.print(parts.join('\n\n'));
  },
};
