/**
 * One crypto connection (Tox spec § "Net crypto"; c-toxcore's Crypto_Connection): its state, session
 * keys and nonces, the send and receive buffers, and congestion control.
 *
 * States, as c-toxcore names them: `cookie-requesting` (we initiated; the cookie request is resent
 * every second), `handshake-sent` (the handshake is resent every second), `not-confirmed` (both
 * handshakes exchanged, no data packet yet; the handshake is still resent and request packets go
 * out), `established` (a data packet arrived), `killed`. A connection that is not established
 * after 8 sends of its cookie request or handshake is killed (MAX_NUM_SENDPACKET_TRIES); an
 * established one never times out here — friend_connection's keep-alives decide.
 *
 * Reliability. Lossless packets (ids 16–191) are numbered, kept in the send buffer until the peer's
 * buffer start passes them, and delivered in order from the receive buffer. Each side sends a
 * request packet (id 1) at least every second, more often when packets arrive fast; it names the
 * holes of its receive buffer, and carries its send-buffer end, so the peer learns of a lost tail
 * and asks for it. A requested packet is resent once it has been out longer than the round-trip
 * time (the shortest seen, 1 s until measured).
 *
 * Congestion control follows c-toxcore's send_crypto_packets: see congestion.ts.
 *
 * Packets go over UDP when the peer is directly connected, else through a TCP relay when one reaches
 * it (`ConnectionHost.sendRelay`, tcp/). Known gaps: one address per connection (c-toxcore keeps an IPv4 and an
 * IPv6 one).
 * @since 0.1.0
 */
import { Emitter, type Event } from '@confab/sdk';
import { Congestion } from './congestion';
import { newKeyPair, type KeyPair } from '../crypto/keys';
import type { Clock } from '../dht/clock';
import type { Outcome } from '../dht/router';
import { PacketKind } from '../dht/packet-kind';
import type { SocketAddress } from '../wire/ip';
import { copyBytes } from '../wire/copy';
import { incrementNonce } from '../crypto/nonce';
import { precompute } from '../crypto/box';
import {
  CRYPTO_PACKET_BUFFER_SIZE, CRYPTO_PACKET_MIN_RATE, CRYPTO_SEND_PACKET_INTERVAL_MS, DEFAULT_PING_CONNECTION_MS,
  MAX_CRYPTO_DATA_SIZE, MAX_NUM_SENDPACKET_TRIES, PacketId, UDP_DIRECT_TIMEOUT_MS,
} from './constants';
import { applyRequest, encodeRequest, PacketBuffer } from './packet-buffer';
import { decodeDataPlain, encodeDataPlain, encodeHandshake, openCookieResponse, openData, sealData, equalBytes, type HandshakeBody } from './packets';

/** @since 0.1.0 */
export type CryptoState = 'cookie-requesting' | 'handshake-sent' | 'not-confirmed' | 'established' | 'killed';

/** Why a connection closed. @since 0.1.0 */
export type CloseReason = 'killed-by-peer' | 'handshake-timeout' | 'local' | 'replaced';

/** @since 0.1.0 */
export type CryptoStatusEvent =
  | { readonly status: 'established' }
  | { readonly status: 'closed'; readonly reason: CloseReason };

/** What the owning NetCrypto gives a connection. @since 0.1.0 */
export interface ConnectionHost {
  readonly clock: Clock;
  readonly random: (n: number) => Uint8Array;
  send(packet: Uint8Array, to: SocketAddress): void;
  /** Through a TCP relay to the peer's DHT key (tcp/); false when no relay reaches it. Absent without relays. */
  sendRelay?(peerDhtPk: Uint8Array, packet: Uint8Array): boolean;
  /** A cookie naming the peer, for it to answer our handshake with (c-toxcore's create_cookie). */
  makeCookie(peerRealPk: Uint8Array, peerDhtPk: Uint8Array): Uint8Array;
  /** Our real secret key combined with a real public key (cached). */
  realSharedKey(peerRealPk: Uint8Array): Uint8Array;
  addressChanged(conn: CryptoConnection, old: SocketAddress | undefined): void;
  closed(conn: CryptoConnection): void;
}

/** How a connection starts. @since 0.1.0 */
export type ConnectionStart =
  | { readonly kind: 'initiate'; readonly cookieRequest: (echoId: Uint8Array) => { packet: Uint8Array; dhtSharedKey: Uint8Array } }
  | { readonly kind: 'accept'; readonly peer: HandshakeBody; readonly from: SocketAddress | undefined };

const u32 = (n: number) => n >>> 0;

/** A crypto connection; see the header of this file. @since 0.1.0 */
export class CryptoConnection {
  private stateV: CryptoState;
  private dhtPkV: Uint8Array;
  private readonly session: KeyPair;
  private sharedKey: Uint8Array | undefined;
  private readonly sentNonce: Uint8Array;
  private recvNonce: Uint8Array | undefined;
  private peerSessionPk: Uint8Array | undefined;
  private echoId: Uint8Array | undefined;
  private cookieSharedKey: Uint8Array | undefined;

  private temp: Uint8Array | undefined;
  private tempSentAt = 0;
  private tempSends = 0;

  private addressV: SocketAddress | undefined;
  private lastRecvAt = -Infinity;

  private readonly sendBuf = new PacketBuffer();
  private readonly recvBuf = new PacketBuffer();
  private lastRequestSentAt = 0;

  private readonly cc = new Congestion();
  private rttMs = DEFAULT_PING_CONNECTION_MS;

  private readonly statusE = new Emitter<CryptoStatusEvent>();
  private readonly dataE = new Emitter<Uint8Array>();
  private readonly lossyE = new Emitter<Uint8Array>();
  private readonly ackE = new Emitter<number>();
  private readonly dhtPkE = new Emitter<Uint8Array>();
  /** `established` once, then `closed` with a reason once. */
  readonly onStatus: Event<CryptoStatusEvent> = this.statusE.event;
  /** Lossless packets (ids 16–191), in order, each once. */
  readonly onData: Event<Uint8Array> = this.dataE.event;
  /** Lossy packets (ids 192–254), as they come. */
  readonly onLossy: Event<Uint8Array> = this.lossyE.event;
  /** A lossless packet number the peer has received (its buffer start passed it), in order. */
  readonly onAcknowledged: Event<number> = this.ackE.event;
  /** The peer's handshake named another DHT key than ours for it (c-toxcore's dht_pk_callback). */
  readonly onDhtPkChanged: Event<Uint8Array> = this.dhtPkE.event;

  /** Counters. */
  readonly counters = { sent: 0, resent: 0, received: 0, duplicates: 0, dropped: 0, requestsSent: 0 };

  constructor(private readonly host: ConnectionHost, readonly realPk: Uint8Array, dhtPk: Uint8Array, start: ConnectionStart) {
    this.dhtPkV = copyBytes(dhtPk);
    this.session = newKeyPair();
    this.sentNonce = host.random(24);
    if (start.kind === 'initiate') {
      this.stateV = 'cookie-requesting';
      this.echoId = host.random(8);
      const req = start.cookieRequest(this.echoId);
      this.cookieSharedKey = req.dhtSharedKey;
      this.setTemp(req.packet);
    } else {
      this.stateV = 'not-confirmed';
      this.adoptPeer(start.peer);
      if (start.from !== undefined) this.setAddress(start.from, true); // undefined: it came through a TCP relay
      this.sendHandshake(start.peer.otherCookie, this.dhtPkV);
    }
  }

  get state(): CryptoState {
    return this.stateV;
  }

  get dhtPk(): Uint8Array {
    return this.dhtPkV;
  }

  get address(): SocketAddress | undefined {
    return this.addressV;
  }

  /** A packet came from the peer's address in the last 8 s (c-toxcore's direct_connected). */
  get directlyConnected(): boolean {
    return this.lastRecvAt + UDP_DIRECT_TIMEOUT_MS > this.host.clock.now();
  }

  /** The shortest round-trip time seen, ms (1000 until measured). */
  get rtt(): number {
    return this.rttMs;
  }

  /** Packets in the send buffer (sent, not yet acknowledged). */
  get sendQueue(): number {
    return this.sendBuf.count;
  }

  /** How many lossless packets congestion control lets through now (c-toxcore's crypto_num_free_sendqueue_slots). */
  get freeSendSlots(): number {
    return Math.min(this.cc.packetsLeft, CRYPTO_PACKET_BUFFER_SIZE - this.sendBuf.count);
  }

  /** The send rate congestion control allows, packets/s. */
  get sendRate(): number {
    return this.cc.packetSendRate;
  }

  /**
   * Where to send (c-toxcore's set_direct_ip_port): `confirmed` when the DHT just heard the peer
   * there, so that it counts as directly connected.
   */
  setAddress(address: SocketAddress, confirmed: boolean): void {
    if (this.stateV === 'killed') return;
    const old = this.addressV;
    this.addressV = address;
    if (confirmed) this.lastRecvAt = this.host.clock.now();
    if (old === undefined || old.host !== address.host || old.port !== address.port) this.host.addressChanged(this, old);
  }

  /**
   * Queues and sends a lossless packet (first byte 16–191); its packet number, or `undefined` when
   * the connection is not established, the buffer is full, or congestion control says wait
   * (c-toxcore's write_cryptpacket).
   */
  sendLossless(data: Uint8Array, congestionControl = false): number | undefined {
    if (data.length === 0 || data.length > MAX_CRYPTO_DATA_SIZE) return undefined;
    if (data[0] < PacketId.LOSSLESS_START || data[0] > PacketId.LOSSLESS_END) return undefined;
    if (this.stateV !== 'established') return undefined;
    if (congestionControl && this.cc.packetsLeft === 0) return undefined;
    const n = this.sendBuf.push({ data: copyBytes(data), sentAt: 0 });
    if (n === undefined) return undefined;
    const p = this.sendBuf.get(n);
    if (this.sendData(this.recvBuf.start, n, data) && p) p.sentAt = this.stamp();
    if (congestionControl) this.cc.sent();
    this.counters.sent++;
    return n;
  }

  /** Sends a lossy packet (first byte 192–254) (c-toxcore's send_lossy_cryptpacket). */
  sendLossy(data: Uint8Array): boolean {
    if (data.length === 0 || data.length > MAX_CRYPTO_DATA_SIZE) return false;
    if (data[0] < PacketId.LOSSY_START || data[0] > PacketId.LOSSY_END) return false;
    if (this.stateV !== 'established' && this.stateV !== 'not-confirmed') return false;
    return this.sendData(this.recvBuf.start, this.sendBuf.end, data);
  }

  /**
   * Whether the peer has received lossless packet `n` (c-toxcore's cryptpacket_received: `n` is
   * no longer in the send buffer).
   */
  isReceived(n: number): boolean {
    return this.sendBuf.count < u32(n - this.sendBuf.start);
  }

  /** Closes: a kill packet if established, then `closed` with reason `local`. */
  kill(): void {
    this.close('local');
  }

  // ---- inbound (called by NetCrypto, after its size checks) -----------------------------------

  /** spec § "Cookie response": only while requesting, with our echo id. */
  handleCookieResponse(packet: Uint8Array): Outcome {
    if (this.stateV !== 'cookie-requesting' || this.cookieSharedKey === undefined || this.echoId === undefined) return 'unexpected-reply';
    const res = openCookieResponse(this.cookieSharedKey, packet);
    if (res === undefined) return 'bad-box';
    if (!equalBytes(res.echoId, this.echoId)) return 'unexpected-reply';
    this.sendHandshake(res.cookie, this.dhtPkV);
    this.stateV = 'handshake-sent';
    return 'handled';
  }

  /**
   * A verified handshake from the peer (its cookie named our key for it, its box opened).
   * c-toxcore's handle_packet_crypto_hs and, for a handshake from a new address, the existing-
   * connection branch of handle_new_connection_handshake.
   */
  handleHandshake(body: HandshakeBody, peerDhtPk: Uint8Array, from: SocketAddress | undefined, viaNewAddress: boolean, relayed = false): Outcome {
    const s = this.stateV;
    if (s !== 'cookie-requesting' && s !== 'handshake-sent' && (viaNewAddress || s !== 'not-confirmed')) return 'unexpected-reply';
    if (!equalBytes(peerDhtPk, this.dhtPkV)) {
      this.dhtPkE.fire(copyBytes(peerDhtPk));
      return 'handled';
    }
    this.adoptPeer(body);
    if (viaNewAddress && from !== undefined) this.setAddress(from, true);
    if (s === 'cookie-requesting' || viaNewAddress) this.sendHandshake(body.otherCookie, peerDhtPk);
    this.stateV = 'not-confirmed';
    this.noteReceived(relayed);
    return 'handled';
  }

  /** spec § "Data packet" (c-toxcore's handle_data_packet_core). */
  handleData(packet: Uint8Array, relayed = false): Outcome {
    if (this.stateV !== 'not-confirmed' && this.stateV !== 'established') return 'unexpected-reply';
    if (this.sharedKey === undefined || this.recvNonce === undefined) return 'unexpected-reply';
    const plain = openData(this.sharedKey, this.recvNonce, packet);
    if (plain === undefined) return 'bad-box';
    if (plain.length <= 8) return 'bad-size';
    const now = this.host.clock.now();
    const d = decodeDataPlain(plain);
    if (d === undefined) return 'malformed';

    // the peer's buffer start acknowledges everything before it
    let rttFrom = 0;
    if (d.bufferStart !== this.sendBuf.start) {
      const first = this.sendBuf.get(this.sendBuf.start);
      if (first) rttFrom = first.sentAt;
      const from = this.sendBuf.start;
      if (!this.sendBuf.clearUntil(d.bufferStart)) return 'malformed';
      for (let i = from; i !== d.bufferStart; i = u32(i + 1)) this.ackE.fire(i);
      if (this.isKilled()) return 'handled';
    }

    const id = d.data[0];
    if (id === PacketId.KILL) {
      this.noteReceived(relayed);
      this.close('killed-by-peer');
      return 'handled';
    }
    if (this.stateV === 'not-confirmed') {
      this.temp = undefined;
      this.stateV = 'established';
      this.statusE.fire({ status: 'established' });
      if (this.isKilled()) return 'handled';
    }

    if (id === PacketId.REQUEST) {
      const r = applyRequest(this.sendBuf, d.data, now, this.rttMs);
      if (r === undefined) return 'malformed';
      rttFrom = Math.max(rttFrom, r.latestSentAt);
      this.recvBuf.setEnd(d.packetNumber);
    } else if (id >= PacketId.LOSSLESS_START && id <= PacketId.LOSSLESS_END) {
      if (!this.recvBuf.putAt(d.packetNumber, { data: copyBytes(d.data), sentAt: 0 })) {
        this.counters.duplicates++;
        this.noteReceived(relayed);
        return 'handled';
      }
      for (;;) {
        const next = this.recvBuf.shift();
        if (next === undefined) break;
        this.counters.received++;
        this.dataE.fire(next.packet.data);
        if (this.isKilled()) return 'handled';
      }
      this.cc.received();
    } else if (id >= PacketId.LOSSY_START && id <= PacketId.LOSSY_END) {
      this.recvBuf.setEnd(d.packetNumber);
      this.lossyE.fire(copyBytes(d.data));
    } else {
      return 'malformed';
    }
    if (rttFrom !== 0) this.rttMs = Math.min(this.rttMs, now - rttFrom);
    this.noteReceived(relayed);
    return 'handled';
  }

  // ---- periodic work (c-toxcore's send_crypto_packets and kill_timedout) ----------------------

  tick(): void {
    if (this.stateV === 'killed') return;
    const now = this.host.clock.now();
    if (this.stateV !== 'established' && this.tempSends >= MAX_NUM_SENDPACKET_TRIES) {
      this.close('handshake-timeout');
      return;
    }
    if (this.temp !== undefined && this.tempSentAt + CRYPTO_SEND_PACKET_INTERVAL_MS < now) this.sendTemp();
    if ((this.stateV === 'not-confirmed' || this.stateV === 'established') && this.lastRequestSentAt + CRYPTO_SEND_PACKET_INTERVAL_MS < now) {
      this.sendRequest(now);
    }
    if (this.stateV === 'established') this.congestion(now);
  }

  /**
   * What this connection asks of the run interval (net_crypto.c send_crypto_packets, which sets
   * current_sleep_time from them): how often its request packets are due while packets arrive fast
   * (Infinity when they do not), and the send rate it counts toward the total when above
   * 1.5 × CRYPTO_PACKET_MIN_RATE (0 otherwise). Two getters: asked of every connection 20 times a second.
   */
  get requestIntervalDemand(): number {
    if (this.stateV !== 'established') return Infinity;
    return this.cc.requestInterval(this.recvBuf.count) ?? Infinity;
  }

  get sendRateDemand(): number {
    if (this.stateV !== 'established') return 0;
    const rate = this.cc.packetSendRate;
    return rate > CRYPTO_PACKET_MIN_RATE * 1.5 ? rate : 0;
  }

  private congestion(now: number): void {
    if (this.cc.requestDue(now, this.lastRequestSentAt, this.recvBuf.count)) this.sendRequest(now);
    this.cc.update(now, this.rttMs, this.sendBuf.count);
    const resent = this.sendRequested(this.cc.packetsLeftRequested, now);
    if (resent !== undefined) this.cc.resent(resent, now);
  }

  /** Sends up to `max` packets waiting to be (re)sent (c-toxcore's send_requested_packets). */
  private sendRequested(max: number, now: number): number | undefined {
    if (max <= 0) return undefined;
    let sent = 0;
    for (let i = this.sendBuf.start; i !== this.sendBuf.end && sent < max; i = u32(i + 1)) {
      const p = this.sendBuf.get(i);
      if (!p || p.sentAt !== 0) continue;
      if (this.sendData(this.recvBuf.start, i, p.data)) {
        p.sentAt = Math.max(1, now);
        sent++;
        this.counters.resent++;
      }
    }
    return sent;
  }

  // ---- internals --------------------------------------------------------------------------------

  private sendRequest(now: number): void {
    const req = encodeRequest(this.recvBuf, MAX_CRYPTO_DATA_SIZE);
    if (this.sendData(this.recvBuf.start, this.sendBuf.end, req)) {
      this.lastRequestSentAt = now;
      this.counters.requestsSent++;
    }
  }

  private sendData(bufferStart: number, packetNumber: number, data: Uint8Array): boolean {
    if (this.sharedKey === undefined || !this.canSend()) return false;
    const packet = sealData(this.sharedKey, this.sentNonce, encodeDataPlain({ bufferStart, packetNumber, data }));
    incrementNonce(this.sentNonce);
    this.transmit(packet);
    return true;
  }

  private canSend(): boolean {
    return this.addressV !== undefined || this.host.sendRelay !== undefined;
  }

  /**
   * net_crypto.c send_packet_to: UDP when directly connected; else through a TCP relay, with cookie
   * requests and handshakes also tried over UDP (a direct path may yet open); UDP when no relay
   * reaches the peer.
   */
  private transmit(packet: Uint8Array): void {
    const a = this.addressV;
    if (a !== undefined && (this.directlyConnected || this.host.sendRelay === undefined)) {
      this.host.send(packet, a);
      return;
    }
    const relayed = this.host.sendRelay?.(this.dhtPkV, packet) ?? false;
    if (a !== undefined && (!relayed || packet[0] === PacketKind.COOKIE_REQUEST || packet[0] === PacketKind.CRYPTO_HANDSHAKE)) this.host.send(packet, a);
  }

  private adoptPeer(peer: HandshakeBody): void {
    this.recvNonce = copyBytes(peer.baseNonce);
    this.peerSessionPk = copyBytes(peer.sessionPk);
    this.sharedKey = precompute(this.peerSessionPk, this.session.secretKey);
  }

  private sendHandshake(cookie: Uint8Array, peerDhtPk: Uint8Array): void {
    const packet = encodeHandshake(this.host.realSharedKey(this.realPk), cookie, {
      baseNonce: this.sentNonce, sessionPk: this.session.publicKey, otherCookie: this.host.makeCookie(this.realPk, peerDhtPk),
    }, this.host.random(24));
    this.setTemp(packet);
  }

  private setTemp(packet: Uint8Array): void {
    this.temp = packet;
    this.tempSentAt = 0;
    this.tempSends = 0;
    this.sendTemp();
  }

  private sendTemp(): void {
    if (this.temp === undefined || !this.canSend()) return;
    this.transmit(this.temp);
    this.tempSentAt = this.host.clock.now();
    this.tempSends++;
  }

  /** Whether a callback killed the connection (state read afresh, past TypeScript's narrowing). */
  private isKilled(): boolean {
    return this.stateV === 'killed';
  }

  /** A packet from the peer: over UDP it counts for `directlyConnected`; through a relay it does not. */
  private noteReceived(relayed = false): void {
    if (relayed) return;
    this.lastRecvAt = this.host.clock.now();
  }

  private stamp(): number {
    return Math.max(1, this.host.clock.now());
  }

  /** Ends the connection once: kill packet if established, `closed` event, buffers freed. */
  close(reason: CloseReason): void {
    if (this.stateV === 'killed') return;
    if (this.stateV === 'established' && reason !== 'killed-by-peer') {
      this.sendData(this.recvBuf.start, this.sendBuf.end, Uint8Array.of(PacketId.KILL));
    }
    this.stateV = 'killed';
    this.temp = undefined;
    this.sendBuf.clear();
    this.recvBuf.clear();
    this.host.closed(this);
    this.statusE.fire({ status: 'closed', reason });
    for (const e of [this.statusE, this.dataE, this.lossyE, this.ackE, this.dhtPkE]) e.dispose();
    this.sharedKey?.fill(0);
    this.session.secretKey.fill(0);
  }
}
