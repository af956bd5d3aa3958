/**
 * Room listings: the public rooms a server offers (RoomsFacet.list), for the native API's
 * `Account.ListRooms` and Telepathy's RoomList channel. A listing is streamed: each batch the plugin
 * hands over is announced (`onRooms`) and kept nowhere, so a server with 100,000 channels costs one
 * batch of memory. It is bounded three ways — at most `limit` rooms (then it ends `truncated`), at
 * most `timeout` seconds (then `timed-out`), at most MAX_PER_ACCOUNT at once per account — and the
 * caller can stop it (`cancelled`). An account that disconnects ends its listings `failed` (Offline).
 */
import {
  ConfabError, Emitter, InvalidArgumentError, NotImplementedError, OfflineError,
  type ListedRoom, type Logger, type RoomListOptions,
} from '@confab/sdk';
import type { Accounts } from '../accounts/accounts';
import { hasRooms } from '../conversations/targets';

export type ListingState = 'done' | 'truncated' | 'timed-out' | 'cancelled' | 'failed';

export interface ListingRequest {
  /** XMPP: the MUC service to list (else the server's first). */
  readonly server?: string;
  /** Only rooms whose name contains this text. */
  readonly filter?: string;
  /** The most rooms wanted (DEFAULT_LIMIT; at most MAX_LIMIT). */
  readonly limit?: number;
  /** Seconds before the listing ends `timed-out` (DEFAULT_TIMEOUT_S; at most MAX_TIMEOUT_S). */
  readonly timeout?: number;
}

export interface ListingRooms {
  readonly accountId: string;
  readonly listing: number;
  readonly rooms: readonly ListedRoom[];
}

export interface ListingFinished {
  readonly accountId: string;
  readonly listing: number;
  readonly state: ListingState;
  /** Why, in words, for `failed` (the error code first) and `timed-out`; empty otherwise. */
  readonly detail: string;
  /** The server that was listed, when the plugin said. */
  readonly server: string;
  readonly count: number;
  /** Entries the server sent that could not be read. */
  readonly skipped: number;
}

export const DEFAULT_LIMIT = 10_000;
export const MAX_LIMIT = 100_000;
export const DEFAULT_TIMEOUT_S = 120;
export const MAX_TIMEOUT_S = 600;
const MAX_PER_ACCOUNT = 4;

interface Running {
  readonly accountId: string;
  readonly abort: AbortController;
  readonly timer: NodeJS.Timeout;
  readonly limit: number;
  count: number;
  /** How it ends, once decided (the plugin's own end or failure is ignored after that). */
  ending?: ListingState;
}

export class RoomListings {
  private seq = 0;
  private readonly running = new Map<number, Running>();
  private readonly roomsEmitter = new Emitter<ListingRooms>();
  private readonly finishedEmitter = new Emitter<ListingFinished>();
  /** A batch of rooms of a listing. */
  readonly onRooms = this.roomsEmitter.event;
  /** A listing ended; nothing of it comes after this. */
  readonly onFinished = this.finishedEmitter.event;

  constructor(
    private readonly accounts: Accounts,
    private readonly log: Logger,
  ) {}

  /** Starts a listing and returns its id (rooms and the end follow as events, never before this returns). */
  start(accountId: string, request: ListingRequest): number {
    const runner = this.accounts.runner(accountId);
    const limit = bounded('limit', request.limit, DEFAULT_LIMIT, MAX_LIMIT);
    const timeout = bounded('timeout', request.timeout, DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S);
    if (!hasRooms(runner.protocol)) throw new NotImplementedError(`protocol '${runner.protocol.id}' has no rooms`);
    const conn = runner.connection;
    if (!conn || runner.status !== 'connected') throw new OfflineError();
    const list = conn.rooms?.list;
    if (!list) throw new NotImplementedError(`protocol '${runner.protocol.id}' cannot list rooms`);
    if ([...this.running.values()].filter((r) => r.accountId === accountId).length >= MAX_PER_ACCOUNT) {
      throw new ConfabError('NotAvailable', `${MAX_PER_ACCOUNT} room listings are already running on this account`);
    }
    const id = ++this.seq;
    const abort = new AbortController();
    const timer = setTimeout(() => this.end(id, 'timed-out', `no end of the list within ${timeout} s`), timeout * 1000);
    const run: Running = { accountId, abort, timer, limit, count: 0 };
    this.running.set(id, run);
    const options: RoomListOptions = { server: request.server || undefined, filter: request.filter || undefined, maxRooms: limit };
    list(options, (batch) => this.batch(id, batch), abort.signal).then(
      (end) => this.end(id, 'done', '', end.server, end.skipped),
      (err: unknown) => {
        const e = ConfabError.from(err);
        if (e.code === 'Internal') this.log.warn('listing the rooms of %s failed: %s', accountId, e.message);
        this.end(id, e.code === 'Cancelled' ? 'cancelled' : 'failed', `${e.code}: ${e.message}`);
      },
    );
    return id;
  }

  /** Stops a listing of the account; NotFound when it is not running (any more). */
  stop(accountId: string, listing: number): void {
    const run = this.running.get(listing);
    if (run?.accountId !== accountId) throw new ConfabError('NotFound', `no room listing ${listing} is running on this account`);
    this.end(listing, 'cancelled', '');
  }

  /** Whether the account's connection can list rooms now. */
  canList(accountId: string): boolean {
    const runner = this.accounts.find(accountId);
    return runner?.status === 'connected' && typeof runner.connection?.rooms?.list === 'function';
  }

  /** Whether a listing is still running. */
  isRunning(listing: number): boolean {
    return this.running.has(listing);
  }

  private batch(id: number, batch: readonly ListedRoom[]): void {
    const run = this.running.get(id);
    if (!run || run.ending) return;
    const rooms = batch.slice(0, run.limit - run.count);
    run.count += rooms.length;
    if (rooms.length > 0) this.roomsEmitter.fire({ accountId: run.accountId, listing: id, rooms });
    if (run.count >= run.limit) this.end(id, 'truncated', `stopped at ${run.limit} rooms`);
  }

  /** Ends a listing once: the first reason wins, and the plugin is told to stop when it is not its own end. */
  private end(id: number, state: ListingState, detail: string, server = '', skipped = 0): void {
    const run = this.running.get(id);
    if (!run || run.ending) return;
    run.ending = state;
    this.running.delete(id);
    clearTimeout(run.timer);
    if (state !== 'done' && state !== 'failed') run.abort.abort();
    this.finishedEmitter.fire({
      accountId: run.accountId, listing: id, state, detail: detail || '', server, count: run.count, skipped,
    });
  }

  dispose(): void {
    for (const id of [...this.running.keys()]) this.end(id, 'cancelled', 'the daemon is stopping');
  }
}

function bounded(name: string, v: number | undefined, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < 1 || v > max) throw new InvalidArgumentError(`${name} must be an integer from 1 to ${max}`);
  return v;
}
