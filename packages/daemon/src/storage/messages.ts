/**
 * Messages, the pending queue and the outbox.
 *
 * Inbound: `storeReceived` inserts the messages and their pending rows in one transaction, skipping
 * any whose protocol id the channel already has — so a message redelivered after a crash or a
 * reconnect (IRCv3 chathistory, MAM) is stored once.
 * Outbound: `enqueue` inserts the message (state `queued`) and its outbox row together; `confirm`
 * removes the outbox row and marks it `sent` together. A crash between sending and confirming leaves
 * it in the outbox, so it is sent again: at-least-once to the wire, exactly-once in history.
 * Calls: every call has an entry here too (kind `call`, written with the call by the calls table,
 * migration 7), read joined with its call so that it shows the call as it is now; a missed incoming
 * call's entry goes into the pending queue when it ends. History, the timeline, pending and
 * acknowledging therefore take calls with the messages, in one order and one id space.
 */
import type { DeliveryState, MessageKind } from '@confab/sdk';
import type { CallRow } from './calls';
import type { Db } from './database';

export type StoredState = DeliveryState | 'received';
/** A message's kind, or `call` for a call's entry. */
export type StoredKind = MessageKind | 'call';

/** A message as it is stored: a received one, or an outgoing one with its delivery state; or a call's entry. */
export interface MessageRow extends Omit<NewReceived, 'markup' | 'kind'> {
  readonly id: number;
  readonly kind: StoredKind;
  readonly state: StoredState;
  /** For a call's entry (kind `call`): the call as it is now; null for a message. */
  readonly call: CallRow | null;
}

/** A message in the outbox: only messages are ever queued, never a call's entry. */
export type QueuedRow = MessageRow & { readonly kind: MessageKind };

export interface NewReceived {
  readonly channelId: number;
  readonly accountId: string;
  readonly senderId: string;
  readonly senderName: string;
  readonly serverTime: number;
  readonly body: string;
  readonly kind: MessageKind;
  readonly outgoing: boolean;
  readonly protocolId: string | null;
  /** The formatting, as Pango markup, when the message had any. */
  readonly markup?: string | null;
}

interface Raw {
  id: number;
  channel_id: number;
  account_id: string;
  sender_id: string;
  sender_name: string;
  server_time: number;
  body: string;
  kind: MessageKind;
  state: StoredState;
  outgoing: number;
  protocol_id: string | null;
  call_id: number | null;
  k_peer: string;
  k_direction: CallRow['direction'];
  k_audio: number;
  k_video: number;
  k_state: CallRow['state'];
  k_end_reason: CallRow['endReason'];
  k_end_detail: string;
  k_started_at: number;
  k_answered_at: number;
  k_ended_at: number;
}

const SELECT = `SELECT m.id, m.channel_id, c.account_id, m.sender_id, m.sender_name, m.server_time, m.body,
  m.kind, m.state, m.outgoing, m.protocol_id, m.call_id, k.peer AS k_peer, k.direction AS k_direction, k.audio AS k_audio,
  k.video AS k_video, k.state AS k_state, k.end_reason AS k_end_reason, k.end_detail AS k_end_detail,
  k.started_at AS k_started_at, k.answered_at AS k_answered_at, k.ended_at AS k_ended_at
  FROM messages m JOIN channels c ON c.id = m.channel_id LEFT JOIN calls k ON k.id = m.call_id`;

const toCall = (r: Raw): CallRow | null => r.call_id === null ? null : {
  id: r.call_id, accountId: r.account_id, channelId: r.channel_id, peer: r.k_peer, direction: r.k_direction,
  audio: r.k_audio !== 0, video: r.k_video !== 0, state: r.k_state, endReason: r.k_end_reason, endDetail: r.k_end_detail,
  startedAt: r.k_started_at, answeredAt: r.k_answered_at, endedAt: r.k_ended_at,
};

const toRow = (r: Raw): MessageRow => ({
  id: r.id,
  channelId: r.channel_id,
  accountId: r.account_id,
  senderId: r.sender_id,
  senderName: r.sender_name,
  serverTime: r.server_time,
  body: r.body,
  kind: r.kind,
  state: r.state,
  outgoing: r.outgoing === 1,
  protocolId: r.protocol_id,
  call: toCall(r),
});

export class MessagesTable {
  // Every statement is prepared once: a prepared statement holds native memory that V8 does not see,
  // so preparing per call grows the RSS long before a GC frees them.
  private readonly insert;
  private readonly insertPending;
  private readonly byProtocolId;
  private readonly touch;
  private readonly s;

  constructor(
    private readonly db: Db,
    /** Told when a channel's last activity moved (the channels table keeps rows in memory). */
    private readonly touched: (channelId: number, time: number) => void = () => {},
  ) {
    this.insert = db.prepare(`INSERT INTO messages (channel_id, sender_id, sender_name, server_time, received_at, body, kind, state, outgoing, protocol_id, markup)
      VALUES (@channelId, @senderId, @senderName, @serverTime, @receivedAt, @body, @kind, @state, @outgoing, @protocolId, @markup)`);
    this.insertPending = db.prepare('INSERT INTO pending (message_id) VALUES (?)');
    this.byProtocolId = db.prepare('SELECT 1 FROM messages WHERE channel_id = ? AND protocol_id = ?');
    this.touch = db.prepare('UPDATE channels SET last_activity = max(last_activity, ?) WHERE id = ?');
    this.s = {
      insertOutbox: db.prepare('INSERT INTO outbox (message_id, account_id) VALUES (?, ?)'),
      deleteOutbox: db.prepare('DELETE FROM outbox WHERE message_id = ?'),
      // A receipt may come before the confirmation: `delivered` and `read` are never taken back.
      confirm: db.prepare(`UPDATE messages SET state = CASE WHEN state IN ('delivered', 'read') THEN state ELSE 'sent' END, server_time = coalesce(?, server_time), protocol_id = coalesce(?, protocol_id) WHERE id = ?`),
      fail: db.prepare(`UPDATE messages SET state = 'failed', failure = ? WHERE id = ?`),
      failure: db.prepare('SELECT failure FROM messages WHERE id = ? AND failure IS NOT NULL'),
      attempt: db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE message_id = ?'),
      attempts: db.prepare('SELECT attempts FROM outbox WHERE message_id = ?'),
      setState: db.prepare('UPDATE messages SET state = ? WHERE id = ?'),
      outbox: db.prepare(`${SELECT} JOIN outbox o ON o.message_id = m.id WHERE o.account_id = ? ORDER BY m.id`),
      outboxSize: db.prepare('SELECT count(*) AS n FROM outbox WHERE account_id = ?'),
      pending: db.prepare(`${SELECT} JOIN pending p ON p.message_id = m.id ORDER BY m.id LIMIT ?`),
      pendingIn: db.prepare(`${SELECT} JOIN pending p ON p.message_id = m.id WHERE m.channel_id = ? ORDER BY m.id`),
      ack: db.prepare('DELETE FROM pending WHERE message_id = ? RETURNING (SELECT channel_id FROM messages WHERE id = message_id) AS channelId'),
      unreadIn: db.prepare('SELECT count(*) AS n FROM pending p JOIN messages m ON m.id = p.message_id WHERE m.channel_id = ?'),
      unread: db.prepare('SELECT m.channel_id AS channelId, count(*) AS n FROM pending p JOIN messages m ON m.id = p.message_id GROUP BY m.channel_id'),
      history: db.prepare(`${SELECT} WHERE m.channel_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`),
      // A person's direct conversations on every account, in server-time order (ties by id); the page
      // ends before the message before_id, by the same order.
      timeline: db.prepare(`${SELECT} JOIN person_contacts pc ON pc.account_id = c.account_id AND pc.contact_id = c.target
        WHERE pc.person_id = @person AND c.kind = 'direct' AND (m.server_time, m.id) < (@time, @id) ORDER BY m.server_time DESC, m.id DESC LIMIT @limit`),
      timeOf: db.prepare('SELECT server_time FROM messages WHERE id = ?').pluck(),
      search: db.prepare(`${SELECT} WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?) AND m.id < ? ORDER BY m.id DESC LIMIT ?`),
      byId: db.prepare(`${SELECT} WHERE m.id = ?`),
      markup: db.prepare('SELECT markup FROM messages WHERE id = ? AND markup IS NOT NULL'),
      delivered: db.prepare(`UPDATE messages SET state = 'delivered' WHERE id = ? AND outgoing = 1 AND kind != 'call' AND state IN ('queued', 'sent')`),
      readUpTo: db.prepare(`UPDATE messages SET state = 'read' WHERE channel_id = ? AND id <= ? AND outgoing = 1 AND kind != 'call' AND state IN ('queued', 'sent', 'delivered') RETURNING id`),
      byRange: db.prepare(`${SELECT} WHERE m.id BETWEEN ? AND ? ORDER BY m.id`),
      byCall: db.prepare(`${SELECT} WHERE m.call_id = ?`),
      insertCall: db.prepare(`INSERT INTO messages (channel_id, sender_id, sender_name, server_time, received_at, body, kind, state, outgoing, call_id)
        VALUES (@channelId, @sender, @sender, @startedAt, @now, '', 'call', @state, @outgoing, @id)`),
      callMissed: db.prepare('INSERT OR IGNORE INTO pending (message_id) SELECT id FROM messages WHERE call_id = ?'),
    };
  }

  /**
   * Stores received messages and marks them pending, in one transaction. Returns the new rows (built
   * from what was inserted, not read back). A channel's last activity moves once per batch.
   */
  storeReceived(batch: readonly NewReceived[]): MessageRow[] {
    const rows: MessageRow[] = [];
    const latest = new Map<number, number>();
    this.db.transaction(() => {
      const now = Date.now();
      for (const m of batch) {
        if (m.protocolId !== null && this.byProtocolId.get(m.channelId, m.protocolId)) continue; // already stored
        const state: StoredState = m.outgoing ? 'sent' : 'received';
        const info = this.insert.run({
          channelId: m.channelId, senderId: m.senderId, senderName: m.senderName, serverTime: m.serverTime, receivedAt: now,
          body: m.body, kind: m.kind, state, outgoing: m.outgoing ? 1 : 0, protocolId: m.protocolId, markup: m.markup ?? null,
        });
        const id = Number(info.lastInsertRowid);
        if (!m.outgoing) this.insertPending.run(id);
        latest.set(m.channelId, Math.max(latest.get(m.channelId) ?? 0, m.serverTime));
        rows.push({
          id, channelId: m.channelId, accountId: m.accountId, senderId: m.senderId, senderName: m.senderName,
          serverTime: m.serverTime, body: m.body, kind: m.kind, state, outgoing: m.outgoing, protocolId: m.protocolId, call: null,
        });
      }
      for (const [channelId, time] of latest) this.touch.run(time, channelId);
    })();
    for (const [channelId, time] of latest) this.touched(channelId, time);
    return rows;
  }

  /** Stores an outgoing message as `queued` and puts it in the outbox, in one transaction. */
  enqueue(accountId: string, m: { channelId: number; senderId: string; senderName: string; body: string; kind: MessageKind }): QueuedRow {
    let id = 0;
    this.db.transaction(() => {
      const now = Date.now();
      const info = this.insert.run({ ...m, serverTime: now, receivedAt: now, state: 'queued', outgoing: 1, protocolId: null, markup: null });
      id = Number(info.lastInsertRowid);
      this.s.insertOutbox.run(id, accountId);
      this.touch.run(now, m.channelId);
      this.touched(m.channelId, now);
    })();
    return this.byIds([id])[0] as QueuedRow;
  }

  /**
   * A call's entry, written with the call (inside the calls table's transaction): the peer is its
   * sender when it called us; the channel's last activity moves to its start.
   */
  addCall(c: CallRow): void {
    const incoming = c.direction === 'incoming';
    this.s.insertCall.run({
      channelId: c.channelId, sender: incoming ? c.peer : '', startedAt: c.startedAt, now: Date.now(),
      state: incoming ? 'received' : 'sent', outgoing: incoming ? 0 : 1, id: c.id,
    });
    this.touch.run(c.startedAt, c.channelId);
    this.touched(c.channelId, c.startedAt);
  }

  /** A missed call's entry goes into the pending queue (unread until a client acknowledges it). */
  callMissed(callId: number): void {
    this.s.callMissed.run(callId);
  }

  /** The entry of a call, if the call is stored. */
  byCall(callId: number): MessageRow | undefined {
    const r = this.s.byCall.get(callId) as Raw | undefined;
    return r && toRow(r);
  }

  /** The protocol confirmed it: out of the outbox, `sent`, with the server's time and id if given. */
  confirm(id: number, receipt: { serverTime?: number; protocolId?: string }): void {
    this.db.transaction(() => {
      this.s.deleteOutbox.run(id);
      this.s.confirm.run(receipt.serverTime ?? null, receipt.protocolId ?? null, id);
    })();
  }

  /**
   * The peer's client got (`delivered`) or showed (`read`) an outgoing message; `read` covers every
   * earlier outgoing message of the channel too (XEP-0333 §3). States only move forward. Returns the
   * rows that changed.
   */
  advance(accountId: string, id: number, state: 'delivered' | 'read'): MessageRow[] {
    const row = this.byIds([id])[0];
    if (!row || !row.outgoing || row.accountId !== accountId) return []; // an account speaks for its own messages only
    if (state === 'delivered') return this.s.delivered.run(id).changes > 0 ? this.byIds([id]) : [];
    const ids = (this.s.readUpTo.all(row.channelId, id) as Array<{ id: number }>).map((r) => r.id);
    return this.byIds(ids);
  }

  /** Given up: out of the outbox, `failed`, with why in words when known. */
  fail(id: number, failure?: string): void {
    this.db.transaction(() => {
      this.s.deleteOutbox.run(id);
      this.s.fail.run(failure ?? null, id);
    })();
  }

  noteAttempt(id: number): number {
    this.s.attempt.run(id);
    const r = this.s.attempts.get(id) as { attempts: number } | undefined;
    return r?.attempts ?? 0;
  }

  setState(id: number, state: DeliveryState): void {
    this.s.setState.run(state, id);
  }

  /** The account's outbox, oldest first. */
  outbox(accountId: string): QueuedRow[] {
    const rows = this.s.outbox.all(accountId) as Raw[];
    return rows.map(toRow) as QueuedRow[];
  }

  outboxSize(accountId: string): number {
    return (this.s.outboxSize.get(accountId) as { n: number }).n;
  }

  pending(limit: number): MessageRow[] {
    const rows = this.s.pending.all(limit > 0 ? limit : -1) as Raw[];
    return rows.map(toRow);
  }

  /** One channel's pending messages, oldest first. */
  pendingIn(channelId: number): MessageRow[] {
    return (this.s.pendingIn.all(channelId) as Raw[]).map(toRow);
  }

  /** Takes messages out of the pending queue; returns the channels whose unread count went down and the ids that were pending. */
  acknowledge(ids: readonly number[]): { channels: Set<number>; acknowledged: number[] } {
    const channels = new Set<number>();
    const acknowledged: number[] = [];
    this.db.transaction(() => {
      for (const id of ids) {
        const r = this.s.ack.get(id) as { channelId: number } | undefined;
        if (!r) continue;
        channels.add(r.channelId);
        acknowledged.push(id);
      }
    })();
    return { channels, acknowledged };
  }

  /** Received messages no client acknowledged yet, in one channel: its unread count. */
  unreadIn(channelId: number): number {
    return (this.s.unreadIn.get(channelId) as { n: number }).n;
  }

  /** Unread counts of every channel that has any. */
  unread(): Map<number, number> {
    return new Map((this.s.unread.all() as Array<{ channelId: number; n: number }>).map((r) => [r.channelId, r.n]));
  }

  /** A page of a channel's history, oldest first: `limit` messages before `beforeId` (0: newest). */
  history(channelId: number, beforeId: number, limit: number): MessageRow[] {
    const rows = this.s.history.all(channelId, beforeId > 0 ? beforeId : Number.MAX_SAFE_INTEGER, limit) as Raw[];
    return rows.map(toRow).reverse();
  }

  /** A page of a person's timeline, oldest first: the limit messages before before_id (0: the newest) in server-time order. */
  timeline(personId: number, beforeId: number, limit: number): MessageRow[] {
    const time = beforeId > 0 ? (this.s.timeOf.get(beforeId) as number | undefined) : Number.MAX_SAFE_INTEGER;
    if (time === undefined) return []; // no such message: no page after it
    const [t, id] = beforeId > 0 ? [time, beforeId] : [time, Number.MAX_SAFE_INTEGER];
    return (this.s.timeline.all({ person: personId, time: t, id, limit }) as Raw[]).map(toRow).reverse();
  }

  /** Full-text search (FTS5 query syntax), newest first. Throws SqliteError on a bad query. */
  search(query: string, beforeId: number, limit: number): MessageRow[] {
    const rows = this.s.search.all(query, beforeId > 0 ? beforeId : Number.MAX_SAFE_INTEGER, limit) as Raw[];
    return rows.map(toRow);
  }

  /** Why those of the given messages that failed did, as [id, failure]. */
  failures(ids: readonly number[]): Array<[number, string]> {
    const out: Array<[number, string]> = [];
    for (const id of ids) {
      const r = this.s.failure.get(id) as { failure: string } | undefined;
      if (r) out.push([id, r.failure]);
    }
    return out;
  }

  /** The markup of those of the given messages that have formatting, as [id, markup]. */
  markup(ids: readonly number[]): Array<[number, string]> {
    const out: Array<[number, string]> = [];
    for (const id of ids) {
      const r = this.s.markup.get(id) as { markup: string } | undefined;
      if (r) out.push([id, r.markup]);
    }
    return out;
  }

  get(id: number): MessageRow | undefined {
    return this.byIds([id])[0];
  }

  private byIds(ids: readonly number[]): MessageRow[] {
    if (ids.length === 0) return [];
    if (ids.length === 1) return (this.s.byId.all(ids[0]) as Raw[]).map(toRow);
    // The ids of one batch are consecutive (one transaction, one writer): a range query, filtered.
    const wanted = new Set(ids);
    const rows = this.s.byRange.all(Math.min(...ids), Math.max(...ids)) as Raw[];
    return rows.filter((r) => wanted.has(r.id)).map(toRow);
  }
}
