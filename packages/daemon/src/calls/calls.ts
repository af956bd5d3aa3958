/**
 * Calls (docs/calls.md): the daemon's model of every protocol's calls. A call is stored before it
 * is shown (placed: `dialing`; incoming: `ringing`) and on every change, so a crash leaves a record;
 * at start-up a call the old process left going is ended `network-error` (its media session went
 * with the old process's bus connection). The plugin's CallsFacet does the signalling; calls are
 * told apart here by our row id, there by the plugin's own id. An ended call stays on the bus for
 * a minute (so a frontend sees how it ended), in history for good.
 */
import {
  Emitter, InvalidArgumentError, NotFoundError, NotImplementedError, OfflineError,
  type CallChange, type CallEndReason, type CallOptions, type CallsFacet, type CallStats, type IncomingCall, type Logger,
} from '@confab/sdk';
import type { Accounts, AccountRunner } from '../accounts/accounts';
import type { Conversations } from '../conversations/conversations';
import type { CallRow, CallsTable, CallUpdate } from '../storage/calls';

export type { CallRow } from '../storage/calls';

/** How long an ended call stays on the bus. */
export const ENDED_CALL_LINGER_MS = 60_000;
/** How often the statistics of a call in progress are read from its plugin (and shown as `Stats`). */
export const STATS_INTERVAL_MS = 2000;

interface LiveCall {
  row: CallRow;
  /** The plugin's id; undefined while `start` has not answered yet. */
  pluginId?: string;
  muted: boolean;
  /** The last statistics read (while active or held). */
  stats?: CallStats;
  linger?: NodeJS.Timeout;
  /** Ends a call nobody answered (`config.calls.ringTimeoutMs`). */
  ringTimer?: NodeJS.Timeout;
  statsTimer?: NodeJS.Timeout;
}

export class Calls {
  private readonly live = new Map<number, LiveCall>();
  private readonly changedEmitter = new Emitter<{ id: number; change: 'added' | 'removed' | 'changed' }>();
  readonly onChanged = this.changedEmitter.event;
  private readonly incomingEmitter = new Emitter<{ id: number; peer: string }>();
  readonly onIncoming = this.incomingEmitter.event;
  private readonly dtmfEmitter = new Emitter<{ id: number; digit: string }>();
  /** A digit the far end sent (RFC 4733 event or SIP INFO). */
  readonly onDtmf = this.dtmfEmitter.event;

  constructor(
    private readonly table: CallsTable,
    private readonly conversations: Conversations,
    private readonly accounts: Accounts,
    private readonly log: Logger,
  ) {}

  /** Ends what a previous process left going (before the bus is served). */
  load(): void {
    for (const row of this.table.unfinished()) {
      this.table.update(row, { state: 'ended', endReason: 'network-error', endDetail: 'confabd stopped during the call', endedAt: Date.now() });
    }
  }

  ids(): number[] {
    return [...this.live.keys()];
  }

  get(id: number): CallRow & { muted: boolean; stats: CallStats | undefined } {
    const c = this.live.get(id);
    if (!c) throw new NotFoundError(`no call ${id}`);
    return { ...c.row, muted: c.muted, stats: c.stats };
  }

  // ---- what the user does -------------------------------------------------------------------

  async start(accountId: string, target: string, options: CallOptions): Promise<number> {
    const runner = this.accounts.runner(accountId);
    const facet = this.facet(runner);
    const channel = this.conversations.openDirect(accountId, target);
    const row = this.table.insert({
      accountId, channelId: channel.id, peer: channel.target, direction: 'outgoing', audio: options.audio, video: options.video,
      state: 'dialing', startedAt: Date.now(),
    });
    const call: LiveCall = { row, muted: false };
    this.live.set(row.id, call);
    this.ringUntil(call);
    this.changedEmitter.fire({ id: row.id, change: 'added' });
    try {
      call.pluginId = await facet.start(channel.target, options);
    } catch (err) {
      if (call.row.state !== 'ended') this.end(call, 'network-error', (err as Error).message);
      throw err;
    }
    if (call.row.state === 'ended') this.hangupQuietly(call); // ended while it was placed (media-failed)
    return row.id;
  }

  accept(id: number, options: CallOptions): Promise<void> {
    const c = this.call(id);
    if (c.row.direction !== 'incoming' || c.row.state !== 'ringing') throw new InvalidArgumentError(`call ${id} is not ringing here`);
    return this.facetOf(c).accept(c.pluginId!, options);
  }

  reject(id: number, reason: string): Promise<void> {
    if (reason !== 'declined' && reason !== 'busy') throw new InvalidArgumentError(`reason must be declined or busy, not '${reason}'`);
    const c = this.call(id);
    if (c.row.direction !== 'incoming' || c.row.state !== 'ringing') throw new InvalidArgumentError(`call ${id} is not ringing here`);
    return this.facetOf(c).reject(c.pluginId!, reason);
  }

  hangup(id: number): Promise<void> {
    const c = this.call(id);
    return this.facetOf(c).hangup(c.pluginId!);
  }

  hold(id: number, held: boolean): Promise<void> {
    const c = this.call(id);
    const from = held ? 'active' : 'held';
    if (c.row.state !== from) throw new InvalidArgumentError(`call ${id} is ${c.row.state}, not ${from}`);
    return this.facetOf(c).hold(c.pluginId!, held);
  }

  async setMuted(id: number, muted: boolean): Promise<void> {
    const c = this.call(id);
    await this.facetOf(c).setMuted(c.pluginId!, muted);
    c.muted = muted;
    this.changedEmitter.fire({ id, change: 'changed' });
  }

  /** Adds or removes video (re-INVITE, Jingle content-add/remove, MSI capabilities). */
  setVideo(id: number, on: boolean): Promise<void> {
    const c = this.call(id);
    if (c.row.state !== 'active') throw new InvalidArgumentError(`call ${id} is ${c.row.state}, not active`);
    const facet = this.facetOf(c);
    if (!facet.setVideo) throw new NotImplementedError('this protocol cannot add or remove video in a call');
    return facet.setVideo(c.pluginId!, on);
  }

  sendDtmf(id: number, digits: string): Promise<void> {
    if (!/^[0-9*#A-Da-d]{1,64}$/.test(digits)) throw new InvalidArgumentError('digits must be 1 to 64 of 0-9, *, #, A-D (RFC 4733)');
    const c = this.call(id);
    const facet = this.facetOf(c);
    if (!facet.sendDtmf) throw new NotImplementedError('this protocol sends no DTMF');
    return facet.sendDtmf(c.pluginId!, digits.toUpperCase());
  }

  // ---- what the connection says -------------------------------------------------------------

  incoming(runner: AccountRunner, inc: IncomingCall): void {
    const accountId = runner.account.id;
    const channel = this.conversations.openDirect(accountId, inc.peer);
    const row = this.table.insert({
      accountId, channelId: channel.id, peer: channel.target, direction: 'incoming', audio: inc.audio, video: inc.video,
      state: 'ringing', startedAt: inc.at ?? Date.now(),
    });
    const call: LiveCall = { row, pluginId: inc.id, muted: false };
    this.live.set(row.id, call);
    this.ringUntil(call);
    this.changedEmitter.fire({ id: row.id, change: 'added' });
    this.incomingEmitter.fire({ id: row.id, peer: row.peer });
  }

  changed(runner: AccountRunner, change: CallChange): void {
    const c = this.byPluginId(runner.account.id, change.id);
    if (!c || c.row.state === 'ended') return; // not ours, or a late word about a call already ended
    if (change.state === 'ended') return this.end(c, change.reason ?? 'remote-hangup', change.detail ?? '');
    if (change.state === 'active' || change.state === 'held') this.answered(c);
    this.save(c, {
      state: change.state,
      answeredAt: change.state === 'active' && c.row.answeredAt === 0 ? Date.now() : c.row.answeredAt,
      audio: change.audio ?? c.row.audio,
      video: change.video ?? c.row.video,
    });
  }

  dtmf(runner: AccountRunner, e: { readonly id: string; readonly digit: string }): void {
    const c = this.byPluginId(runner.account.id, e.id);
    if (!c || c.row.state === 'ended' || !/^[0-9*#A-D]$/.test(e.digit)) return;
    this.dtmfEmitter.fire({ id: c.row.id, digit: e.digit });
  }

  /** The account's connection is gone: its calls cannot go on. */
  connectionLost(accountId: string): void {
    for (const c of this.live.values()) {
      if (c.row.accountId === accountId && c.row.state !== 'ended') this.end(c, 'network-error', 'the account was disconnected');
    }
  }

  /**
   * confab-media died: every call not ended ends `media-failed`, and is hung up through its plugin
   * (a BYE, a CANCEL) so the far end stops too; the plugin's word about it comes too late to count.
   */
  mediaLost(how: string): void {
    for (const c of this.live.values()) {
      if (c.row.state === 'ended') continue;
      this.end(c, 'media-failed', how);
      this.hangupQuietly(c);
    }
  }

  /** The account was removed (its rows went with it): its calls leave the bus. */
  forget(accountId: string): void {
    for (const [id, c] of this.live) {
      if (c.row.accountId !== accountId) continue;
      clearTimeout(c.linger);
      clearTimeout(c.ringTimer);
      clearInterval(c.statsTimer);
      this.live.delete(id);
      this.changedEmitter.fire({ id, change: 'removed' });
    }
  }

  dispose(): void {
    for (const c of this.live.values()) {
      clearTimeout(c.linger);
      clearTimeout(c.ringTimer);
      clearInterval(c.statsTimer);
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private end(c: LiveCall, reason: CallEndReason, detail: string): void {
    clearTimeout(c.ringTimer);
    clearInterval(c.statsTimer);
    this.save(c, { state: 'ended', endReason: reason, endDetail: detail, endedAt: Date.now() });
    this.log.info('call %d with %s ended: %s%s', c.row.id, c.row.peer, reason, detail ? ` (${detail})` : '');
    c.linger = setTimeout(() => {
      this.live.delete(c.row.id);
      this.changedEmitter.fire({ id: c.row.id, change: 'removed' });
    }, ENDED_CALL_LINGER_MS);
    c.linger.unref();
  }

  /**
   * A call not answered in time ends `no-answer` (a missed call when incoming) and is hung up
   * through its plugin: a CANCEL for ours (RFC 3261 §9), a refusal for theirs (SIP 480).
   */
  private ringUntil(c: LiveCall): void {
    c.ringTimer = setTimeout(() => {
      if (c.row.state === 'active' || c.row.state === 'held' || c.row.state === 'ended') return;
      const ms = this.accounts.config.calls.ringTimeoutMs;
      this.end(c, 'no-answer', `not answered in ${Math.round(ms / 1000)} s`);
      this.hangupQuietly(c);
    }, this.accounts.config.calls.ringTimeoutMs);
    c.ringTimer.unref();
  }

  /** Answered: no more ring timer; statistics are read every STATS_INTERVAL_MS until it ends. */
  private answered(c: LiveCall): void {
    clearTimeout(c.ringTimer);
    if (c.statsTimer) return;
    c.statsTimer = setInterval(() => {
      if (c.pluginId === undefined || c.row.state === 'ended') return;
      let facet: CallsFacet;
      try {
        facet = this.facet(this.accounts.runner(c.row.accountId));
      } catch {
        return;
      }
      facet.stats(c.pluginId).then((stats) => {
        if (c.row.state === 'ended') return;
        c.stats = stats;
        this.changedEmitter.fire({ id: c.row.id, change: 'changed' });
      }, (err: unknown) => this.log.debug('no statistics for call %d: %s', c.row.id, (err as Error).message));
    }, STATS_INTERVAL_MS);
    c.statsTimer.unref();
  }

  /** Tells the plugin a call is over that the daemon already ended; what it says back is too late to count. */
  private hangupQuietly(c: LiveCall): void {
    if (c.pluginId === undefined) return;
    try {
      void this.facet(this.accounts.runner(c.row.accountId)).hangup(c.pluginId).catch(() => undefined);
    } catch {
      // the account went offline meanwhile: nothing to hang up
    }
  }

  private save(c: LiveCall, update: CallUpdate): void {
    c.row = this.table.update(c.row, update);
    this.changedEmitter.fire({ id: c.row.id, change: 'changed' });
  }

  private call(id: number): LiveCall {
    const c = this.live.get(id);
    if (!c) throw new NotFoundError(`no call ${id}`);
    if (c.row.state === 'ended') throw new InvalidArgumentError(`call ${id} has ended`);
    return c;
  }

  private facetOf(c: LiveCall): CallsFacet {
    if (c.pluginId === undefined) throw new OfflineError(`call ${c.row.id} is still being placed`);
    return this.facet(this.accounts.runner(c.row.accountId));
  }

  private facet(runner: AccountRunner): CallsFacet {
    const conn = runner.online('to call');
    if (!conn.calls) throw new NotImplementedError(`protocol '${runner.protocol.id}' has no calls`);
    return conn.calls;
  }

  private byPluginId(accountId: string, pluginId: string): LiveCall | undefined {
    for (const c of this.live.values()) if (c.row.accountId === accountId && c.pluginId === pluginId) return c;
    return undefined;
  }
}
