/**
 * Contacts: each account's contact list, what its connection says of them (presence, subscription
 * requests) and what they say of themselves (addresses, asked by people/address-probe.ts). Owns the
 * contacts table. Where the server keeps the list (an XMPP roster) a change goes to the server first
 * and the list mirrors what the server says; elsewhere the daemon's list is the list, and the
 * connection watches it. Every change of the list is handed to people/ (People.sync).
 */
import {
  Emitter, InvalidArgumentError, NotFoundError, NotImplementedError,
  type ContactInfo, type ContactPresence, type Logger, type RosterItem, type RosterUpdate, type SubscriptionRequest,
} from '@confab/sdk';
import type { Accounts, AccountRunner } from '../accounts/accounts';
import { normalizeId } from '../conversations/targets';
import { AddressProbe } from '../people/address-probe';
import type { People } from '../people/people';
import type { ContactsTable } from '../storage/contacts';
import type { ContactKey } from '../storage/people';

/** A contact of an account as the D-Bus API shows it. */
export interface ContactView {
  readonly id: string;
  readonly alias: string;
  readonly status: ContactPresence['status'];
  readonly message: string;
}

const MAX_ALIAS_CHARS = 256;
/** Subscription requests kept waiting per account: more is a flood, not friends. */
const MAX_REQUESTS = 1000;

export class Contacts {
  private readonly presences = new Map<string, Map<string, ContactPresence>>(); // account → contact → presence
  private readonly requests = new Map<string, Map<string, SubscriptionRequest>>(); // account → contact → request
  private readonly rosters = new Map<string, Map<string, RosterItem>>(); // account → contact → what the server's roster says (subscription, groups)
  private readonly probe: AddressProbe;
  private readonly changedEmitter = new Emitter<string>();
  /** An account's contact list, a contact's presence or the requests waiting changed. */
  readonly onChanged = this.changedEmitter.event;
  private readonly requestedEmitter = new Emitter<{ accountId: string; id: string; message: string }>();
  readonly onSubscriptionRequested = this.requestedEmitter.event;

  constructor(
    private readonly table: ContactsTable,
    private readonly accounts: Accounts,
    private readonly people: People,
    private readonly log: Logger,
  ) {
    this.probe = new AddressProbe(
      (key) => {
        const facet = this.accounts.find(key.accountId)?.connection?.contacts;
        return facet?.addresses ? facet.addresses(key.contactId) : undefined;
      },
      (key, addresses) => this.people.learned(key, addresses),
      log.child('people'),
    );
  }

  // ---- reading ------------------------------------------------------------------------------

  presenceOf(accountId: string, contactId: string): ContactPresence | undefined {
    return this.presences.get(accountId)?.get(contactId);
  }

  list(accountId: string): ContactView[] {
    this.accounts.runner(accountId);
    const presence = this.presences.get(accountId);
    return this.table.forAccount(accountId).map((c) => {
      const p = presence?.get(c.id);
      return { id: c.id, alias: c.alias, status: p?.status ?? 'unknown', message: p?.message ?? '' };
    });
  }

  /**
   * What the server's roster says of each contact (RFC 6121 §2.1.2: subscription, groups), for an
   * account whose server keeps the list; undefined until the server sent it in this session (and
   * for a protocol with no server-side roster).
   */
  rosterItems(accountId: string): RosterItem[] | undefined {
    this.accounts.runner(accountId);
    const roster = this.rosters.get(accountId);
    return roster ? [...roster.values()] : undefined;
  }

  /** Subscription requests waiting for an answer, per account (the server repeats them at each login). */
  subscriptionRequests(accountId: string): SubscriptionRequest[] {
    this.accounts.runner(accountId);
    return [...(this.requests.get(accountId)?.values() ?? [])];
  }

  info(accountId: string, contact: string): Promise<ContactInfo> {
    const runner = this.accounts.runner(accountId);
    if (contact.trim() === '') throw new InvalidArgumentError('the contact is empty');
    const conn = runner.online();
    if (!conn.contacts) throw new NotImplementedError(`protocol '${runner.protocol.id}' has no contact information`);
    return conn.contacts.info(runner.protocol.normalizeContact(contact));
  }

  // ---- what the user does -------------------------------------------------------------------

  async add(accountId: string, contact: string, alias: string): Promise<void> {
    const runner = this.accounts.runner(accountId);
    if (contact.trim() === '') throw new InvalidArgumentError('the contact is empty');
    if (alias.length > MAX_ALIAS_CHARS) throw new InvalidArgumentError(`the alias is longer than ${MAX_ALIAS_CHARS} characters`);
    const id = runner.protocol.normalizeContact(contact);
    if (serverRoster(runner)) {
      // The server owns the list: the change goes there first (and comes back as a roster push).
      const conn = runner.online('its contact list is on the server');
      if (!conn.contacts?.add) throw new NotImplementedError(`protocol '${runner.protocol.id}' cannot add to its server's contact list`);
      await conn.contacts.add(id, alias, contact.trim());
    }
    const known = this.table.has(accountId, id);
    this.table.add(accountId, id, alias);
    this.people.sync();
    if (!known) runner.connection?.contacts?.watch([id], true);
    this.changedEmitter.fire(accountId);
  }

  async remove(accountId: string, contact: string): Promise<void> {
    const runner = this.accounts.runner(accountId);
    const id = normalizeId(runner.protocol, contact);
    if (!this.table.has(accountId, id)) throw new NotFoundError(`no contact '${contact}' on account '${accountId}'`);
    if (serverRoster(runner)) {
      const conn = runner.online('its contact list is on the server');
      if (!conn.contacts?.remove) throw new NotImplementedError(`protocol '${runner.protocol.id}' cannot remove from its server's contact list`);
      await conn.contacts.remove(id);
    }
    this.table.remove(accountId, id);
    this.people.sync();
    this.presences.get(accountId)?.delete(id);
    runner.connection?.contacts?.watch([id], false);
    this.changedEmitter.fire(accountId);
  }

  /** Puts a contact of the server's roster in exactly these groups (the server says it back as a roster push). */
  async setGroups(accountId: string, contact: string, groups: readonly string[]): Promise<void> {
    const runner = this.accounts.runner(accountId);
    const id = normalizeId(runner.protocol, contact);
    if (groups.some((g) => typeof g !== 'string' || g.trim() === '' || g.length > MAX_ALIAS_CHARS)) throw new InvalidArgumentError(`a group name is empty or longer than ${MAX_ALIAS_CHARS} characters`);
    if (groups.length > 50) throw new InvalidArgumentError('a contact is in at most 50 groups');
    const conn = runner.online('its contact list is on the server');
    if (!conn.contacts?.setGroups) throw new NotImplementedError(`protocol '${runner.protocol.id}' has no contact groups`);
    if (!this.table.has(accountId, id)) throw new NotFoundError(`no contact '${contact}' on account '${accountId}'`);
    await conn.contacts.setGroups(id, groups);
  }

  /** Stops asking for a contact's presence, the contact kept. */
  async unsubscribe(accountId: string, contact: string): Promise<void> {
    const runner = this.accounts.runner(accountId);
    const id = normalizeId(runner.protocol, contact);
    const conn = runner.online();
    if (!conn.contacts?.unsubscribe) throw new NotImplementedError(`protocol '${runner.protocol.id}' cannot cancel a subscription`);
    await conn.contacts.unsubscribe(id);
  }

  async answerSubscription(accountId: string, contact: string, allow: boolean): Promise<void> {
    const runner = this.accounts.runner(accountId);
    const id = normalizeId(runner.protocol, contact);
    const conn = runner.online();
    if (!conn.contacts?.answerSubscription) throw new NotImplementedError(`protocol '${runner.protocol.id}' has no subscription requests`);
    await conn.contacts.answerSubscription(id, allow);
    if (this.requests.get(accountId)?.delete(id)) this.changedEmitter.fire(accountId);
  }

  // ---- what the connections report (routed by core.ts) --------------------------------------

  /** The server's roster: mirrored into the stored contacts (full: exactly; push: changes). */
  roster(runner: AccountRunner, update: RosterUpdate): void {
    const accountId = runner.account.id;
    const items = new Map(update.items.map((i) => [normalizeId(runner.protocol, i.id), i.alias]));
    const removed = update.removed.map((id) => normalizeId(runner.protocol, id));
    this.table.mirror(accountId, items, removed, update.full);
    let roster = this.rosters.get(accountId);
    if (!roster || update.full) this.rosters.set(accountId, (roster = new Map()));
    for (const i of update.items) roster.set(normalizeId(runner.protocol, i.id), { ...i, id: normalizeId(runner.protocol, i.id) });
    for (const id of removed) roster.delete(id);
    this.people.sync();
    for (const id of removed) this.presences.get(accountId)?.delete(id);
    this.changedEmitter.fire(accountId);
  }

  presence(runner: AccountRunner, changes: readonly ContactPresence[]): void {
    const accountId = runner.account.id;
    let map = this.presences.get(accountId);
    if (!map) this.presences.set(accountId, (map = new Map()));
    const keys: ContactKey[] = [];
    const online: string[] = [];
    const offline: string[] = [];
    for (const c of changes) {
      const contactId = normalizeId(runner.protocol, c.id);
      map.set(contactId, c);
      keys.push({ accountId, contactId });
      (c.status === 'offline' || c.status === 'unknown' ? offline : online).push(contactId);
    }
    this.people.presenceChanged(keys);
    this.probe.offline(accountId, offline);
    this.probe.online(accountId, online.filter((id) => this.table.has(accountId, id)));
    this.changedEmitter.fire(accountId);
  }

  subscriptionRequest(runner: AccountRunner, request: SubscriptionRequest): void {
    const accountId = runner.account.id;
    let map = this.requests.get(accountId);
    if (!map) this.requests.set(accountId, (map = new Map()));
    const id = normalizeId(runner.protocol, request.id);
    if (map.size >= MAX_REQUESTS && !map.has(id)) return this.log.warn('account %s: too many subscription requests waiting; dropped one from %s', accountId, id);
    const message = request.message.slice(0, 1000);
    map.set(id, { id, message });
    this.requestedEmitter.fire({ accountId, id, message });
    this.changedEmitter.fire(accountId);
  }

  /** The account is ready: its connection watches the contacts. */
  watch(runner: AccountRunner): void {
    runner.connection?.contacts?.watch(this.table.forAccount(runner.account.id).map((c) => c.id), true);
  }

  /** The account's connection is gone: what it said of the contacts is unknown now. */
  offline(accountId: string): void {
    const known = [...(this.presences.get(accountId)?.keys() ?? [])];
    const hadState = this.presences.delete(accountId);
    this.rosters.delete(accountId); // sent again, whole, at the next login
    this.probe.reset(accountId);
    this.people.presenceChanged(known.map((contactId) => ({ accountId, contactId })));
    if (this.requests.delete(accountId) || hadState) this.changedEmitter.fire(accountId); // presence unknown now
  }

  /** The account was removed, its contacts with it (by cascade). */
  forget(accountId: string): void {
    this.probe.reset(accountId);
    this.rosters.delete(accountId);
    this.people.sync(); // people left without contacts go
  }
}

function serverRoster(runner: AccountRunner): boolean {
  return runner.protocol.capabilities.serverRoster === true;
}
