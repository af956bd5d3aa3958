/** The accounts table. Parameters are stored as JSON and never hold secrets. */
import type { Account, AccountParams } from '@confab/sdk';
import type { Db } from './database';

interface Row {
  id: string;
  protocol: string;
  display_name: string;
  params: string;
  enabled: number;
}

const toAccount = (r: Row): Account => ({
  id: r.id,
  protocol: r.protocol,
  displayName: r.display_name,
  params: JSON.parse(r.params) as AccountParams,
  enabled: r.enabled === 1,
});

export class AccountsTable {
  constructor(
    private readonly db: Db,
    /** Told after an account is deleted (its channels went with it, by cascade). */
    private readonly deleted: () => void = () => {},
  ) {}

  all(): Account[] {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY created_at, id').all() as Row[]).map(toAccount);
  }

  get(id: string): Account | undefined {
    const r = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as Row | undefined;
    return r && toAccount(r);
  }

  exists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM accounts WHERE id = ?').get(id) !== undefined;
  }

  insert(a: Account): void {
    this.db
      .prepare('INSERT INTO accounts (id, protocol, display_name, params, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(a.id, a.protocol, a.displayName, JSON.stringify(a.params), a.enabled ? 1 : 0, Date.now());
  }

  update(a: Account): void {
    this.db
      .prepare('UPDATE accounts SET display_name = ?, params = ?, enabled = ? WHERE id = ?')
      .run(a.displayName, JSON.stringify(a.params), a.enabled ? 1 : 0, a.id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM accounts WHERE id = ?').run(id);
    this.deleted();
  }
}
