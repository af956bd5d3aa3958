/* eslint-disable max-lines -- 400 before ToxAV's 4 lines; split with the conference/relay work in flight here (issue 20) */
/**
 * A Tox account's live session for the daemon: the profile (profile-store.ts) brought to life as a
 * ToxNode, in the common model.
 *
 * - `connect()` opens the profile, starts the node, bootstraps (the parameter's nodes and the
 *   profile's saved ones) and resolves when the DHT has a good node (c-toxcore's self connection);
 *   no answer in 30 s is a network error, and the daemon tries again with backoff.
 * - The friend list is the profile's, like a server roster: `onRoster` tells it whole at connect and
 *   each change after; `add` with a Tox ID sends a friend request (Tox spec § "Friend requests"),
 *   with a bare public key adds without one; a request that reaches us is a subscription request,
 *   answered by `answerSubscription` (allow: the friend is added and a connection follows).
 * - `sendMessage` refuses a message to a friend that is offline with Offline (it stays queued);
 *   `contacts.onReachable` names the friend when it comes online, and the daemon sends again.
 *   Otherwise the text goes in parts of at most 1,372 bytes (MAX_CRYPTO_DATA_SIZE − 1, split between
 *   characters) and resolves when every part was acknowledged: that acknowledgement is what
 *   c-toxcore reports as a read receipt, so the message is also reported `delivered` (`receipts`).
 * - Received messages are emitted synchronously from the packet's handler, so the daemon stores them
 *   before the turn ends — and before our acknowledgement can leave with the next packet.
 * - Conferences are rooms (`rooms`, conference/conference-rooms.ts): a room channel's messages go
 *   there; they are restored from the profile's CONFERENCES section at connect and saved with it.
 * - Every change worth keeping (friends, names, status, nospam, nodes, conferences) is saved to the
 *   profile, batched: at most one write a second, and one at disconnect.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  ConfabError, DisposableStore, Emitter, StatusHolder, InvalidArgumentError, NetworkError, OfflineError,
  type AccountConfig, type AccountParams, type ChatStateChange, type ChatStatesFacet, type Connection, type ConnectionServices, type ConnectionStatus,
  type ContactInfo, type ContactPresence, type ContactsFacet, type DeliveryReport, type Disposable, type IncomingMessage, type Logger,
  type OutgoingMessage, type Presence, type ReceiptsFacet, type RosterItem, type RosterUpdate, type SendReceipt, type StatusChange, type SubscriptionRequest,
} from '@confab/sdk';
import { keyPairFromSecret, keysEqual } from '../crypto/keys';
import { connectionCalls, routeAvPackets, type ToxCalls } from '../av/connection-calls';
import type { MessengerEvent, MessengerFriend } from '../messenger/messenger';
import { MAX_CRYPTO_DATA_SIZE } from '../net-crypto/constants';
import type { SavedFriend, ToxProfile, UserStatus } from '../savedata';
import { ConferenceRooms } from '../conference/conference-rooms';
import { conferencesOf, withConferences } from '../conference/profile-conferences';
import { ToxNode } from '../tox-node';
import { ProfileStore } from './profile-store';
import { hex, parseContact, publicKeyOf } from './tox-contacts';
import { accountSettings, parseNospam, type ToxSettings } from './tox-settings';
import { resolveRelays } from './relay-nodes';
import { splitUtf8 } from '../wire/text';

export { splitUtf8 };

const CONNECT_TIMEOUT_MS = 30_000;
const SAVE_DELAY_MS = 1_000;
/** A message part: MAX_CRYPTO_DATA_SIZE less the packet id (Messenger.h MAX_CRYPTO_DATA_SIZE − 1). */
const MAX_PART_BYTES = MAX_CRYPTO_DATA_SIZE - 1;
/** A full send buffer is tried again this often, this many times, before the send counts as failed for now. */
const BUSY_RETRY_MS = 100;
const BUSY_RETRIES = 100;

interface Awaiting {
  readonly parts: Set<number>;
  readonly token: string;
  resolve(): void;
  reject(e: Error): void;
}

interface FriendRecord {
  /** What the profile keeps of the friend. */
  saved: SavedFriend;
  friend: MessengerFriend;
}

export class ToxConnection implements Connection {
  private readonly bag = new DisposableStore();
  private readonly state = this.bag.add(new StatusHolder());
  private readonly log: Logger;
  private readonly settings: ToxSettings;
  private readonly store?: ProfileStore;
  private profile?: ToxProfile;
  private node?: ToxNode;
  private readonly friends = new Map<string, FriendRecord>();
  private readonly awaiting = new Map<string, Map<number, Awaiting>>(); // friend → packet number → message
  private readonly requests = new Map<string, string>(); // friend requests not answered: key → message
  /** This session's subscriptions to the node: released on teardown. */
  private readonly subs = new DisposableStore();
  private saveTimer?: NodeJS.Timeout;
  private closing = false;

  readonly onStatusChanged = this.state.onChanged;
  private readonly messagesE = this.bag.add(new Emitter<readonly IncomingMessage[]>());
  readonly onMessages = this.messagesE.event;
  private readonly chatStateE = this.bag.add(new Emitter<ChatStateChange>());
  private readonly deliveryE = this.bag.add(new Emitter<readonly DeliveryReport[]>());
  private readonly reachableE = this.bag.add(new Emitter<string>());
  private readonly presenceE = this.bag.add(new Emitter<readonly ContactPresence[]>());
  private readonly rosterE = this.bag.add(new Emitter<RosterUpdate>());
  private readonly subscriptionE = this.bag.add(new Emitter<SubscriptionRequest>());
  readonly contacts: ContactsFacet;
  /** Conferences as rooms (conference/conference-rooms.ts), kept in the profile's CONFERENCES section. */
  readonly rooms: ConferenceRooms;
  /** The profile's CONFERENCES section when it could not be read: kept as it was until we have conferences of our own. */
  private unreadConferences?: Uint8Array;
  /** ToxAV calls (av/), when the daemon gives us confab-media (ConnectionServices.media). */
  readonly calls?: ToxCalls;
  /** Typing (Messenger packet 51): `composing` or not; the other states are not said. */
  readonly chatStates: ChatStatesFacet = {
    onChatState: this.chatStateE.event,
    set: async (channel, state) => void this.friends.get(channel.target)?.friend.setTyping(state === 'composing'),
  };
  /** A message's parts all acknowledged (c-toxcore's read receipt): `delivered`. */
  readonly receipts: ReceiptsFacet = { onDelivery: this.deliveryE.event };

  get status(): ConnectionStatus {
    return this.state.status;
  }

  constructor(account: AccountConfig, services: ConnectionServices) {
    this.log = services.log.child('tox');
    this.settings = accountSettings(account.params);
    this.store = services.cacheDir ? new ProfileStore(services.cacheDir, this.settings.password) : undefined;
    this.contacts = {
      onPresence: this.presenceE.event,
      watch: () => undefined, // every friend is watched: friend connections are the presence
      info: (id) => this.info(id),
      onRoster: this.rosterE.event,
      add: (id, alias, given) => this.addContact(id, alias, given),
      remove: (id) => this.removeContact(id),
      onSubscriptionRequest: this.subscriptionE.event,
      answerSubscription: (id, allow) => this.answer(id, allow),
      onReachable: this.reachableE.event,
    };
    this.calls = connectionCalls(services, (id) => this.friends.get(id)?.friend, this.log);
    this.rooms = this.bag.add(new ConferenceRooms({
      log: this.log,
      messages: (batch) => this.messagesE.fire(batch),
      reachable: (room) => this.reachableE.fire(room),
      changed: () => this.scheduleSave(),
    }));
  }

  /** The Tox ID, once the profile is open. */
  get identity(): string | undefined {
    return this.node?.toxId.toString();
  }

  async connect(): Promise<void> {
    this.state.set('connecting', 'requested');
    try {
      if (!this.store) throw new ConfabError('InvalidConfig', 'the daemon gave this account no folder for its profile');
      const profile = await this.store.load(this.settings.importPath);
      this.profile = profile;
      const node = await ToxNode.start({
        keyPair: keyPairFromSecret(profile.secretKey), nospam: this.settings.nospam ?? profile.nospam,
        bind: { host: this.settings.bindAddress, port: this.settings.udpPort }, lanDiscovery: this.settings.localDiscovery,
        tcpRelays: await resolveRelays(this.settings.tcpRelays, (h) => this.log.info('TCP relay %s does not resolve', h)),
      });
      this.node = node;
      const m = node.messenger;
      m.setName(this.settings.name ?? profile.name);
      m.setStatusMessage(this.settings.statusMessage ?? profile.statusMessage);
      m.setUserStatus(profile.userStatus);
      for (const f of profile.friends) this.track(f);
      const conferences = conferencesOf(profile);
      if (conferences.error) this.log.warn('the profile\'s conferences could not be read (%s): kept as they are, not joined', conferences.error);
      this.unreadConferences = conferences.error ? conferences.raw : undefined;
      this.rooms.start({ messenger: m, selfPk: node.publicKey, selfDhtPk: node.dht.publicKey }, conferences.saved); // after the friends: REJOIN goes to them
      this.subs.add(m.onEvent((e) => this.onEvent(e)));
      this.subs.add(node.onFriendRequest((r) => {
        const id = hex(r.publicKey);
        this.requests.set(id, r.message);
        this.subscriptionE.fire({ id, message: r.message });
      }));
      // a layer's bug, contained by the node: logged (never with packet contents), the account goes on
      this.subs.add(node.onError((e) => this.log.warn('tox %s %s failed: %s', e.source, e.name, e.error instanceof Error ? e.error.message : String(e.error))));
      this.subs.add(node.onConnectionChanged((up) => {
        if (!up && this.status === 'connected') this.lose('the DHT lost its last node');
      }));
      await this.bootstrap(node, profile);
      await this.until(() => node.isConnected, CONNECT_TIMEOUT_MS, 'no bootstrap node answered');
      this.state.set('connected', 'requested');
      this.rooms.announce();
      this.rosterE.fire({ full: true, items: [...this.friends.values()].map((r) => rosterItem(r.saved)), removed: [] });
      this.scheduleSave();
    } catch (err) {
      await this.teardown();
      const e = err instanceof ConfabError ? err : new NetworkError((err as Error).message);
      this.state.set('disconnected', e.code === 'AuthenticationFailed' ? 'auth-failed' : e.code === 'InvalidArgument' || e.code === 'InvalidConfig' ? 'config-error' : 'network-error', e.message);
      throw e;
    }
  }

  async disconnect(): Promise<void> {
    if (this.status === 'disconnected') return;
    this.closing = true;
    await this.teardown();
    this.state.set('disconnected', 'requested');
  }

  async setPresence(p: Presence): Promise<void> {
    const m = this.node?.messenger;
    if (!m) return;
    const status: UserStatus = p.status === 'away' ? 'away' : p.status === 'busy' ? 'busy' : 'available';
    m.setUserStatus(status);
    if (p.message !== undefined) m.setStatusMessage(truncateUtf8(p.message, 1007));
    this.scheduleSave();
  }

  /**
   * nospam, name and status-message on the running node, as c-toxcore's tox_self_set_nospam and
   * tox_self_set_name do: the DHT key and onion announcements stay, so a request to the new Tox ID
   * finds us at once. An unset one keeps the value the profile has. */
  async applyParams(changed: AccountParams, _unset: readonly string[]): Promise<void> {
    const node = this.node;
    if (!node || this.status !== 'connected') throw new OfflineError('the Tox node is not running');
    const text = (k: string) => (typeof changed[k] === 'string' && changed[k] !== '' ? (changed[k] as string) : undefined);
    if (text('nospam') !== undefined) node.nospam = parseNospam(text('nospam')!); // friend_requests.c: requests to the old ID now fail
    if (text('name') !== undefined) node.messenger.setName(text('name')!);
    if (text('status-message') !== undefined) node.messenger.setStatusMessage(text('status-message')!);
    this.scheduleSave();
  }

  async sendMessage(message: OutgoingMessage): Promise<SendReceipt> {
    if (message.channel.kind === 'room') return this.rooms.send(message);
    const rec = this.friends.get(message.channel.target);
    if (!rec) throw new ConfabError('NotCapable', `${message.channel.target} is not a friend of this account`);
    if (rec.saved.kind === 'pending') throw new OfflineError(`${message.channel.target} has not accepted the friend request yet`);
    if (!rec.friend.online) throw new OfflineError(`${message.channel.target} is offline`);
    // `/me text` is an action (packet 65), as qTox and toxic send it
    const me = message.kind === 'normal' && message.body.startsWith('/me ');
    const body = me ? message.body.slice(4) : message.body;
    if (body === '') throw new InvalidArgumentError('a Tox message cannot be empty');
    const kind = message.kind === 'action' || me ? 'action' : 'normal';
    const parts = splitUtf8(body, MAX_PART_BYTES);
    const numbers = new Set<number>();
    const done = new Promise<void>((resolve, reject) => {
      const a: Awaiting = { parts: numbers, token: message.token, resolve, reject };
      const mine = this.awaitingOf(message.channel.target);
      for (const text of parts) {
        const n = rec.friend.online ? rec.friend.sendMessage(text, kind) : undefined;
        if (n === undefined) return void this.sendLater(rec, text, kind, a, mine);
        numbers.add(n);
        mine.set(n, a);
      }
    });
    await done;
    this.deliveryE.fire([{ token: message.token, state: 'delivered' }]);
    return {};
  }

  dispose(): void {
    void this.teardown();
    this.bag.dispose();
  }

  // ---- contacts ----------------------------------------------------------------------------

  private async addContact(id: string, _alias: string, given?: string): Promise<void> {
    const node = this.online();
    const parsed = parseContact(given ?? id);
    if (parsed.id !== id) throw new InvalidArgumentError(`'${given}' is not ${id}`);
    const known = this.friends.get(id);
    if (known && (known.saved.kind === 'confirmed' || !parsed.toxId)) return;
    const pk = publicKeyOf(id);
    if (keysEqual(pk, node.publicKey)) throw new InvalidArgumentError("that is this account's own Tox ID");
    this.requests.delete(id);
    this.befriend(parsed.toxId
      ? { kind: 'pending', publicKey: pk, requestSent: false, requestMessage: this.settings.requestMessage, nospam: parsed.toxId.nospam }
      : confirmed(pk));
  }

  private async removeContact(id: string): Promise<void> {
    const node = this.online();
    if (!this.friends.has(id)) return;
    node.removeFriend(publicKeyOf(id));
    this.friends.delete(id);
    for (const a of this.awaiting.get(id)?.values() ?? []) a.reject(new OfflineError(`${id} was removed`));
    this.awaiting.delete(id);
    this.rosterE.fire({ full: false, items: [], removed: [id] });
    this.scheduleSave();
  }

  private async answer(id: string, allow: boolean): Promise<void> {
    const node = this.online();
    if (!this.requests.has(id)) throw new ConfabError('NotFound', `no friend request from ${id}`);
    this.requests.delete(id);
    if (!allow) return node.forgetRequest(id);
    this.befriend(confirmed(publicKeyOf(id)));
  }

  /** A friend added (or asked) now: followed, told as a roster change, saved. */
  private befriend(saved: SavedFriend): void {
    this.track(saved);
    this.rosterE.fire({ full: false, items: [rosterItem(saved)], removed: [] });
    this.scheduleSave();
  }

  private async info(id: string): Promise<ContactInfo> {
    const rec = this.friends.get(id);
    if (!rec) throw new ConfabError('NotFound', `${id} is not a friend of this account`);
    const f = rec.friend;
    return {
      'public-key': id, name: f.name, 'status-message': f.statusMessage, 'user-status': f.userStatus,
      connection: f.online ? 'online' : 'offline', ...(rec.saved.kind === 'pending' ? { request: 'sent, not accepted' } : {}),
    };
  }

  // ---- events ------------------------------------------------------------------------------

  /**
   * Starts following a friend from the profile or just added; a pending one gets our request (again,
   * with the nospam of the Tox ID given last). The node's addFriend is idempotent.
   */
  private track(saved: SavedFriend): void {
    const node = this.node!;
    const id = hex(saved.publicKey);
    const friend = saved.kind === 'pending'
      ? node.addFriend(saved.publicKey, { nospam: saved.nospam, message: new TextEncoder().encode(saved.requestMessage) })
      : node.addFriend(saved.publicKey);
    if (saved.kind === 'confirmed') {
      friend.name ||= saved.name;
      friend.statusMessage ||= saved.statusMessage;
    }
    this.friends.set(id, { saved, friend });
    if (this.calls) this.subs.add(routeAvPackets(friend, id, this.calls)); // MSI 69, lossy 192/193, offline, teardown: the friend's call (av/)
  }

  private onEvent(e: MessengerEvent): void {
    const id = hex(e.friend.realPk);
    const rec = this.friends.get(id);
    if (!rec) return;
    switch (e.kind) {
      case 'status':
        if (e.online && rec.saved.kind === 'pending') {
          rec.saved = confirmed(rec.saved.publicKey); // it connected: the request was accepted
          this.rosterE.fire({ full: false, items: [rosterItem(rec.saved)], removed: [] });
        }
        if (rec.saved.kind === 'confirmed') rec.saved = { ...rec.saved, lastSeen: Math.floor(Date.now() / 1000) };
        if (!e.online) this.friendOffline(id);
        this.presence(rec);
        this.scheduleSave();
        if (e.online) this.reachableE.fire(id);
        return;
      case 'message':
        this.messagesE.fire([{ channel: { kind: 'direct', target: id }, sender: { id, name: e.friend.name || undefined }, body: e.text, kind: e.type === 'action' ? 'action' : 'normal' }]);
        return;
      case 'name':
      case 'status-message':
      case 'user-status':
        if (rec.saved.kind === 'confirmed') {
          rec.saved = { ...rec.saved, name: e.friend.name, statusMessage: e.friend.statusMessage, userStatus: e.friend.userStatus };
        }
        if (e.kind === 'name') this.rosterE.fire({ full: false, items: [rosterItem(rec.saved, e.friend.name)], removed: [] });
        this.presence(rec);
        this.scheduleSave();
        return;
      case 'typing':
        this.chatStateE.fire({ channel: { kind: 'direct', target: id }, contact: id, state: e.typing ? 'composing' : 'active' });
        return;
      case 'read-receipt': {
        const mine = this.awaiting.get(id);
        const a = mine?.get(e.messageId);
        if (!a) return;
        mine!.delete(e.messageId);
        a.parts.delete(e.messageId);
        if (a.parts.size === 0) a.resolve();
        return;
      }
    }
  }

  private presence(rec: FriendRecord): void {
    const f = rec.friend;
    this.presenceE.fire([{ id: hex(f.realPk), status: f.online ? f.userStatus : 'offline', message: f.statusMessage }]);
  }

  /** Messages not acknowledged when a friend goes offline stay queued: they go again when it is back. */
  private friendOffline(id: string): void {
    const mine = this.awaiting.get(id);
    if (!mine) return;
    this.awaiting.delete(id);
    for (const a of new Set(mine.values())) a.reject(new OfflineError(`${id} went offline before acknowledging`));
  }

  private awaitingOf(id: string): Map<number, Awaiting> {
    let m = this.awaiting.get(id);
    if (!m) this.awaiting.set(id, (m = new Map()));
    return m;
  }

  /** The send buffer was full: try the rest again shortly (bounded), else leave it queued. */
  private sendLater(rec: FriendRecord, text: string, kind: 'normal' | 'action', a: Awaiting, mine: Map<number, Awaiting>, tries = 0): void {
    setTimeout(() => {
      if (!rec.friend.online || this.closing) return a.reject(new OfflineError('the friend went offline'));
      const n = rec.friend.sendMessage(text, kind);
      if (n === undefined) {
        if (tries >= BUSY_RETRIES) return a.reject(new NetworkError('the send buffer stayed full'));
        return this.sendLater(rec, text, kind, a, mine, tries + 1);
      }
      a.parts.add(n);
      mine.set(n, a);
    }, BUSY_RETRY_MS).unref();
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private async bootstrap(node: ToxNode, profile: ToxProfile): Promise<void> {
    for (const b of this.settings.bootstrap) {
      let host = b.host;
      if (!isIP(host)) {
        try {
          host = (await lookup(host, { family: 4 })).address;
        } catch {
          this.log.info('bootstrap node %s does not resolve', b.host);
          continue;
        }
      }
      node.bootstrap({ address: { host, port: b.port }, publicKey: publicKeyOf(b.publicKey) });
    }
    for (const n of profile.dhtNodes) node.bootstrap({ address: { host: n.host, port: n.port }, publicKey: n.publicKey });
  }

  private online(): ToxNode {
    if (!this.node || this.status !== 'connected') throw new OfflineError();
    return this.node;
  }

  private until(cond: () => boolean, ms: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const start = Date.now();
      const poll = setInterval(() => {
        if (cond()) { clearInterval(poll); resolve(); }
        else if (this.closing) { clearInterval(poll); reject(new OfflineError('disconnected')); }
        else if (Date.now() - start > ms) { clearInterval(poll); reject(new NetworkError(what)); }
      }, 50);
    });
  }

  private lose(detail: string): void {
    void this.teardown();
    this.state.set('disconnected', 'network-error', detail);
  }

  private scheduleSave(): void {
    if (this.saveTimer || !this.node) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, SAVE_DELAY_MS);
  }

  /** The profile as it stands now: keys, nospam, our fields, the friends, nodes to start from. */
  private async save(): Promise<void> {
    const node = this.node;
    if (!node || !this.profile || !this.store) return;
    const m = node.messenger;
    const nodes = node.knownNodes(32); // the DHT's close list: UDP nodes
    this.profile = {
      ...this.profile,
      nospam: node.nospam,
      name: m.name,
      statusMessage: m.statusMessage,
      userStatus: m.userStatus,
      friends: [...this.friends.values()].map((r) => r.saved),
      dhtNodes: nodes.length > 0 ? nodes.map((n) => ({ publicKey: n.publicKey, host: n.address.host, port: n.address.port, tcp: false })) : this.profile.dhtNodes,
      otherSections: withConferences(this.profile.otherSections, this.rooms.saved(), this.unreadConferences),
    };
    try {
      await this.store.save(this.profile);
    } catch (e) {
      this.log.warn('saving the profile failed: %s', (e as Error).message);
    }
  }

  private async teardown(): Promise<void> {
    this.subs.dispose();
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    const node = this.node;
    if (node) await this.save();
    this.rooms.stop();
    this.node = undefined;
    for (const id of [...this.awaiting.keys()]) this.friendOffline(id);
    this.friends.clear();
    await node?.dispose();
  }

}

function confirmed(publicKey: Uint8Array): SavedFriend {
  return { kind: 'confirmed', publicKey, name: '', statusMessage: '', userStatus: 'available', lastSeen: 0 };
}

function rosterItem(f: SavedFriend, name?: string): RosterItem {
  const alias = name ?? (f.kind === 'confirmed' ? f.name : '');
  return { id: hex(f.publicKey), alias, groups: [], subscription: f.kind === 'confirmed' ? 'both' : 'none+ask' }; // as the XMPP roster says it (RFC 6121 §2.1.2.5)
}

function truncateUtf8(text: string, max: number): string {
  return splitUtf8(text, max)[0];
}
