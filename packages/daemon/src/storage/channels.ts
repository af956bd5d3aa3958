/** The channels table: one row per conversation, stable ids for D-Bus object paths. */
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

export class ChannelsTable {
  constructor(private readonly db: Db) {}

  all(): ChannelRow[] {
    return (this.db.prepare('SELECT * FROM channels ORDER BY id').all() as Raw[]).map(toRow);
  }

  get(id: number): ChannelRow | undefined {
    const r = this.db.prepare('SELECT * FROM channels WHERE id = ?').get(id) as Raw | undefined;
    return r && toRow(r);
  }

  find(accountId: string, kind: ChannelKind, target: string): ChannelRow | undefined {
    const r = this.db.prepare('SELECT * FROM channels WHERE account_id = ? AND kind = ? AND target = ?').get(accountId, kind, target) as Raw | undefined;
    return r && toRow(r);
  }

  /** The channel, created if it does not exist yet; `created` says which. */
  ensure(accountId: string, kind: ChannelKind, target: string): { row: ChannelRow; created: boolean } {
    const found = this.find(accountId, kind, target);
    if (found) return { row: found, created: false };
    const info = this.db.prepare('INSERT INTO channels (account_id, kind, target) VALUES (?, ?, ?)').run(accountId, kind, target);
    return { row: this.get(Number(info.lastInsertRowid))!, created: true };
  }

  forAccount(accountId: string): ChannelRow[] {
    return (this.db.prepare('SELECT * FROM channels WHERE account_id = ? ORDER BY id').all(accountId) as Raw[]).map(toRow);
  }

  setAutojoin(id: number, autojoin: boolean, key: string | null): void {
    this.db.prepare('UPDATE channels SET autojoin = ?, room_key = ? WHERE id = ?').run(autojoin ? 1 : 0, key, id);
  }

  setTopic(id: number, topic: string): void {
    this.db.prepare('UPDATE channels SET topic = ? WHERE id = ?').run(topic, id);
  }

  touch(id: number, time: number): void {
    this.db.prepare('UPDATE channels SET last_activity = max(last_activity, ?) WHERE id = ?').run(time, id);
  }
}
