/**
 * People: which person each stored contact belongs to and why, the addresses contacts are known by,
 * and the user's link/unlink decisions (migration 4). The rules that use them are in ../people/.
 */
import type { Db } from './database';

/** One contact of one account. */
export interface ContactKey {
  readonly accountId: string;
  readonly contactId: string;
}

export interface PersonRow {
  readonly id: number;
  readonly alias: string;
}

export interface MemberRow extends ContactKey {
  readonly personId: number;
  /** The contact's own alias (from the contact list). */
  readonly alias: string;
  readonly reason: string;
}

export type Decision = 'link' | 'unlink';
export type AddressSource = 'id' | 'said';

/** The pair in the table's order: (a) < (b). */
function ordered(x: ContactKey, y: ContactKey): [ContactKey, ContactKey] {
  return x.accountId < y.accountId || (x.accountId === y.accountId && x.contactId < y.contactId) ? [x, y] : [y, x];
}

/** `%`, `_` and `\` taken literally in a LIKE pattern (ESCAPE '\'). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class PeopleTable {
  private readonly s;

  constructor(db: Db) {
    const MEMBER = `SELECT pc.person_id AS personId, pc.account_id AS accountId, pc.contact_id AS contactId, c.alias, pc.reason
      FROM person_contacts pc JOIN contacts c ON c.account_id = pc.account_id AND c.contact_id = pc.contact_id`;
    this.s = {
      unplaced: db.prepare(`SELECT c.account_id AS accountId, c.contact_id AS contactId FROM contacts c
        LEFT JOIN person_contacts pc ON pc.account_id = c.account_id AND pc.contact_id = c.contact_id
        WHERE pc.person_id IS NULL ORDER BY c.added_at, c.rowid`),
      deleteEmpty: db.prepare('DELETE FROM people WHERE id NOT IN (SELECT person_id FROM person_contacts) RETURNING id'),
      create: db.prepare('INSERT INTO people (alias, created_at) VALUES (?, ?)'),
      place: db.prepare(`INSERT INTO person_contacts (account_id, contact_id, person_id, reason) VALUES (?, ?, ?, ?)
        ON CONFLICT(account_id, contact_id) DO UPDATE SET person_id = excluded.person_id, reason = excluded.reason`),
      personOf: db.prepare('SELECT person_id AS id FROM person_contacts WHERE account_id = ? AND contact_id = ?').pluck(),
      members: db.prepare(`${MEMBER} WHERE pc.person_id = ? ORDER BY c.added_at, c.rowid`),
      allMembers: db.prepare(`${MEMBER} ORDER BY pc.person_id, c.added_at, c.rowid`),
      get: db.prepare('SELECT id, alias FROM people WHERE id = ?'),
      all: db.prepare('SELECT id, alias FROM people ORDER BY id'),
      setAlias: db.prepare('UPDATE people SET alias = ? WHERE id = ?'),
      ofAccount: db.prepare('SELECT DISTINCT person_id FROM person_contacts WHERE account_id = ?').pluck(),
      addresses: db.prepare('SELECT address FROM contact_addresses WHERE account_id = ? AND contact_id = ? ORDER BY address').pluck(),
      addressesFrom: db.prepare('SELECT address FROM contact_addresses WHERE account_id = ? AND contact_id = ? AND source = ? ORDER BY address').pluck(),
      dropAddresses: db.prepare('DELETE FROM contact_addresses WHERE account_id = ? AND contact_id = ? AND source = ?'),
      addAddress: db.prepare('INSERT OR IGNORE INTO contact_addresses (account_id, contact_id, address, source) VALUES (?, ?, ?, ?)'),
      withAddress: db.prepare('SELECT account_id AS accountId, contact_id AS contactId FROM contact_addresses WHERE address = ? ORDER BY account_id, contact_id'),
      decide: db.prepare(`INSERT INTO person_decisions (a_account, a_contact, b_account, b_contact, decision, made_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET decision = excluded.decision, made_at = excluded.made_at`),
      decisionsOf: db.prepare(`SELECT b_account AS accountId, b_contact AS contactId, decision FROM person_decisions WHERE a_account = ? AND a_contact = ?
        UNION ALL SELECT a_account, a_contact, decision FROM person_decisions WHERE b_account = ? AND b_contact = ?`),
      search: db.prepare(`SELECT DISTINCT p.id FROM people p JOIN person_contacts pc ON pc.person_id = p.id
        JOIN contacts c ON c.account_id = pc.account_id AND c.contact_id = pc.contact_id
        LEFT JOIN contact_addresses a ON a.account_id = pc.account_id AND a.contact_id = pc.contact_id
        WHERE p.alias LIKE @like ESCAPE '\\' OR c.contact_id LIKE @like ESCAPE '\\' OR c.alias LIKE @like ESCAPE '\\' OR a.address LIKE @like ESCAPE '\\'
        ORDER BY p.id LIMIT @limit`).pluck(),
    };
  }

  /** Stored contacts that no person holds yet (new ones, or from before people existed). */
  unplaced(): ContactKey[] {
    return this.s.unplaced.all() as ContactKey[];
  }

  /** Removes the people who have no contact left; returns their ids. */
  deleteEmpty(): number[] {
    return (this.s.deleteEmpty.all() as Array<{ id: number }>).map((r) => r.id);
  }

  create(alias = ''): number {
    return Number(this.s.create.run(alias, Date.now()).lastInsertRowid);
  }

  /** Puts the contact with the person (moving it from any other), saying why. */
  place(key: ContactKey, personId: number, reason: string): void {
    this.s.place.run(key.accountId, key.contactId, personId, reason);
  }

  personOf(key: ContactKey): number | undefined {
    return this.s.personOf.get(key.accountId, key.contactId) as number | undefined;
  }

  members(personId: number): MemberRow[] {
    return this.s.members.all(personId) as MemberRow[];
  }

  /** Every membership, grouped by person (for loading 10,000 people in one query). */
  allMembers(): Map<number, MemberRow[]> {
    const out = new Map<number, MemberRow[]>();
    for (const m of this.s.allMembers.all() as MemberRow[]) {
      const list = out.get(m.personId);
      if (list) list.push(m);
      else out.set(m.personId, [m]);
    }
    return out;
  }

  get(id: number): PersonRow | undefined {
    return this.s.get.get(id) as PersonRow | undefined;
  }

  all(): PersonRow[] {
    return this.s.all.all() as PersonRow[];
  }

  setAlias(id: number, alias: string): void {
    this.s.setAlias.run(alias, id);
  }

  ofAccount(accountId: string): number[] {
    return this.s.ofAccount.all(accountId) as number[];
  }

  addresses(key: ContactKey): string[] {
    return this.s.addresses.all(key.accountId, key.contactId) as string[];
  }

  /** Replaces what one source says of the contact's addresses; true when that changed anything. */
  setAddresses(key: ContactKey, source: AddressSource, addresses: readonly string[]): boolean {
    const before = (this.s.addressesFrom.all(key.accountId, key.contactId, source) as string[]).join(' ');
    const after = [...new Set(addresses)].sort();
    if (before === after.join(' ')) return false;
    this.s.dropAddresses.run(key.accountId, key.contactId, source);
    for (const a of after) this.s.addAddress.run(key.accountId, key.contactId, a, source);
    return true;
  }

  withAddress(address: string): ContactKey[] {
    return this.s.withAddress.all(address) as ContactKey[];
  }

  decide(x: ContactKey, y: ContactKey, decision: Decision): void {
    const [a, b] = ordered(x, y);
    this.s.decide.run(a.accountId, a.contactId, b.accountId, b.contactId, decision, Date.now());
  }

  decisionsOf(key: ContactKey): Array<ContactKey & { decision: Decision }> {
    return this.s.decisionsOf.all(key.accountId, key.contactId, key.accountId, key.contactId) as Array<ContactKey & { decision: Decision }>;
  }

  /** People whose alias, contact ids, contact aliases or addresses contain the text (case-insensitive for ASCII). */
  search(text: string, limit: number): number[] {
    return this.s.search.all({ like: likePattern(text), limit }) as number[];
  }
}
