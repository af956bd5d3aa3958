/**
 * People: every stored contact of every account belongs to exactly one person.
 *
 * The rules (issue 7; GNOME folks links on shared IM addresses, Pidgin only by hand — we do both):
 * - A new contact gets a person of its own, then is linked automatically where the evidence is
 *   strong: a link the user made before (remembered across the contact leaving and coming back), or
 *   the same address (an XMPP JID equal to another contact's JID, SIP user@host, or an address the
 *   contact gave in WHOIS or a vCard). Never on a display name.
 * - Linking merges two people unless the user ever took apart a pair across them: an unlink is never
 *   undone by automatic linking. The older person (lower id) stays; the other's contacts move in.
 * - Link and unlink by hand are kept as pairwise decisions that outlive the contacts.
 * - Memberships are stored; nothing is re-clustered at start-up, so ids and groupings are stable
 *   across restarts and reconnects. Evidence that goes away later does not split anyone.
 * Each membership records why it was made, in words for the user.
 */
import { Emitter, InvalidArgumentError, NotFoundError, normalizeAddress, type ContactPresence, type Logger } from '@confab/sdk';
import type { ContactKey, MemberRow, PeopleTable, PersonRow } from '../storage/people';
import type { Db } from '../storage/database';
import { mostAvailable, type ContactStatus } from './presence';

export type { ContactKey, PersonRow } from '../storage/people';

export type PersonChange = { id: number; change: 'added' | 'removed' | 'changed' };

/**
 * Folds one more change of a person into those pending for one announcement: a person added and
 * changed is still just added; added and removed is nothing at all.
 */
export function foldChange(pending: Map<number, PersonChange['change']>, id: number, change: PersonChange['change']): void {
  const before = pending.get(id);
  if (before === 'added' && change === 'removed') pending.delete(id); // born and gone in one go
  else if (before !== 'added') pending.set(id, change);
}

export interface PeopleHost {
  /** The contact's address when its id is one (Protocol.contactAddress). */
  addressOf(accountId: string, contactId: string): string | undefined;
  presenceOf(accountId: string, contactId: string): ContactPresence | undefined;
}

export interface PersonContact extends MemberRow {
  readonly status: ContactStatus;
  readonly message: string;
}

const same = (x: ContactKey, y: ContactKey) => x.accountId === y.accountId && x.contactId === y.contactId;
const label = (k: ContactKey) => `${k.contactId} on ${k.accountId}`;
const MAX_ALIAS_CHARS = 256;

export class People {
  private readonly changedEmitter = new Emitter<readonly PersonChange[]>();
  /** People added, removed, or whose contacts, alias or presence changed: one batch per operation. */
  readonly onChanged = this.changedEmitter.event;
  private pending = new Map<number, PersonChange['change']>();

  constructor(
    private readonly db: Db,
    readonly table: PeopleTable,
    private readonly host: PeopleHost,
    private readonly log: Logger,
  ) {}

  // ---- reading ------------------------------------------------------------------------------

  get(id: number): PersonRow {
    const p = this.table.get(id);
    if (!p) throw new NotFoundError(`no person '${id}'`);
    return p;
  }

  contacts(id: number): PersonContact[] {
    return this.withPresence(this.table.members(id));
  }

  withPresence(members: readonly MemberRow[]): PersonContact[] {
    return members.map((m) => {
      const p = this.host.presenceOf(m.accountId, m.contactId);
      return { ...m, status: p?.status ?? 'unknown', message: p?.message ?? '' };
    });
  }

  /** The name to show: the user's alias for the person, else the first contact's alias, else its id. */
  nameOf(person: PersonRow, members: readonly MemberRow[]): string {
    return person.alias || members.find((m) => m.alias)?.alias || members[0]?.contactId || '';
  }

  /** The person's name to show (see nameOf). */
  name(id: number): string {
    return this.nameOf(this.get(id), this.table.members(id));
  }

  /** Every address the person's contacts are known by, sorted. */
  addresses(id: number): string[] {
    return [...new Set(this.table.members(id).flatMap((m) => this.table.addresses(m)))].sort();
  }

  /** Every person's id. */
  ids(): number[] {
    return this.table.all().map((p) => p.id);
  }

  presence(id: number): { status: ContactStatus; message: string } {
    return mostAvailable(this.contacts(id));
  }

  personOf(key: ContactKey): number {
    const id = this.table.personOf(key);
    if (id === undefined) throw new NotFoundError(`no contact '${key.contactId}' on account '${key.accountId}'`);
    return id;
  }

  search(text: string, limit: number): number[] {
    if (text.trim() === '') throw new InvalidArgumentError('the search text is empty');
    return this.table.search(text.trim(), limit);
  }

  // ---- what the core reports ----------------------------------------------------------------

  /** After the stored contacts changed: new contacts placed and linked, people left empty removed. */
  sync(): void {
    this.batch(() => {
      for (const key of this.table.unplaced()) {
        const address = this.host.addressOf(key.accountId, key.contactId);
        this.table.setAddresses(key, 'id', address ? [address] : []);
        const id = this.table.create();
        this.table.place(key, id, 'its own person');
        this.mark(id, 'added');
        this.autoLink(key);
      }
      for (const id of this.table.deleteEmpty()) this.mark(id, 'removed');
    });
  }

  /** The contacts whose presence changed: their people's presence may have. */
  presenceChanged(keys: readonly ContactKey[]): void {
    this.batch(() => {
      for (const k of keys) {
        const id = this.table.personOf(k);
        if (id !== undefined) this.mark(id, 'changed');
      }
    });
  }

  /** Addresses a contact gave for themselves (WHOIS realname, vCard): stored, and linked by. */
  learned(key: ContactKey, addresses: readonly string[]): void {
    if (this.table.personOf(key) === undefined) return; // no longer a contact
    const valid = addresses.map(normalizeAddress).filter((a): a is string => a !== undefined);
    this.batch(() => {
      if (this.table.setAddresses(key, 'said', valid)) {
        this.mark(this.table.personOf(key)!, 'changed');
        this.autoLink(key);
      }
    });
  }

  // ---- what the user decides ----------------------------------------------------------------

  setAlias(id: number, alias: string): void {
    this.get(id);
    if (alias.length > MAX_ALIAS_CHARS) throw new InvalidArgumentError(`the alias is longer than ${MAX_ALIAS_CHARS} characters`);
    this.batch(() => {
      this.table.setAlias(id, alias.trim());
      this.mark(id, 'changed');
    });
  }

  /** Puts the contact with the person, and remembers that the user wants it there. */
  link(id: number, key: ContactKey): void {
    this.get(id);
    const from = this.personOf(key);
    if (from === id) return;
    this.batch(() => {
      for (const m of this.table.members(id)) this.table.decide(m, key, 'link');
      this.table.place(key, id, 'linked by hand');
      this.mark(id, 'changed');
      this.mark(from, 'changed');
      for (const gone of this.table.deleteEmpty()) this.mark(gone, 'removed');
    });
  }

  /** Every contact of `other` moves to person `id` (linked by hand); `other` is gone. */
  merge(id: number, other: number): void {
    this.get(id);
    this.get(other);
    if (id === other) throw new InvalidArgumentError('a person cannot be merged with themselves');
    const alias = this.get(id).alias || this.get(other).alias;
    this.batch(() => {
      for (const m of this.table.members(other)) this.link(id, m);
      this.table.setAlias(id, alias);
    });
  }

  /**
   * Takes the contact out of the person into a person of its own, and remembers never to join it
   * with any of the person's other contacts automatically. Returns the contact's person now.
   */
  unlink(id: number, key: ContactKey): number {
    this.get(id);
    if (this.personOf(key) !== id) throw new InvalidArgumentError(`${label(key)} is not one of person ${id}'s contacts`);
    const others = this.table.members(id).filter((m) => !same(m, key));
    if (others.length === 0) throw new InvalidArgumentError(`${label(key)} is person ${id}'s only contact`);
    let now = id;
    this.batch(() => {
      for (const m of others) this.table.decide(m, key, 'unlink');
      now = this.table.create();
      this.table.place(key, now, 'unlinked by hand');
      this.mark(now, 'added');
      this.mark(id, 'changed');
      this.autoLink(key); // other evidence may still join it to someone else
      now = this.table.personOf(key)!;
    });
    return now;
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Joins the contact's person with every person the evidence points to, where no unlink forbids it. */
  private autoLink(key: ContactKey): void {
    // Each piece of evidence says why, from the side of the contact that moves (`partner` is the other).
    const evidence: Array<{ other: ContactKey; why: (partner: ContactKey) => string }> = [];
    for (const d of this.table.decisionsOf(key)) {
      if (d.decision === 'link') evidence.push({ other: d, why: () => 'linked by hand' });
    }
    for (const address of this.table.addresses(key)) {
      for (const other of this.table.withAddress(address)) {
        if (!same(other, key)) evidence.push({ other, why: (partner) => `same address ${address} as ${label(partner)}` });
      }
    }
    for (const { other, why } of evidence) {
      const mine = this.table.personOf(key)!;
      const theirs = this.table.personOf(other);
      if (theirs === undefined || theirs === mine) continue;
      if (this.forbidden(mine, theirs)) {
        this.log.debug('people: not linking %s with %s: the user took them apart', label(key), label(other));
        continue;
      }
      // The older person (lower id) keeps; the other's contacts move in.
      if (mine < theirs) this.join(mine, theirs, other, why(key));
      else this.join(theirs, mine, key, why(other));
    }
  }

  /** True when the user unlinked some contact of one person from some contact of the other. */
  private forbidden(p: number, q: number): boolean {
    const inQ = this.table.members(q);
    return this.table.members(p).some((m) => this.table.decisionsOf(m).some((d) => d.decision === 'unlink' && inQ.some((x) => same(x, d))));
  }

  /** Moves every contact of `gone` to `keep`; `moved` (the one the evidence names) says why, the others keep their reasons. */
  private join(keep: number, gone: number, moved: ContactKey, reason: string): void {
    const keepRow = this.get(keep);
    const goneRow = this.get(gone);
    for (const m of this.table.members(gone)) this.table.place(m, keep, same(m, moved) ? reason : m.reason);
    if (!keepRow.alias && goneRow.alias) this.table.setAlias(keep, goneRow.alias);
    this.table.deleteEmpty();
    this.mark(keep, 'changed');
    this.mark(gone, 'removed');
  }

  private mark(id: number, change: PersonChange['change']): void {
    foldChange(this.pending, id, change);
  }

  /** One transaction and one event batch per outermost operation. */
  private batch(fn: () => void): void {
    if (this.db.inTransaction) return fn();
    try {
      this.db.transaction(fn)();
    } catch (err) {
      this.pending = new Map(); // rolled back: nothing happened
      throw err;
    }
    const changes = [...this.pending].map(([id, change]) => ({ id, change }));
    this.pending = new Map();
    if (changes.length > 0) this.changedEmitter.fire(changes);
  }
}
