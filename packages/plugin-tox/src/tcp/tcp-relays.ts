/**
 * Our TCP relays (c-toxcore TCP_connection.c): the relay connections, the peers routed through
 * them, and the choice of path for a packet to a peer.
 *
 * A peer (named by its DHT key) is routed on every connected relay (c-toxcore routes a peer on up to
 * MAX_FRIEND_TCP_CONNECTIONS relays); a packet goes as routed data through the first relay where the
 * peer is online, else out of band through every relay where the relay gave the peer an id
 * (TCP_connection.c send_packet_tcp_connection). Relays learnt from friends (share-relays, DHT-key
 * announcements) are added beside the user's, up to `maxRelays`.
 *
 * Reconnects are bounded: a relay that closes is tried again after 1 s, doubling up to 60 s; after
 * `maxFailures` attempts in a row that did not stay up for 30 s it is given up (counted in
 * `stats.givenUp`) — so a relay that sends garbage or stalls costs a few connections, not a loop.
 * @since 0.2.0
 */
import { Emitter, type Disposable, type Event } from '@confab/sdk';
import { toHex, type KeyPair } from '../crypto/keys';
import { contained, systemClock, systemScheduler, type Clock, type ContainedScheduler, type Scheduler } from '../dht/clock';
import type { NodeInfo } from '../wire/packed-node';
import { copyBytes } from '../wire/copy';
import { TCP_PING_FREQUENCY_MS } from './constants';
import { RelayClient, type RelayClientOptions, type RelayCloseReason } from './relay-client';

const RECONNECT_FIRST_MS = 1000;
const RECONNECT_MAX_MS = 60_000;

/** A packet from a peer through a relay; `reply` answers the same way (routed or out of band). @since 0.2.0 */
export interface RelayedPacket {
  readonly peerDhtPk: Uint8Array;
  readonly data: Uint8Array;
  readonly oob: boolean;
  reply(data: Uint8Array): boolean;
}

/** @since 0.2.0 */
export interface TcpRelaysOptions {
  /** Our DHT key pair. */
  readonly self: KeyPair;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  /** Default 8. */
  readonly maxRelays?: number;
  /** Default 5. */
  readonly maxFailures?: number;
  /** Passed to each relay connection (timeouts, for tests). */
  readonly relay?: Pick<RelayClientOptions, 'connectTimeoutMs' | 'pingEveryMs' | 'pingTimeoutMs'>;
}

interface RelayEntry {
  readonly node: NodeInfo;
  client: RelayClient | undefined;
  failures: number;
  retry: Disposable | undefined;
  givenUp: boolean;
}

/** Our relays; see the header of this file. @since 0.2.0 */
export class TcpRelays implements Disposable {
  private readonly self: KeyPair;
  private readonly clock: Clock;
  private readonly scheduler: ContainedScheduler;
  private readonly relays = new Map<string, RelayEntry>();
  private readonly peers = new Map<string, Uint8Array>();
  private readonly maxRelays: number;
  private readonly maxFailures: number;
  private timer: Disposable | undefined;
  private disposed = false;
  private readonly packetE = new Emitter<RelayedPacket>();
  private readonly onionE = new Emitter<Uint8Array>();
  private readonly changedE = new Emitter<void>();
  /** A packet from a peer (routed or out of band). */
  readonly onPacket: Event<RelayedPacket> = this.packetE.event;
  /** An onion response through any relay. */
  readonly onOnion: Event<Uint8Array> = this.onionE.event;
  /** A relay connected or closed. */
  readonly onChanged: Event<void> = this.changedE.event;
  private readonly statsV = { connects: 0, connected: 0, closed: {} as Record<string, number>, givenUp: 0, sentRouted: 0, sentOob: 0, received: 0 };

  constructor(private readonly opts: TcpRelaysOptions) {
    this.self = opts.self;
    this.clock = opts.clock ?? systemClock;
    this.scheduler = contained(opts.scheduler ?? systemScheduler);
    this.maxRelays = opts.maxRelays ?? 8;
    this.maxFailures = opts.maxFailures ?? 5;
  }

  start(): void {
    if (this.timer === undefined) this.timer = this.scheduler.every(1000, () => this.tick(), 'tcp-relays');
  }

  /** Adds a relay (c-toxcore add_tcp_relay) and connects to it; false when full or known. */
  add(node: NodeInfo): boolean {
    const k = toHex(node.publicKey);
    if (this.disposed || this.relays.has(k) || this.relays.size >= this.maxRelays) return false;
    const e: RelayEntry = { node: { transport: 'tcp', address: { ...node.address }, publicKey: copyBytes(node.publicKey) }, client: undefined, failures: 0, retry: undefined, givenUp: false };
    this.relays.set(k, e);
    this.open(e);
    return true;
  }

  /** Relays we are connected to now, as packed-node entries (for share-relays and DHT-key announcements). */
  connected(max = this.maxRelays): NodeInfo[] {
    const out: NodeInfo[] = [];
    for (const e of this.relays.values()) if (e.client?.state === 'connected' && out.length < max) out.push(e.node);
    return out;
  }

  /** Routes to a peer on every relay (c-toxcore new_tcp_connection_to). */
  addPeer(peerDhtPk: Uint8Array): void {
    const k = toHex(peerDhtPk);
    if (this.peers.has(k)) return;
    this.peers.set(k, copyBytes(peerDhtPk));
    for (const e of this.relays.values()) e.client?.route(peerDhtPk);
  }

  removePeer(peerDhtPk: Uint8Array): void {
    if (!this.peers.delete(toHex(peerDhtPk))) return;
    for (const e of this.relays.values()) e.client?.unroute(peerDhtPk);
  }

  /** Whether the peer is online on some relay. */
  peerOnline(peerDhtPk: Uint8Array): boolean {
    for (const e of this.relays.values()) if (e.client?.routeState(peerDhtPk) === 'online') return true;
    return false;
  }

  /** TCP_connection.c send_packet_tcp_connection: routed if online somewhere, else out of band where registered. */
  send(peerDhtPk: Uint8Array, data: Uint8Array): boolean {
    for (const e of this.relays.values()) {
      if (e.client?.sendRouted(peerDhtPk, data)) { this.statsV.sentRouted++; return true; }
    }
    let any = false;
    for (const e of this.relays.values()) {
      if (e.client?.routeState(peerDhtPk) === 'registered' && e.client.sendOob(peerDhtPk, data)) any = true;
    }
    if (any) this.statsV.sentOob++;
    return any;
  }

  /** An onion request through a connected relay (random, as get_random_tcp_con_number); false with none. */
  sendOnion(data: Uint8Array): boolean {
    const up = [...this.relays.values()].filter((e) => e.client?.state === 'connected');
    if (up.length === 0) return false;
    return up[Math.floor(Math.random() * up.length)].client!.sendOnion(data);
  }

  get stats() {
    return { ...this.statsV, closed: { ...this.statsV.closed }, relays: this.relays.size, up: this.connected().length };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.timer?.dispose();
    for (const e of this.relays.values()) {
      e.retry?.dispose();
      e.client?.dispose();
    }
    this.relays.clear();
    for (const em of [this.packetE, this.onionE, this.changedE]) em.dispose();
  }

  // ---- internals --------------------------------------------------------------------------------

  private tick(): void {
    for (const e of this.relays.values()) e.client?.tick();
  }

  private open(e: RelayEntry): void {
    if (this.disposed || e.givenUp) return;
    const c = new RelayClient({ address: e.node.address, publicKey: e.node.publicKey, self: this.self, clock: this.clock, scheduler: this.scheduler, ...this.opts.relay });
    e.client = c;
    this.statsV.connects++;
    c.onState((s) => {
      if (s !== 'connected') return;
      this.statsV.connected++;
      for (const pk of this.peers.values()) c.route(pk);
      this.changedE.fire();
    });
    c.onData((d) => {
      this.statsV.received++;
      const reply = (data: Uint8Array) => (d.oob ? c.sendOob(d.publicKey, data) : c.sendRouted(d.publicKey, data));
      this.packetE.fire({ peerDhtPk: d.publicKey, data: d.data, oob: d.oob, reply });
    });
    c.onOnion((d) => this.onionE.fire(d));
    c.onClosed((reason) => this.closed(e, c, reason));
    c.start();
  }

  private closed(e: RelayEntry, c: RelayClient, reason: RelayCloseReason): void {
    this.statsV.closed[reason] = (this.statsV.closed[reason] ?? 0) + 1;
    if (e.client !== c) return;
    e.client = undefined;
    const wasUp = c.connectedAt > 0;
    if (wasUp) this.changedE.fire();
    if (this.disposed || reason === 'local') return;
    // a connection that stayed up a ping period was a good one: the count of failures starts again
    if (wasUp && this.clock.now() - c.connectedAt >= TCP_PING_FREQUENCY_MS) e.failures = 0;
    e.failures++;
    if (e.failures >= this.maxFailures) {
      e.givenUp = true;
      this.statsV.givenUp++;
      return;
    }
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** (e.failures - 1));
    e.retry = this.scheduler.after(delay, () => { e.retry = undefined; this.open(e); }, 'tcp-relays');
  }
}
