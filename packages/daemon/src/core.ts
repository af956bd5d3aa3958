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
import { channelTarget, existingConversation, hasRooms, kindOfTarget, normalizeId } from './conversations/targets';
import { AddressProbe } from './people/address-probe';
import { People } from './people/people';
import { availability } from './people/presence';
import type { ChannelRow, ContactKey, MessageRow, Store } from './storage/store';
import { Outbox } from './messages/outbox';
import { Accounts, type AccountRouter, type AccountRunner } from './accounts/accounts';
import type { Subscribe } from './supervisor/account-runner';

export interface RoomState {
  joined: boolean;
  members: Map<string, Member>;
  modes: string;
}

/** A contact of an account as the D-Bus API shows it. */
export interface ContactView {
  readonly id: string;
  readonly alias: string;
  readonly status: ContactPresence['status'];
  readonly message: string;
}

const MEMBER_ROLES: readonly MemberRole[] = ['owner', 'admin', 'op', 'halfop', 'voice', 'member'];

/** The longest message body accepted over D-Bus (plugins split long ones for their protocol). */
const MAX_BODY_BYTES = 64 * 1024;
const MAX_ALIAS_CHARS = 256;
/** Subscription requests kept waiting per account: more is a flood, not friends. */
const MAX_REQUESTS = 1000;

export class Core implements AccountRouter {
  readonly accounts: Accounts;
  private readonly rooms = new Map<number, RoomState>();
  private readonly presences = new Map<string, Map<string, ContactPresence>>(); // account → contact → presence

  private readonly channelsChanged = new Emitter<{ id: number; change: 'added' | 'removed' | 'changed' }>();
  readonly onChannelsChanged = this.channelsChanged.event;
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
  private readonly invitedEmitter = new Emitter<{ accountId: string; room: string; by: string }>();
  readonly onInvited = this.invitedEmitter.event;
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
    this.outbox = new Outbox(store.messages, (id) => store.channels.get(id), (accountId, message) => {
      this.messagesChanged.fire([message]);
      this.accounts.changed(accountId);
    });
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

  // ---- channels -----------------------------------------------------------------------------

  channel(id: number): ChannelRow {
    const ch = this.store.channels.get(id);
    if (!ch) throw new NotFoundError(`no channel '${id}'`);
    return ch;
  }

  roomState(id: number): RoomState | undefined {
    return this.rooms.get(id);
  }

  /** A room's members: from the connection when it keeps them, else from the daemon's copy. */
  roomMembers(id: number): readonly Member[] {
    const state = this.rooms.get(id);
    if (!state?.joined) return [];
    const ch = this.channel(id);
    const rooms = this.accounts.find(ch.accountId)?.connection?.rooms;
    return rooms?.members ? rooms.members(ch.target) : [...state.members.values()];
  }

  joinRoom(accountId: string, room: string, key: string): ChannelRow {
    const runner = this.accounts.runner(accountId);
    if (!hasRooms(runner.protocol)) throw new NotImplementedError(`protocol '${runner.protocol.id}' has no rooms`);
    if (room.trim() === '') throw new InvalidArgumentError('the room name is empty');
    const target = channelTarget(runner, 'room', room, true);
    const { row, created } = this.store.channels.ensure(accountId, 'room', target);
    this.store.channels.setAutojoin(row.id, true, key || null);
    if (key) this.redactor.add(key);
    if (created) this.channelsChanged.fire({ id: row.id, change: 'added' });
    const conn = runner.connection;
    conn?.rooms?.join(target, key || undefined).catch((err: unknown) => {
      this.log.warn('joining %s failed: %s', target, (err as Error).message);
    });
    return this.store.channels.get(row.id)!;
  }

  openDirect(accountId: string, contact: string): ChannelRow {
    const runner = this.accounts.runner(accountId);
    if (contact.trim() === '') throw new InvalidArgumentError('the contact is empty');
    const target = channelTarget(runner, 'direct', contact, true);
    const { row, created } = this.store.channels.ensure(accountId, 'direct', target);
    if (created) this.channelsChanged.fire({ id: row.id, change: 'added' });
    return row;
  }

  /**
   * The conversation with a target as the user typed it (`confab send ACCOUNT TARGET`): the
   * account's existing channel with that target wins, a room before a direct one (a room left
   * earlier is joined again: a room must be joined to talk in it). Otherwise the protocol says what
   * the target is (conversations/targets.ts): a room is joined as JoinRoom does, anything else is a
   * direct channel.
   */
  async openConversation(accountId: string, raw: string): Promise<ChannelRow> {
    const runner = this.accounts.runner(accountId);
    if (raw.trim() === '') throw new InvalidArgumentError('the target is empty');
    const known = existingConversation(this.store, runner, raw);
    if (known) {
      const left = known.kind === 'room' && !known.autojoin && !this.rooms.get(known.id)?.joined;
      return left ? this.joinRoom(accountId, known.target, '') : known;
    }
    return (await kindOfTarget(runner, raw, this.log)) === 'room' ? this.joinRoom(accountId, raw, '') : this.openDirect(accountId, raw);
  }

  /** The account's existing conversation with a target as the user typed it, a room before a direct one; NotFound if there is none. */
  findConversation(accountId: string, raw: string): ChannelRow {
    const known = existingConversation(this.store, this.accounts.runner(accountId), raw);
    if (!known) throw new NotFoundError(`no conversation with '${raw}' on account '${accountId}'`);
    return known;
  }

  async leave(channelId: number, message: string): Promise<void> {
    const ch = this.channel(channelId);
    if (ch.kind !== 'room') return;
    this.store.channels.setAutojoin(ch.id, false, null);
    const conn = this.accounts.find(ch.accountId)?.connection;
    if (conn?.rooms) await conn.rooms.leave(ch.target, message || undefined);
  }

  // ---- room moderation ----------------------------------------------------------------------

  setTopic(channelId: number, topic: string): Promise<void> {
    return this.moderate(channelId, 'setTopic', (r, room) => r.setTopic!(room, topic));
  }

  kick(channelId: number, member: string, reason: string): Promise<void> {
    if (member.trim() === '') throw new InvalidArgumentError('the member is empty');
    return this.moderate(channelId, 'kick', (r, room) => r.kick!(room, member.trim(), reason || undefined));
  }

  invite(channelId: number, contact: string): Promise<void> {
    if (contact.trim() === '') throw new InvalidArgumentError('the contact is empty');
    return this.moderate(channelId, 'invite', (r, room) => r.invite!(room, contact.trim()));
  }

  setRole(channelId: number, member: string, role: string): Promise<void> {
    if (!MEMBER_ROLES.includes(role as MemberRole)) throw new InvalidArgumentError(`role must be one of ${MEMBER_ROLES.join(', ')}, not '${role}'`);
    if (member.trim() === '') throw new InvalidArgumentError('the member is empty');
    return this.moderate(channelId, 'setRole', (r, room) => r.setRole!(room, member.trim(), role as MemberRole));
  }

  setModes(channelId: number, modes: string): Promise<void> {
    return this.moderate(channelId, 'setModes', (r, room) => r.setModes!(room, modes));
  }

  private moderate(channelId: number, what: keyof RoomsFacet, op: (rooms: RoomsFacet, room: string) => Promise<void>): Promise<void> {
    const ch = this.channel(channelId);
    if (ch.kind !== 'room') throw new NotImplementedError('a direct channel has no moderation');
    const runner = this.accounts.runner(ch.accountId);
    const rooms = runner.connection?.rooms;
    if (!rooms && !hasRooms(runner.protocol)) {
      throw new NotImplementedError(`protocol '${runner.protocol.id}' has no rooms`);
    }
    if (!rooms || runner.status !== 'connected') throw new OfflineError(`account '${ch.accountId}' is not connected`);
    if (typeof rooms[what] !== 'function') throw new NotImplementedError(`protocol '${runner.protocol.id}' cannot ${what} in a room`);
    return op(rooms, ch.target);
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

  // ---- people -------------------------------------------------------------------------------

  /**
   * A conversation with a person: the direct channel of their best contact for the medium — one
   * whose protocol can do it, online before offline (most available first), then the one last used,
   * then the first linked.
   */
  openWithPerson(personId: number, media: string): ChannelRow {
    if (media !== 'text' && media !== 'call') throw new InvalidArgumentError(`media must be text or call, not '${media}'`);
    this.people.get(personId);
    const candidates = this.people.contacts(personId).flatMap((c, order) => {
      const runner = this.accounts.find(c.accountId);
      if (!runner?.protocol.capabilities.channelClasses.some((k) => k.kind === 'direct' && k.media === media)) return [];
      const online = runner.status === 'connected' ? availability(c.status) : -1;
      const used = this.store.channels.find(c.accountId, 'direct', c.contactId)?.lastActivity ?? 0;
      return [{ c, online, used, order }];
    });
    candidates.sort((a, b) => b.online - a.online || b.used - a.used || a.order - b.order);
    const best = candidates[0];
    if (!best) throw new ConfabError('NotCapable', `none of person ${personId}'s accounts can start a ${media} conversation`);
    return this.openDirect(best.c.accountId, best.c.contactId);
  }

  // ---- messages -----------------------------------------------------------------------------

  sendMessage(channelId: number, body: string, kind: string): MessageRow {
    const ch = this.channel(channelId);
    if (!MESSAGE_KINDS.includes(kind as MessageKind)) throw new InvalidArgumentError(`kind must be one of ${MESSAGE_KINDS.join(', ')}, not '${kind}'`);
    if (body.length === 0) throw new InvalidArgumentError('the message is empty');
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new InvalidArgumentError(`the message is longer than ${MAX_BODY_BYTES} bytes`);
    const runner = this.accounts.runner(ch.accountId);
    const row = this.store.messages.enqueue(ch.accountId, { channelId, senderId: '', senderName: '', body, kind: kind as MessageKind });
    this.accounts.changed(ch.accountId); // OutboxSize
    this.channelsChanged.fire({ id: ch.id, change: 'changed' }); // LastActivity
    this.outbox.kick(runner);
    return row;
  }

  acknowledge(ids: readonly number[]): void {
    for (const id of this.store.messages.acknowledge(ids)) this.channelsChanged.fire({ id, change: 'changed' }); // UnreadCount
  }

  /** Every channel of every account, most recently active first, with its unread count (the pending queue). */
  inbox(limit: number): Array<{ channel: ChannelRow; unread: number }> {
    const unread = this.store.messages.unread();
    const rows = this.store.channels.all().sort((a, b) => b.lastActivity - a.lastActivity || b.id - a.id);
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
      this.markRoomsLeft(runner.account.id);
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
    for (const id of channels) {
      this.rooms.delete(id);
      this.channelsChanged.fire({ id, change: 'removed' });
    }
  }

  messagesReceived(runner: AccountRunner, messages: readonly IncomingMessage[]): void {
    const accountId = runner.account.id;
    const batch = messages.map((m) => {
      const { row, created } = this.store.channels.ensure(accountId, m.channel.kind, channelTarget(runner, m.channel.kind, m.channel.target, false));
      if (created) this.channelsChanged.fire({ id: row.id, change: 'added' });
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

  roomChanged(runner: AccountRunner, change: RoomChange): void {
    const target = channelTarget(runner, 'room', change.room.target, false);
    const { row, created } = this.store.channels.ensure(runner.account.id, 'room', target);
    if (created) this.channelsChanged.fire({ id: row.id, change: 'added' });
    let state = this.rooms.get(row.id);
    if (!state) this.rooms.set(row.id, (state = { joined: false, members: new Map(), modes: '' }));
    if (change.joined !== undefined) {
      state.joined = change.joined;
      if (!change.joined) {
        state.members.clear();
        state.modes = '';
      } else {
        this.outbox.kickIfQueued(runner); // messages queued for the room while it was being joined may go now
      }
    }
    if (change.modes !== undefined) state.modes = change.modes;
    if (change.topic !== undefined) this.store.channels.setTopic(row.id, change.topic);
    if (!runner.connection?.rooms?.members) {
      // only where the connection keeps no member list itself (RoomsFacet.members)
      for (const m of change.membersAdded ?? []) state.members.set(m.id, m);
      for (const id of change.membersRemoved ?? []) state.members.delete(id);
    }
    this.channelsChanged.fire({ id: row.id, change: 'changed' });
  }

  invited(runner: AccountRunner, invitation: RoomInvitation): void {
    this.log.info('account %s: invited to %s by %s', runner.account.id, invitation.room, invitation.by);
    this.invitedEmitter.fire({ accountId: runner.account.id, room: invitation.room, by: invitation.by });
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
    const ch = this.store.channels.find(runner.account.id, change.channel.kind, target);
    if (ch) this.chatStateEmitter.fire({ channelId: ch.id, contact: change.contact, state: change.state });
  }

  async setChatState(channelId: number, state: string): Promise<void> {
    if (!CHAT_STATES.includes(state as ChatState)) throw new InvalidArgumentError(`state must be one of ${CHAT_STATES.join(', ')}, not '${state}'`);
    const ch = this.channel(channelId);
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
    if (conn.rooms) on(conn.rooms.onRoomChanged, (c) => this.roomChanged(runner, c));
    if (conn.rooms?.onInvited) on(conn.rooms.onInvited, (i) => this.invited(runner, i));
    if (conn.contacts) on(conn.contacts.onPresence, (c) => this.contactPresence(runner, c));
    if (conn.contacts?.onRoster) on(conn.contacts.onRoster, (u) => this.roster(runner, u));
    if (conn.contacts?.onSubscriptionRequest) on(conn.contacts.onSubscriptionRequest, (r) => this.subscriptionRequest(runner, r));
    if (conn.onChatState) on(conn.onChatState, (c) => this.chatState(runner, c));
    if (conn.onDelivery) on(conn.onDelivery, (r) => this.delivery(runner, r));
    if (conn.onReachable) on(conn.onReachable, () => this.outbox.kick(runner));
  }

  ready(runner: AccountRunner): void {
    const conn = runner.connection;
    if (!conn) return;
    if (conn.rooms) {
      for (const ch of this.store.channels.forAccount(runner.account.id)) {
        if (ch.kind !== 'room' || !ch.autojoin) continue;
        conn.rooms.join(ch.target, ch.roomKey ?? undefined).catch((err: unknown) => {
          runner.log.warn('rejoining %s failed: %s', ch.target, (err as Error).message);
        });
      }
    }
    conn.contacts?.watch(this.store.contacts.forAccount(runner.account.id).map((c) => c.id), true);
    this.outbox.kick(runner);
  }

  // ---- internals ----------------------------------------------------------------------------

  private markRoomsLeft(accountId: string): void {
    for (const ch of this.store.channels.forAccount(accountId)) {
      const state = this.rooms.get(ch.id);
      if (state?.joined) {
        state.joined = false;
        state.members.clear();
        state.modes = '';
        this.channelsChanged.fire({ id: ch.id, change: 'changed' });
      }
    }
  }

}

