/**
 * The presence of the account's contacts, and getting our own nick back.
 *
 * With IRCv3 MONITOR (https://ircv3.net/specs/extensions/monitor) the server tells us when a watched
 * nick comes (730 RPL_MONONLINE) and goes (731 RPL_MONOFFLINE). Servers without it (ngircd) are
 * asked with ISON (RFC 2812 §4.9) every `isonIntervalMs`. away-notify (IRCv3) and WHOIS add "away"
 * for contacts we see.
 *
 * Nick regain: when the nick we asked for was taken at registration, it is watched the same way and
 * taken back (NICK) the moment it is free.
 */
import type { ContactPresence } from '@confab/sdk';
import { rfc1459Lower } from './casemap';

/** Bytes of nicks per MONITOR/ISON line, well inside 512 (RFC 1459 §2.3). */
const LINE_BUDGET = 400;
const ISON_NICKS = 14;

export interface WatchIo {
  write(...line: string[]): void;
  /** Whether the server offers MONITOR (ISUPPORT `MONITOR`). */
  hasMonitor(): boolean;
}

export class PresenceWatch {
  private readonly watched = new Map<string, ContactPresence>(); // id → last reported
  private wanted: string | undefined; // our own nick, to regain (case-folded)
  private wantedAs = ''; // … as the user spelt it
  private live = false;
  private monitor = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly isonAsked: string[][] = []; // ISON replies come in order: what each one answers

  constructor(
    private readonly io: WatchIo,
    private readonly report: (changes: ContactPresence[]) => void,
    private readonly regain: (nick: string) => void,
    private readonly isonIntervalMs = 30_000,
  ) {}

  /** Registered: start watching everything on the list. */
  start(): void {
    if (this.live) return;
    this.live = true;
    this.monitor = this.io.hasMonitor();
    if (this.monitor) this.send('MONITOR', '+', this.all());
    else this.poll();
  }

  /** The connection is gone: stop, forget what the server told (the daemon shows `unknown`). */
  stop(): void {
    this.live = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.isonAsked.length = 0;
    for (const [id] of this.watched) this.watched.set(id, { id, status: 'unknown', message: '' });
  }

  watch(ids: readonly string[], on: boolean): void {
    const changed = ids.map(rfc1459Lower).filter((id) => on !== this.watched.has(id));
    for (const id of changed) {
      if (on) this.watched.set(id, { id, status: 'unknown', message: '' });
      else this.watched.delete(id);
    }
    if (!this.live || changed.length === 0) return;
    if (this.monitor) this.send('MONITOR', on ? '+' : '-', changed);
    else if (on) this.ison(changed);
  }

  /** Watch for `nick` to be free, then take it (undefined: we have the nick we want). */
  want(nick: string | undefined): void {
    const before = this.wanted;
    this.wanted = nick === undefined ? undefined : rfc1459Lower(nick);
    this.wantedAs = nick ?? '';
    if (!this.live || before === this.wanted) return;
    if (!this.monitor) {
      if (this.wanted !== undefined) this.ison([this.wanted]); // ask now, not at the next poll
      return;
    }
    if (before !== undefined && !this.watched.has(before)) this.send('MONITOR', '-', [before]);
    if (this.wanted !== undefined) this.send('MONITOR', '+', [this.wanted]);
  }

  /** 730 RPL_MONONLINE, or 303 RPL_ISON. */
  online(nicks: readonly string[]): void {
    const on = new Set(nicks.filter(Boolean).map(rfc1459Lower));
    if (!this.monitor) {
      const asked = this.isonAsked.shift() ?? [];
      this.offline(asked.filter((n) => !on.has(n)));
    }
    this.set([...on].filter((id) => this.watched.get(id)?.status !== 'away').map((id) => ({ id, status: 'available', message: '' })));
  }

  /** 731 RPL_MONOFFLINE, or absent from an ISON reply. */
  offline(nicks: readonly string[]): void {
    const ids = nicks.filter(Boolean).map(rfc1459Lower);
    if (this.wanted !== undefined && ids.includes(this.wanted)) this.regain(this.wantedAs);
    this.set(ids.map((id) => ({ id, status: 'offline', message: '' })));
  }

  /** away-notify AWAY, or 301 RPL_AWAY in a WHOIS: `message` undefined means back. */
  away(nick: string, message: string | undefined): void {
    this.set([{ id: rfc1459Lower(nick), status: message === undefined ? 'available' : 'away', message: message ?? '' }]);
  }

  private set(changes: readonly ContactPresence[]): void {
    const out: ContactPresence[] = [];
    for (const c of changes) {
      const before = this.watched.get(c.id);
      if (!before || (before.status === c.status && before.message === c.message)) continue;
      this.watched.set(c.id, c);
      out.push(c);
    }
    if (out.length > 0) this.report(out);
  }

  private all(): string[] {
    const ids = [...this.watched.keys()];
    if (this.wanted !== undefined && !this.watched.has(this.wanted)) ids.push(this.wanted);
    return ids;
  }

  private poll(): void {
    if (!this.live) return;
    this.ison(this.all());
    this.timer = setTimeout(() => this.poll(), this.isonIntervalMs);
  }

  private ison(nicks: readonly string[]): void {
    for (const chunk of chunks(nicks, ISON_NICKS)) {
      this.isonAsked.push(chunk);
      this.io.write('ISON', ...chunk); // RFC 2812 §4.9; RFC 1459 §2.3 allows 15 parameters
    }
  }

  private send(command: 'MONITOR', op: '+' | '-', nicks: readonly string[]): void {
    for (const chunk of chunks(nicks)) this.io.write(command, op, chunk.join(',')); // IRCv3 MONITOR: + and - take a comma list
  }
}

function chunks(nicks: readonly string[], max = Infinity): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let bytes = 0;
  for (const n of nicks) {
    if (cur.length > 0 && (bytes + n.length + 1 > LINE_BUDGET || cur.length >= max)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(n);
    bytes += n.length + 1;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
