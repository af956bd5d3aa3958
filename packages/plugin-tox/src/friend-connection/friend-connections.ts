/**
 * friend_connection (Tox spec § "friend_connection"; c-toxcore's friend_connection.c, 0.2.18): one
 * connection per friend, by real public key, on top of net_crypto.
 *
 * A friend's DHT key comes from the onion (`setDhtPk`) or from the friend's own handshake. With a
 * DHT key we search the DHT for it (`dht.addSearch`); when the friend answers there, we know its
 * address and open a crypto connection to it (or accept the friend's). Connected, we send a
 * keep-alive (packet 16) every 8 s and close the connection after 32 s without one from the friend
 * (FRIEND_PING_INTERVAL, FRIEND_CONNECTION_TIMEOUT). Packet 17 shares TCP relays (tcp/): ours go
 * out when the friend comes online and every 2 min (SHARE_RELAYS_INTERVAL), at most 3, none when we
 * have none; the friend's (at most 3 nodes read) are added to our relays, through which the friend is
 * routed (friend_connection.c send_relays / handle_packet's PACKET_ID_SHARE_RELAYS). Packet 18 carries a friend request over an established connection. Packets from 24 on
 * are the messenger's (`onData`).
 *
 * Timings: c-toxcore does this work once per iteration with second resolution; we tick every
 * second (`tickMs`) with millisecond times.
 * @since 0.1.0
 */
import { Emitter, type Disposable, type Event } from '@confab/sdk';
import { keysEqual, toHex } from '../crypto/keys';
import { contained, systemClock, systemScheduler, type Clock, type Scheduler } from '../dht/clock';
import { BAD_NODE_TIMEOUT_MS } from '../dht/constants';
import type { Dht, SearchFoundEvent } from '../dht/dht';
import { Malformed, Reader, Truncated, Writer } from '../wire/bytes';
import { copyBytes } from '../wire/copy';
import type { SocketAddress } from '../wire/ip';
import { encodeNodes, readNode, type NodeInfo } from '../wire/packed-node';
import type { TcpRelays } from '../tcp/tcp-relays';
import { ONION_CLIENT_MAX_DATA_SIZE } from '../onion/constants';
import type { CryptoConnection } from '../net-crypto/connection';
import type { IncomingConnection, NetCrypto } from '../net-crypto/net-crypto';

const concatBytes = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
};

/** Packet ids of this layer (friend_connection.h). @since 0.1.0 */
export const FriendPacketId = { ALIVE: 16, SHARE_RELAYS: 17, FRIEND_REQUESTS: 18 } as const;
/** A keep-alive goes out this often (FRIEND_PING_INTERVAL, 8 s). @since 0.1.0 */
export const FRIEND_PING_INTERVAL_MS = 8000;
/** A connection without keep-alives for this long is closed (FRIEND_CONNECTION_TIMEOUT, 32 s). @since 0.1.0 */
export const FRIEND_CONNECTION_TIMEOUT_MS = FRIEND_PING_INTERVAL_MS * 4;
/** A DHT key not confirmed for this long is forgotten while connecting (FRIEND_DHT_TIMEOUT). @since 0.1.0 */
export const FRIEND_DHT_TIMEOUT_MS = BAD_NODE_TIMEOUT_MS;
/** Relays in a share-relays packet (MAX_SHARED_RELAYS). @since 0.1.0 */
export const MAX_SHARED_RELAYS = 3;
/** Our relays go to a connected friend this often (SHARE_RELAYS_INTERVAL, 2 min). @since 0.2.0 */
export const SHARE_RELAYS_INTERVAL_MS = 120_000;

/** Why a friend went offline. @since 0.1.0 */
export type OfflineReason = 'timeout' | 'killed-by-peer' | 'handshake-timeout' | 'dht-key-changed' | 'removed' | 'replaced' | 'local';

/** @since 0.1.0 */
export type FriendStatusEvent =
  | { readonly online: true }
  | { readonly online: false; readonly reason: OfflineReason };

/** A friend request that came over a friend connection (packet 18). @since 0.1.0 */
export interface ConnectionFriendRequest {
  readonly realPk: Uint8Array;
  readonly nospam: Uint8Array;
  readonly message: Uint8Array;
}

/** @since 0.1.0 */
export interface FriendConnectionsOptions {
  readonly dht: Dht;
  readonly netCrypto: NetCrypto;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  /** Default 1000 ms. */
  readonly tickMs?: number;
  /** Our TCP relays: shared with friends (17), and friends' added to them. */
  readonly relays?: TcpRelays;
}

/** One friend's connection; see the header of this file. @since 0.1.0 */
export class FriendConnection {
  private dhtPkV: Uint8Array | undefined;
  private dhtPkSetAt = 0;
  private search: Disposable | undefined;
  private addressV: SocketAddress | undefined;
  private addressSetAt = 0;
  private conn: CryptoConnection | undefined;
  private connSubs: Disposable[] = [];
  private onlineV = false;
  private pingSentAt = 0;
  private pingRecvAt = 0;
  private relaysSentAt = -Infinity;
  private removed = false;

  private readonly statusE = new Emitter<FriendStatusEvent>();
  private readonly dataE = new Emitter<Uint8Array>();
  private readonly lossyE = new Emitter<Uint8Array>();
  private readonly ackE = new Emitter<number>();
  /** Online when the crypto connection is established, offline with a reason; never repeated. */
  readonly onStatus: Event<FriendStatusEvent> = this.statusE.event;
  /** Lossless packets of the layers above (ids 24 and up: the messenger, conferences…). */
  readonly onData: Event<Uint8Array> = this.dataE.event;
  readonly onLossy: Event<Uint8Array> = this.lossyE.event;
  /** A packet number sent with `send` was received by the friend (the messenger's read receipts). */
  readonly onAcknowledged: Event<number> = this.ackE.event;
  /**
   * Counters. Every packet the connection delivers is counted once: a keep-alive
   * (`pingsReceived`), a share-relays list (`relayPackets`, its nodes in `relaysShared`), a friend
   * request (`friendRequests`), a malformed 17 or 18 (`badPackets`), or it went up to `onData`.
   */
  readonly counters = { pingsSent: 0, pingsReceived: 0, relayPackets: 0, relaysShared: 0, relaysSent: 0, friendRequests: 0, badPackets: 0 };

  constructor(private readonly owner: FriendConnections, readonly realPk: Uint8Array) {}

  get online(): boolean {
    return this.onlineV;
  }

  get dhtPk(): Uint8Array | undefined {
    return this.dhtPkV;
  }

  get address(): SocketAddress | undefined {
    return this.addressV;
  }

  /** The crypto connection, while there is one. */
  get connection(): CryptoConnection | undefined {
    return this.conn;
  }

  /**
   * The friend's DHT key, from the onion (c-toxcore's set_dht_temp_pk): starts the DHT search; a
   * different key than before closes the current connection (the friend restarted).
   */
  setDhtPk(dhtPk: Uint8Array): void {
    if (this.removed) return;
    this.dhtPkSetAt = this.owner.clock.now();
    if (this.dhtPkV !== undefined && keysEqual(this.dhtPkV, dhtPk)) return;
    const hadConnection = this.conn !== undefined;
    this.changeDhtPk(dhtPk);
    if (hadConnection) this.dropConnection('dht-key-changed');
    this.tryConnect();
  }

  /** Where the friend was reached directly (the DHT search, or the onion's DHT-key packet's nodes). */
  setAddress(address: SocketAddress): void {
    if (this.removed) return;
    this.addressV = address;
    this.addressSetAt = this.owner.clock.now();
    this.tryConnect();
    this.conn?.setAddress(address, true);
  }

  /** Sends a lossless packet; its packet number, or `undefined` (offline, full). */
  send(data: Uint8Array): number | undefined {
    if (!this.onlineV) return undefined;
    return this.conn?.sendLossless(data);
  }

  sendLossy(data: Uint8Array): boolean {
    return this.onlineV && this.conn !== undefined && this.conn.sendLossy(data);
  }

  /** Whether the friend received packet `n` (false once the connection is gone). */
  isReceived(n: number): boolean {
    return this.conn !== undefined && this.conn.isReceived(n);
  }

  /** A friend request over the connection (packet 18): `[18][nospam][message]`. */
  sendFriendRequest(nospam: Uint8Array, message: Uint8Array): number | undefined {
    return this.send(new Writer(5 + message.length).u8(FriendPacketId.FRIEND_REQUESTS).bytes(nospam).bytes(message).finish());
  }

  /** Stops: closes the connection (kill packet), the DHT search ends. */
  remove(): void {
    if (this.removed) return;
    this.dropConnection('removed');
    this.removed = true;
    this.search?.dispose();
    this.search = undefined;
    this.owner.forget(this);
    for (const e of [this.statusE, this.dataE, this.lossyE, this.ackE]) e.dispose();
  }

  // ---- called by FriendConnections -----------------------------------------------------------

  /** c-toxcore's handle_new_connections: accept if we have no connection. */
  incoming(n: IncomingConnection): void {
    if (this.conn !== undefined) return;
    this.bind(n.accept());
    this.addressV = n.from;
    this.addressSetAt = this.owner.clock.now();
    if (this.dhtPkV === undefined || !keysEqual(this.dhtPkV, n.dhtPk)) this.changeDhtPk(n.dhtPk);
  }

  /** c-toxcore's do_friend_connections, for one friend. */
  tick(now: number): void {
    if (this.removed) return;
    if (!this.onlineV) {
      if (this.dhtPkV !== undefined && this.conn === undefined && this.dhtPkSetAt + FRIEND_DHT_TIMEOUT_MS < now) {
        this.search?.dispose();
        this.search = undefined;
        this.dhtPkV = undefined;
      }
      if (this.addressV !== undefined && this.addressSetAt + FRIEND_DHT_TIMEOUT_MS < now) this.addressV = undefined;
      this.tryConnect();
      return;
    }
    if (this.pingSentAt + FRIEND_PING_INTERVAL_MS <= now) this.sendPing(now);
    if (this.relaysSentAt + SHARE_RELAYS_INTERVAL_MS <= now) this.sendRelays(now);
    if (this.pingRecvAt + FRIEND_CONNECTION_TIMEOUT_MS < now) this.dropConnection('timeout');
  }

  // ---- internals --------------------------------------------------------------------------------

  private changeDhtPk(dhtPk: Uint8Array): void {
    this.search?.dispose();
    this.dhtPkV = copyBytes(dhtPk);
    this.dhtPkSetAt = this.owner.clock.now();
    this.search = this.owner.dht.addSearch(this.dhtPkV, (e: SearchFoundEvent) => this.setAddress(e.address));
    const known = this.owner.dht.searchedAddress(this.dhtPkV);
    if (known !== undefined) {
      this.addressV = known;
      this.addressSetAt = this.owner.clock.now();
    }
  }

  /** c-toxcore's friend_new_connection: a DHT key is all it takes; the address may follow. */
  private tryConnect(): void {
    if (this.removed || this.conn !== undefined || this.dhtPkV === undefined) return;
    const c = this.owner.netCrypto.connection(this.realPk) ?? this.owner.netCrypto.connect(this.realPk, this.dhtPkV);
    this.bind(c);
    if (this.addressV !== undefined) c.setAddress(this.addressV, false);
  }

  private bind(c: CryptoConnection): void {
    this.conn = c;
    this.connSubs = [
      c.onStatus((e) => {
        if (e.status === 'established') this.wentOnline();
        else if (this.conn === c) this.lost(e.reason === 'local' ? 'local' : e.reason);
      }),
      c.onData((d) => this.onPacket(d)),
      c.onLossy((d) => this.lossyE.fire(d)),
      c.onAcknowledged((n) => this.ackE.fire(n)),
      c.onDhtPkChanged((pk) => this.setDhtPk(pk)),
    ];
    if (c.state === 'established') this.wentOnline();
  }

  private wentOnline(): void {
    if (this.onlineV) return;
    const now = this.owner.clock.now();
    this.onlineV = true;
    this.pingRecvAt = now;
    this.pingSentAt = 0;
    this.relaysSentAt = -Infinity; // c-toxcore sends them at once on a new connection
    this.statusE.fire({ online: true });
  }

  private onPacket(d: Uint8Array): void {
    const id = d[0];
    if (id === FriendPacketId.ALIVE) {
      this.pingRecvAt = this.owner.clock.now();
      this.counters.pingsReceived++;
      return;
    }
    if (id === FriendPacketId.SHARE_RELAYS) {
      // spec § "friend_connection": up to MAX_SHARED_RELAYS packed TCP nodes, the rest ignored as
      // c-toxcore's unpack_nodes does; a node that does not parse spoils the list
      let nodes = 0;
      const got: NodeInfo[] = [];
      try {
        const r = new Reader(d, 1);
        for (; nodes < MAX_SHARED_RELAYS && r.remaining > 0; nodes++) got.push(readNode(r, { allowTcp: true }));
      } catch (err) {
        if (!(err instanceof Truncated || err instanceof Malformed)) throw err; // a bug: the Emitter reports it
        this.counters.badPackets++; // counted here: a malformed relay list changes nothing
        return;
      }
      this.counters.relayPackets++;
      this.counters.relaysShared += nodes;
      // friend_add_tcp_relay: only TCP nodes are relays; every peer is routed on every relay of ours
      for (const n of got) if (n.transport === 'tcp') this.owner.relays?.add(n);
      return;
    }
    if (id === FriendPacketId.FRIEND_REQUESTS) {
      // friend_requests.c friendreq_handlepacket: a nospam and at least one byte, at most ONION_CLIENT_MAX_DATA_SIZE
      if (d.length <= 5 || d.length > ONION_CLIENT_MAX_DATA_SIZE) { this.counters.badPackets++; return; }
      this.counters.friendRequests++;
      this.owner.friendRequest({ realPk: this.realPk, nospam: d.slice(1, 5), message: d.slice(5) });
      return;
    }
    this.dataE.fire(d);
  }

  /** friend_connection.c send_relays: our connected relays, at most 3; nothing when we have none. */
  private sendRelays(now: number): void {
    const relays = this.owner.relays?.connected(MAX_SHARED_RELAYS) ?? [];
    this.relaysSentAt = now;
    if (relays.length === 0) return;
    if (this.conn?.sendLossless(concatBytes(Uint8Array.of(FriendPacketId.SHARE_RELAYS), encodeNodes(relays))) !== undefined) this.counters.relaysSent++;
  }

  private sendPing(now: number): void {
    if (this.conn?.sendLossless(Uint8Array.of(FriendPacketId.ALIVE)) !== undefined) {
      this.pingSentAt = now;
      this.counters.pingsSent++;
    }
  }

  /** Closes the crypto connection (kill packet if established) and reports offline. */
  private dropConnection(reason: OfflineReason): void {
    const c = this.conn;
    if (c === undefined) return;
    this.unbind();
    c.kill();
    this.lost(reason);
  }

  private lost(reason: OfflineReason): void {
    this.unbind();
    if (!this.onlineV) return;
    this.onlineV = false;
    this.statusE.fire({ online: false, reason });
  }

  private unbind(): void {
    for (const s of this.connSubs.splice(0)) s.dispose();
    this.conn = undefined;
  }
}

/** The friend connections of one Tox instance; see the header of this file. @since 0.1.0 */
export class FriendConnections implements Disposable {
  readonly dht: Dht;
  readonly netCrypto: NetCrypto;
  readonly relays: TcpRelays | undefined;
  readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly friends = new Map<string, FriendConnection>();
  private timer: Disposable | undefined;
  private readonly tickMs: number;
  private readonly requests = new Emitter<ConnectionFriendRequest>();
  /** A friend request (packet 18) from a connected friend. */
  readonly onFriendRequest: Event<ConnectionFriendRequest> = this.requests.event;

  constructor(opts: FriendConnectionsOptions) {
    this.dht = opts.dht;
    this.netCrypto = opts.netCrypto;
    this.relays = opts.relays;
    this.clock = opts.clock ?? systemClock;
    this.scheduler = contained(opts.scheduler ?? systemScheduler); // issue 6: a throwing tick is reported, never fatal
    this.tickMs = opts.tickMs ?? 1000;
    this.netCrypto.setIncomingHandler((n) => this.friends.get(toHex(n.realPk))?.incoming(n));
  }

  start(): void {
    if (this.timer === undefined) this.timer = this.scheduler.every(this.tickMs, () => this.tick(), 'friend-connections');
  }

  /** The connection of a friend, made if new (c-toxcore's new_friend_connection). */
  add(realPk: Uint8Array): FriendConnection {
    const id = toHex(realPk);
    let f = this.friends.get(id);
    if (f === undefined) {
      f = new FriendConnection(this, copyBytes(realPk));
      this.friends.set(id, f);
    }
    return f;
  }

  get(realPk: Uint8Array): FriendConnection | undefined {
    return this.friends.get(toHex(realPk));
  }

  get all(): readonly FriendConnection[] {
    return [...this.friends.values()];
  }

  tick(): void {
    const now = this.clock.now();
    for (const f of [...this.friends.values()]) f.tick(now);
  }

  /** @internal */
  forget(f: FriendConnection): void {
    if (this.friends.get(toHex(f.realPk)) === f) this.friends.delete(toHex(f.realPk));
  }

  /** @internal */
  friendRequest(r: ConnectionFriendRequest): void {
    this.requests.fire(r);
  }

  /** Removes every friend connection (kill packets go out) and stops. */
  dispose(): void {
    this.timer?.dispose();
    this.timer = undefined;
    for (const f of [...this.friends.values()]) f.remove();
    this.netCrypto.setIncomingHandler(undefined);
    this.requests.dispose();
  }
}
