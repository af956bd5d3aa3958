/**
 * The announce nodes of the onion client (c-toxcore's Onion_Node lists, client_add_to_list,
 * onion_node_timed_out): the 12 nodes closest to our real key that we announce ourselves to, and
 * per friend the 8 closest to the friend's real key that we ask where the friend is announced.
 * A node enters the list when it answers an announce request and is closer than the furthest
 * node (or a slot is free); it times out after 3 unanswered announce requests and 15 s.
 * @since 0.1.0
 */
import { keysEqual } from '../crypto/keys';
import type { SocketAddress } from '../wire/ip';
import { compareDistance } from '../dht/distance';
import { ONION_NODE_MAX_PINGS, ONION_NODE_TIMEOUT_MS, PING_ID_SIZE } from './constants';

/** One announce node as the client tracks it. @since 0.1.0 */
export interface OnionNode {
  readonly publicKey: Uint8Array;
  address: SocketAddress;
  pingId: Uint8Array;
  /** For a friend's list: the friend's data key announced at this node (is_stored 1). */
  dataPublicKey: Uint8Array | undefined;
  /** 0 not stored, 1 the searched key is announced here, 2 we are announced here. */
  isStored: 0 | 1 | 2;
  addedAt: number;
  /** When it last answered. */
  lastResponseAt: number;
  /** When we last sent it an announce request; undefined until the first round after it joined. */
  lastPingedAt: number | undefined;
  pingsSinceResponse: number;
  /** The path number its last answer came over, if that path was still ours. */
  pathUsed: number | undefined;
}

/** c-toxcore's onion_node_timed_out. @since 0.1.0 */
export function nodeTimedOut(n: OnionNode, now: number): boolean {
  return n.pingsSinceResponse >= ONION_NODE_MAX_PINGS && now - (n.lastPingedAt ?? -Infinity) > ONION_NODE_TIMEOUT_MS;
}

/** The nodes closest to `reference`, at most `capacity` live ones. @since 0.1.0 */
export class OnionNodeList {
  private nodes: OnionNode[] = [];

  constructor(readonly reference: Uint8Array, readonly capacity: number) {}

  /** Live nodes. */
  live(now: number): OnionNode[] {
    return this.nodes.filter((n) => !nodeTimedOut(n, now));
  }

  find(publicKey: Uint8Array): OnionNode | undefined {
    return this.nodes.find((n) => keysEqual(n.publicKey, publicKey));
  }

  /**
   * Whether a node with this key would enter the list: a free slot, or closer than the furthest
   * live node (c-toxcore's client_ping_nodes looks at the two furthest; closer than the second
   * furthest implies closer than the furthest, so one comparison does).
   */
  wouldTake(publicKey: Uint8Array, now: number): boolean {
    const live = this.live(now);
    if (live.length < this.capacity) return true;
    return compareDistance(this.reference, publicKey, this.furthest(live).publicKey) < 0;
  }

  /**
   * Records an answer from a node; returns the node if it is (now) in the list, `undefined` if
   * it is too far away to enter.
   */
  answered(publicKey: Uint8Array, address: SocketAddress, isStored: 0 | 1 | 2, pingIdOrKey: Uint8Array,
    pathUsed: number | undefined, now: number): OnionNode | undefined {
    let n = this.find(publicKey);
    if (n === undefined) {
      if (!this.wouldTake(publicKey, now)) return undefined;
      this.nodes = this.live(now);
      if (this.nodes.length >= this.capacity) this.nodes.splice(this.nodes.indexOf(this.furthest(this.nodes)), 1);
      n = {
        publicKey, address, pingId: new Uint8Array(PING_ID_SIZE), dataPublicKey: undefined, isStored: 0, addedAt: now,
        lastResponseAt: now, lastPingedAt: undefined, pingsSinceResponse: 0, pathUsed,
      };
      this.nodes.push(n);
    }
    n.address = address;
    if (isStored === 1) n.dataPublicKey = pingIdOrKey;
    else n.pingId = pingIdOrKey;
    n.isStored = isStored;
    n.lastResponseAt = now;
    n.pingsSinceResponse = 0;
    n.pathUsed = pathUsed;
    return n;
  }

  private furthest(nodes: readonly OnionNode[]): OnionNode {
    let f = nodes[0];
    for (const n of nodes) if (compareDistance(this.reference, n.publicKey, f.publicKey) > 0) f = n;
    return f;
  }
}
