/**
 * The daemon's core: it makes the features (one manager per kind of thing, each in its folder) and
 * routes to them what an account's connection says and what happens to the account. It keeps no
 * state and decides nothing itself; the D-Bus layer talks to the features, never to Core's
 * internals or to storage.
 *
 * Adding a feature (calls/ was the first after the split): a folder with its manager, made here in dependency order and
 * listed in `Features`; its connection events routed in `attach`; what it keeps per session dropped in
 * `statusChanged`, per account in `removed`; its D-Bus handlers in dbus/ (README: "Adding a feature").
 */
import type { Connection, Event, Logger, MediaService, Protocol } from '@confab/sdk';
import { Accounts, type AccountRouter, type AccountRunner } from './accounts/accounts';
import { Calls } from './calls/calls';
import type { Config } from './config';
import { Contacts } from './contacts/contacts';
import { Conversations } from './conversations/conversations';
import type { Redactor } from './log';
import { Messages } from './messages/messages';
import { People } from './people/people';
import { RoomListings } from './rooms/room-listings';
import { Rooms } from './rooms/rooms';
import type { SecretStore } from './secrets';
import type { Store } from './storage/store';
import type { Subscribe } from './supervisor/account-runner';

/** The daemon's features: what the D-Bus layer (and any other frontend adapter) is given. */
export interface Features {
  readonly accounts: Accounts;
  /** Every stored contact's person (issue 7). */
  readonly people: People;
  readonly contacts: Contacts;
  readonly conversations: Conversations;
  readonly rooms: Rooms;
  /** The public rooms servers offer, listed on demand (RoomsFacet.list). */
  readonly roomListings: RoomListings;
  readonly messages: Messages;
  /** Calls of every protocol (docs/calls.md). */
  readonly calls: Calls;
  /** confab-media, when the daemon runs one (absent in unit tests). */
  readonly media?: MediaHost;
}

/** confab-media as the composition root keeps it (calls/media-supervisor.ts). */
export interface MediaHost extends MediaService {
  /** It went away; the text says how. */
  readonly onLost: Event<string>;
  /** Its devices: id, device class, name, kind. */
  devices(): Promise<Array<[string, string, string, string]>>;
}

export class Core implements Features, AccountRouter {
  readonly accounts: Accounts;
  readonly people: People;
  readonly contacts: Contacts;
  readonly conversations: Conversations;
  readonly rooms: Rooms;
  readonly roomListings: RoomListings;
  readonly messages: Messages;
  readonly calls: Calls;
  readonly media?: MediaHost;

  constructor(
    store: Store,
    protocols: ReadonlyMap<string, Protocol>,
    secrets: SecretStore,
    redactor: Redactor,
    config: Config,
    log: Logger,
    media?: MediaHost,
  ) {
    this.accounts = new Accounts(store, protocols, secrets, redactor, config, this, log.child('accounts'));
    this.people = new People(store.db, store.people, {
      addressOf: (accountId, id) => contactAddress(this.accounts.find(accountId)?.protocol, id),
      presenceOf: (accountId, id) => this.contacts.presenceOf(accountId, id),
    }, log.child('people'));
    this.contacts = new Contacts(store.contacts, this.accounts, this.people, log.child('contacts'));
    this.conversations = new Conversations(store.channels, this.accounts, this.people);
    this.rooms = new Rooms(store.channels, this.conversations, this.accounts, redactor, log.child('rooms'));
    this.roomListings = new RoomListings(this.accounts, log.child('room-listings'));
    this.messages = new Messages(store.messages, this.conversations, this.accounts);
    this.calls = new Calls(store.calls, this.conversations, this.accounts, log.child('calls'));
    this.calls.onChanged((c) => this.messages.callChanged(c.id, c.change)); // a call's entry in its conversation's history
    this.rooms.onJoined((runner) => this.messages.roomJoined(runner));
    if (media) {
      this.media = media;
      this.accounts.media = media;
      media.onLost((how) => this.calls.mediaLost(how));
    }
  }

  /** Creates runners for the stored accounts, without connecting them (before D-Bus export). */
  load(): void {
    this.accounts.load();
    this.people.sync(); // contacts stored before people existed, or while their plugin was missing
    this.calls.load();
  }

  /** Connects the enabled accounts (once the bus name is owned). */
  start(): void {
    this.accounts.start();
  }

  stop(): Promise<void> {
    this.calls.dispose();
    this.roomListings.dispose();
    return this.accounts.stop();
  }

  // ---- AccountRouter: what an account's connection and lifecycle mean to the features --------

  attach(runner: AccountRunner, conn: Connection, on: Subscribe): void {
    on(conn.onMessages, (m) => this.messages.received(runner, m));
    if (conn.receipts) on(conn.receipts.onDelivery, (r) => this.messages.delivery(runner, r));
    if (conn.chatStates) on(conn.chatStates.onChatState, (c) => this.messages.chatStates.changed(runner, c));
    if (conn.rooms) on(conn.rooms.onRoomChanged, (c) => this.rooms.changed(runner, c));
    if (conn.rooms?.onInvited) on(conn.rooms.onInvited, (i) => this.rooms.invited(runner, i));
    if (conn.contacts) on(conn.contacts.onPresence, (c) => this.contacts.presence(runner, c));
    if (conn.contacts?.onRoster) on(conn.contacts.onRoster, (u) => this.contacts.roster(runner, u));
    if (conn.contacts?.onSubscriptionRequest) on(conn.contacts.onSubscriptionRequest, (r) => this.contacts.subscriptionRequest(runner, r));
    if (conn.contacts?.onReachable) on(conn.contacts.onReachable, () => this.messages.drain(runner));
    if (conn.calls) on(conn.calls.onIncoming, (c) => this.calls.incoming(runner, c));
    if (conn.calls) on(conn.calls.onCallChanged, (c) => this.calls.changed(runner, c));
    if (conn.calls?.onDtmf) on(conn.calls.onDtmf, (e) => this.calls.dtmf(runner, e));
  }

  statusChanged(runner: AccountRunner): void {
    if (runner.status === 'connected') return;
    this.rooms.left(runner.account.id);
    this.contacts.offline(runner.account.id);
    this.calls.connectionLost(runner.account.id);
  }

  /** In this order: rooms rejoined, contacts watched, then the outbox drained (a room's messages wait for its join). */
  ready(runner: AccountRunner): void {
    this.rooms.rejoin(runner);
    this.contacts.watch(runner);
    this.messages.drain(runner);
  }

  removed(accountId: string, channels: readonly number[]): void {
    this.contacts.forget(accountId);
    this.calls.forget(accountId);
    this.rooms.forget(channels);
    this.conversations.removed(channels);
  }
}

/** The contact's address when its id is one (Protocol.contactAddress); a protocol that cannot tell says nothing. */
function contactAddress(protocol: Protocol | undefined, id: string): string | undefined {
  try {
    return protocol?.contactAddress?.(id);
  } catch {
    return undefined;
  }
}
