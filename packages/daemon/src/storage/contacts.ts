/** The contacts the user keeps for each account, in the order they were added. */
import type { Db } from './database';

export interface ContactRow {
  readonly accountId: string;
  readonly id: string;
  readonly alias: string;
}

export class ContactsTable {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      list: db.prepare('SELECT account_id AS accountId, contact_id AS id, alias FROM contacts WHERE account_id = ? ORDER BY added_at, rowid'),
      add: db.prepare(`INSERT INTO contacts (account_id, contact_id, alias, added_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(account_id, contact_id) DO UPDATE SET alias = excluded.alias`),
      remove: db.prepare('DELETE FROM contacts WHERE account_id = ? AND contact_id = ?'),
      has: db.prepare('SELECT 1 FROM contacts WHERE account_id = ? AND contact_id = ?'),
    };
  }

  forAccount(accountId: string): ContactRow[] {
    return this.s.list.all(accountId) as ContactRow[];
  }

  has(accountId: string, id: string): boolean {
    return this.s.has.get(accountId, id) !== undefined;
  }

  /** Adds the contact, or sets its alias when it is there already. */
  add(accountId: string, id: string, alias: string): void {
    this.s.add.run(accountId, id, alias, Date.now());
  }

  /** False when there was no such contact. */
  remove(accountId: string, id: string): boolean {
    return this.s.remove.run(accountId, id).changes > 0;
  }

  /**
   * Mirrors a server's list: `full`, exactly these (others removed); otherwise these added or
   * renamed and `removed` removed. One transaction: a roster of thousands at every login is one
   * commit, not thousands.
   */
  mirror(accountId: string, items: ReadonlyMap<string, string>, removed: readonly string[], full: boolean): void {
    this.db.transaction(() => {
      if (full) {
        for (const c of this.forAccount(accountId)) if (!items.has(c.id)) this.remove(accountId, c.id);
      }
      for (const [id, alias] of items) this.add(accountId, id, alias);
      for (const id of removed) this.remove(accountId, id);
    })();
  }
}
