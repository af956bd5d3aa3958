/**
 * The Tox DHT node (Tox spec § "DHT", § "DHT Operation"), wire-compatible with c-toxcore 0.2.18.
 *
 * Layout. A `PacketRouter` takes the datagrams of the endpoint and hands each to the handler of
 * its kind; the DHT registers the Ping (0x00, 0x01), Nodes (0x02, 0x04), DHT Request (0x20) and
 * LAN Discovery (0x21) kinds. Inside a DHT Request, a second table keyed by request id takes NAT
 * pings (0xfe, answered here) and, later, the onion layer's DHT public key packets (0x9c) and
 * friend requests (0x20). The upper layers reach the DHT through `router.register`,
 * `registerDhtRequest`, the node queries (`closestNodes`, `closeListNodes`, `randomSearchNodes`),
 * the searches (`addSearch`), the sends (`send`, `sendDhtRequest`, `routeToFriend`) and the events.
 *
 * Cost control. Every handler checks the packet's exact size and that the sender is not us before
 * computing a combined key (~1 ms, then cached in a bounded LRU). A response is accepted only with
 * a request id we issued, to the key and address we sent it to, once, within 5 s (`RequestArray`).
 * Pings to newly heard-of nodes are queued and sent at most 32 per 2 s (ping.c), so a stream of
 * requests is never amplified.
 *
 * Periodic work (c-toxcore's do_dht, once per tick of 1 s): ask the nodes that responses named and
 * that would fit into our lists; check every node once per 60 s with a Nodes Request; ask a random
 * good node of each list for nodes every 20 s (5 times in a row when a list first fills); ping the
 * queued nodes every 2 s; when every close node is dead, mark them all merely Bad so that they are
 * checked again; with `lanDiscovery`, send our LAN discovery packets every 10 s (c-toxcore does it
 * in friend_connection's loop; it is the DHT's packet, so it lives here: lan-discovery.ts).
 *
 * Known gaps: no hole punching (a NAT ping request is answered, a response is only counted); no
 * DHT announcements (c-toxcore's data search 0x93 is dropped, so c-toxcore does not count us as
 * an announce node — that only matters for the new group chats, which 0.2.18 lacks); one endpoint.
 * @since 0.1.0
 */
import { Emitter, type Disposable } from '@confab/sdk';
import { keysEqual, newKeyPair, randomBytes, type KeyPair } from '../crypto/keys';
import { SharedKeyCache } from '../crypto/shared-key-cache';
import { Malformed, Reader, Writer } from '../wire/bytes';
import { isLan, sameAddress, type SocketAddress } from '../wire/ip';
import type { NodeInfo } from '../wire/packed-node';
import { contained, systemClock, systemScheduler, type Clock, type Scheduler } from './clock';
import { ClientEntry, CloseList, isBad, SearchEntry, type Assoc } from './client-list';
import {
  BAD_NODE_TIMEOUT_MS, DHT_TICK_MS, FAKE_SEARCH_ENTRIES, GET_NODE_INTERVAL_MS, KILL_NODE_TIMEOUT_MS,
  MAX_BOOTSTRAP_TIMES, MAX_CLOSE_TO_BOOTSTRAP, MAX_SENT_NODES, MAX_TO_PING, PING_INTERVAL_MS,
  REQUEST_ARRAY_SIZE, REQUEST_TIMEOUT_MS, TIME_TO_PING_MS,
} from './constants';
import { DHT_PACKET_OVERHEAD, openDhtPacket, readDhtHeader, sealDhtPacket } from './dht-packet';
import { dhtRequestSizeOk, openDhtRequest, readDhtRequestHeader, sealDhtRequest } from './dht-request';
import { compareDistance } from './distance';
import { DhtRequestId, PacketKind } from './packet-kind';
import { RequestArray } from './request-array';
import { PacketRouter, type Inbound, type Outcome } from './router';
import {
  decodeNodesRequest, decodeNodesResponse, decodePing, encodeNodesRequest, encodeNodesResponse, encodePing,
  NODES_REQUEST_PLAIN_SIZE, NODES_RESPONSE_PLAIN_MAX, NODES_RESPONSE_PLAIN_MIN, PING_PLAIN_SIZE,
} from './rpc';
import type { DatagramEndpoint } from './transport';
import { copyBytes } from '../wire/copy';
import { LanDiscoverySender, type InterfaceSource } from './lan-discovery';

/** @since 0.1.0 */
export interface DhtOptions {
  readonly endpoint: DatagramEndpoint;
  /** The DHT key pair; fresh by default (spec § "DHT": "renewed every time the Tox instance is … restarted"). */
  readonly keyPair?: KeyPair;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  readonly random?: (n: number) => Uint8Array;
  /** Combined keys kept (default 1024, as c-toxcore's 256 × 4 slots). */
  readonly sharedKeyCacheSize?: number;
  /**
   * LAN discovery (default false; spec § "LAN discovery"): answer 0x21 packets from LAN addresses,
   * and send ours every 10 s to the interfaces' broadcast addresses (src/dht/lan-discovery.ts).
   */
  readonly lanDiscovery?: boolean;
  /** Where LAN discovery reads the interfaces from (default `os.networkInterfaces`; tests inject). */
  readonly interfaces?: InterfaceSource;
  readonly tickMs?: number;
}

/** A node named in a Nodes Response, with the node that named it (c-toxcore's get_nodes_response). @since 0.1.0 */
export interface NodesResponseEvent {
  readonly node: NodeInfo;
  readonly from: NodeInfo;
}

/** A searched node was reached at an address (c-toxcore's dht_ip_cb). @since 0.1.0 */
export interface SearchFoundEvent {
  readonly publicKey: Uint8Array;
  readonly address: SocketAddress;
}

/** A node as the lists hold it. @since 0.1.0 */
export interface NodeView {
  readonly publicKey: Uint8Array;
  readonly address: SocketAddress;
  readonly good: boolean;
  readonly seenAt: number;
}

/** Handles the data of a DHT Request addressed to us. @since 0.1.0 */
export type DhtRequestHandler = (sender: Uint8Array, data: Uint8Array, inbound: Inbound) => Outcome;

interface PendingNodes { publicKey: Uint8Array; address: SocketAddress }
interface ToPing { publicKey: Uint8Array; address: SocketAddress }

/** The shortest and longest Nodes Response packets, checked before any crypto. */
const NODES_RESPONSE_MIN = DHT_PACKET_OVERHEAD + NODES_RESPONSE_PLAIN_MIN;
const NODES_RESPONSE_MAX = DHT_PACKET_OVERHEAD + NODES_RESPONSE_PLAIN_MAX;

/** A DHT node on one endpoint; see the header of this file. @since 0.1.0 */
export class Dht implements Disposable {
  readonly publicKey: Uint8Array;
  readonly router = new PacketRouter();
  readonly sharedKeys: SharedKeyCache;
  readonly closeList: CloseList;

  private readonly endpoint: DatagramEndpoint;
  private readonly keyPair: KeyPair;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly random: (n: number) => Uint8Array;
  private readonly lanDiscovery: boolean;
  private readonly lanSender: LanDiscoverySender | undefined;
  private readonly tickMs: number;

  private readonly searches: SearchEntry[] = [];
  private readonly found = new Map<SearchEntry, Emitter<SearchFoundEvent>>();
  private readonly pingRequests: RequestArray<PendingNodes>;
  private readonly nodesRequests: RequestArray<PendingNodes>;
  private readonly dhtRequestHandlers = new Map<number, DhtRequestHandler>();
  private toPing: ToPing[] = [];
  private lastToPingAt = -Infinity;
  private closeToAsk: NodeInfo[] = [];
  private closeLastGetNodesAt = -Infinity;
  private closeBootstrapTimes = 0;
  private connected = false;
  private readonly disposables: Disposable[] = [];
  private timer: Disposable | undefined;

  private readonly nodesResponses = new Emitter<NodesResponseEvent>();
  /** Every node named in an accepted Nodes Response (the onion layer collects path nodes here). */
  readonly onNodesResponse = this.nodesResponses.event;
  private readonly connection = new Emitter<boolean>();
  /** True when the close list first holds a good node, false when the last one goes Bad. */
  readonly onConnectionChanged = this.connection.event;

  constructor(opts: DhtOptions) {
    this.endpoint = opts.endpoint;
    this.keyPair = opts.keyPair ?? newKeyPair();
    this.publicKey = this.keyPair.publicKey;
    this.clock = opts.clock ?? systemClock;
    this.scheduler = contained(opts.scheduler ?? systemScheduler); // issue 6: a throwing tick is reported, never fatal
    this.random = opts.random ?? randomBytes;
    this.lanDiscovery = opts.lanDiscovery ?? false;
    this.lanSender = this.lanDiscovery
      ? new LanDiscoverySender({ endpoint: this.endpoint, publicKey: this.publicKey, interfaces: opts.interfaces })
      : undefined;
    this.tickMs = opts.tickMs ?? DHT_TICK_MS;
    this.sharedKeys = new SharedKeyCache(this.keyPair.secretKey, opts.sharedKeyCacheSize ?? 1024);
    this.closeList = new CloseList(this.publicKey);
    this.pingRequests = new RequestArray(REQUEST_ARRAY_SIZE, REQUEST_TIMEOUT_MS, this.clock, this.random);
    this.nodesRequests = new RequestArray(REQUEST_ARRAY_SIZE, REQUEST_TIMEOUT_MS, this.clock, this.random);

    this.disposables.push(
      this.router.attach(this.endpoint),
      this.router.register(PacketKind.PING_REQUEST, (p, i) => this.onPingRequest(p, i)),
      this.router.register(PacketKind.PING_RESPONSE, (p, i) => this.onPingResponse(p, i)),
      this.router.register(PacketKind.NODES_REQUEST, (p, i) => this.onNodesRequest(p, i)),
      this.router.register(PacketKind.NODES_RESPONSE, (p, i) => this.onNodesResponseRaw(p, i)),
      this.router.register(PacketKind.DHT_REQUEST, (p, i) => this.onDhtRequest(p, i)),
      this.router.register(PacketKind.LAN_DISCOVERY, (p, i) => this.onLanDiscovery(p, i)),
      this.registerDhtRequest(DhtRequestId.NAT_PING, (s, d, i) => this.onNatPing(s, d, i)),
    );
    // spec § "DHT Initialisation": two search entries for random keys; their nodes feed onion paths
    for (let i = 0; i < FAKE_SEARCH_ENTRIES; i++) this.addSearchEntry(newKeyPair().publicKey, true);
  }

  /** Starts the periodic work. @since 0.1.0 */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = this.scheduler.every(this.tickMs, () => this.tick(), 'dht');
  }

  /** The address our endpoint is bound to. */
  get local(): SocketAddress {
    return this.endpoint.local;
  }

  /** Whether any close node is good (c-toxcore's dht_isconnected). */
  get isConnected(): boolean {
    return this.closeList.goodCount(this.clock.now()) > 0;
  }

  /** Asks a node for the nodes closest to us (c-toxcore's dht_bootstrap). @since 0.1.0 */
  bootstrap(node: { address: SocketAddress; publicKey: Uint8Array }): boolean {
    if (keysEqual(node.publicKey, this.publicKey)) return false;
    return this.sendNodesRequest(node.address, node.publicKey, this.publicKey);
  }

  /**
   * Asks a node for the nodes it knows closest to `target` (c-toxcore's dht_getnodes); what it
   * names arrives through `onNodesResponse`.
   * @since 0.1.0
   */
  getNodes(to: { address: SocketAddress; publicKey: Uint8Array }, target: Uint8Array): boolean {
    return this.sendNodesRequest(to.address, to.publicKey, target);
  }

  /**
   * Searches for a node by its DHT key (a friend's, found by the onion layer): keeps the 8 nodes
   * closest to it and reports when the node itself answers. Disposing the result lets go of the
   * search; the entry goes when its last holder lets go (c-toxcore's dht_addfriend/dht_delfriend).
   * @since 0.1.0
   */
  addSearch(publicKey: Uint8Array, onFound?: (e: SearchFoundEvent) => void): Disposable {
    let entry = this.searches.find((s) => !s.random && keysEqual(s.target, publicKey));
    if (entry === undefined) entry = this.addSearchEntry(publicKey, false);
    const e = entry;
    e.locks++;
    const emitter = this.found.get(e) ?? new Emitter<SearchFoundEvent>();
    this.found.set(e, emitter);
    const sub = onFound === undefined ? undefined : emitter.event(onFound);
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        sub?.dispose();
        if (--e.locks > 0) return;
        emitter.dispose();
        this.found.delete(e);
        const at = this.searches.indexOf(e);
        if (at >= 0) this.searches.splice(at, 1);
      },
    };
  }

  /** Where a searched node was last reached directly, if it is good there (c-toxcore's dht_getfriendip). @since 0.1.0 */
  searchedAddress(publicKey: Uint8Array): SocketAddress | undefined {
    const s = this.searches.find((x) => !x.random && keysEqual(x.target, publicKey));
    return s?.find(publicKey)?.bestAssoc(this.clock.now())?.address;
  }

  /**
   * The up to `max` good nodes closest to `target` in every list; LAN nodes only for a LAN
   * requester (spec § "Handling Nodes Request packets"; c-toxcore's get_close_nodes).
   * @since 0.1.0
   */
  closestNodes(target: Uint8Array, opts: { max?: number; forLan?: boolean } = {}): NodeInfo[] {
    const max = opts.max ?? MAX_SENT_NODES;
    const forLan = opts.forLan ?? true;
    const now = this.clock.now();
    const picked: NodeInfo[] = [];
    const consider = (e: ClientEntry) => {
      // not closer than the farthest of a full list: it would be dropped again (keys are distinct, so no ties)
      if (picked.length === max && compareDistance(target, e.publicKey, picked[max - 1].publicKey) >= 0) return;
      if (picked.some((n) => keysEqual(n.publicKey, e.publicKey))) return;
      const a = e.bestAssoc(now);
      if (a === undefined || (!forLan && isLan(a.address.host))) return;
      picked.push({ transport: 'udp', address: a.address, publicKey: e.publicKey });
      picked.sort((x, y) => compareDistance(target, x.publicKey, y.publicKey));
      if (picked.length > max) picked.pop();
    };
    for (const e of this.closeList.entries()) consider(e);
    for (const s of this.searches) for (const e of s.clients) consider(e);
    return picked;
  }

  /** Up to `max` good close-list nodes (c-toxcore's closelist_nodes, used for onion paths). @since 0.1.0 */
  closeListNodes(max: number): NodeInfo[] {
    const now = this.clock.now();
    const out: NodeInfo[] = [];
    for (const e of this.closeList.entries()) {
      if (out.length >= max) break;
      const a = e.bestAssoc(now);
      if (a !== undefined) out.push({ transport: 'udp', address: a.address, publicKey: e.publicKey });
    }
    return out;
  }

  /** Up to `max` good nodes of the two random search entries (c-toxcore's randfriends_nodes). @since 0.1.0 */
  randomSearchNodes(max: number): NodeInfo[] {
    const now = this.clock.now();
    const out: NodeInfo[] = [];
    const randoms = this.searches.filter((s) => s.random);
    const start = randoms.length > 0 ? this.random(1)[0] % randoms.length : 0;
    for (let i = 0; i < randoms.length && out.length < max; i++) {
      for (const e of randoms[(start + i) % randoms.length].clients) {
        if (out.length >= max) break;
        const a = e.bestAssoc(now);
        if (a !== undefined) out.push({ transport: 'udp', address: a.address, publicKey: e.publicKey });
      }
    }
    return out;
  }

  /** A snapshot of the close list. @since 0.1.0 */
  closeListView(): NodeView[] {
    const now = this.clock.now();
    const out: NodeView[] = [];
    for (const e of this.closeList.entries()) {
      for (const a of e.assocs()) out.push({ publicKey: e.publicKey, address: a.address, good: !isBad(a, now), seenAt: a.seenAt });
    }
    return out;
  }

  /** Registers the handler of a DHT Request id (one owner per id). @since 0.1.0 */
  registerDhtRequest(id: number, handler: DhtRequestHandler): Disposable {
    if (!Number.isInteger(id) || id < 0 || id > 0xff) throw new RangeError(`DHT request id ${id}`);
    if (this.dhtRequestHandlers.has(id)) throw new Error(`DHT request id ${id} already has a handler`);
    this.dhtRequestHandlers.set(id, handler);
    return { dispose: () => { if (this.dhtRequestHandlers.get(id) === handler) this.dhtRequestHandlers.delete(id); } };
  }

  /** Sends a raw packet through our endpoint. @since 0.1.0 */
  send(packet: Uint8Array, to: SocketAddress): void {
    this.endpoint.send(packet, to);
  }

  /** Seals a DHT Request to `addressee` (spec § "DHT Request Packets"). @since 0.1.0 */
  sealDhtRequest(addressee: Uint8Array, id: number, data: Uint8Array): Uint8Array {
    return sealDhtRequest(addressee, this.publicKey, this.sharedKeys.get(addressee), id, data, this.nonce());
  }

  /** Sends a DHT Request straight to a node. @since 0.1.0 */
  sendDhtRequest(to: { address: SocketAddress; publicKey: Uint8Array }, id: number, data: Uint8Array): void {
    this.send(this.sealDhtRequest(to.publicKey, id, data), to.address);
  }

  /**
   * Sends a packet to every node of a search that told us it knows the searched node (they
   * forward DHT Requests to it: spec § "Handling DHT Request packets"). Returns how many.
   * @since 0.1.0
   */
  routeToFriend(publicKey: Uint8Array, packet: Uint8Array): number {
    const s = this.searches.find((x) => !x.random && keysEqual(x.target, publicKey));
    if (s === undefined) return 0;
    const now = this.clock.now();
    let n = 0;
    for (const e of s.clients) {
      const a = e.assocs().find((x) => x.returned !== undefined && x.returned.at + BAD_NODE_TIMEOUT_MS > now);
      if (a === undefined) continue;
      this.send(packet, a.address);
      n++;
    }
    return n;
  }

  /** Runs one round of the periodic work (the scheduler calls it; tests may too). @since 0.1.0 */
  tick(): void {
    const now = this.clock.now();
    for (const n of this.closeToAsk.splice(0)) this.sendNodesRequest(n.address, n.publicKey, this.publicKey);
    const closeEntries = this.closeList.entries(); // a snapshot: what the tick adds makes a new one
    const st = { lastGetNodesAt: this.closeLastGetNodesAt, bootstrapTimes: this.closeBootstrapTimes };
    const notKilled = this.checkList(closeEntries, this.publicKey, st, now);
    this.closeLastGetNodesAt = st.lastGetNodesAt;
    this.closeBootstrapTimes = st.bootstrapTimes;
    if (notKilled === 0) {
      // c-toxcore's do_Close: all dead means we are mute; make them merely Bad to check them again
      for (const e of closeEntries) for (const a of e.assocs()) a.seenAt = Math.min(a.seenAt, now - BAD_NODE_TIMEOUT_MS);
    }
    for (const s of this.searches) {
      for (const n of s.toAsk.splice(0)) this.sendNodesRequest(n.address, n.publicKey, s.target);
      this.checkList(s.clients, s.target, s, now);
    }
    this.pingQueued(now);
    this.lanSender?.tick(now); // spec § "LAN discovery": every 10 s, only when enabled
    this.updateConnected(now);
  }

  /** Stops the periodic work and lets go of the endpoint (it is not closed: its owner closes it). */
  dispose(): void {
    this.timer?.dispose();
    this.timer = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.nodesResponses.dispose();
    this.connection.dispose();
    this.sharedKeys.clear();
  }

  // ---- handlers ------------------------------------------------------------------------------

  /** spec § "Handling Ping Request packets": reply, then maybe ping the requester. */
  private onPingRequest(packet: Uint8Array, inbound: Inbound): Outcome {
    if (packet.length !== DHT_PACKET_OVERHEAD + PING_PLAIN_SIZE) return 'bad-size';
    const h = readDhtHeader(packet);
    if (keysEqual(h.senderPublicKey, this.publicKey)) return 'from-self';
    const shared = this.sharedKeys.get(h.senderPublicKey);
    const plain = openDhtPacket(h, shared);
    if (plain === undefined) return 'bad-box';
    const ping = decodePing(plain);
    // spec § "Ping Service": the flag tells a request from a reflected response
    if (ping.response) return 'malformed';
    const reply = sealDhtPacket(PacketKind.PING_RESPONSE, this.publicKey, shared,
      encodePing({ response: true, requestId: ping.requestId }), this.nonce());
    inbound.via.send(reply, inbound.from); // from the socket the request came to
    this.considerPinging(copyBytes(h.senderPublicKey), inbound.from);
    return 'handled';
  }

  /** spec § "Handling Ping Response packets": a reply to our ping, from where we sent it, once. */
  private onPingResponse(packet: Uint8Array, inbound: Inbound): Outcome {
    if (packet.length !== DHT_PACKET_OVERHEAD + PING_PLAIN_SIZE) return 'bad-size';
    const h = readDhtHeader(packet);
    if (keysEqual(h.senderPublicKey, this.publicKey)) return 'from-self';
    const plain = openDhtPacket(h, this.sharedKeys.get(h.senderPublicKey));
    if (plain === undefined) return 'bad-box';
    const ping = decodePing(plain);
    if (!ping.response) return 'malformed';
    const sent = this.pingRequests.take(ping.requestId);
    if (sent === undefined || !keysEqual(sent.publicKey, h.senderPublicKey) || !sameAddress(sent.address, inbound.from)) {
      return 'unexpected-reply';
    }
    this.addToLists(sent.publicKey, inbound.from);
    return 'handled';
  }

  /** spec § "Handling Nodes Request packets": the 4 closest nodes, never an empty reply. */
  private onNodesRequest(packet: Uint8Array, inbound: Inbound): Outcome {
    if (packet.length !== DHT_PACKET_OVERHEAD + NODES_REQUEST_PLAIN_SIZE) return 'bad-size';
    const h = readDhtHeader(packet);
    if (keysEqual(h.senderPublicKey, this.publicKey)) return 'from-self';
    const shared = this.sharedKeys.get(h.senderPublicKey);
    const plain = openDhtPacket(h, shared);
    if (plain === undefined) return 'bad-box';
    const req = decodeNodesRequest(plain);
    const nodes = this.closestNodes(req.target, { forLan: isLan(inbound.from.host) });
    // c-toxcore drops a Nodes Response with 0 nodes, and the spec says "no reply is sent"
    if (nodes.length > 0) {
      const reply = sealDhtPacket(PacketKind.NODES_RESPONSE, this.publicKey, shared,
        encodeNodesResponse({ nodes, requestId: req.requestId }), this.nonce());
      inbound.via.send(reply, inbound.from);
    }
    this.considerPinging(copyBytes(h.senderPublicKey), inbound.from);
    return 'handled';
  }

  /** spec § "Handling Nodes Response packets". */
  private onNodesResponseRaw(packet: Uint8Array, inbound: Inbound): Outcome {
    if (packet.length < NODES_RESPONSE_MIN || packet.length > NODES_RESPONSE_MAX) return 'bad-size';
    const h = readDhtHeader(packet);
    if (keysEqual(h.senderPublicKey, this.publicKey)) return 'from-self';
    const plain = openDhtPacket(h, this.sharedKeys.get(h.senderPublicKey));
    if (plain === undefined) return 'bad-box';
    const res = decodeNodesResponse(plain);
    const sent = this.nodesRequests.take(res.requestId);
    if (sent === undefined || !keysEqual(sent.publicKey, h.senderPublicKey) || !sameAddress(sent.address, inbound.from)) {
      return 'unexpected-reply';
    }
    const sender = sent.publicKey;
    this.addToLists(sender, inbound.from); // "first we add to the DHT State the node from which the response was sent"
    const now = this.clock.now();
    const from: NodeInfo = { transport: 'udp', address: inbound.from, publicKey: sender };
    for (const node of res.nodes) {
      this.queueIfUseful(node, now);
      this.noteReturned(sender, node, now);
      this.nodesResponses.fire({ node, from });
    }
    return 'handled';
  }

  /** spec § "Handling DHT Request packets": ours → by request id; a close node's → forwarded unaltered. */
  private onDhtRequest(packet: Uint8Array, inbound: Inbound): Outcome {
    if (!dhtRequestSizeOk(packet.length)) return 'bad-size';
    const h = readDhtRequestHeader(packet);
    if (!keysEqual(h.addressee, this.publicKey)) {
      const target = this.closeList.find(h.addressee);
      const a = target?.bestAssoc(this.clock.now()) ?? target?.assocs()[0];
      if (a === undefined) return 'no-route';
      this.send(packet, a.address);
      return 'handled';
    }
    if (keysEqual(h.sender, this.publicKey)) return 'from-self';
    const opened = openDhtRequest(h, this.sharedKeys.get(h.sender));
    if (opened === undefined) return 'bad-box';
    const handler = this.dhtRequestHandlers.get(opened.id);
    if (handler === undefined) return 'unknown-request';
    return handler(copyBytes(h.sender), opened.data, inbound);
  }

  /** spec § "NAT ping packets": answer a searched node's request through the nodes that know it. */
  private onNatPing(sender: Uint8Array, data: Uint8Array, _inbound: Inbound): Outcome {
    const r = new Reader(data);
    const type = r.u8('nat ping type');
    const pingId = r.u64('nat ping id');
    r.done('nat ping');
    if (!this.searches.some((s) => !s.random && keysEqual(s.target, sender))) return 'unexpected-reply';
    if (type === 0) {
      const reply = this.sealDhtRequest(sender, DhtRequestId.NAT_PING, new Writer(9).u8(1).u64(pingId).finish());
      this.routeToFriend(sender, reply);
      return 'handled';
    }
    if (type === 1) return 'handled'; // no hole punching yet: a response changes nothing
    throw new Malformed(`nat ping type ${type}`);
  }

  /** spec § "LAN discovery": a LAN peer's DHT key; we ask it for nodes (a reply proves the key). */
  private onLanDiscovery(packet: Uint8Array, inbound: Inbound): Outcome {
    if (!this.lanDiscovery) return 'disabled';
    if (!isLan(inbound.from.host)) return 'disabled';
    const r = new Reader(packet);
    r.u8('packet kind');
    const key = copyBytes(r.bytes(32, 'dht key'));
    r.done('lan discovery');
    this.bootstrap({ address: inbound.from, publicKey: key });
    return 'handled';
  }

  // ---- lists ---------------------------------------------------------------------------------

  /** c-toxcore's addto_lists: a node that proved its key at an address goes into every list it fits. */
  private addToLists(publicKey: Uint8Array, address: SocketAddress): void {
    const now = this.clock.now();
    this.closeList.add(publicKey, address, now);
    for (const s of this.searches) {
      const stored = s.add(publicKey, address, now);
      // a listener that throws is reported by the Emitter and does not stop the others
      if (stored !== undefined && keysEqual(publicKey, s.target)) this.found.get(s)?.fire({ publicKey: s.target, address });
    }
    this.updateConnected(now);
  }

  /** c-toxcore's ping_node_from_getnodes_ok: ask a named node later if it would fit somewhere. */
  private queueIfUseful(node: NodeInfo, now: number): void {
    if (keysEqual(node.publicKey, this.publicKey)) return;
    if (this.closeList.addable(node.publicKey, now) && !this.closeList.holds(node.publicKey, node.address, now)) {
      this.closeToAsk = keepClosest(this.closeToAsk, node, this.publicKey, MAX_CLOSE_TO_BOOTSTRAP);
    }
    for (const s of this.searches) {
      if (s.storable(node.publicKey, now) && !s.holds(node.publicKey, node.address, now)) {
        s.toAsk = keepClosest(s.toAsk, node, s.target, MAX_SENT_NODES);
      }
    }
  }

  /** c-toxcore's returnedip_ports: remember which node told us where a searched node (or we) are. */
  private noteReturned(sender: Uint8Array, node: NodeInfo, now: number): void {
    const lists: (ClientEntry | undefined)[] = [];
    if (keysEqual(node.publicKey, this.publicKey)) lists.push(this.closeList.find(sender));
    else for (const s of this.searches) if (!s.random && keysEqual(s.target, node.publicKey)) lists.push(s.find(sender));
    for (const e of lists) {
      if (e === undefined) continue;
      for (const a of e.assocs()) a.returned = { address: node.address, at: now };
    }
  }

  /** ping.c's ping_add: queue a ping to a node that would fit into the close list and is not in it. */
  private considerPinging(publicKey: Uint8Array, address: SocketAddress): void {
    const now = this.clock.now();
    if (!this.closeList.addable(publicKey, now) || this.closeList.holds(publicKey, address, now)) return;
    // a searched node we have no address for is pinged at once
    const s = this.searches.find((x) => !x.random && keysEqual(x.target, publicKey));
    if (s !== undefined && s.find(publicKey) === undefined) {
      this.sendPing(address, publicKey);
      return;
    }
    if (this.toPing.some((t) => keysEqual(t.publicKey, publicKey))) return;
    this.toPing = keepClosest(this.toPing, { publicKey, address }, this.publicKey, MAX_TO_PING);
  }

  /** ping.c's ping_iterate: at most 32 pings per 2 s. */
  private pingQueued(now: number): void {
    if (now - this.lastToPingAt < TIME_TO_PING_MS || this.toPing.length === 0) return;
    for (const t of this.toPing.splice(0)) {
      if (this.closeList.addable(t.publicKey, now)) this.sendPing(t.address, t.publicKey);
    }
    this.lastToPingAt = now;
  }

  /**
   * c-toxcore's do_ping_and_sendnode_requests over one list: check each live node every 60 s, ask a
   * random good node every 20 s (or on each of the first 5 rounds). Returns the nodes not dead.
   */
  private checkList(entries: readonly ClientEntry[], base: Uint8Array,
    st: { lastGetNodesAt: number; bootstrapTimes: number }, now: number): number {
    let notKilled = 0;
    const good: { e: ClientEntry; address: SocketAddress }[] = [];
    const check = (e: ClientEntry, a: Assoc | undefined) => {
      if (a === undefined || now - a.seenAt >= KILL_NODE_TIMEOUT_MS) return;
      notKilled++;
      if (now - a.checkedAt >= PING_INTERVAL_MS) {
        this.sendNodesRequest(a.address, e.publicKey, base);
        a.checkedAt = now;
      }
      if (!isBad(a, now)) good.push({ e, address: a.address });
    };
    // every node of every list, every second: indexed, without an array of addresses per node
    for (let i = 0; i < entries.length; i++) {
      check(entries[i], entries[i].v6); // the order of ClientEntry.assocs()
      check(entries[i], entries[i].v4);
    }
    if (good.length > 0 && (now - st.lastGetNodesAt >= GET_NODE_INTERVAL_MS || st.bootstrapTimes < MAX_BOOTSTRAP_TIMES)) {
      const pick = good[randomBelow(this.random, good.length)];
      this.sendNodesRequest(pick.address, pick.e.publicKey, base);
      st.lastGetNodesAt = now;
      st.bootstrapTimes++;
    }
    return notKilled;
  }

  private updateConnected(now: number): void {
    const connected = this.closeList.goodCount(now) > 0;
    if (connected === this.connected) return;
    this.connected = connected;
    this.connection.fire(connected);
  }

  private addSearchEntry(target: Uint8Array, random: boolean): SearchEntry {
    const s = new SearchEntry(copyBytes(target), random);
    // c-toxcore's dht_addfriend: start from the nodes we already know closest to the target
    s.toAsk = this.closestNodes(target, { max: MAX_SENT_NODES });
    this.searches.push(s);
    return s;
  }

  // ---- sending -------------------------------------------------------------------------------

  /** spec § "Nodes Request (0x02)" (c-toxcore's dht_getnodes). */
  private sendNodesRequest(address: SocketAddress, publicKey: Uint8Array, target: Uint8Array): boolean {
    if (keysEqual(publicKey, this.publicKey)) return false;
    const requestId = this.nodesRequests.add({ publicKey: copyBytes(publicKey), address });
    const packet = sealDhtPacket(PacketKind.NODES_REQUEST, this.publicKey, this.sharedKeys.get(publicKey),
      encodeNodesRequest({ target, requestId }), this.nonce());
    this.send(packet, address);
    return true;
  }

  /** spec § "Ping Request (0x00)" (ping.c's ping_send_request). */
  private sendPing(address: SocketAddress, publicKey: Uint8Array): void {
    if (keysEqual(publicKey, this.publicKey)) return;
    const requestId = this.pingRequests.add({ publicKey: copyBytes(publicKey), address });
    const packet = sealDhtPacket(PacketKind.PING_REQUEST, this.publicKey, this.sharedKeys.get(publicKey),
      encodePing({ response: false, requestId }), this.nonce());
    this.send(packet, address);
  }

  private nonce(): Uint8Array {
    return this.random(24);
  }

  /** Counters: packets by outcome, combined keys computed and reused, list sizes. @since 0.1.0 */
  get stats() {
    const now = this.clock.now();
    return {
      ...this.router.stats,
      sharedKeys: { ...this.sharedKeys.stats, cached: this.sharedKeys.size },
      closeGood: this.closeList.goodCount(now),
      searches: this.searches.filter((s) => !s.random).length,
      pendingRequests: this.pingRequests.pending + this.nodesRequests.pending,
      toPing: this.toPing.length,
      lanDiscovery: this.lanSender === undefined ? undefined : { ...this.lanSender.counters },
    };
  }
}

/** Adds `item` to a list kept to the `max` closest to `base` (c-toxcore's add_to_list). */
function keepClosest<T extends { publicKey: Uint8Array }>(list: T[], item: T, base: Uint8Array, max: number): T[] {
  if (list.some((x) => keysEqual(x.publicKey, item.publicKey))) return list;
  const out = [...list, item].sort((a, b) => compareDistance(base, a.publicKey, b.publicKey));
  return out.slice(0, max);
}

function randomBelow(random: (n: number) => Uint8Array, n: number): number {
  return new Reader(random(4)).u32() % n;
}
