/**
 * Listing a server's channels with LIST (RFC 1459 §4.2.6, RFC 2812 §3.2.6): the server answers
 * RPL_LISTSTART 321 (optional; RFC 2812 calls it obsolete), one RPL_LIST 322 `<me> <channel> <#visible>
 * :<topic>` per channel, then RPL_LISTEND 323. irc-framework parses those (src/commands/handlers/misc.js)
 * and hands the 322s over in batches of 50 (`channel list`), so nothing here grows with the list.
 *
 * The answers to two LISTs cannot be told apart (no labels on 322), so listings run one at a time:
 * a second waits for the first's 323. A listing the caller aborts is over for the caller at once, but
 * the server goes on sending; its lines are dropped until 323 (or DRAIN_TIMEOUT_MS) before the next
 * LIST goes out. A 322 that cannot be read (no channel, a count that is not a number) is skipped and
 * counted, never thrown.
 */
import { ConfabError, OfflineError, type ListedRoom, type RoomListEnd, type RoomListOptions } from '@confab/sdk';
import { parseFormatting } from './formatting';

/** How long an aborted LIST's rest may keep the next one waiting. */
const DRAIN_TIMEOUT_MS = 60_000;

/** What irc-framework's RPL_LIST handler makes of a 322 (misc.js). */
export interface ListEntryEvent {
  readonly channel?: unknown;
  readonly num_users?: unknown;
  readonly topic?: unknown;
}

/**
 * A 322 as a ListedRoom, or undefined when it cannot be read: a channel that is missing or does not
 * start with one of the server's channel prefixes (ISUPPORT CHANTYPES), a count that is not a
 * non-negative integer. Servers with ELIST-style listings (InspIRCd, UnrealIRCd) put the channel's
 * modes before the topic, `[+nt] topic`: they are not the topic.
 */
export function listedRoom(e: ListEntryEvent, chantypes: readonly string[]): ListedRoom | undefined {
  if (typeof e.channel !== 'string' || e.channel === '' || /[\s,\x07]/.test(e.channel)) return undefined; // RFC 2812 §1.3
  if (!chantypes.includes(e.channel[0])) return undefined;
  const members = typeof e.num_users === 'number' ? e.num_users : Number.NaN;
  if (!Number.isSafeInteger(members) || members < 0) return undefined;
  const raw = typeof e.topic === 'string' ? e.topic : '';
  const topic = parseFormatting(raw.replace(/^\[\+[A-Za-z]*(?: [^\]]*)?\] ?/, '')).text;
  return { id: e.channel, name: e.channel, topic, members };
}

interface Listing {
  readonly options: RoomListOptions;
  readonly onRooms: (batch: readonly ListedRoom[]) => void;
  readonly resolve: (end: RoomListEnd) => void;
  readonly reject: (err: ConfabError) => void;
  readonly filter?: string;
  given: number;
  skipped: number;
  /** The caller is gone (aborted): the rest of the answer is dropped. */
  aborted: boolean;
  settled: boolean;
}

export interface ListLink {
  /** Sends a line; throws (OfflineError) when not connected. */
  readonly write: (...line: string[]) => void;
  /** ISUPPORT, as irc-framework keeps it (CHANTYPES as characters, ELIST as given). */
  readonly isupport: () => Readonly<Record<string, unknown>>;
  /** The server's name, for RoomListEnd.server. */
  readonly serverName: () => string;
}

export class RoomLister {
  private current: Listing | undefined;
  private readonly waiting: Listing[] = [];
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(private readonly link: ListLink) {}

  /** RoomsFacet.list: queued behind a listing in progress. */
  list(options: RoomListOptions, onRooms: (batch: readonly ListedRoom[]) => void, signal: AbortSignal): Promise<RoomListEnd> {
    return new Promise<RoomListEnd>((resolve, reject) => {
      const filter = options.filter?.trim().toLowerCase() || undefined;
      const listing: Listing = { options, onRooms, resolve, reject, filter, given: 0, skipped: 0, aborted: false, settled: false };
      if (signal.aborted) return this.fail(listing, cancelled());
      signal.addEventListener('abort', () => this.abort(listing), { once: true });
      if (this.current) this.waiting.push(listing);
      else this.start(listing);
    });
  }

  private start(l: Listing): void {
    this.current = l;
    try {
      this.link.write(...this.command(l.filter));
    } catch (err) {
      this.fail(l, ConfabError.from(err, 'Offline'));
      this.next();
    }
  }

  /** LIST, with a server-side mask where ISUPPORT ELIST has M (https://modern.ircdocs.horse/#elist-parameter). */
  private command(filter: string | undefined): string[] {
    const elist = String(this.link.isupport().ELIST ?? '').toUpperCase();
    if (filter && elist.includes('M') && !/[\s,*?]/.test(filter)) return ['LIST', `*${filter}*`];
    return ['LIST']; // RFC 2812 §3.2.6: every visible channel
  }

  // ---- what the server says (handlers/room-list.ts) -----------------------------------------

  /** RPL_LIST entries, as irc-framework batches them. */
  entries(events: readonly ListEntryEvent[]): void {
    const l = this.current;
    if (!l || l.aborted) return;
    const chantypes = this.chantypes();
    const batch: ListedRoom[] = [];
    for (const e of events) {
      const room = listedRoom(e, chantypes);
      if (!room) l.skipped++;
      else if (l.given < l.options.maxRooms && (!l.filter || room.name.toLowerCase().includes(l.filter))) {
        batch.push(room);
        l.given++;
      }
    }
    if (batch.length > 0) l.onRooms(batch);
  }

  /** RPL_LISTEND 323: this listing is over, the next may go. */
  end(): void {
    const l = this.current;
    if (!l) return;
    if (!l.settled) {
      l.settled = true;
      l.resolve({ server: this.link.serverName(), skipped: l.skipped });
    }
    this.next();
  }

  /** RPL_TRYAGAIN 263 for LIST (RFC 2812 §5.1), ERR_TOOMANYMATCHES 416: refused, nothing more comes. */
  refused(numeric: string, text: string): void {
    const l = this.current;
    if (!l) return;
    this.fail(l, new ConfabError('NotAvailable', `the server refused LIST: ${text} (${numeric})`));
    this.next();
  }

  /** The connection ended: every listing fails Offline. */
  clear(): void {
    const offline = new OfflineError('the connection closed before the list ended');
    if (this.current) this.fail(this.current, offline);
    this.current = undefined;
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    for (const l of this.waiting.splice(0)) this.fail(l, offline);
  }

  private chantypes(): string[] {
    const c = this.link.isupport().CHANTYPES;
    if (Array.isArray(c)) return c.map(String);
    if (typeof c === 'string' && c !== '') return [...c];
    return ['#', '&', '+', '!']; // RFC 2812 §1.3
  }

  private abort(l: Listing): void {
    this.fail(l, cancelled());
    l.aborted = true;
    if (this.current !== l) {
      const i = this.waiting.indexOf(l);
      if (i >= 0) this.waiting.splice(i, 1);
      return;
    }
    // The server goes on until 323; the next LIST waits for it, but not for ever.
    clearTimeout(this.drainTimer);
    this.drainTimer = setTimeout(() => {
      if (this.current === l) this.next();
    }, DRAIN_TIMEOUT_MS);
    this.drainTimer.unref();
  }

  private fail(l: Listing, err: ConfabError): void {
    if (l.settled) return;
    l.settled = true;
    l.reject(err);
  }

  private next(): void {
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    this.current = undefined;
    const l = this.waiting.shift();
    if (l) this.start(l);
  }
}

function cancelled(): ConfabError {
  return new ConfabError('Cancelled', 'the room listing was stopped');
}
