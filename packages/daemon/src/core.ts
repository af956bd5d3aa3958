/**
 * The daemon's core: accounts and their runners, channels, messages and presence, with typed events
 * that carry what changed. The D-Bus layer is a thin map over this; nothing here knows D-Bus.
 *
 * Invariants kept here:
 * - a received message is committed (with its pending row) before `onMessagesReceived` fires;
 * - an outgoing message is committed to the outbox before any plugin sees it;
 * - secrets never enter the accounts table, events or errors, and every secret value is given to the
 *   Redactor the moment it is read or written.
 */
import {
  CHAT_STATES, ConfabError, Emitter, InvalidArgumentError, MESSAGE_KINDS, NotFoundError, NotImplementedError, OfflineError,
  PRESENCE_STATUSES, validateParams, withDefaults,
  type Account, type AccountConfig, type AccountParams, type Connection, type ContactInfo, type ChatState, type ChatStateChange, type ContactPresence, type DeliveryReport, type RosterUpdate, type SubscriptionRequest, type AccountState,
  type IncomingMessage, type Logger, type Member, type MemberRole, type MessageKind, type Presence,
  type PresenceStatus, type Protocol, type RoomChange, type RoomInvitation, type RoomsFacet,
} from '@confab/sdk';
import type { Config } from './config';
import type { Redactor } from './log';
import type { SecretStore } from './secrets';
import { channelTarget, normalizeId } from './conversations/targets';
import { AddressProbe } from './people/address-probe';
import { People } from './people/people';
import { availability } from './people/presence';
import type { ChannelRow, ContactKey, MessageRow, Store } from './storage/store';
import { Outbox } from './messages/outbox';
import { Conversations } from './conversations/conversations';
import { Rooms } from './rooms/rooms';
import { Accounts, type AccountRouter, type AccountRunner } from './accounts/accounts';
import type { Subscribe } from './supervisor/account-runner';

/** A contact of an account as the D-Bus API shows it. */
export interface ContactView {
  readonly id: string;
  readonly alias: string;
  readonly status: ContactPresence['status'];
  readonly message: string;
}

/** The longest message body accepted over D-Bus (plugins split long ones for their protocol). */
const MAX_BODY_BYTES = 64 * 1024;
const MAX_ALIAS_CHARS = 256;
/** Subscription requests kept waiting per account: more is a flood, not friends. */
const MAX_REQUESTS = 1000;

export class Core implements AccountRouter {
  readonly accounts: Accounts;
  readonly conversations: Conversations;
  readonly rooms: Rooms;
  private readonly presences = new Map<string, Map<string, ContactPresence>>(); // account → contact → presence

  private readonly received = new Emitter<readonly MessageRow[]>();
  readonly onMessagesReceived = this.received.event;
  private readonly messagesChanged = new Emitter<readonly MessageRow[]>();
  readonly onMessagesChanged = this.messagesChanged.event;
  private readonly contactsChanged = new Emitter<string>();
  /** An account's contact list or a contact's presence changed. */
  readonly onContactsChanged = this.contactsChanged.event;
  private readonly chatStateEmitter = new Emitter<{ channelId: number; contact: string; state: ChatState }>();
  readonly onChatState = this.chatStateEmitter.event;
  private readonly subscriptionRequested = new Emitter<{ accountId: string; id: string; message: string }>();
  readonly onSubscriptionRequested = this.subscriptionRequested.event;
  private readonly requests = new Map<string, Map<string, SubscriptionRequest>>(); // account → contact → request
  /** Every stored contact's person (issue 7). */
  readonly people: People;
  private readonly probe: AddressProbe;
  private readonly outbox: Outbox;

  constructor(
    readonly store: Store,
    protocols: ReadonlyMap<string, Protocol>,
    secrets: SecretStore,
    private readonly redactor: Redactor,
    config: Config,
    private readonly log: Logger,
  ) {
    this.accounts = new Accounts(store, protocols, secrets, redactor, config, this, log.child('accounts'));
    this.people = new People(store.db, store.people, {
      addressOf: (accountId, id) => {
        const protocol = this.accounts.find(accountId)?.protocol;
        try {
          return protocol?.contactAddress?.(id);
        } catch {
          return undefined;
        }
      },
      presenceOf: (accountId, id) => this.presences.get(accountId)?.get(id),
    }, log.child('people'));
    this.probe = new AddressProbe(
      (key) => {
        const runner = this.accounts.find(key.accountId);
        const facet = runner && this.connected(runner)?.contacts;
        return facet?.addresses ? facet.addresses(key.contactId) : undefined;
      },
      (key, addresses) => this.people.learned(key, addresses),
      log.child('people'),
    );
    this.conversations = new Conversations(store.channels, this.accounts, this.people);
    this.rooms = new Rooms(store.channels, this.conversations, this.accounts, redactor, log.child('rooms'));
    this.outbox = new Outbox(store.messages, (id) => this.conversations.byId(id), (accountId, message) => {
      this.messagesChanged.fire([message]);
      this.accounts.changed(accountId);
    });
    this.rooms.onJoined((runner) => this.outbox.kickIfQueued(runner)); // messages queued for a room while it was being joined may go now
  }

  /** Creates runners for the stored accounts, without connecting them (before D-Bus export). */
  load(): void {
    this.accounts.load();
    this.people.sync(); // contacts stored before people existed, or while their plugin was missing
  }

  /** Connects the enabled accounts (once the bus name is owned). */
  start(): void {
    this.accounts.start();
  }

  stop(): Promise<void> {
    return this.accounts.stop();
  }

  // ---- contacts -----------------------------------------------------------------------------

  contacts(accountId: string): ContactView[] {
    this.accounts.runner(accountId);
    const presence = this.presences.get(accountId);
    return this.store.contacts.forAccount(accountId).map((c) => {
      const p = presence?.get(c.id);
      return { id: c.id, alias: c.alias, status: p?.status ?? 'unknown', message: p?.message ?? '' };
    });
  }

  async addContact(accountId: string, contact: string, alias: string): Promise<void> {
    const runner = this.accounts.runner(accountId);
    if (contact.trim() === '') throw new InvalidArgumentError('the contact is empty');
    if (alias.length > MAX_ALIAS_CHARS) throw new InvalidArgumentError(`the alias is longer than ${MAX_ALIAS_CHARS} characters`);
    const id = runner.protocol.normalizeContact(contact);
    if (this.serverRoster(runner)) {
      // The server owns the list: the change goes there first (and comes back as a roster push).
      const conn = this.online(runner, 'its contact list is on the server');
      if (!conn.contacts?.add) throw new NotImplementedError(`protocol '${runner.protocol.id}' cannot add to its server's contact list`);
      await conn.contacts.add(id, alias, contact.trim());
    }
    const known = this.store.contacts.has(accountId, id);
    this.store.contacts.add(accountId, id, alias);
    this.people.sync();
    if (!known) this.connected(runner)?.contacts?.watch([id], true);
    this.contactsChanged.fire(accountId);
  }

  async removeContact(accountId: string, contact: string): Promise<void> {
    const runner = this.accounts.runner(accountId);
    const id = normalizeId(runner.protocol, contact);
    if (!this.store.contacts.has(accountId, id)) throw new NotFoundError(`no contact '${contact}' on account '${accountId}'`);
    if (this.serverRoster(runner)) {
      const conn = this.online(runner, 'its contact list is on the server');
      if (!conn.contacts?.remove) throw new NotImplementedError(`protocol '${runner.protocol.id}' cannot remove from its server's contact list`);
      await conn.contacts.remove(id);
    }
    this.store.contacts.remove(accountId, id);
    this.people.sync();
    this.presences.get(accountId)?.delete(id);
    this.connected(runner)?.contacts?.watch([id], false);
    this.contactsChanged.fire(accountId);
  }

  contactInfo(accountId: string, contact: string): Promise<ContactInfo> {
    const runner = this.accounts.runner(accountId);
    if (contact.trim() === '') throw new InvalidArgumentError('the contact is empty');
    const conn = this.online(runner);
    if (!conn.contacts) throw new NotImplementedError(`protocol '${runner.protocol.id}' has no contact information`);
    return conn.contacts.info(runner.protocol.normalizeContact(contact));
  }

  /** Subscription requests waiting for an answer, per account (the server repeats them at each login). */
  subscriptionRequests(accountId: string): SubscriptionRequest[] {
    this.accounts.runner(accountId);
    return [...(this.requests.get(accountId)?.values() ?? [])];
  }

  async answerSubscription(accountId: string, contact: string, allow: boolean): Promise<void> {
    const runner = this.accounts.runner(accountId);
    const id = normalizeId(runner.protocol, contact);
    const conn = this.online(runner);
    if (!conn.contacts?.answerSubscription) throw new NotImplementedError(`protocol '${runner.protocol.id}' has no subscription requests`);
    await conn.contacts.answerSubscription(id, allow);
    if (this.requests.get(accountId)?.delete(id)) this.contactsChanged.fire(accountId);
  }

  private serverRoster(runner: AccountRunner): boolean {
    return runner.protocol.capabilities.serverRoster === true;
  }

  private connected(runner: AccountRunner): Connection | undefined {
    return runner.status === 'connected' ? runner.connection : undefined;
  }

  /** The account's live connection, or an Offline error (saying `why` it matters, if given). */
  private online(runner: AccountRunner, why?: string): Connection {
    const conn = this.connected(runner);
    if (!conn) throw new OfflineError(`account '${runner.account.id}' is not connected${why ? `: ${why}` : ''}`);
    return conn;
  }

  // ---- messages -----------------------------------------------------------------------------

  sendMessage(channelId: number, body: string, kind: string): MessageRow {
    const ch = this.conversations.get(channelId);
    if (!MESSAGE_KINDS.includes(kind as MessageKind)) throw new InvalidArgumentError(`kind must be one of ${MESSAGE_KINDS.join(', ')}, not '${kind}'`);
    if (body.length === 0) throw new InvalidArgumentError('the message is empty');
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new InvalidArgumentError(`the message is longer than ${MAX_BODY_BYTES} bytes`);
    const runner = this.accounts.runner(ch.accountId);
    const row = this.store.messages.enqueue(ch.accountId, { channelId, senderId: '', senderName: '', body, kind: kind as MessageKind });
    this.accounts.changed(ch.accountId); // OutboxSize
    this.conversations.changed(ch.id); // LastActivity
    this.outbox.kick(runner);
    return row;
  }

  acknowledge(ids: readonly number[]): void {
    for (const id of this.store.messages.acknowledge(ids)) this.conversations.changed(id); // UnreadCount
  }

  /** Every channel of every account, most recently active first, with its unread count (the pending queue). */
  inbox(limit: number): Array<{ channel: ChannelRow; unread: number }> {
    const unread = this.store.messages.unread();
    const rows = this.conversations.all().sort((a, b) => b.lastActivity - a.lastActivity || b.id - a.id);
    return (limit > 0 ? rows.slice(0, limit) : rows).map((channel) => ({ channel, unread: unread.get(channel.id) ?? 0 }));
  }

  search(query: string, beforeId: number, limit: number): MessageRow[] {
    try {
      return this.store.messages.search(query, beforeId, limit);
    } catch (err) {
      throw new InvalidArgumentError(`bad search query: ${(err as Error).message}`);
    }
  }

  // ---- AccountRouter: what an account's connection and lifecycle mean to the features --------

  statusChanged(runner: AccountRunner): void {
    if (runner.status !== 'connected') {
      this.rooms.left(runner.account.id);
      const accountId = runner.account.id;
      const known = [...(this.presences.get(accountId)?.keys() ?? [])];
      const hadState = this.presences.delete(accountId);
      this.probe.reset(accountId);
      this.people.presenceChanged(known.map((contactId) => ({ accountId, contactId })));
      if (this.requests.delete(accountId) || hadState) this.contactsChanged.fire(accountId); // presence unknown now
    }
  }

  removed(accountId: string, channels: readonly number[]): void {
    this.probe.reset(accountId);
    this.people.sync(); // people left without contacts go
    this.rooms.forget(channels);
    this.conversations.removed(channels);
  }

  messagesReceived(runner: AccountRunner, messages: readonly IncomingMessage[]): void {
    const accountId = runner.account.id;
    const batch = messages.map((m) => {
      const row = this.conversations.ensure(runner, m.channel.kind, m.channel.target);
      return {
        channelId: row.id,
        accountId,
        senderId: m.sender.id,
        senderName: m.sender.name ?? m.sender.id,
        serverTime: (m.serverTime ?? new Date()).getTime(),
        body: m.body,
        kind: m.kind,
        outgoing: m.outgoing ?? false,
        protocolId: m.protocolId ?? null,
        markup: m.markup ?? null,
      };
    });
    const rows = this.store.messages.storeReceived(batch); // committed before it is announced
    if (rows.length > 0) this.received.fire(rows);
  }

  /** The server's roster: mirrored into the stored contacts (full: exactly; push: changes). */
  roster(runner: AccountRunner, update: RosterUpdate): void {
    const accountId = runner.account.id;
    const items = new Map(update.items.map((i) => [normalizeId(runner.protocol, i.id), i]));
    const removed = update.removed.map((id) => normalizeId(runner.protocol, id));
    this.store.db.transaction(() => { // a roster of thousands at every login: one commit, not thousands
      if (update.full) {
        for (const c of this.store.contacts.forAccount(accountId)) if (!items.has(c.id)) this.store.contacts.remove(accountId, c.id);
      }
      for (const [id, item] of items) this.store.contacts.add(accountId, id, item.alias);
      for (const id of removed) this.store.contacts.remove(accountId, id);
    })();
    this.people.sync();
    for (const id of removed) this.presences.get(accountId)?.delete(id);
    this.contactsChanged.fire(accountId);
  }

  subscriptionRequest(runner: AccountRunner, request: SubscriptionRequest): void {
    const accountId = runner.account.id;
    let map = this.requests.get(accountId);
    if (!map) this.requests.set(accountId, (map = new Map()));
    const id = normalizeId(runner.protocol, request.id);
    if (map.size >= MAX_REQUESTS && !map.has(id)) return this.log.warn('account %s: too many subscription requests waiting; dropped one from %s', accountId, id);
    const message = request.message.slice(0, 1000);
    map.set(id, { id, message });
    this.subscriptionRequested.fire({ accountId, id, message });
    this.contactsChanged.fire(accountId);
  }

  contactPresence(runner: AccountRunner, changes: readonly ContactPresence[]): void {
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
    this.probe.online(accountId, online.filter((id) => this.store.contacts.has(accountId, id)));
    this.contactsChanged.fire(accountId);
  }

  /** Not stored: typing is news, not history. Only for conversations that exist. */
  chatState(runner: AccountRunner, change: ChatStateChange): void {
    const target = channelTarget(runner, change.channel.kind, change.channel.target, false);
    const ch = this.conversations.find(runner.account.id, change.channel.kind, target);
    if (ch) this.chatStateEmitter.fire({ channelId: ch.id, contact: change.contact, state: change.state });
  }

  async setChatState(channelId: number, state: string): Promise<void> {
    if (!CHAT_STATES.includes(state as ChatState)) throw new InvalidArgumentError(`state must be one of ${CHAT_STATES.join(', ')}, not '${state}'`);
    const ch = this.conversations.get(channelId);
    const runner = this.accounts.runner(ch.accountId);
    const conn = this.online(runner);
    if (!conn.setChatState) throw new NotImplementedError(`protocol '${runner.protocol.id}' has no chat states`);
    await conn.setChatState({ kind: ch.kind, target: ch.target }, state as ChatState);
  }

  delivery(runner: AccountRunner, reports: readonly DeliveryReport[]): void {
    const changed: MessageRow[] = [];
    for (const r of reports) {
      const id = Number(r.token);
      if (!Number.isSafeInteger(id)) continue;
      changed.push(...this.store.messages.advance(runner.account.id, id, r.state));
    }
    if (changed.length > 0) this.messagesChanged.fire(changed);
  }

  attach(runner: AccountRunner, conn: Connection, on: Subscribe): void {
    on(conn.onMessages, (m) => this.messagesReceived(runner, m));
    if (conn.rooms) on(conn.rooms.onRoomChanged, (c) => this.rooms.changed(runner, c));
    if (conn.rooms?.onInvited) on(conn.rooms.onInvited, (i) => this.rooms.invited(runner, i));
    if (conn.contacts) on(conn.contacts.onPresence, (c) => this.contactPresence(runner, c));
    if (conn.contacts?.onRoster) on(conn.contacts.onRoster, (u) => this.roster(runner, u));
    if (conn.contacts?.onSubscriptionRequest) on(conn.contacts.onSubscriptionRequest, (r) => this.subscriptionRequest(runner, r));
    if (conn.onChatState) on(conn.onChatState, (c) => this.chatState(runner, c));
    if (conn.onDelivery) on(conn.onDelivery, (r) => this.delivery(runner, r));
    if (conn.onReachable) on(conn.onReachable, () => this.outbox.kick(runner));
  }

  ready(runner: AccountRunner): void {
    this.rooms.rejoin(runner);
    const conn = runner.connection;
    if (!conn) return;
    conn.contacts?.watch(this.store.contacts.forAccount(runner.account.id).map((c) => c.id), true);
    this.outbox.kick(runner);
  }
}
