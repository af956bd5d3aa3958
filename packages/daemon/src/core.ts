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
import { Contacts } from './contacts/contacts';
import { Accounts, type AccountRouter, type AccountRunner } from './accounts/accounts';
import type { Subscribe } from './supervisor/account-runner';

/** The longest message body accepted over D-Bus (plugins split long ones for their protocol). */
const MAX_BODY_BYTES = 64 * 1024;

export class Core implements AccountRouter {
  readonly accounts: Accounts;
  readonly conversations: Conversations;
  readonly rooms: Rooms;
  readonly contacts: Contacts;

  private readonly received = new Emitter<readonly MessageRow[]>();
  readonly onMessagesReceived = this.received.event;
  private readonly messagesChanged = new Emitter<readonly MessageRow[]>();
  readonly onMessagesChanged = this.messagesChanged.event;
  private readonly chatStateEmitter = new Emitter<{ channelId: number; contact: string; state: ChatState }>();
  readonly onChatState = this.chatStateEmitter.event;
  /** Every stored contact's person (issue 7). */
  readonly people: People;
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
      presenceOf: (accountId, id) => this.contacts.presenceOf(accountId, id),
    }, log.child('people'));
    this.contacts = new Contacts(store.contacts, this.accounts, this.people, log.child('contacts'));
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
      this.contacts.offline(runner.account.id);
    }
  }

  removed(accountId: string, channels: readonly number[]): void {
    this.contacts.forget(accountId);
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
    const conn = runner.online();
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
    if (conn.contacts) on(conn.contacts.onPresence, (c) => this.contacts.presence(runner, c));
    if (conn.contacts?.onRoster) on(conn.contacts.onRoster, (u) => this.contacts.roster(runner, u));
    if (conn.contacts?.onSubscriptionRequest) on(conn.contacts.onSubscriptionRequest, (r) => this.contacts.subscriptionRequest(runner, r));
    if (conn.onChatState) on(conn.onChatState, (c) => this.chatState(runner, c));
    if (conn.onDelivery) on(conn.onDelivery, (r) => this.delivery(runner, r));
    if (conn.onReachable) on(conn.onReachable, () => this.outbox.kick(runner));
  }

  ready(runner: AccountRunner): void {
    this.rooms.rejoin(runner);
    this.contacts.watch(runner);
    this.outbox.kick(runner);
  }
}
