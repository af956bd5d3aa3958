/**
 * One Tox instance, as c-toxcore's `Tox` is one: a UDP endpoint, the DHT on it, the onion (relay,
 * announce service, and our client), net_crypto, friend connections and the messenger, wired the way
 * c-toxcore's Messenger.c wires them:
 *
 * - a friend's DHT key learnt through the onion (or a DHT request 0x9c) goes to its friend
 *   connection, which searches the DHT for its address and connects; the nodes sent with it are
 *   asked for the key (c-toxcore's dht_pk_callback / tcp nodes);
 * - friend_connection's online state goes back to the onion client, which stops searching for a
 *   connected friend;
 * - a friend we asked but who has not accepted gets our friend request as onion data until it
 *   connects (Messenger.c `check_friend_request_timed_out`: again after a timeout that doubles);
 * - friend requests that reach us are checked against our nospam (friend_requests.c) and reported
 *   once per key until answered.
 *
 * Profile-level concerns (what to save, the daemon's model) live in account/, not here.
 * @since 0.1.0
 */
import { Emitter, type Disposable, type Event } from '@confab/sdk';
import { keysEqual, toHex, type KeyPair } from './crypto/keys';
import { Dht } from './dht/dht';
import { UdpEndpoint } from './dht/transport';
import { contained, systemClock, systemScheduler, type Clock, type ContainedScheduler, type Scheduler } from './dht/clock';
import { FriendConnections } from './friend-connection/friend-connections';
import { Messenger, type MessengerEvent, type MessengerFriend } from './messenger/messenger';
import { NetCrypto } from './net-crypto/net-crypto';
import { TcpRelays, type TcpRelaysOptions } from './tcp/tcp-relays';
import { newKeyPair } from './crypto/keys';
import type { OnionClient } from './onion/client';
import { Onion } from './onion/onion';
import { ToxId } from './tox-id';
import type { SocketAddress } from './wire/ip';
import { copyBytes } from './wire/copy';
import { decodeBounded } from './wire/text';
import { MAX_FRIEND_REQUEST_LENGTH } from './savedata/friends';
import type { NodeInfo } from './wire/packed-node';

/** The ports c-toxcore tries when none is given (TOX_PORTRANGE_FROM/TO in network.h). */
export const DEFAULT_PORT_RANGE = { from: 33445, to: 33545 } as const;

/** Friend requests go again after 5 s, doubling up to 2 min (Messenger.c FRIENDREQUEST_TIMEOUT). */
const REQUEST_RETRY_MS = 5_000;
const REQUEST_RETRY_MAX_MS = 120_000;
/** friend_requests.c keeps a ring of the last requesters to answer each one once. */
const MAX_RECEIVED_REQUESTS = 64;

export interface ToxNodeOptions {
  readonly keyPair: KeyPair;
  readonly nospam: number;
  /** Where to bind; port 0 tries 33445–33545 as c-toxcore, then any port. */
  readonly bind: SocketAddress;
  /**
   * LAN discovery (spec § "LAN discovery"; default false): answer peers' 0x21 packets and send ours
   * every 10 s to the local networks' broadcast addresses (the socket gets SO_BROADCAST for it).
   * Never on in tests: they must not broadcast.
   */
  readonly lanDiscovery?: boolean;
  /** TCP relays to connect to (host as an IP, port, long-term key): tcp/. */
  readonly tcpRelays?: readonly NodeInfo[];
  /** Options of the relay connections (timeouts, bounds), for tests. */
  readonly tcpRelayOptions?: Omit<TcpRelaysOptions, 'self' | 'clock' | 'scheduler'>;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
}

/**
 * Something inside the node threw where no caller could catch it — a bug, contained (issue 6:
 * "never a crash"): `timer` when a layer's periodic work threw (`name` is the layer: `dht`,
 * `onion-client`, `net-crypto`, `friend-connections`, `messenger`, `tox-node`), `packet` when a
 * packet handler did (`name` is `router`; the packet was dropped and counted as `handler-error`).
 * The node goes on; its owner logs it.
 * @since 0.1.0
 */
export interface ToxNodeError {
  readonly source: 'timer' | 'packet';
  readonly name: string;
  readonly error: unknown;
}

export interface IncomingFriendRequest {
  readonly publicKey: Uint8Array;
  readonly message: string;
}

interface PendingRequest {
  readonly publicKey: Uint8Array;
  readonly nospam: number;
  readonly message: Uint8Array;
  nextAt: number;
  interval: number;
}

export class ToxNode implements Disposable {
  readonly keyPair: KeyPair;
  private nospamV: number;
  private readonly clock: Clock;
  private readonly scheduler: ContainedScheduler;
  readonly endpoint: UdpEndpoint;
  readonly dht: Dht;
  readonly onion: Onion;
  /** Our onion client (the Onion has one: it is given our real key pair). */
  private readonly client: OnionClient;
  readonly netCrypto: NetCrypto;
  readonly friendConnections: FriendConnections;
  readonly messenger: Messenger;
  /** Our TCP relays (none unless given or learnt from friends). */
  readonly relays: TcpRelays;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly seenRequests: string[] = [];
  private readonly subs: Disposable[] = [];
  private timer: Disposable | undefined;
  private disposed = false;

  private readonly requests = new Emitter<IncomingFriendRequest>();
  /** Someone asked to be our friend with our current nospam (each key once until answered). */
  readonly onFriendRequest: Event<IncomingFriendRequest> = this.requests.event;
  private readonly connection = new Emitter<boolean>();
  /** Whether we are on the network: a DHT with a good node (c-toxcore's self connection status, UDP). */
  readonly onConnectionChanged: Event<boolean> = this.connection.event;
  private readonly errorsE = new Emitter<ToxNodeError>();
  /** A layer's timer or a packet handler threw; the node goes on (see `ToxNodeError`). */
  readonly onError: Event<ToxNodeError> = this.errorsE.event;
  private packetErrors = 0;

  private constructor(opts: ToxNodeOptions, endpoint: UdpEndpoint) {
    this.keyPair = opts.keyPair;
    this.nospamV = opts.nospam;
    this.clock = opts.clock ?? systemClock;
    // every layer's periodic work runs through this one contained scheduler; its errors come out here
    this.scheduler = contained(opts.scheduler ?? systemScheduler);
    this.endpoint = endpoint;
    const timing = { clock: opts.clock, scheduler: this.scheduler };
    // the DHT key pair is also our identity at TCP relays (c-toxcore's net_crypto hands it to TCP_connection)
    const dhtKeys = newKeyPair();
    this.dht = new Dht({ endpoint, keyPair: dhtKeys, lanDiscovery: opts.lanDiscovery ?? false, ...timing });
    this.relays = new TcpRelays({ ...opts.tcpRelayOptions, self: dhtKeys, ...timing });
    this.onion = new Onion({ dht: this.dht, realKeyPair: opts.keyPair, ...timing });
    this.client = this.onion.client!;
    this.netCrypto = new NetCrypto({ dht: this.dht, keyPair: opts.keyPair, relays: this.relays, ...timing });
    this.friendConnections = new FriendConnections({ dht: this.dht, netCrypto: this.netCrypto, relays: this.relays, ...timing });
    this.client.relayNodes = () => this.relays.connected();
    for (const r of opts.tcpRelays ?? []) this.relays.add(r);
    this.messenger = new Messenger({ friendConnections: this.friendConnections, scheduler: this.scheduler });
    this.subs.push(
      this.client.onDhtPublicKey((e) => {
        const f = this.friendConnections.get(e.realPublicKey);
        if (!f) return;
        f.setDhtPk(e.dhtPublicKey);
        // TCP nodes are the friend's relays: ours too, and the friend is routed through them (tcp_relay_node_callback)
        for (const n of e.nodes) if (n.transport === 'udp') this.dht.getNodes(n, e.dhtPublicKey); else this.relays.add(n);
      }),
      this.client.onFriendRequest((e) => this.friendRequest(e.realPublicKey, e.nospam, e.message)),
      this.friendConnections.onFriendRequest((e) => this.friendRequest(e.realPk, new DataView(e.nospam.buffer, e.nospam.byteOffset, 4).getUint32(0), e.message)),
      this.messenger.onEvent((e) => this.onMessengerEvent(e)),
      this.dht.onConnectionChanged((up) => this.connection.fire(up)),
      this.scheduler.onError((e) => this.errorsE.fire({ source: 'timer', name: e.timer, error: e.error })),
      this.dht.router.onHandlerError((error) => {
        this.packetErrors++;
        this.errorsE.fire({ source: 'packet', name: 'router', error });
      }),
    );
  }

  /** Binds the endpoint and starts every layer. */
  static async start(opts: ToxNodeOptions): Promise<ToxNode> {
    const node = new ToxNode(opts, await bindEndpoint(opts.bind, opts.lanDiscovery ?? false));
    node.dht.start();
    node.relays.start();
    node.onion.start();
    node.netCrypto.start();
    node.friendConnections.start();
    node.timer = node.scheduler.every(1000, () => node.tick(), 'tox-node');
    return node;
  }

  get publicKey(): Uint8Array {
    return this.keyPair.publicKey;
  }

  get nospam(): number {
    return this.nospamV;
  }

  /** A new nospam: requests made with the old Tox ID are refused from now on. */
  set nospam(v: number) {
    this.nospamV = v >>> 0;
  }

  get toxId(): ToxId {
    return ToxId.from(this.keyPair.publicKey, this.nospamV);
  }

  /** Errors contained so far: timer callbacks that threw, by layer, and packet handlers that threw. */
  get errors(): { readonly timers: Readonly<Record<string, number>>; readonly packets: number } {
    return { timers: this.scheduler.errors, packets: this.packetErrors };
  }

  get isConnected(): boolean {
    return this.dht.isConnected;
  }

  bootstrap(node: { address: SocketAddress; publicKey: Uint8Array }): void {
    this.dht.bootstrap(node);
  }

  /** Nodes worth saving for the next start (the savedata's DHT section). */
  knownNodes(max = 32): NodeInfo[] {
    return this.dht.closeListNodes(max);
  }

  /**
   * Adds a friend (c-toxcore's m_addfriend_norequest, or m_addfriend with `request`): its onion
   * search starts; with a request, it is sent until the friend connects.
   */
  addFriend(publicKey: Uint8Array, request?: { nospam: number; message: Uint8Array }): MessengerFriend {
    if (keysEqual(publicKey, this.keyPair.publicKey)) throw new RangeError('that is our own key');
    const friend = this.messenger.friend(publicKey) ?? this.messenger.addFriend(publicKey);
    this.client.addFriend(publicKey);
    const id = toHex(publicKey);
    if (request) this.pending.set(id, { ...request, publicKey: copyBytes(publicKey), nextAt: this.clock.now(), interval: REQUEST_RETRY_MS });
    this.forgetRequest(id);
    return friend;
  }

  removeFriend(publicKey: Uint8Array): void {
    const id = toHex(publicKey);
    this.pending.delete(id);
    this.client.removeFriend(publicKey);
    this.messenger.removeFriend(publicKey);
  }

  /** Forgets that `publicKey` asked, so that a new request from it is reported again (a refusal). */
  forgetRequest(id: string): void {
    const i = this.seenRequests.indexOf(id);
    if (i >= 0) this.seenRequests.splice(i, 1);
  }

  private friendRequest(publicKey: Uint8Array, nospam: number, message: Uint8Array): void {
    if (nospam !== this.nospamV) return; // friend_requests.c: a request for another nospam is spam
    if (keysEqual(publicKey, this.keyPair.publicKey) || this.messenger.friend(publicKey)) return;
    const id = toHex(publicKey);
    if (this.seenRequests.includes(id)) return;
    this.seenRequests.push(id);
    if (this.seenRequests.length > MAX_RECEIVED_REQUESTS) this.seenRequests.shift();
    this.requests.fire({ publicKey, message: decodeBounded(message, MAX_FRIEND_REQUEST_LENGTH) });
  }

  private onMessengerEvent(e: MessengerEvent): void {
    if (e.kind !== 'status') return;
    this.client.setFriendOnline(e.friend.realPk, e.online);
    if (e.online) this.pending.delete(toHex(e.friend.realPk)); // it accepted: a connection is the proof
    const dhtPk = e.friend.connection.dhtPk;
    if (e.online && dhtPk) this.client.setFriendDhtPublicKey(e.friend.realPk, dhtPk);
  }

  private tick(): void {
    const now = this.clock.now();
    for (const p of this.pending.values()) {
      if (now < p.nextAt) continue;
      // 0 copies: the friend is not found on the onion yet; try again at the next tick
      if (this.client.sendFriendRequest(p.publicKey, p.nospam, p.message) === 0) continue;
      p.nextAt = now + p.interval;
      p.interval = Math.min(p.interval * 2, REQUEST_RETRY_MAX_MS);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.timer?.dispose();
    for (const s of this.subs) s.dispose();
    this.messenger.dispose();
    this.friendConnections.dispose(); // kill packets go out
    this.netCrypto.dispose();
    this.relays.dispose();
    this.onion.dispose();
    this.dht.dispose();
    await new Promise((r) => setTimeout(r, 50)); // let the kill packets leave before the socket closes
    await this.endpoint.close();
  }
}

/** Binds as c-toxcore does; SO_BROADCAST only with LAN discovery, its one user (spec § "LAN discovery"). */
async function bindEndpoint(bind: SocketAddress, broadcast: boolean): Promise<UdpEndpoint> {
  if (bind.port !== 0) {
    // the connection before this one may still be closing its socket (a reconnect): wait a little
    for (let attempt = 0; ; attempt++) {
      try {
        return await UdpEndpoint.bind(bind, { broadcast });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  for (let port = DEFAULT_PORT_RANGE.from; port <= DEFAULT_PORT_RANGE.to; port++) {
    try {
      return await UdpEndpoint.bind({ host: bind.host, port }, { broadcast });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
  return UdpEndpoint.bind(bind, { broadcast });
}
