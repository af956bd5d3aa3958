/**
 * net_crypto over UDP (Tox spec § "Net crypto"), wire-compatible with c-toxcore 0.2.18: it owns
 * packet kinds 0x18–0x1b on the DHT's router and the crypto connections.
 *
 * Dispatch. A cookie request (0x18) is answered for anyone, as c-toxcore does: the exact size is
 * checked, then the DHT combined key of the sender (cached) opens it. Cookie responses, handshakes
 * and data packets go to the connection bound to the address they came from (c-toxcore's
 * ip_port → connection list). A handshake from an unknown address is a new connection: its cookie
 * is opened first (one symmetric box, our key), and only a cookie that is ours, fresh and names a
 * key we want leads to the public-key work of the handshake box; then the incoming handler decides.
 * Everything else is counted and dropped.
 *
 * Periodic work (c-toxcore runs do_net_crypto as often as its sleep time allows: every 50 ms when
 * idle, 1–50 ms when busy; we run every 50 ms when idle and down to every `tickMs` when busy, see
 * `runInterval`): resends, request packets, congestion control, handshake timeouts.
 * @since 0.1.0
 */
import { Emitter, type Disposable, type Event } from '@confab/sdk';
import { keyPairFromSecret, randomBytes, toHex, keysEqual, type KeyPair } from '../crypto/keys';
import { SharedKeyCache } from '../crypto/shared-key-cache';
import { contained, systemClock, systemScheduler, type Clock, type Scheduler } from '../dht/clock';
import type { Dht } from '../dht/dht';
import { PacketKind } from '../dht/packet-kind';
import type { DropReason, Inbound, Outcome } from '../dht/router';
import { addressKey, type SocketAddress } from '../wire/ip';
import { copyBytes } from '../wire/copy';
import {
  COOKIE_REQUEST_LENGTH, COOKIE_RESPONSE_LENGTH, CRYPTO_PACKET_MIN_RATE, CRYPTO_SEND_PACKET_INTERVAL_MS, HANDSHAKE_PACKET_LENGTH,
  MAX_CRYPTO_PACKET_SIZE, MIN_RUN_INTERVAL_MS,
} from './constants';
import { CryptoConnection, type ConnectionHost } from './connection';
import type { RelayedPacket, TcpRelays } from '../tcp/tcp-relays';
import {
  cookieRequestSender, dataPacketSizeOk, encodeCookieRequest, encodeCookieResponse, handshakeCookie, makeCookie, openCookie,
  openCookieRequest, openHandshakeBody, type HandshakeBody,
} from './packets';

/** @since 0.1.0 */
export interface NetCryptoOptions {
  readonly dht: Dht;
  /** Our long-term (real) key pair: the public key of our Tox ID. */
  readonly keyPair: KeyPair;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  readonly random?: (n: number) => Uint8Array;
  /** Default 20 ms. */
  readonly tickMs?: number;
  /** TCP relays (tcp/): packets to peers not directly connected go through them. */
  readonly relays?: TcpRelays;
}

/** A handshake from someone we have no connection with; `accept()` makes the connection. @since 0.1.0 */
export interface IncomingConnection {
  readonly realPk: Uint8Array;
  readonly dhtPk: Uint8Array;
  /** Undefined when the handshake came through a TCP relay. */
  readonly from: SocketAddress | undefined;
  /** Accepts: the connection, `not-confirmed`, our handshake sent. Only during the handler call. */
  accept(): CryptoConnection;
}

/** @since 0.1.0 */
export type IncomingHandler = (n: IncomingConnection) => void;

/** Why net_crypto dropped a packet, beyond the router's reasons. @since 0.1.0 */
export type NetCryptoDrop = 'bad-size' | 'bad-box' | 'stale-cookie' | 'unwanted-key' | 'no-connection' | 'unexpected' | 'malformed' | 'refused';

/** Our net_crypto; see the header of this file. @since 0.1.0 */
export class NetCrypto implements Disposable {
  readonly publicKey: Uint8Array;
  readonly clock: Clock;
  private readonly keyPair: KeyPair;
  private readonly dht: Dht;
  private readonly scheduler: Scheduler;
  private readonly random: (n: number) => Uint8Array;
  /** The key of our cookies (spec § "Cookie": "a symmetric key … random each time net_crypto is started"). */
  private readonly cookieKey: Uint8Array;
  private readonly realKeys: SharedKeyCache;
  private readonly byPk = new Map<string, CryptoConnection>();
  private readonly byAddress = new Map<string, CryptoConnection>();
  private incoming: IncomingHandler | undefined;
  private readonly disposables: Disposable[] = [];
  private timer: Disposable | undefined;
  private disposed = false;
  private readonly tickMs: number;
  private readonly drops: Record<NetCryptoDrop, number> = {
    'bad-size': 0, 'bad-box': 0, 'stale-cookie': 0, 'unwanted-key': 0, 'no-connection': 0, unexpected: 0, malformed: 0, refused: 0,
  };
  private readonly handled = { cookieRequests: 0, cookieResponses: 0, handshakes: 0, data: 0 };
  private readonly host: ConnectionHost;
  private readonly relays: TcpRelays | undefined;
  private readonly newConn = new Emitter<CryptoConnection>();
  /** Every connection made, by `connect` or by accepting. */
  readonly onConnection: Event<CryptoConnection> = this.newConn.event;

  constructor(opts: NetCryptoOptions) {
    this.dht = opts.dht;
    this.keyPair = keyPairFromSecret(opts.keyPair.secretKey);
    this.publicKey = this.keyPair.publicKey;
    this.clock = opts.clock ?? systemClock;
    this.scheduler = contained(opts.scheduler ?? systemScheduler); // issue 6: a throwing tick is reported, never fatal
    this.random = opts.random ?? randomBytes;
    this.tickMs = opts.tickMs ?? 20;
    this.cookieKey = this.random(32);
    this.realKeys = new SharedKeyCache(this.keyPair.secretKey, 256);
    const self = this;
    this.host = {
      clock: this.clock,
      random: this.random,
      send: (p, to) => this.dht.send(p, to),
      sendRelay: opts.relays === undefined ? undefined : (pk, p) => opts.relays!.send(pk, p),
      makeCookie: (realPk, dhtPk) => makeCookie(this.cookieKey, this.nowS(), { realPk, dhtPk }, this.random(24)),
      realSharedKey: (pk) => this.realKeys.get(pk),
      addressChanged(conn, old) { self.rebind(conn, old); },
      closed(conn) { self.forget(conn); },
    };
    const r = this.dht.router;
    this.disposables.push(
      r.register(PacketKind.COOKIE_REQUEST, (p, i) => this.onCookieRequest(p, i)),
      r.register(PacketKind.COOKIE_RESPONSE, (p, i) => this.onConnectionPacket(p, i)),
      r.register(PacketKind.CRYPTO_HANDSHAKE, (p, i) => this.onConnectionPacket(p, i)),
      r.register(PacketKind.CRYPTO_DATA, (p, i) => this.onConnectionPacket(p, i)),
    );
    this.relays = opts.relays;
    if (this.relays !== undefined) this.disposables.push(this.relays.onPacket((e) => this.onRelayed(e)));
  }

  /** Starts the periodic work. */
  start(): void {
    if (this.timer === undefined) this.arm(this.tickMs);
  }

  /** The next run of the periodic work in `ms`, then again after each run as `runInterval` says. */
  private arm(ms: number): void {
    this.timer = this.scheduler.after(ms, () => {
      this.timer = undefined;
      try {
        this.tick();
      } finally {
        // re-armed even when the tick threw (the contained scheduler reports it)
        if (!this.disposed) this.arm(this.runInterval());
      }
    }, 'net-crypto');
  }

  /**
   * The wait before the next run, ms: c-toxcore sleeps for net_crypto's current_sleep_time (set in
   * net_crypto.c send_crypto_packets: the shortest request interval of a connection receiving fast,
   * 1000 / the total send rate + 1 when sending fast, else CRYPTO_SEND_PACKET_INTERVAL), capped by
   * Messenger.c messenger_run_interval at MIN_RUN_INTERVAL (50 ms). So idle connections cost 20
   * runs a second, as in c-toxcore; busy ones run every `tickMs` at the most.
   */
  private runInterval(): number {
    let sleep = CRYPTO_SEND_PACKET_INTERVAL_MS;
    let totalSendRate = 0;
    for (const c of this.byPk.values()) {
      sleep = Math.min(sleep, c.requestIntervalDemand);
      totalSendRate += c.sendRateDemand;
    }
    if (totalSendRate > CRYPTO_PACKET_MIN_RATE) sleep = Math.min(sleep, 1000 / totalSendRate + 1);
    return Math.max(this.tickMs, Math.min(MIN_RUN_INTERVAL_MS, sleep));
  }

  /** Who decides on handshakes from unknown peers (c-toxcore's new_connection_handler). Without one, all are refused. */
  setIncomingHandler(handler: IncomingHandler | undefined): void {
    this.incoming = handler;
  }

  /**
   * A connection to a peer (c-toxcore's new_crypto_connection): the existing one for `realPk` if
   * any, else a new one that sends cookie requests to `address` (when given; see `setAddress`).
   */
  connect(realPk: Uint8Array, dhtPk: Uint8Array, address?: SocketAddress): CryptoConnection {
    const existing = this.byPk.get(toHex(realPk));
    if (existing !== undefined) return existing;
    const dhtShared = this.dht.sharedKeys.get(dhtPk);
    const conn = new CryptoConnection(this.host, copyBytes(realPk), dhtPk, {
      kind: 'initiate',
      cookieRequest: (echoId) => ({
        packet: encodeCookieRequest(dhtShared, this.dht.publicKey, this.publicKey, echoId, this.random(24)),
        dhtSharedKey: dhtShared,
      }),
    });
    this.byPk.set(toHex(realPk), conn);
    this.relays?.addPeer(dhtPk);
    this.newConn.fire(conn);
    if (address !== undefined) conn.setAddress(address, false);
    return conn;
  }

  /** The connection with a real public key, if any. */
  connection(realPk: Uint8Array): CryptoConnection | undefined {
    return this.byPk.get(toHex(realPk));
  }

  get connections(): readonly CryptoConnection[] {
    return [...this.byPk.values()];
  }

  /** Runs one round of the periodic work. */
  tick(): void {
    for (const c of [...this.byPk.values()]) c.tick();
  }

  /** Counters: packets handled by kind and dropped by reason. */
  get stats() {
    return { handled: { ...this.handled }, dropped: { ...this.drops }, connections: this.byPk.size };
  }

  /** Kills every connection (kill packets to established ones) and lets go of the router. */
  dispose(): void {
    this.disposed = true;
    this.timer?.dispose();
    this.timer = undefined;
    for (const c of [...this.byPk.values()]) c.kill();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.newConn.dispose();
    this.realKeys.clear();
    this.cookieKey.fill(0);
  }

  // ---- handlers -----------------------------------------------------------------------------------

  /** spec § "Cookie request": answered to whoever asks, from the address it came from. */
  private onCookieRequest(packet: Uint8Array, inbound: Inbound): Outcome {
    const res = this.cookieResponse(packet, undefined);
    if (typeof res === 'string') return res;
    inbound.via.send(res, inbound.from);
    return 'handled';
  }

  /** The answer to a cookie request; through a relay the request must come from the key it names (tcp_oob_handle_cookie_request). */
  private cookieResponse(packet: Uint8Array, relayedFrom: Uint8Array | undefined): Uint8Array | Outcome {
    if (packet.length !== COOKIE_REQUEST_LENGTH) return this.drop('bad-size', 'bad-size');
    const senderDhtPk = cookieRequestSender(packet);
    if (keysEqual(senderDhtPk, this.dht.publicKey)) return 'from-self';
    if (relayedFrom !== undefined && !keysEqual(senderDhtPk, relayedFrom)) return this.drop('unwanted-key', 'unexpected-reply');
    const shared = this.dht.sharedKeys.get(senderDhtPk);
    const req = openCookieRequest(shared, packet);
    if (req === undefined) return this.drop('bad-box', 'bad-box');
    const cookie = makeCookie(this.cookieKey, this.nowS(), { realPk: req.realPk, dhtPk: copyBytes(senderDhtPk) }, this.random(24));
    this.handled.cookieRequests++;
    return encodeCookieResponse(shared, cookie, req.echoId, this.random(24));
  }

  /**
   * A packet through a TCP relay (net_crypto.c tcp_data_callback, tcp_oob_callback): the same
   * packets as over UDP, bound to the connection by the peer's DHT key instead of its address.
   */
  private onRelayed(e: RelayedPacket): void {
    const packet = e.data;
    if (packet.length <= 1 + 2 + 16 || packet.length > MAX_CRYPTO_PACKET_SIZE) { this.drops['bad-size']++; return; }
    const kind = packet[0];
    if (kind === PacketKind.COOKIE_REQUEST) {
      const res = this.cookieResponse(packet, e.peerDhtPk);
      if (typeof res !== 'string') e.reply(res);
      return;
    }
    const conn = this.connectionsOf(e.peerDhtPk)[0];
    if (conn === undefined) {
      if (kind === PacketKind.CRYPTO_HANDSHAKE) this.onNewHandshake(packet, undefined);
      else this.drops['no-connection']++;
      return;
    }
    this.deliver(conn, packet, undefined);
  }

  private connectionsOf(dhtPk: Uint8Array): CryptoConnection[] {
    const out: CryptoConnection[] = [];
    for (const c of this.byPk.values()) if (c.state !== 'killed' && keysEqual(c.dhtPk, dhtPk)) out.push(c);
    return out;
  }

  /** Cookie responses, handshakes, data: to the connection of the address (c-toxcore's udp_handle_packet). */
  private onConnectionPacket(packet: Uint8Array, inbound: Inbound): Outcome {
    if (packet.length <= 1 + 2 + 16 || packet.length > MAX_CRYPTO_PACKET_SIZE) return this.drop('bad-size', 'bad-size');
    const kind = packet[0];
    const conn = this.byAddress.get(addressKey(inbound.from));
    if (conn === undefined) {
      if (kind !== PacketKind.CRYPTO_HANDSHAKE) return this.drop('no-connection', 'no-route');
      return this.onNewHandshake(packet, inbound.from);
    }
    return this.deliver(conn, packet, inbound.from);
  }

  /** A cookie response, handshake or data packet for a connection; `from` undefined: through a relay. */
  private deliver(conn: CryptoConnection, packet: Uint8Array, from: SocketAddress | undefined): Outcome {
    const kind = packet[0];
    const relayed = from === undefined;
    let out: Outcome;
    if (kind === PacketKind.COOKIE_RESPONSE) {
      if (packet.length !== COOKIE_RESPONSE_LENGTH) return this.drop('bad-size', 'bad-size');
      out = conn.handleCookieResponse(packet);
      if (out === 'handled') this.handled.cookieResponses++;
    } else if (kind === PacketKind.CRYPTO_HANDSHAKE) {
      const hs = this.openHandshake(packet, conn.realPk);
      if (typeof hs === 'string') return hs;
      out = conn.handleHandshake(hs.body, hs.dhtPk, from, false, relayed);
      if (out === 'handled') this.handled.handshakes++;
    } else {
      if (!dataPacketSizeOk(packet.length)) return this.drop('bad-size', 'bad-size');
      out = conn.handleData(packet, relayed);
      if (out === 'handled') this.handled.data++;
    }
    if (out !== 'handled') this.count(out);
    return out;
  }

  /** c-toxcore's handle_new_connection_handshake. */
  private onNewHandshake(packet: Uint8Array, from: SocketAddress | undefined): Outcome {
    const hs = this.openHandshake(packet, undefined);
    if (typeof hs === 'string') return hs;
    const existing = this.byPk.get(toHex(hs.realPk));
    if (existing !== undefined) {
      if (keysEqual(existing.dhtPk, hs.dhtPk)) {
        const out = existing.handleHandshake(hs.body, hs.dhtPk, from, from !== undefined, from === undefined);
        if (out === 'handled') this.handled.handshakes++;
        else this.count(out);
        return out;
      }
      // the peer restarted with a new DHT key: this connection is stale
      existing.close('replaced');
    }
    const handler = this.incoming;
    let made: CryptoConnection | undefined;
    if (handler !== undefined) {
      let open = true;
      handler({
        realPk: hs.realPk, dhtPk: hs.dhtPk, from,
        accept: () => {
          if (!open) throw new Error('accept() after the incoming handler returned');
          if (made !== undefined) return made;
          made = this.acceptConnection(hs.realPk, hs.dhtPk, hs.body, from);
          return made;
        },
      });
      open = false;
    }
    if (made === undefined) return this.drop('refused', 'disabled');
    this.handled.handshakes++;
    return 'handled';
  }

  private acceptConnection(realPk: Uint8Array, dhtPk: Uint8Array, body: HandshakeBody, from: SocketAddress | undefined): CryptoConnection {
    this.relays?.addPeer(dhtPk); // before the connection sends its handshake: it may go through a relay
    const conn = new CryptoConnection(this.host, realPk, dhtPk, { kind: 'accept', peer: body, from });
    this.byPk.set(toHex(realPk), conn);
    this.newConn.fire(conn);
    return conn;
  }

  /**
   * The cheap checks first: exact size, then our cookie (one symmetric box), fresh, naming the
   * expected key; only then the handshake box, with the real combined key (cached).
   */
  private openHandshake(packet: Uint8Array, expectedRealPk: Uint8Array | undefined):
    { realPk: Uint8Array; dhtPk: Uint8Array; body: HandshakeBody } | Outcome {
    if (packet.length !== HANDSHAKE_PACKET_LENGTH) return this.drop('bad-size', 'bad-size');
    const keys = openCookie(this.cookieKey, this.nowS(), handshakeCookie(packet));
    if (keys === undefined) return this.drop('stale-cookie', 'bad-box');
    if (expectedRealPk !== undefined && !keysEqual(keys.realPk, expectedRealPk)) return this.drop('unwanted-key', 'unexpected-reply');
    if (expectedRealPk === undefined && this.incoming === undefined) return this.drop('refused', 'disabled');
    const body = openHandshakeBody(this.realKeys.get(keys.realPk), packet);
    if (body === undefined) return this.drop('bad-box', 'bad-box');
    return { realPk: keys.realPk, dhtPk: keys.dhtPk, body };
  }

  private rebind(conn: CryptoConnection, old: SocketAddress | undefined): void {
    if (old !== undefined) {
      const k = addressKey(old);
      if (this.byAddress.get(k) === conn) this.byAddress.delete(k);
    }
    const a = conn.address;
    if (a === undefined) return;
    const k = addressKey(a);
    const other = this.byAddress.get(k);
    // one connection per address, as c-toxcore's list: the newest binding wins
    if (other !== undefined && other !== conn) this.byAddress.delete(k);
    this.byAddress.set(k, conn);
  }

  private forget(conn: CryptoConnection): void {
    const id = toHex(conn.realPk);
    if (this.byPk.get(id) === conn) this.byPk.delete(id);
    if (this.relays !== undefined && !this.connectionsOf(conn.dhtPk).length) this.relays.removePeer(conn.dhtPk);
    const a = conn.address;
    if (a !== undefined && this.byAddress.get(addressKey(a)) === conn) this.byAddress.delete(addressKey(a));
  }

  private count(out: Outcome): void {
    if (out === 'bad-box') this.drops['bad-box']++;
    else if (out === 'bad-size') this.drops['bad-size']++;
    else if (out === 'malformed') this.drops.malformed++;
    else this.drops.unexpected++;
  }

  private drop(reason: NetCryptoDrop, outcome: DropReason): DropReason {
    this.drops[reason]++;
    return outcome;
  }

  private nowS(): number {
    return this.clock.now() / 1000;
  }
}

