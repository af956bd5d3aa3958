/**
 * Calls, answered or missed: one row each, written when the call is placed or rings and on every
 * change. Each call also has its entry in the conversation's messages (storage/messages.ts), written
 * in the same transaction; a missed incoming call's entry goes into the pending queue in the
 * transaction that ends it.
 */
import type { CallDirection, CallEndReason, CallState } from '@confab/sdk';
import type { Db } from './database';
import type { MessagesTable } from './messages';

export interface CallRow {
  readonly id: number;
  readonly accountId: string;
  readonly channelId: number;
  readonly peer: string;
  readonly direction: CallDirection;
  readonly audio: boolean;
  readonly video: boolean;
  readonly state: CallState;
  /** '' until ended. */
  readonly endReason: CallEndReason | '';
  readonly endDetail: string;
  readonly startedAt: number;
  /** 0 when it was never answered. */
  readonly answeredAt: number;
  /** 0 while it goes on. */
  readonly endedAt: number;
}

export type NewCall = Omit<CallRow, 'id' | 'endReason' | 'endDetail' | 'answeredAt' | 'endedAt'>;
export type CallUpdate = Partial<Pick<CallRow, 'state' | 'endReason' | 'endDetail' | 'answeredAt' | 'endedAt' | 'audio' | 'video'>>;

const COLUMNS = `id, account_id AS accountId, channel_id AS channelId, peer, direction, audio, video, state,
  end_reason AS endReason, end_detail AS endDetail, started_at AS startedAt, answered_at AS answeredAt, ended_at AS endedAt`;

/**
 * Missed: an incoming call that ended before anyone answered because the caller gave up (`cancelled`)
 * or no one answered in time (`no-answer`), docs/calls.md. (Migration 7 says the same in SQL.)
 */
export function isMissed(c: Pick<CallRow, 'direction' | 'state' | 'endReason'>): boolean {
  return c.direction === 'incoming' && c.state === 'ended' && (c.endReason === 'cancelled' || c.endReason === 'no-answer');
}

type Raw = Omit<CallRow, 'audio' | 'video'> & { audio: number; video: number };
const row = (r: Raw): CallRow => ({ ...r, audio: r.audio !== 0, video: r.video !== 0 });

export class CallsTable {
  private readonly s;

  constructor(
    private readonly db: Db,
    /** Where each call's entry in its conversation is kept. */
    private readonly entries: MessagesTable,
  ) {
    this.s = {
      insert: db.prepare(`INSERT INTO calls (account_id, channel_id, peer, direction, audio, video, state, started_at)
        VALUES (@accountId, @channelId, @peer, @direction, @audio, @video, @state, @startedAt)`),
      get: db.prepare(`SELECT ${COLUMNS} FROM calls WHERE id = ?`),
      unfinished: db.prepare(`SELECT ${COLUMNS} FROM calls WHERE state != 'ended' ORDER BY id`),
      update: db.prepare(`UPDATE calls SET state = @state, end_reason = @endReason, end_detail = @endDetail,
        answered_at = @answeredAt, ended_at = @endedAt, audio = @audio, video = @video WHERE id = @id`),
    };
  }

  /** Stores a call and its entry in the conversation, together. */
  insert(c: NewCall): CallRow {
    return this.db.transaction(() => {
      const id = Number(this.s.insert.run({ ...c, audio: c.audio ? 1 : 0, video: c.video ? 1 : 0 }).lastInsertRowid);
      const row = this.get(id)!;
      this.entries.addCall(row);
      return row;
    })();
  }

  get(id: number): CallRow | undefined {
    const r = this.s.get.get(id) as Raw | undefined;
    return r && row(r);
  }

  /** Calls not ended: after a crash, those the old process left going. */
  unfinished(): CallRow[] {
    return (this.s.unfinished.all() as Raw[]).map(row);
  }

  /** Saves a change; the change that ends a call missed also makes its entry unread, in the same transaction. */
  update(before: CallRow, change: CallUpdate): CallRow {
    const next = { ...before, ...change };
    this.db.transaction(() => {
      this.s.update.run({ ...next, audio: next.audio ? 1 : 0, video: next.video ? 1 : 0 });
      if (before.state !== 'ended' && isMissed(next)) this.entries.callMissed(next.id);
    })();
    return next;
  }
}
