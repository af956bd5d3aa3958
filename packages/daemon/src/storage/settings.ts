/** Daemon-wide key/value state, JSON-encoded. */
import type { Db } from './database';

export class SettingsTable {
  constructor(private readonly db: Db) {}

  get<T>(key: string, fallback: T): T {
    const r = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as T) : fallback;
  }

  /** Removes every key that starts with `prefix`. */
  deletePrefix(prefix: string): void {
    this.db.prepare('DELETE FROM settings WHERE substr(key, 1, ?) = ?').run(prefix.length, prefix);
  }

  set(key: string, value: unknown): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }
}
