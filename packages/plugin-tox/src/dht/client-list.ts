/**
 * The DHT's node lists (Tox spec § "Client Lists", § "K-buckets", § "DHT node state"):
 *
 * - `CloseList`: k-buckets around our own DHT key, sized as c-toxcore's close_clientlist — 128
 *   buckets of 8 (LCLIENT_LENGTH × LCLIENT_NODES); a node goes into the bucket named by the
 *   number of leading bits it shares with our key, capped at 127. A full bucket takes a new node
 *   only in place of a Bad one (spec § "Manipulating k-buckets": "adding a new node to a full
 *   bucket has no effect"), so long-lived nodes are kept.
 * - `SearchEntry`: the 8 nodes closest to a searched key (a friend's DHT key, or one of the two
 *   random keys of spec § "DHT Initialisation"); a closer node replaces the farthest, a Bad one
 *   goes first (c-toxcore's replace_all).
 *
 * Each node has one slot per address family (c-toxcore's assoc4/assoc6) with the time of its last
 * valid reply. Silent for 122 s a slot is Bad: kept, but replaceable and not handed out; silent
 * for 182 s it is not even checked any more (spec § "Periodic sending of Nodes Requests").
 * @since 0.1.0
 */
import { keysEqual } from '../crypto/keys';
import { ipFamily, isLan, sameAddress, type SocketAddress } from '../wire/ip';
import type { NodeInfo } from '../wire/packed-node';
import { BAD_NODE_TIMEOUT_MS, BUCKET_COUNT, BUCKET_SIZE, SEARCH_ENTRY_SIZE } from './constants';
import { commonPrefixBits, compareDistance } from './distance';
import { copyBytes } from '../wire/copy';

/** One address of a node. @since 0.1.0 */
export interface Assoc {
  address: SocketAddress;
  /** When the node last answered us at this address (a ping or nodes response). */
  seenAt: number;
  /** When we last sent it a Nodes Request to check it. */
  checkedAt: number;
  /** The address this node gave us for the list's base key, when it knows that node (c-toxcore's ret_ip_port). */
  returned?: { address: SocketAddress; at: number };
}

/** A node in a list. @since 0.1.0 */
export class ClientEntry {
  v4?: Assoc;
  v6?: Assoc;

  constructor(public publicKey: Uint8Array) {}

  assoc(family: 4 | 6): Assoc | undefined {
    return family === 4 ? this.v4 : this.v6;
  }

  assocs(): Assoc[] {
    const out: Assoc[] = [];
    if (this.v6 !== undefined) out.push(this.v6);
    if (this.v4 !== undefined) out.push(this.v4);
    return out;
  }

  /** Records a reply from `address`: a new address for its family restarts that slot. */
  heardFrom(address: SocketAddress, now: number): void {
    const family = ipFamily(address.host);
    const old = this.assoc(family);
    // c-toxcore's update_client: a node known at a live non-LAN address does not move to a LAN one
    if (old !== undefined && !isBad(old, now) && !isLan(old.address.host) && isLan(address.host)) return;
    if (old !== undefined && sameAddress(old.address, address)) {
      old.seenAt = now;
      return;
    }
    const fresh: Assoc = { address, seenAt: now, checkedAt: old?.checkedAt ?? -Infinity };
    if (family === 4) this.v4 = fresh;
    else this.v6 = fresh;
  }

  /** The freshest good address, if any (IPv6 first on a tie); no array made: asked for every node handed out. */
  bestAssoc(now: number): Assoc | undefined {
    const v6 = this.v6 !== undefined && !isBad(this.v6, now) ? this.v6 : undefined;
    const v4 = this.v4 !== undefined && !isBad(this.v4, now) ? this.v4 : undefined;
    if (v6 === undefined) return v4;
    return v4 !== undefined && v4.seenAt > v6.seenAt ? v4 : v6;
  }
}

/** Bad: silent for BAD_NODE_TIMEOUT (c-toxcore's assoc_timeout). @since 0.1.0 */
export function isBad(a: Assoc | undefined, now: number): boolean {
  return a === undefined || a.seenAt + BAD_NODE_TIMEOUT_MS <= now;
}

/** Bad at every address: the slot may be reused. @since 0.1.0 */
export function isReplaceable(e: ClientEntry | undefined, now: number): boolean {
  return e === undefined || (isBad(e.v4, now) && isBad(e.v6, now));
}

function newEntry(publicKey: Uint8Array, address: SocketAddress, now: number): ClientEntry {
  const e = new ClientEntry(copyBytes(publicKey));
  e.heardFrom(address, now);
  return e;
}

/** The close list: k-buckets around our DHT key. @since 0.1.0 */
export class CloseList {
  private readonly buckets: (ClientEntry | undefined)[][];
  /**
   * The stored nodes in bucket order, made again only after a slot changed: the whole list was
   * walked by a generator for every announce request served, nodes response and tick (1,024 slots,
   * an iterator result each), the first allocation site of an idle account.
   */
  private stored: readonly ClientEntry[] | undefined;

  constructor(readonly base: Uint8Array) {
    this.buckets = Array.from({ length: BUCKET_COUNT }, () => new Array<ClientEntry | undefined>(BUCKET_SIZE).fill(undefined));
  }

  /** spec § "Bucket Index": the first differing bit; c-toxcore caps it at LCLIENT_LENGTH − 1. */
  bucketIndex(publicKey: Uint8Array): number {
    return Math.min(commonPrefixBits(publicKey, this.base), BUCKET_COUNT - 1);
  }

  bucket(index: number): readonly (ClientEntry | undefined)[] {
    return this.buckets[index];
  }

  find(publicKey: Uint8Array): ClientEntry | undefined {
    return this.buckets[this.bucketIndex(publicKey)].find((e) => e !== undefined && keysEqual(e.publicKey, publicKey));
  }

  /** Whether a node with this key would be stored (its bucket has a free or Bad slot) (add_to_close, simulated). */
  addable(publicKey: Uint8Array, now: number): boolean {
    if (keysEqual(publicKey, this.base)) return false;
    return this.buckets[this.bucketIndex(publicKey)].some((e) => isReplaceable(e, now));
  }

  /** Whether the node is in the list and good at this address (ping.c's in_list). */
  holds(publicKey: Uint8Array, address: SocketAddress, now: number): boolean {
    const a = this.find(publicKey)?.assoc(ipFamily(address.host));
    return a !== undefined && !isBad(a, now) && sameAddress(a.address, address);
  }

  /**
   * Stores or refreshes a node that answered us. A different key at the same address replaces
   * the old one (the node restarted with a new DHT key). Returns the entry, or undefined when the
   * bucket is full of good nodes.
   */
  add(publicKey: Uint8Array, address: SocketAddress, now: number): ClientEntry | undefined {
    if (keysEqual(publicKey, this.base)) return undefined;
    const known = this.find(publicKey);
    if (known !== undefined) {
      known.heardFrom(address, now);
      return known;
    }
    this.evictAddress(address);
    const bucket = this.buckets[this.bucketIndex(publicKey)];
    const slot = bucket.findIndex((e) => isReplaceable(e, now));
    if (slot < 0) return undefined;
    const e = newEntry(publicKey, address, now);
    bucket[slot] = e;
    this.stored = undefined;
    return e;
  }

  /** Every stored node, bucket by bucket: a snapshot, never changed afterwards (the next change makes a new one). */
  entries(): readonly ClientEntry[] {
    if (this.stored === undefined) {
      const out: ClientEntry[] = [];
      for (let b = 0; b < this.buckets.length; b++) {
        const bucket = this.buckets[b];
        for (let i = 0; i < bucket.length; i++) {
          const e = bucket[i];
          if (e !== undefined) out.push(e);
        }
      }
      this.stored = out;
    }
    return this.stored;
  }

  /** Nodes with at least one good address. */
  goodCount(now: number): number {
    let n = 0;
    const all = this.entries();
    for (let i = 0; i < all.length; i++) if (!isReplaceable(all[i], now)) n++;
    return n;
  }

  private evictAddress(address: SocketAddress): void {
    const family = ipFamily(address.host);
    for (const b of this.buckets) {
      for (let i = 0; i < b.length; i++) {
        const a = b[i]?.assoc(family);
        if (a !== undefined && sameAddress(a.address, address)) {
          b[i] = undefined;
          this.stored = undefined;
        }
      }
    }
  }
}

/** A searched key with the nodes closest to it (spec § "DHT Search Entry"). @since 0.1.0 */
export class SearchEntry {
  readonly clients: ClientEntry[] = [];
  /** When a random node was last asked for nodes close to the target; how many times so far. */
  lastGetNodesAt = -Infinity;
  bootstrapTimes = 0;
  /** Nodes a response named that would fit here, to ask at the next round (at most 4). */
  toAsk: NodeInfo[] = [];
  /** Holders of this search (c-toxcore's lock_count); the entry goes when the last lets go. */
  locks = 0;

  constructor(readonly target: Uint8Array, readonly random: boolean) {}

  find(publicKey: Uint8Array): ClientEntry | undefined {
    return this.clients.find((e) => keysEqual(e.publicKey, publicKey));
  }

  /** Whether a node with this key would be stored (c-toxcore's store_node_ok on the list). */
  storable(publicKey: Uint8Array, now: number): boolean {
    if (this.clients.length < SEARCH_ENTRY_SIZE) return true;
    return this.clients.some((e) => isReplaceable(e, now) || compareDistance(this.target, publicKey, e.publicKey) < 0);
  }

  holds(publicKey: Uint8Array, address: SocketAddress, now: number): boolean {
    const a = this.find(publicKey)?.assoc(ipFamily(address.host));
    return a !== undefined && !isBad(a, now);
  }

  /** Stores or refreshes a node; a Bad node, else the farthest one farther than it, makes room. */
  add(publicKey: Uint8Array, address: SocketAddress, now: number): ClientEntry | undefined {
    const known = this.find(publicKey);
    if (known !== undefined) {
      known.heardFrom(address, now);
      return known;
    }
    const family = ipFamily(address.host);
    const sameAt = this.clients.findIndex((e) => { const a = e.assoc(family); return a !== undefined && sameAddress(a.address, address); });
    if (sameAt >= 0) this.clients.splice(sameAt, 1);
    const e = newEntry(publicKey, address, now);
    if (this.clients.length < SEARCH_ENTRY_SIZE) {
      this.clients.push(e);
      return e;
    }
    let victim = this.clients.findIndex((c) => isReplaceable(c, now));
    if (victim < 0) {
      victim = 0;
      for (let i = 1; i < this.clients.length; i++) {
        if (compareDistance(this.target, this.clients[i].publicKey, this.clients[victim].publicKey) > 0) victim = i;
      }
      if (compareDistance(this.target, publicKey, this.clients[victim].publicKey) >= 0) return undefined;
    }
    this.clients[victim] = e;
    return e;
  }
}
