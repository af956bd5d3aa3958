/**
 * The onion client (Tox spec § "Onion", § "Announce request", § "Onion data"; c-toxcore's
 * onion_client.c): how a Tox user stays reachable without telling anyone its address.
 *
 * Announcing ourselves. Every second (do_onion_client) the client keeps a list of the 12 nodes
 * closest to our real key that answered us, and sends each an announce request — under our real
 * key, with our data key, and the ping id the node last gave us — through a random 3-hop path:
 * every 3 s until the node stores us, every 15 s once it does (every 120 s once stable). While
 * the list is half empty, it asks 6 random path nodes each round; every answer names up to 4
 * nodes closer to our key, which are asked in turn (at most once per 10 s each). We count as
 * online when at least half the live nodes store us (onion_isconnected) for 3 rounds in a row.
 *
 * Searching for friends. For each friend not online (the friend_connection layer says), the
 * same walk towards the friend's real key under a per-friend temporary key; a node where the
 * friend is announced answers is_stored 1 with the friend's data key. Through those nodes we
 * send onion data (our DHT key every 30 s, friend requests) as data requests, each with a fresh
 * key, and every 20 s our DHT key through the DHT too (a DHT request routed to the friend's DHT
 * key, once we know it).
 *
 * Receiving. Data responses (0x86) addressed to our data key, and DHT requests 0x9c, carry a
 * friend's DHT key (accepted from friends only, with a no_replay number that must grow) or a
 * friend request (from anyone; the nospam check and de-duplication are the friend request
 * layer's, as in c-toxcore's friend_requests.c). c-toxcore 0.2.18 sends friend requests only as
 * onion data, never as a DHT request, so the DHT request id 0x20 is not taken here.
 *
 * Cost control: a response is only opened if its sendback names a request we sent in the last
 * 10 s; a DHT-routed key announcement is opened only for a friend's key; the one unavoidable
 * cost is a data response (one key exchange with its fresh temporary key), as in c-toxcore.
 * Known gaps: no TCP relays (paths need a UDP-connected DHT); no onion over TCP.
 * @since 0.1.0
 */
import { Emitter, type Disposable, type Event } from '@confab/sdk';
import { decrypt, encrypt, precompute } from '../crypto/box';
import { keysEqual, newKeyPair, NONCE_SIZE, PUBLIC_KEY_SIZE, randomBytes, toHex, type KeyPair } from '../crypto/keys';
import { SharedKeyCache } from '../crypto/shared-key-cache';
import { Reader, Writer } from '../wire/bytes';
import { copyBytes } from '../wire/copy';
import { isLan, type SocketAddress } from '../wire/ip';
import type { NodeInfo } from '../wire/packed-node';
import type { Dht } from '../dht/dht';
import { contained, systemClock, systemScheduler, type Clock, type Scheduler } from '../dht/clock';
import { MAX_SENT_NODES } from '../dht/constants';
import { DhtRequestId, PacketKind } from '../dht/packet-kind';
import type { Inbound } from '../dht/router';
import { RequestArray } from '../dht/request-array';
import {
  ANNOUNCE_ARRAY_SIZE, ANNOUNCE_FRIEND_MAX_INTERVAL_MS, ANNOUNCE_FRIEND_NEW_INTERVAL_MS, ANNOUNCE_FRIEND_RUN_COUNT_BEGINNING,
  ANNOUNCE_INTERVAL_ANNOUNCED_MS, ANNOUNCE_INTERVAL_NOT_ANNOUNCED_MS, ANNOUNCE_INTERVAL_STABLE_MS, ANNOUNCE_POPULATE_TIMEOUT_MS,
  ANNOUNCE_RESPONSE_TIMEOUT_MS, DATA_IN_RESPONSE_MIN_SIZE, DHT_DHTPK_SEND_INTERVAL_MS, DHTPK_DATA_MAX_SIZE, DHTPK_DATA_MIN_SIZE,
  MAX_ANNOUNCE_NODES, MAX_DATA_REQUEST_SIZE, MAX_FRIEND_NODES, MAX_PATH_NODES, MAX_RUN_COUNT_EXPONENT, MAX_STORED_PINGED_NODES,
  MIN_NODE_PING_TIME_MS, ONION_CLIENT_TICK_MS, ONION_CONNECTION_SECONDS, ONION_DHTPK_SEND_INTERVAL_MS, ONION_NODE_MAX_PINGS,
  ONION_NODE_PING_INTERVAL_MS, ONION_NODE_TIMEOUT_MS, ONION_OFFLINE_TIMEOUT_MS, ONION_PATH_TIMEOUT_MS, OnionDataKind,
  PING_ID_SIZE, TIME_TO_STABLE_MS,
} from './constants';
import {
  announceResponseSizeOk, openAnnounceResponse, readAnnounceResponseHeader, sealAnnounceRequest,
} from './announce-packets';
import {
  dataResponseSizeOk, decodeDhtPk, decodeFriendRequest, encodeDhtPk, encodeFriendRequest, openOuterData,
  readDataResponseHeader, sealDataRequest, sealInnerData,
} from './data-packets';
import { OnionNodeList, type OnionNode } from './node-list';
import { createOnionPacket, createOnionPath, type OnionPath } from './onion-path';
import { PathNodes, PathSet, type PathNodesTriple } from './paths';
import { OnionCounters, type OnionOutcome } from './stats';

/** @since 0.1.0 */
export interface OnionClientOptions {
  readonly dht: Dht;
  /** Our long-term key pair (the one in the Tox ID). */
  readonly realKeyPair: KeyPair;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  readonly random?: (n: number) => Uint8Array;
  /** Wall-clock milliseconds, for no_replay numbers (c-toxcore sends Unix seconds); default Date.now. */
  readonly wallClock?: () => number;
  readonly tickMs?: number;
}

/** A friend told us its DHT key (onion data or a DHT request 0x9c). @since 0.1.0 */
export interface DhtPublicKeyEvent {
  readonly realPublicKey: Uint8Array;
  readonly dhtPublicKey: Uint8Array;
  /** Nodes near the friend: UDP DHT nodes (already asked for the friend's key) and TCP relays. */
  readonly nodes: readonly NodeInfo[];
  readonly via: 'onion' | 'dht';
}

/** Someone asked to be our friend (onion data 0x20). @since 0.1.0 */
export interface FriendRequestEvent {
  readonly realPublicKey: Uint8Array;
  /** The nospam of the Tox ID they used, a big-endian u32 as `ToxId.nospam`: the receiver checks it. */
  readonly nospam: number;
  readonly message: Uint8Array;
}

interface PingedRing {
  readonly keys: { publicKey: Uint8Array; at: number }[];
  next: number;
}

interface OnionFriend {
  readonly realPublicKey: Uint8Array;
  readonly tempKeys: KeyPair;
  readonly sharedTemp: SharedKeyCache;
  readonly list: OnionNodeList;
  readonly pinged: PingedRing;
  dhtPublicKey: Uint8Array | undefined;
  online: boolean;
  lastNoReplay: bigint;
  lastDhtPkOnionSentAt: number;
  lastDhtPkDhtSentAt: number;
  lastPopulatedAt: number;
  lastPingedAt: number;
  runCount: number;
  pings: number;
}

interface Sendback {
  readonly friend: OnionFriend | undefined;
  readonly nodeKey: Uint8Array;
  readonly address: SocketAddress;
  readonly pathNum: number;
}

/** Our onion presence and our friends' (see the header of this file). @since 0.1.0 */
export class OnionClient implements Disposable {
  readonly counters = new OnionCounters();
  private readonly dht: Dht;
  private readonly real: KeyPair;
  /** Our data key pair: what others encrypt onion data to us with (onion_c->temp_public_key). */
  private readonly dataKeys: KeyPair;
  private readonly realShared: SharedKeyCache;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly random: (n: number) => Uint8Array;
  private readonly wallClock: () => number;
  private readonly tickMs: number;

  private readonly pathNodes = new PathNodes();
  private readonly selfPaths: PathSet;
  private readonly friendPaths: PathSet;
  private readonly sendbacks: RequestArray<Sendback>;
  private readonly announceList: OnionNodeList;
  private readonly pinged: PingedRing = { keys: [], next: 0 };
  private readonly friends = new Map<string, OnionFriend>();
  private lastAnnounceAt = -Infinity;
  private lastPopulatedAt = -Infinity;
  private lastPacketAt = -Infinity;
  private connectedRounds = 0;
  private status = false;
  private lastNoReplay = 0n;
  private timer: Disposable | undefined;
  private readonly registrations: Disposable[];

  private readonly dhtPks = new Emitter<DhtPublicKeyEvent>();
  /** A friend's DHT key, with nodes near it (for friend_connection: start the DHT search). */
  readonly onDhtPublicKey: Event<DhtPublicKeyEvent> = this.dhtPks.event;
  private readonly friendRequests = new Emitter<FriendRequestEvent>();
  /** A friend request arrived (every copy: the sender repeats it until answered). */
  readonly onFriendRequest: Event<FriendRequestEvent> = this.friendRequests.event;
  private readonly connection = new Emitter<boolean>();
  /** True once announced (c-toxcore's onion_connection_status ≠ NONE), false when that ends. */
  readonly onConnectionChanged: Event<boolean> = this.connection.event;

  constructor(opts: OnionClientOptions) {
    this.dht = opts.dht;
    this.real = opts.realKeyPair;
    this.clock = opts.clock ?? systemClock;
    this.scheduler = contained(opts.scheduler ?? systemScheduler); // issue 6: a throwing tick is reported, never fatal
    this.random = opts.random ?? randomBytes;
    this.wallClock = opts.wallClock ?? Date.now;
    this.tickMs = opts.tickMs ?? ONION_CLIENT_TICK_MS;
    this.dataKeys = newKeyPair();
    this.realShared = new SharedKeyCache(this.real.secretKey, 256);
    const paths = { pickNodes: () => this.pickPathNodes(), build: (nodes: PathNodesTriple) => this.buildPath(nodes) };
    this.selfPaths = new PathSet(this.clock, this.random, paths);
    this.friendPaths = new PathSet(this.clock, this.random, paths);
    this.sendbacks = new RequestArray(ANNOUNCE_ARRAY_SIZE, ANNOUNCE_RESPONSE_TIMEOUT_MS, this.clock, this.random);
    this.announceList = new OnionNodeList(this.real.publicKey, MAX_ANNOUNCE_NODES);
    const r = this.dht.router;
    this.registrations = [
      r.register(PacketKind.ANNOUNCE_RESPONSE_OLD,
        (p, i) => this.counters.guard(PacketKind.ANNOUNCE_RESPONSE_OLD, () => this.onAnnounceResponse(p, i))),
      r.register(PacketKind.ONION_DATA_RESPONSE,
        (p) => this.counters.guard(PacketKind.ONION_DATA_RESPONSE, () => this.onDataResponse(p))),
      this.dht.registerDhtRequest(DhtRequestId.DHT_PK,
        (sender, data) => this.counters.guard(PacketKind.DHT_REQUEST, () => this.onDhtRoutedDhtPk(sender, data))),
    ];
  }

  /** Starts the periodic work (once a second). @since 0.1.0 */
  start(): void {
    if (this.timer === undefined) this.timer = this.scheduler.every(this.tickMs, () => this.tick(), 'onion-client');
  }

  dispose(): void {
    this.timer?.dispose();
    this.timer = undefined;
    for (const d of this.registrations.splice(0)) d.dispose();
    this.dhtPks.dispose();
    this.friendRequests.dispose();
    this.connection.dispose();
    this.realShared.clear();
    for (const f of this.friends.values()) f.sharedTemp.clear();
    this.dataKeys.secretKey.fill(0);
  }

  /** The key others encrypt onion data to us with; announced with our real key. @since 0.1.0 */
  get dataPublicKey(): Uint8Array {
    return this.dataKeys.publicKey;
  }

  /** Whether we are announced (c-toxcore's onion_connection_status ≠ NONE). @since 0.1.0 */
  get isConnected(): boolean {
    return this.status;
  }

  // ---- friends (for friend_connection) -------------------------------------------------------

  /** Starts searching for a friend and accepting its DHT key (c-toxcore's onion_addfriend). @since 0.1.0 */
  addFriend(realPublicKey: Uint8Array): void {
    const id = toHex(realPublicKey);
    if (this.friends.has(id)) return;
    const tempKeys = newKeyPair();
    this.friends.set(id, {
      realPublicKey: copyBytes(realPublicKey), tempKeys, sharedTemp: new SharedKeyCache(tempKeys.secretKey, 64),
      list: new OnionNodeList(copyBytes(realPublicKey), MAX_FRIEND_NODES), pinged: { keys: [], next: 0 },
      dhtPublicKey: undefined, online: false, lastNoReplay: 0n, lastDhtPkOnionSentAt: -Infinity,
      lastDhtPkDhtSentAt: -Infinity, lastPopulatedAt: -Infinity, lastPingedAt: -Infinity, runCount: 0, pings: 0,
    });
  }

  /** @since 0.1.0 */
  removeFriend(realPublicKey: Uint8Array): void {
    const id = toHex(realPublicKey);
    this.friends.get(id)?.sharedTemp.clear();
    this.friends.delete(id);
  }

  /** @since 0.1.0 */
  hasFriend(realPublicKey: Uint8Array): boolean {
    return this.friends.has(toHex(realPublicKey));
  }

  /**
   * friend_connection says whether the friend is connected: no search while it is; going offline
   * forgets its last no_replay, as c-toxcore's onion_set_friend_online.
   * @since 0.1.0
   */
  setFriendOnline(realPublicKey: Uint8Array, online: boolean): void {
    const f = this.friends.get(toHex(realPublicKey));
    if (f === undefined) return;
    f.online = online;
    if (!online) {
      f.lastNoReplay = 0n;
      f.runCount = 0;
    }
  }

  /** The friend's DHT key, learned or set. @since 0.1.0 */
  friendDhtPublicKey(realPublicKey: Uint8Array): Uint8Array | undefined {
    return this.friends.get(toHex(realPublicKey))?.dhtPublicKey;
  }

  /** A DHT key learned elsewhere (a net_crypto handshake); used to route our DHT key announcements. @since 0.1.0 */
  setFriendDhtPublicKey(realPublicKey: Uint8Array, dhtPublicKey: Uint8Array): void {
    const f = this.friends.get(toHex(realPublicKey));
    if (f !== undefined) f.dhtPublicKey = copyBytes(dhtPublicKey);
  }

  /** How many nodes told us the friend is announced there, with its data key. @since 0.1.0 */
  friendAnnouncedAt(realPublicKey: Uint8Array): number {
    const f = this.friends.get(toHex(realPublicKey));
    if (f === undefined) return 0;
    const now = this.clock.now();
    return f.list.live(now).filter((n) => n.isStored === 1).length;
  }

  /** How many of our announce nodes store us. @since 0.1.0 */
  get announcedTo(): number {
    return this.announceList.live(this.clock.now()).filter((n) => n.isStored !== 0).length;
  }

  /**
   * Sends onion data (kind byte first) to a friend through every node where it is announced
   * (c-toxcore's send_onion_data); returns how many copies went out, 0 when the friend was not
   * found at enough nodes (at least a quarter of the live ones) or is no friend.
   * @since 0.1.0
   */
  sendOnionData(realPublicKey: Uint8Array, data: Uint8Array): number {
    const f = this.friends.get(toHex(realPublicKey));
    if (f === undefined || data.length === 0 || data.length + DATA_IN_RESPONSE_MIN_SIZE > MAX_DATA_REQUEST_SIZE) return 0;
    const now = this.clock.now();
    const live = f.list.live(now);
    const good = live.filter((n) => n.isStored !== 0 && n.dataPublicKey !== undefined);
    if (live.length === 0 || good.length < Math.floor((live.length - 1) / 4) + 1) return 0;
    const nonce = this.random(NONCE_SIZE);
    const inner = sealInnerData(this.real.publicKey, this.realShared.get(f.realPublicKey), nonce, data);
    let sent = 0;
    for (const n of good) {
      const picked = this.friendPaths.pick();
      if (picked === undefined) continue;
      const request = sealDataRequest(f.realPublicKey, n.dataPublicKey!, nonce, inner);
      this.dht.send(createOnionPacket(picked.path, n.address, request, this.random(NONCE_SIZE)), picked.path.nodes[0].address);
      sent++;
    }
    return sent;
  }

  /**
   * Sends a friend request as onion data (what c-toxcore's friend_connection does until the
   * friend is connected); the friend must have been added. Returns copies sent.
   * @since 0.1.0
   */
  sendFriendRequest(realPublicKey: Uint8Array, nospam: number, message: Uint8Array): number {
    return this.sendOnionData(realPublicKey, encodeFriendRequest({ nospam, message }));
  }

  /** Tells a friend our DHT key now, through the onion or the DHT (c-toxcore's send_dhtpk_announce). @since 0.1.0 */
  sendDhtPublicKey(realPublicKey: Uint8Array, via: 'onion' | 'dht'): number {
    const f = this.friends.get(toHex(realPublicKey));
    return f === undefined ? 0 : this.sendDhtPk(f, via);
  }

  // ---- periodic work -------------------------------------------------------------------------

  /** One round of do_onion_client (the scheduler calls it; tests may too). @since 0.1.0 */
  tick(): void {
    const now = this.clock.now();
    // populate_path_nodes: the DHT's random search entries feed our paths
    for (const n of this.dht.randomSearchNodes(8)) this.pathNodes.add(n);
    this.doAnnounce(now);
    if (this.connectedNow(now)) {
      if (this.connectedRounds < ONION_CONNECTION_SECONDS * 2) this.connectedRounds++;
    } else if (this.connectedRounds > 0) {
      this.connectedRounds--;
    }
    const status = this.connectedRounds >= ONION_CONNECTION_SECONDS;
    if (status !== this.status) {
      this.status = status;
      this.connection.fire(status);
    }
    if (status) for (const f of [...this.friends.values()]) this.doFriend(f, now);
  }

  /** c-toxcore's do_announce. */
  private doAnnounce(now: number): void {
    const live = this.announceList.live(now);
    for (const n of live) {
      if (n.lastPingedAt === undefined) {
        n.lastPingedAt = -Infinity; // asked on the next round
        continue;
      }
      if (n.pingsSinceResponse >= ONION_NODE_MAX_PINGS) continue;
      let interval = ANNOUNCE_INTERVAL_NOT_ANNOUNCED_MS;
      if (n.isStored !== 0 && this.selfPaths.exists(n.pathUsed)) {
        interval = ANNOUNCE_INTERVAL_ANNOUNCED_MS;
        const slot = this.selfPaths.slot(n.pathUsed!);
        if (slot !== undefined && now - n.addedAt > TIME_TO_STABLE_MS
          && !(n.pingsSinceResponse > 0 && now - n.lastPingedAt > ONION_NODE_TIMEOUT_MS)
          && now - slot.createdAt > TIME_TO_STABLE_MS
          && !(slot.usedTimes > 0 && now - slot.lastUsedAt > ONION_PATH_TIMEOUT_MS)) {
          interval = ANNOUNCE_INTERVAL_STABLE_MS;
        }
      }
      if (now - n.lastPingedAt > interval || now - this.lastAnnounceAt > ONION_NODE_PING_INTERVAL_MS) {
        const usePath = n.pingsSinceResponse === ONION_NODE_MAX_PINGS - 1 && now - n.addedAt > TIME_TO_STABLE_MS
          ? undefined : n.pathUsed;
        if (this.sendAnnounceRequest(undefined, n, n.pingId, usePath)) {
          n.lastPingedAt = now;
          n.pingsSinceResponse++;
          this.lastAnnounceAt = now;
        }
      }
    }
    if (live.length === MAX_ANNOUNCE_NODES) {
      this.lastPopulatedAt = now;
      return;
    }
    if (live.length <= MAX_ANNOUNCE_NODES / 2 || now - this.lastPopulatedAt > ANNOUNCE_POPULATE_TIMEOUT_MS) {
      for (let i = 0; i < MAX_ANNOUNCE_NODES / 2; i++) {
        const n = this.pathNodes.random(this.random);
        if (n === undefined) return;
        this.sendAnnounceRequest(undefined, n, undefined, undefined);
      }
    }
  }

  /** c-toxcore's onion_isconnected: at least half the live announce nodes store us. */
  private connectedNow(now: number): boolean {
    if (now - this.lastPacketAt > ONION_OFFLINE_TIMEOUT_MS || this.pathNodes.size === 0) {
      this.lastPopulatedAt = -Infinity;
      return false;
    }
    const live = this.announceList.live(now);
    const announced = live.filter((n) => n.isStored !== 0).length;
    const pnodes = Math.min(this.pathNodes.addedCount, MAX_ANNOUNCE_NODES);
    if (live.length > 0 && announced > 0 && Math.floor(live.length / 2) <= announced && Math.floor(pnodes / 2) <= live.length) {
      return true;
    }
    this.lastPopulatedAt = -Infinity;
    return false;
  }

  /** c-toxcore's do_friend. */
  private doFriend(f: OnionFriend, now: number): void {
    const isNew = f.runCount <= ANNOUNCE_FRIEND_RUN_COUNT_BEGINNING;
    const interval = isNew ? ANNOUNCE_FRIEND_NEW_INTERVAL_MS
      : Math.min(1000 * 2 ** Math.min(MAX_RUN_COUNT_EXPONENT, f.runCount - 2), ANNOUNCE_FRIEND_MAX_INTERVAL_MS);
    if (f.online) return;
    if (now - f.lastDhtPkOnionSentAt > ONION_DHTPK_SEND_INTERVAL_MS && this.sendDhtPk(f, 'onion') >= 1) f.lastDhtPkOnionSentAt = now;
    if (now - f.lastDhtPkDhtSentAt > DHT_DHTPK_SEND_INTERVAL_MS && this.sendDhtPk(f, 'dht') >= 1) f.lastDhtPkDhtSentAt = now;
    const live = f.list.live(now);
    for (const n of live) {
      if (n.lastPingedAt === undefined) {
        n.lastPingedAt = now; // "we don't want new nodes to be pinged immediately"
        continue;
      }
      if (n.pingsSinceResponse >= ONION_NODE_MAX_PINGS) continue;
      if (now - f.lastPingedAt <= interval / (MAX_FRIEND_NODES / 2)) continue;
      if (now - n.lastPingedAt <= interval) continue;
      if (this.sendAnnounceRequest(f, n, undefined, undefined)) {
        n.lastPingedAt = now;
        f.lastPingedAt = now;
        n.pingsSinceResponse++;
        f.pings++;
        if (f.pings % (MAX_FRIEND_NODES / 2) === 0) f.runCount++;
      }
    }
    if (live.length === MAX_FRIEND_NODES) {
      if (!isNew) f.lastPopulatedAt = now;
      return;
    }
    if (live.length <= MAX_FRIEND_NODES / 2 || now - f.lastPopulatedAt > ANNOUNCE_POPULATE_TIMEOUT_MS) {
      const n = Math.min(this.pathNodes.size, MAX_PATH_NODES / 4);
      if (n === 0) return;
      f.lastPopulatedAt = now;
      for (let i = 0; i < n; i++) this.sendAnnounceRequest(f, this.pathNodes.random(this.random)!, undefined, undefined);
    }
  }

  // ---- sending -------------------------------------------------------------------------------

  /** A path of 3 random path nodes, with replacement; none unless the DHT is connected (no TCP yet). */
  /** Three path nodes, picked with replacement (cheap: the keys are made only if the path is used). */
  private pickPathNodes(): PathNodesTriple | undefined {
    if (!this.dht.isConnected || this.pathNodes.size === 0) return undefined;
    const pick = () => this.pathNodes.random(this.random)!;
    return [pick(), pick(), pick()];
  }

  private buildPath(nodes: PathNodesTriple): OnionPath {
    return createOnionPath(nodes, this.dht.publicKey, this.dht.sharedKeys.get(nodes[0].publicKey));
  }

  /** c-toxcore's client_send_announce_request: ourselves (`friend` undefined) or a friend's search. */
  private sendAnnounceRequest(friend: OnionFriend | undefined, node: { address: SocketAddress; publicKey: Uint8Array },
    pingId: Uint8Array | undefined, pathNum: number | undefined): boolean {
    const picked = (friend === undefined ? this.selfPaths : this.friendPaths).pick(pathNum);
    if (picked === undefined) return false;
    const id = this.sendbacks.add({ friend, nodeKey: copyBytes(node.publicKey), address: node.address, pathNum: picked.pathNum });
    const sendback = new Writer(8).u64(id).finish();
    const zeros = new Uint8Array(PING_ID_SIZE);
    const request = friend === undefined
      ? sealAnnounceRequest(this.real.publicKey, this.realShared.get(node.publicKey),
        { pingId: pingId ?? zeros, searchedKey: this.real.publicKey, dataPublicKey: this.dataKeys.publicKey, sendback },
        this.random(NONCE_SIZE))
      : sealAnnounceRequest(friend.tempKeys.publicKey, friend.sharedTemp.get(node.publicKey),
        { pingId: zeros, searchedKey: friend.realPublicKey, dataPublicKey: zeros, sendback }, this.random(NONCE_SIZE));
    this.dht.send(createOnionPacket(picked.path, node.address, request, this.random(NONCE_SIZE)), picked.path.nodes[0].address);
    return true;
  }

  /** Our connected TCP relays, for DHT-key announcements (set by the node that has relays). */
  relayNodes: () => readonly NodeInfo[] = () => [];

  /** c-toxcore's send_dhtpk_announce: our DHT key, our TCP relays and close nodes, 4 in all. */
  private sendDhtPk(f: OnionFriend, via: 'onion' | 'dht'): number {
    // no_replay: Unix seconds as c-toxcore, but always growing (two sends in one second both count)
    const wall = BigInt(Math.floor(this.wallClock() / 1000));
    this.lastNoReplay = wall > this.lastNoReplay ? wall : this.lastNoReplay + 1n;
    // our connected TCP relays first, up to half (copy_connected_tcp_relays), then close DHT nodes
    const relays = this.relayNodes().slice(0, MAX_SENT_NODES / 2);
    const nodes = [...relays, ...this.dht.closeListNodes(MAX_SENT_NODES - relays.length)];
    const data = encodeDhtPk({ noReplay: this.lastNoReplay, dhtPublicKey: this.dht.publicKey, nodes });
    if (via === 'onion') return this.sendOnionData(f.realPublicKey, data);
    if (f.dhtPublicKey === undefined) return 0;
    // c-toxcore's send_dht_dhtpk: [our real key][nonce][box to the friend's real key], as DHT request 0x9c
    const nonce = this.random(NONCE_SIZE);
    const inner = new Writer(PUBLIC_KEY_SIZE + NONCE_SIZE + data.length + 16)
      .bytes(this.real.publicKey).bytes(nonce).bytes(encrypt(this.realShared.get(f.realPublicKey), nonce, data)).finish();
    return this.dht.routeToFriend(f.dhtPublicKey, this.dht.sealDhtRequest(f.dhtPublicKey, DhtRequestId.DHT_PK, inner));
  }

  // ---- handlers ------------------------------------------------------------------------------

  /** spec § "Announce response" (c-toxcore's handle_announce_response). */
  private onAnnounceResponse(packet: Uint8Array, inbound: Inbound): OnionOutcome {
    if (!announceResponseSizeOk(packet.length)) return 'bad-size';
    const h = readAnnounceResponseHeader(packet);
    const sb = this.sendbacks.take(new Reader(h.sendback).u64());
    if (sb === undefined) return 'unknown-sendback';
    const f = sb.friend;
    if (f !== undefined && this.friends.get(toHex(f.realPublicKey)) !== f) return 'not-a-friend';
    const shared = f === undefined ? this.realShared.get(sb.nodeKey) : f.sharedTemp.get(sb.nodeKey);
    const res = openAnnounceResponse(shared, h.nonce, h.box);
    if (res === undefined) return 'bad-box';
    const now = this.clock.now();
    const hops = (f === undefined ? this.selfPaths : this.friendPaths).succeeded(sb.pathNum);
    if (hops !== undefined) for (const n of hops) this.pathNodes.add(n);
    let isStored = res.isStored;
    if (f === undefined) {
      // is_stored 1 for ourselves only counts if it names our own data key
      if (isStored === 1 && !keysEqual(res.pingIdOrKey, this.dataKeys.publicKey)) isStored = 0;
    } else if (isStored === 2) {
      return 'malformed'; // c-toxcore: a search is never "stored"
    }
    const list = f === undefined ? this.announceList : f.list;
    const entered = list.answered(sb.nodeKey, sb.address, isStored, res.pingIdOrKey, hops === undefined ? undefined : sb.pathNum, now);
    if (entered !== undefined) this.pathNodes.add({ transport: 'udp', address: sb.address, publicKey: sb.nodeKey });
    this.pingNodes(f, res.nodes, inbound.from, now);
    this.lastPacketAt = now;
    return 'handled';
  }

  /** c-toxcore's client_ping_nodes: ask the named nodes that would enter the list. */
  private pingNodes(f: OnionFriend | undefined, nodes: readonly NodeInfo[], source: SocketAddress, now: number): void {
    const lanOk = isLan(source.host);
    const list = f === undefined ? this.announceList : f.list;
    const ring = f === undefined ? this.pinged : f.pinged;
    for (const n of nodes) {
      if (!lanOk && isLan(n.address.host)) continue;
      if (!list.wouldTake(n.publicKey, now) || list.find(n.publicKey) !== undefined) continue;
      if (!goodToPing(ring, n.publicKey, now)) continue;
      this.sendAnnounceRequest(f, n, undefined, undefined);
    }
  }

  /** spec § "Data response" (c-toxcore's handle_data_response). */
  private onDataResponse(packet: Uint8Array): OnionOutcome {
    if (!dataResponseSizeOk(packet.length)) return 'bad-size';
    const h = readDataResponseHeader(packet);
    // a fresh key per packet: nothing to cache (the one cost an unauthenticated packet can cause)
    const outer = openOuterData(precompute(h.tempKey, this.dataKeys.secretKey), h.nonce, h.box);
    if (outer === undefined) return 'bad-box';
    const plain = decrypt(this.realShared.get(outer.sender), h.nonce, outer.box);
    if (plain === undefined) return 'bad-box';
    return this.onData(outer.sender, plain, 'onion');
  }

  /** c-toxcore's handle_dht_dhtpk: [real key][nonce][box] inside a DHT request from the friend's DHT key. */
  private onDhtRoutedDhtPk(sender: Uint8Array, data: Uint8Array): OnionOutcome {
    const overhead = PUBLIC_KEY_SIZE + NONCE_SIZE + 16;
    if (data.length < DHTPK_DATA_MIN_SIZE + overhead || data.length > DHTPK_DATA_MAX_SIZE + overhead) return 'bad-size';
    const r = new Reader(data);
    const realKey = copyBytes(r.bytes(PUBLIC_KEY_SIZE, 'real key'));
    const nonce = r.bytes(NONCE_SIZE, 'nonce');
    if (!this.friends.has(toHex(realKey))) return 'not-a-friend'; // before any crypto
    const plain = decrypt(this.realShared.get(realKey), nonce, r.rest());
    if (plain === undefined) return 'bad-box';
    if (plain[0] !== OnionDataKind.DHT_PK) return 'unknown-data-kind';
    if (plain.length < DHTPK_DATA_MIN_SIZE || !keysEqual(plain.subarray(9, 9 + PUBLIC_KEY_SIZE), sender)) return 'key-mismatch';
    return this.onDhtPk(realKey, plain, 'dht');
  }

  /** Onion data by kind (c-toxcore's onion_data_handlers). */
  private onData(sender: Uint8Array, plain: Uint8Array, via: 'onion' | 'dht'): OnionOutcome {
    switch (plain[0]) {
      case OnionDataKind.DHT_PK:
        return this.onDhtPk(sender, plain, via);
      case OnionDataKind.FRIEND_REQUEST: {
        const req = decodeFriendRequest(plain);
        this.friendRequests.fire({ realPublicKey: sender, nospam: req.nospam, message: req.message });
        return 'handled';
      }
      default:
        return 'unknown-data-kind';
    }
  }

  /** c-toxcore's handle_dhtpk_announce: from a friend, with a growing no_replay. */
  private onDhtPk(sender: Uint8Array, data: Uint8Array, via: 'onion' | 'dht'): OnionOutcome {
    if (data.length < DHTPK_DATA_MIN_SIZE || data.length > DHTPK_DATA_MAX_SIZE) return 'bad-size';
    const f = this.friends.get(toHex(sender));
    if (f === undefined) return 'not-a-friend';
    const a = decodeDhtPk(data);
    if (a.noReplay <= f.lastNoReplay) return 'replay';
    f.lastNoReplay = a.noReplay;
    f.dhtPublicKey = a.dhtPublicKey;
    // c-toxcore asks the named DHT nodes for the friend's DHT key at once
    for (const n of a.nodes) if (n.transport === 'udp') this.dht.getNodes(n, a.dhtPublicKey);
    this.dhtPks.fire({ realPublicKey: f.realPublicKey, dhtPublicKey: a.dhtPublicKey, nodes: a.nodes, via });
    return 'handled';
  }

  /** Counters and list sizes, for logs and tests. @since 0.1.0 */
  get stats() {
    const now = this.clock.now();
    return {
      ...this.counters.snapshot(),
      pathNodes: this.pathNodes.size,
      announceNodes: this.announceList.live(now).length,
      announcedTo: this.announcedTo,
      connected: this.status,
      friends: [...this.friends.values()].map((f) => ({
        key: toHex(f.realPublicKey).slice(0, 8), nodes: f.list.live(now).length,
        announcedAt: f.list.live(now).filter((n: OnionNode) => n.isStored === 1).length, knowsDhtKey: f.dhtPublicKey !== undefined,
      })),
    };
  }
}

/** c-toxcore's good_to_ping: a node is asked at most once per 10 s (9 remembered). */
function goodToPing(ring: PingedRing, publicKey: Uint8Array, now: number): boolean {
  if (ring.keys.some((k) => now - k.at <= MIN_NODE_PING_TIME_MS && keysEqual(k.publicKey, publicKey))) return false;
  ring.keys[ring.next % MAX_STORED_PINGED_NODES] = { publicKey: copyBytes(publicKey), at: now };
  ring.next++;
  return true;
}

