/** confab rooms ACCOUNT: the public rooms the account's server offers (Account.ListRooms, docs/dbus.md "Listing rooms"). */
import { UsageError } from '../args';
import { CliError, variant } from '../bus';
import { table } from '../format';
import type { Command } from './context';

interface Room { id: string; name: string; topic: string; members: number | null }

export const rooms: Command = {
  name: 'rooms',
  summary: "list the public rooms an account's server offers (IRC LIST, XMPP MUC service discovery)",
  usage: `confab rooms ACCOUNT [--filter TEXT] [--server MUC-SERVICE] [--limit N] [--timeout SECONDS] [--json]
Rooms are printed as the listing ends, biggest first. --filter keeps names containing TEXT; --server
(XMPP) names the MUC service to list; --limit (default 10000) and --timeout (default 120 s) bound the
listing. Ends with a line saying how it ended (done, truncated, timed-out, failed).`,
  options: { filter: { type: 'string' }, server: { type: 'string' }, limit: { type: 'string' }, timeout: { type: 'string' } },
  positionals: 1,
  async run(ctx, p) {
    const options: Record<string, unknown> = {};
    for (const k of ['filter', 'server'] as const) if (typeof p.values[k] === 'string') options[k] = variant('s', p.values[k]);
    for (const k of ['limit', 'timeout'] as const) {
      const v = p.values[k];
      if (typeof v !== 'string') continue;
      if (!/^\d+$/.test(v)) throw new UsageError(`--${k} must be a positive integer`);
      options[k] = variant('u', Number(v));
    }
    const account = await (await ctx.confab()).account(p.positionals[0]);
    const found: Room[] = [];
    type End = [string, string, string, number, number];
    let listing: number | undefined;
    // Signals that come before ListRooms' reply cannot be told ours yet: kept until it comes.
    const early: Array<{ id: number; rooms?: unknown; end?: End }> = [];
    let ended: (end: End) => void = () => undefined;
    const finished = new Promise<End>((resolve) => (ended = resolve));
    const take = (list: unknown) => {
      for (const [id, name, topic, members] of list as Array<[string, string, string, number]>) found.push({ id, name, topic, members: members < 0 ? null : members });
    };
    account.on('RoomsListed', (id: number, list: unknown) => {
      if (listing === undefined) early.push({ id, rooms: list });
      else if (id === listing) take(list);
    });
    account.on('RoomListingFinished', (id: number, ...end: End) => {
      if (listing === undefined) early.push({ id, end });
      else if (id === listing) ended(end);
    });
    listing = (await account.ListRooms(options)) as number;
    for (const e of early.splice(0).filter((x) => x.id === listing)) {
      if (e.rooms) take(e.rooms);
      if (e.end) ended(e.end);
    }
    const [state, detail, server, count, skipped] = await finished;
    if (state === 'failed') throw new CliError(`listing rooms failed: ${detail}`);
    found.sort((a, b) => (b.members ?? -1) - (a.members ?? -1) || a.name.localeCompare(b.name));
    if (ctx.out.json) return ctx.out.data({ server, state, detail, count, skipped, rooms: found });
    const rows = found.map((r) => [r.id, r.members === null ? '-' : String(r.members), r.topic]);
    ctx.out.print([
      ...(rows.length ? [table(rows, ['ROOM', 'MEMBERS', 'TOPIC'])] : []),
      `${count} room${count === 1 ? '' : 's'} on ${server || 'the server'} (${state}${detail ? `: ${detail}` : ''}${skipped ? `; ${skipped} unreadable entries skipped` : ''})`,
    ].join('\n'));
  },
};
