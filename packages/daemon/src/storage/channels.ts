/**
 * The channels table: one row per conversation, stable ids for D-Bus object paths. Rows are also kept
 * in memory (there are thousands at most, and the D-Bus getters read them on every property refresh);
 * the table is their persistence. Statements are prepared once.
 */
import type { ChannelKind } from '@confab/sdk';
import type { Db } from './database';

export interface ChannelRow {
  readonly id: number;
  readonly accountId: string;
  readonly kind: ChannelKind;
  readonly target: string;
  readonly autojoin: boolean;
  readonly roomKey: string | null;
  readonly topic: string;
  readonly lastActivity: number;
}

interface Raw {
  id: number;
  account_id: string;
  kind: ChannelKind;
  target: string;
  autojoin: number;
  room_key: string | null;
  topic: string;
  last_activity: number;
}

const toRow = (r: Raw): ChannelRow => ({
  id: r.id,
  accountId: r.account_id,
  kind: r.kind,
  target: r.target,
  autojoin: r.autojoin === 1,
  roomKey: r.room_key,
  topic: r.topic,
  lastActivity: r.last_activity,
});

const key = (accountId: string, kind: ChannelKind, target: string) => `${accountId}\u0000${kind}\u0000${target}`;

export class ChannelsTable {
  private readonly byId = new Map<number, ChannelRow>();
  private readonly byKey = new Map<string, number>();
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      insert: db.prepare('INSERT INTO channels (account_id, kind, target) VALUES (?, ?, ?)'),
      byId: db.prepare('SELECT * FROM channels WHERE id = ?'),
      setAutojoin: db.prepare('UPDATE channels SET autojoin = ?, room_key = ? WHERE id = ?'),
      setTopic: db.prepare('UPDATE channels SET topic = ? WHERE id = ?'),
      touch: db.prepare('UPDATE channels SET last_activity = max(last_activity, ?) WHERE id = ?'),
    };
    this.reload();
  }

  /** Re-reads every row (after rows were deleted by cascade, e.g. an account removed). */
  reload(): void {
    this.byId.clear();
    this.byKey.clear();
    for (const r of this.db.prepare('SELECT * FROM channels').all() as Raw[]) this.remember(toRow(r));
  }

  all(): ChannelRow[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  get(id: number): ChannelRow | undefined {
    return this.byId.get(id);
  }

  find(accountId: string, kind: ChannelKind, target: string): ChannelRow | undefined {
    const id = this.byKey.get(key(accountId, kind, target));
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** The channel, created if it does not exist yet; `created` says which. */
  ensure(accountId: string, kind: ChannelKind, target: string): { row: ChannelRow; created: boolean } {
    const found = this.find(accountId, kind, target);
    if (found) return { row: found, created: false };
    const info = this.stmt.insert.run(accountId, kind, target);
    const row = toRow(this.stmt.byId.get(Number(info.lastInsertRowid)) as Raw);
    this.remember(row);
    return { row, created: true };
  }

  forAccount(accountId: string): ChannelRow[] {
    return this.all().filter((c) => c.accountId === accountId);
  }

  setAutojoin(id: number, autojoin: boolean, roomKey: string | null): void {
    this.stmt.setAutojoin.run(autojoin ? 1 : 0, roomKey, id);
    this.patch(id, { autojoin, roomKey });
  }

  setTopic(id: number, topic: string): void {
    this.stmt.setTopic.run(topic, id);
    this.patch(id, { topic });
  }

  touch(id: number, time: number): void {
    this.stmt.touch.run(time, id);
    const row = this.byId.get(id);
    if (row && time > row.lastActivity) this.patch(id, { lastActivity: time });
  }

  /** Keeps the in-memory row in step after the messages table moved last_activity in SQL. */
  touched(id: number, time: number): void {
    const row = this.byId.get(id);
    if (row && time > row.lastActivity) this.patch(id, { lastActivity: time });
  }

  private remember(row: ChannelRow): void {
    this.byId.set(row.id, row);
    this.byKey.set(key(row.accountId, row.kind, row.target), row.id);
  }

  private patch(id: number, change: Partial<ChannelRow>): void {
    const row = this.byId.get(id);
    if (row) this.byId.set(id, { ...row, ...change });
  }
}
