/**
 * One connection to a TCP relay (c-toxcore TCP_client.c): connect, handshake (handshake.ts), then
 * framed packets (framing.ts). It asks the relay to route us to peers by their DHT key
 * (send_routing_request), learns their connection ids (routing response) and whether they are there
 * (connection / disconnect notifications), sends and receives routed data and out-of-band packets,
 * and onion requests and responses. Pings every 30 s, dropped when a pong is 10 s late; a relay that
 * does not answer the handshake within 10 s is dropped (TCP_CONNECTION_TIMEOUT).
 *
 * Hostile relays: a handshake answer that does not open, a frame of a bad length or that does not
 * open, or a packet a relay may not send ends the connection with a reason (`closed`), counted; any
 * of them costs one connection, never the process. What we write is bounded: past
 * `MAX_WRITE_BUFFER` unsent bytes (a relay that stopped reading), packets are dropped and counted.
 * @since 0.2.0
 */
import { connect, type Socket } from 'node:net';
import { Emitter, type Disposable, type Event } from '@confab/sdk';
import { keysEqual, newKeyPair, randomBytes, toHex, type KeyPair } from '../crypto/keys';
import { systemClock, systemScheduler, type Clock, type Scheduler } from '../dht/clock';
import type { SocketAddress } from '../wire/ip';
import { copyBytes } from '../wire/copy';
import { TCP_CONNECTION_TIMEOUT_MS, TCP_PING_FREQUENCY_MS, TCP_PING_TIMEOUT_MS, TCP_SERVER_HANDSHAKE_SIZE } from './constants';
import { FrameReader, sealFrame } from './framing';
import { makeClientHandshake, openServerHandshake, type PendingHandshake, type TcpSession } from './handshake';
import { decodeRelayPacket, encodeOnionRequest, encodeOob, encodePing, encodeRouted, encodeRoutingRequest, encodeDisconnect } from './packets';

/** Unsent bytes we let pile up before dropping packets. @since 0.2.0 */
export const MAX_WRITE_BUFFER = 256 * 1024;

/** @since 0.2.0 */
export type RelayState = 'connecting' | 'handshaking' | 'connected' | 'closed';
/** Why a relay connection ended. @since 0.2.0 */
export type RelayCloseReason = 'unreachable' | 'timeout' | 'bad-handshake' | 'bad-frame' | 'bad-packet' | 'ping-timeout' | 'closed-by-relay' | 'local';

/** A peer as routed by one relay: `registered` once the relay gave it an id, `online` when the peer is there too. @since 0.2.0 */
export type PeerRouteState = 'requested' | 'refused' | 'registered' | 'online';

/** @since 0.2.0 */
export interface RelayClientOptions {
  readonly address: SocketAddress;
  /** The relay's long-term (DHT) public key. */
  readonly publicKey: Uint8Array;
  /** Our DHT key pair: the relay knows us by it, and peers route to us by it. */
  readonly self: KeyPair;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  readonly random?: (n: number) => Uint8Array;
  /** Default TCP_CONNECTION_TIMEOUT, 10 s. */
  readonly connectTimeoutMs?: number;
  /** Default 30 s / 10 s. */
  readonly pingEveryMs?: number;
  readonly pingTimeoutMs?: number;
}

interface Route {
  readonly publicKey: Uint8Array;
  state: PeerRouteState;
  id: number;
}

/** A connection to one relay; see the header of this file. @since 0.2.0 */
export class RelayClient implements Disposable {
  readonly address: SocketAddress;
  readonly publicKey: Uint8Array;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly random: (n: number) => Uint8Array;
  private stateV: RelayState = 'connecting';
  private socket: Socket | undefined;
  private pending: PendingHandshake | undefined;
  private session: TcpSession | undefined;
  private reader: FrameReader | undefined;
  private hsBuf = new Uint8Array(0);
  private readonly routes = new Map<string, Route>();
  private readonly byId = new Map<number, Route>();
  private pingId: Uint8Array | undefined;
  private pingSentAt = 0;
  private timers: Disposable[] = [];
  private readonly pingEveryMs: number;
  private readonly pingTimeoutMs: number;
  connectedAt = 0;

  private readonly stateE = new Emitter<RelayState>();
  private readonly closedE = new Emitter<RelayCloseReason>();
  private readonly routeE = new Emitter<{ publicKey: Uint8Array; state: PeerRouteState }>();
  private readonly dataE = new Emitter<{ publicKey: Uint8Array; data: Uint8Array; oob: boolean }>();
  private readonly onionE = new Emitter<Uint8Array>();
  readonly onState: Event<RelayState> = this.stateE.event;
  /** Once, with the reason. */
  readonly onClosed: Event<RelayCloseReason> = this.closedE.event;
  /** A peer's route changed. */
  readonly onRoute: Event<{ publicKey: Uint8Array; state: PeerRouteState }> = this.routeE.event;
  /** Data from a peer, routed (`oob` false) or out of band (`oob` true). */
  readonly onData: Event<{ publicKey: Uint8Array; data: Uint8Array; oob: boolean }> = this.dataE.event;
  /** An onion response (TCP_PACKET_ONION_RESPONSE): an announce or data response packet. */
  readonly onOnion: Event<Uint8Array> = this.onionE.event;

  readonly counters = { packetsIn: 0, packetsOut: 0, dropped: 0, badPackets: 0, unknownIds: 0 };
  closeReason: RelayCloseReason | undefined;

  constructor(private readonly opts: RelayClientOptions) {
    this.address = opts.address;
    this.publicKey = copyBytes(opts.publicKey);
    this.clock = opts.clock ?? systemClock;
    this.scheduler = opts.scheduler ?? systemScheduler;
    this.random = opts.random ?? randomBytes;
    this.pingEveryMs = opts.pingEveryMs ?? TCP_PING_FREQUENCY_MS;
    this.pingTimeoutMs = opts.pingTimeoutMs ?? TCP_PING_TIMEOUT_MS;
  }

  get state(): RelayState {
    return this.stateV;
  }

  /** Opens the TCP connection and sends our handshake (c-toxcore new_TCP_connection). */
  start(): void {
    if (this.socket !== undefined || this.stateV === 'closed') return;
    this.pending = makeClientHandshake(this.opts.self, this.publicKey, newKeyPair(), this.random(24), this.random(24));
    const s = connect({ host: this.address.host, port: this.address.port });
    this.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      if (this.stateV !== 'connecting') return;
      this.setState('handshaking');
      s.write(this.pending!.packet);
    });
    s.on('data', (b: Buffer) => this.onBytes(new Uint8Array(b.buffer, b.byteOffset, b.length)));
    s.on('error', () => this.close(this.stateV === 'connecting' ? 'unreachable' : 'closed-by-relay'));
    s.on('close', () => this.close(this.stateV === 'connecting' ? 'unreachable' : 'closed-by-relay'));
    this.timers.push(this.scheduler.after(this.opts.connectTimeoutMs ?? TCP_CONNECTION_TIMEOUT_MS, () => {
      if (this.stateV === 'connecting' || this.stateV === 'handshaking') this.close('timeout');
    }, 'tcp-relay'));
  }

  /** Asks the relay to route us to `publicKey` (a peer's DHT key); once per key. */
  route(publicKey: Uint8Array): void {
    const k = toHex(publicKey);
    if (this.routes.has(k)) return;
    this.routes.set(k, { publicKey: copyBytes(publicKey), state: 'requested', id: 0 });
    if (this.stateV === 'connected') this.write(encodeRoutingRequest(publicKey));
  }

  /** Stops routing to `publicKey` (disconnect notification if the relay gave it an id). */
  unroute(publicKey: Uint8Array): void {
    const k = toHex(publicKey);
    const r = this.routes.get(k);
    if (r === undefined) return;
    this.routes.delete(k);
    if (r.id !== 0) {
      this.byId.delete(r.id);
      if (this.stateV === 'connected') this.write(encodeDisconnect(r.id));
    }
  }

  routeState(publicKey: Uint8Array): PeerRouteState | undefined {
    return this.routes.get(toHex(publicKey))?.state;
  }

  /** Routed data to an online peer (c-toxcore send_data); false if not online here or dropped. */
  sendRouted(publicKey: Uint8Array, data: Uint8Array): boolean {
    const r = this.routes.get(toHex(publicKey));
    if (r === undefined || r.state !== 'online') return false;
    return this.write(encodeRouted(r.id, data));
  }

  /** An out-of-band packet to a peer connected to this relay (send_oob_packet). */
  sendOob(publicKey: Uint8Array, data: Uint8Array): boolean {
    if (this.stateV !== 'connected' || data.length === 0 || data.length > 1024) return false;
    return this.write(encodeOob(publicKey, data));
  }

  /** An onion request, the relay being the path's first node (send_onion_request). */
  sendOnion(data: Uint8Array): boolean {
    if (this.stateV !== 'connected') return false;
    return this.write(encodeOnionRequest(data));
  }

  /** Periodic work: pings, their timeout (do_confirmed_TCP). */
  tick(): void {
    if (this.stateV !== 'connected') return;
    const now = this.clock.now();
    if (this.pingId !== undefined && now - this.pingSentAt > this.pingTimeoutMs) {
      this.close('ping-timeout');
      return;
    }
    if (this.pingId === undefined && now - this.pingSentAt >= this.pingEveryMs) {
      const id = this.random(8);
      if (id.every((b) => b === 0)) id[7] = 1; // c-toxcore: a ping id is never 0
      this.pingId = id;
      this.pingSentAt = now;
      this.write(encodePing('ping', id));
    }
  }

  dispose(): void {
    this.close('local');
  }

  close(reason: RelayCloseReason): void {
    if (this.stateV === 'closed') return;
    this.closeReason = reason;
    this.setState('closed');
    for (const t of this.timers.splice(0)) t.dispose();
    this.socket?.destroy();
    this.socket = undefined;
    for (const r of this.routes.values()) if (r.state === 'online') this.routeE.fire({ publicKey: r.publicKey, state: 'registered' });
    this.session?.sharedKey.fill(0);
    this.pending?.temp.secretKey.fill(0);
    this.closedE.fire(reason);
    for (const e of [this.stateE, this.closedE, this.routeE, this.dataE, this.onionE]) e.dispose();
  }

  // ---- internals --------------------------------------------------------------------------------

  private setState(s: RelayState): void {
    this.stateV = s;
    this.stateE.fire(s);
  }

  private onBytes(b: Uint8Array): void {
    if (this.stateV === 'handshaking') {
      const all = new Uint8Array(this.hsBuf.length + b.length);
      all.set(this.hsBuf, 0);
      all.set(b, this.hsBuf.length);
      if (all.length < TCP_SERVER_HANDSHAKE_SIZE) { this.hsBuf = all; return; }
      const session = openServerHandshake(this.pending!, all.subarray(0, TCP_SERVER_HANDSHAKE_SIZE));
      if (session === undefined) { this.close('bad-handshake'); return; }
      this.hsBuf = new Uint8Array(0);
      this.pending!.temp.secretKey.fill(0);
      this.session = session;
      this.reader = new FrameReader(session);
      this.connectedAt = this.clock.now();
      this.pingSentAt = this.clock.now();
      this.setState('connected');
      if (this.isClosed()) return; // a listener closed it
      // the relay confirms us on our first packet (TCP_server.c confirm_TCP_connection): our routing requests, else a ping
      for (const r of this.routes.values()) this.write(encodeRoutingRequest(r.publicKey));
      if (this.routes.size === 0) { this.pingSentAt = -Infinity; this.tick(); }
      const rest = all.subarray(TCP_SERVER_HANDSHAKE_SIZE);
      if (rest.length > 0) this.onBytes(copyBytes(rest));
      return;
    }
    if (this.stateV !== 'connected' || this.reader === undefined) return;
    const { packets, error } = this.reader.push(b);
    for (const p of packets) {
      if (this.isClosed()) return;
      this.onPacket(p);
    }
    if (error !== undefined && !this.isClosed()) this.close('bad-frame');
  }

  private onPacket(p: Uint8Array): void {
    this.counters.packetsIn++;
    const d = decodeRelayPacket(p);
    switch (d.kind) {
      case 'bad':
        this.counters.badPackets++;
        this.close('bad-packet'); // c-toxcore: handle_TCP_client_packet returns -1, the connection is killed
        return;
      case 'routing-response': {
        const r = this.routes.get(toHex(d.publicKey));
        if (r === undefined || r.state !== 'requested') { this.counters.unknownIds++; return; }
        if (d.connectionId === 0) { r.state = 'refused'; this.routeE.fire({ publicKey: r.publicKey, state: 'refused' }); return; }
        if (d.connectionId < 16 || this.byId.has(d.connectionId)) { this.counters.unknownIds++; return; }
        r.id = d.connectionId;
        r.state = 'registered';
        this.byId.set(r.id, r);
        this.routeE.fire({ publicKey: r.publicKey, state: 'registered' });
        return;
      }
      case 'connection-notification':
      case 'disconnect-notification': {
        const r = this.byId.get(d.connectionId);
        if (r === undefined) { this.counters.unknownIds++; return; }
        const next = d.kind === 'connection-notification' ? 'online' : 'registered';
        if (r.state === next) return;
        r.state = next;
        this.routeE.fire({ publicKey: r.publicKey, state: next });
        return;
      }
      case 'ping':
        this.write(encodePing('pong', d.pingId));
        return;
      case 'pong':
        if (this.pingId !== undefined && keysEqual(d.pingId, this.pingId)) this.pingId = undefined;
        return;
      case 'oob-recv':
        this.dataE.fire({ publicKey: d.publicKey, data: d.data, oob: true });
        return;
      case 'onion-response':
        this.onionE.fire(d.data);
        return;
      case 'forwarding':
        return; // announce forwarding (0.2.18's new group announces): not used by us
      case 'data': {
        const r = this.byId.get(d.connectionId);
        if (r === undefined || r.state !== 'online') { this.counters.unknownIds++; return; }
        this.dataE.fire({ publicKey: r.publicKey, data: d.data, oob: false });
        return;
      }
    }
  }

  private write(packet: Uint8Array): boolean {
    const s = this.socket;
    if (s === undefined || this.session === undefined || this.stateV !== 'connected') return false;
    if (s.writableLength > MAX_WRITE_BUFFER) { this.counters.dropped++; return false; }
    s.write(sealFrame(this.session, packet));
    this.counters.packetsOut++;
    return true;
  }

  private isClosed(): boolean {
    return this.stateV === 'closed';
  }
}
