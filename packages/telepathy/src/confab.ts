/**
 * What the Telepathy adapter needs of confabd: a narrow view of the daemon's feature API (the
 * `Features` of packages/daemon/src/core.ts, which satisfies it as it is). Defined here, not imported,
 * so that the dependency points one way: the daemon (the composition root) knows this package, this
 * package knows only @confab/sdk (DESIGN.md § Packages: telepathy → the daemon's feature API, never
 * storage or plugins). It grows as the adapter does (conversations, rooms and messages for the
 * Text channels; ChannelDispatcher next).
 */
import type { ConfabRoomListings } from './channels/room-list-channel';
import type { Account, AccountState, ChannelKind, ConnectionStatus, ContactInfo, ContactPresence, Event, Member, Presence, Protocol, RosterItem, StatusReason, SubscriptionRequest } from '@confab/sdk';

/** One account as the daemon runs it (its runner). */
export interface ConfabAccountRun {
  readonly account: Account;
  readonly protocol: Protocol;
  readonly status: ConnectionStatus;
  readonly reason: StatusReason;
  readonly detail: string;
}

export interface ConfabAccountChange {
  readonly id: string;
  readonly change: 'added' | 'removed' | 'changed';
}

/** The daemon's accounts feature, as far as AccountManager and Account need it. */
export interface ConfabAccounts {
  readonly protocols: ReadonlyMap<string, Protocol>;
  /** The presence the user asks of every account (Confab's presence is global). */
  readonly presence: Presence;
  ids(): string[];
  find(accountId: string): ConfabAccountRun | undefined;
  /** Who the account is (what its connection said, else the protocol's name for it). */
  identity(accountId: string): string;
  create(protocol: string, displayName: string, params: Record<string, unknown>): Promise<Account>;
  update(accountId: string, set: Record<string, unknown>, unset: readonly string[]): Promise<void>;
  setDisplayName(accountId: string, displayName: string): void;
  setEnabled(accountId: string, enabled: boolean): void;
  reconnect(accountId: string): void;
  remove(accountId: string): Promise<void>;
  setPresence(status: string, message: string): void;
  /**
   * Strings kept with the account in the daemon's store and removed with it. The adapter keeps what
   * only Telepathy has (Icon, Service, its Enabled apart from its presence…) under `telepathy.` keys.
   */
  services(accountId: string): { readonly state: AccountState };
  /** Added, removed, or changed (its status too). */
  readonly onChanged: Event<ConfabAccountChange>;
  readonly onPresenceChanged: Event<Presence>;
}

/** One conversation of an account (a row of the daemon's channels; its id is its D-Bus path's). */
export interface ConfabChannel {
  readonly id: number;
  readonly accountId: string;
  readonly kind: ChannelKind;
  /** The target as stored: normalized by the protocol. */
  readonly target: string;
  readonly topic: string;
}

export interface ConfabChannelChange {
  readonly id: number;
  readonly change: 'added' | 'removed' | 'changed';
}

/** The daemon's conversations, as the Text channels need them. */
export interface ConfabConversations {
  byId(id: number): ConfabChannel | undefined;
  find(accountId: string, kind: ChannelKind, target: string): ConfabChannel | undefined;
  /** The direct conversation with a contact (as typed), made if new; InvalidArgument for one the protocol cannot read. */
  openDirect(accountId: string, contact: string): ConfabChannel;
  /** Made, removed, or something shown of it changed (members, topic, unread count). */
  readonly onChanged: Event<ConfabChannelChange>;
}

/** The daemon's rooms: joining through the account's connection, and what is known of a joined room. */
export interface ConfabRooms {
  join(accountId: string, room: string, key: string): ConfabChannel;
  leave(channelId: number, message: string): Promise<void>;
  state(channelId: number): { readonly joined: boolean } | undefined;
  members(channelId: number): readonly Member[];
  setTopic(channelId: number, topic: string): Promise<void>;
}

/** A stored message (received, or sent; `call` entries too, which Text channels skip). */
export interface ConfabMessage {
  readonly id: number;
  readonly channelId: number;
  readonly accountId: string;
  readonly senderId: string;
  readonly senderName: string;
  readonly serverTime: number;
  readonly body: string;
  readonly kind: string;
  readonly outgoing: boolean;
}

/** The daemon's messages: its outbox and its pending queue (the only one: Telepathy's pending messages are these). */
export interface ConfabMessages {
  send(channelId: number, body: string, kind: string): { readonly id: number };
  /** Received messages no client acknowledged yet, oldest first (0: all). */
  pending(limit: number): readonly ConfabMessage[];
  /** One conversation's pending messages, oldest first. */
  pendingIn(channelId: number): readonly ConfabMessage[];
  /** Messages taken out of the pending queue, by any client (this adapter, Confab's API). */
  readonly onAcknowledged: Event<readonly number[]>;
  unreadIn(channelId: number): number;
  acknowledge(ids: readonly number[]): void;
  /** New messages, committed before they are announced. */
  readonly onReceived: Event<readonly ConfabMessage[]>;
}

/** One stored contact of an account, with what its connection says of its presence. */
export interface ConfabContact {
  readonly id: string;
  readonly alias: string;
  readonly status: ContactPresence['status'];
  readonly message: string;
}

/** The daemon's contacts (the account's list, the server's roster where it keeps one), as ContactList/ContactGroups/SimplePresence need them. */
export interface ConfabContacts {
  list(accountId: string): ConfabContact[];
  /** Subscription and groups of each roster item; undefined until the server sent its roster this session (or when it keeps none). */
  rosterItems(accountId: string): RosterItem[] | undefined;
  subscriptionRequests(accountId: string): SubscriptionRequest[];
  /** What the network tells about a contact now (IRC WHOIS, the XMPP roster item and what the contact publishes). */
  info(accountId: string, contact: string): Promise<ContactInfo>;
  add(accountId: string, contact: string, alias: string): Promise<void>;
  remove(accountId: string, contact: string): Promise<void>;
  answerSubscription(accountId: string, contact: string, allow: boolean): Promise<void>;
  setGroups(accountId: string, contact: string, groups: readonly string[]): Promise<void>;
  unsubscribe(accountId: string, contact: string): Promise<void>;
  /** An account's list, a contact's presence or the requests waiting changed. */
  readonly onChanged: Event<string>;
}

export interface ConfabFeatures {
  readonly accounts: ConfabAccounts;
  /** Public rooms of a server, listed on demand (Channel.Type.RoomList). */
  readonly roomListings: ConfabRoomListings;
  readonly contacts: ConfabContacts;
  readonly conversations: ConfabConversations;
  readonly rooms: ConfabRooms;
  readonly messages: ConfabMessages;
}
