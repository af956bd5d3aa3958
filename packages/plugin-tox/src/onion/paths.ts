/**
 * Where onion paths come from and how long they live (c-toxcore's onion_client.c: path_nodes,
 * random_nodes_path_onion, random_path, path_timed_out, set_path_timeouts).
 *
 * Path nodes: up to 32 nodes, each key once, newest overwriting oldest — fed from the DHT's
 * random search entries every tick, from nodes that answered an announce, and from the nodes of
 * a path that carried a response. A path is 3 of them picked at random *with replacement*: in a
 * network of two nodes every hop may be the same node (the spec does not say; c-toxcore does it).
 *
 * Paths: 6 per purpose (announcing ourselves, reaching friends), each with a number that the
 * announce response brings back (in the sendback) so that a response marks its path good. A path
 * is replaced when it is 20 minutes old, or when it was used 4 times without a response for 4 s
 * (new) or 10 s.
 * @since 0.1.0
 */
import { keysEqual } from '../crypto/keys';
import { Reader } from '../wire/bytes';
import { sameAddress } from '../wire/ip';
import type { NodeInfo } from '../wire/packed-node';
import type { Clock } from '../dht/clock';
import {
  MAX_PATH_NODES, NUMBER_ONION_PATHS, ONION_PATH_FIRST_TIMEOUT_MS, ONION_PATH_MAX_LIFETIME_MS,
  ONION_PATH_MAX_NO_RESPONSE_USES, ONION_PATH_TIMEOUT_MS,
} from './constants';
import type { OnionPath } from './onion-path';

/** A ring of distinct path nodes. @since 0.1.0 */
export class PathNodes {
  private readonly nodes: NodeInfo[] = [];
  private added = 0;

  /** Adds a UDP node unless its key is known already. Returns whether it was added. */
  add(node: NodeInfo): boolean {
    if (node.transport !== 'udp') return false;
    if (this.nodes.some((n) => keysEqual(n.publicKey, node.publicKey))) return false;
    this.nodes[this.added % MAX_PATH_NODES] = node;
    this.added++;
    return true;
  }

  get size(): number {
    return this.nodes.length;
  }

  /** How many were ever added (c-toxcore's path_nodes_index, used by onion_isconnected). */
  get addedCount(): number {
    return this.added;
  }

  random(random: (n: number) => Uint8Array): NodeInfo | undefined {
    if (this.nodes.length === 0) return undefined;
    return this.nodes[randomBelow(random, this.nodes.length)];
  }

  list(): readonly NodeInfo[] {
    return this.nodes;
  }
}

interface PathSlot {
  path: OnionPath;
  /** random × 6 + slot: brought back by the response (c-toxcore's path_num). */
  pathNum: number;
  createdAt: number;
  lastSuccessAt: number;
  lastUsedAt: number;
  usedTimes: number;
}

/** Three path nodes, first hop first. @since 0.1.0 */
export type PathNodesTriple = readonly [NodeInfo, NodeInfo, NodeInfo];

/** How a PathSet gets paths: nodes picked at random, then the path's keys made for them. @since 0.1.0 */
export interface PathMaker {
  pickNodes(): PathNodesTriple | undefined;
  build(nodes: PathNodesTriple): OnionPath;
}

/** A path picked for one send, with its number. @since 0.1.0 */
export interface PickedPath {
  readonly path: OnionPath;
  readonly pathNum: number;
}

/** The 6 paths of one purpose. @since 0.1.0 */
export class PathSet {
  private readonly slots: (PathSlot | undefined)[] = new Array<PathSlot | undefined>(NUMBER_ONION_PATHS).fill(undefined);

  constructor(private readonly clock: Clock, private readonly random: (n: number) => Uint8Array,
    private readonly paths: PathMaker) {}

  /** The path of slot `pathNum % 6`, or a random slot; made anew when timed out (c-toxcore's random_path). */
  pick(pathNum?: number): PickedPath | undefined {
    const now = this.clock.now();
    let i = pathNum === undefined ? randomBelow(this.random, NUMBER_ONION_PATHS) : pathNum % NUMBER_ONION_PATHS;
    if (this.timedOut(i, now)) {
      const nodes = this.paths.pickNodes();
      if (nodes === undefined) return undefined;
      const used = this.liveWithFirstHop(nodes[2], now);
      if (used < 0) {
        // the keys of a path cost 5 key computations: made only now that the path will be used
        // (c-toxcore makes the path first and may throw it away; in JavaScript that was most of an idle account's CPU)
        const path = this.paths.build(nodes);
        const num = Math.floor(new Reader(this.random(4)).u32() / NUMBER_ONION_PATHS) * NUMBER_ONION_PATHS + i;
        this.slots[i] = { path, pathNum: num, createdAt: now, lastSuccessAt: now, lastUsedAt: now, usedTimes: ONION_PATH_MAX_NO_RESPONSE_USES / 2 };
      } else {
        i = used;
      }
    }
    const s = this.slots[i]!;
    if (s.usedTimes < ONION_PATH_MAX_NO_RESPONSE_USES) s.lastUsedAt = now;
    s.usedTimes++;
    return { path: s.path, pathNum: s.pathNum };
  }

  /** Whether the path numbered `pathNum` is still the live one of its slot (c-toxcore's path_exists). */
  exists(pathNum: number | undefined): boolean {
    if (pathNum === undefined) return false;
    const i = pathNum % NUMBER_ONION_PATHS;
    return !this.timedOut(i, this.clock.now()) && this.slots[i]?.pathNum === pathNum;
  }

  /** A response came over path `pathNum`: it is good; returns its nodes (c-toxcore's set_path_timeouts). */
  succeeded(pathNum: number): readonly NodeInfo[] | undefined {
    const s = this.slots[pathNum % NUMBER_ONION_PATHS];
    if (s === undefined || s.pathNum !== pathNum) return undefined;
    s.lastSuccessAt = this.clock.now();
    s.usedTimes = 0;
    return s.path.nodes;
  }

  /** Creation time and use of a slot, for the announce intervals. */
  slot(pathNum: number): { createdAt: number; lastUsedAt: number; usedTimes: number } | undefined {
    return this.slots[pathNum % NUMBER_ONION_PATHS];
  }

  private timedOut(i: number, now: number): boolean {
    const s = this.slots[i];
    if (s === undefined) return true;
    const timeout = s.lastSuccessAt === s.createdAt ? ONION_PATH_FIRST_TIMEOUT_MS : ONION_PATH_TIMEOUT_MS;
    return (s.usedTimes >= ONION_PATH_MAX_NO_RESPONSE_USES && now - s.lastUsedAt > timeout)
      || now - s.createdAt > ONION_PATH_MAX_LIFETIME_MS;
  }

  /**
   * A live path whose first hop is at the address of `node` (c-toxcore's is_path_used, which
   * compares with the new path's last node — "do we really have to check it with the last
   * node?" says its TODO; kept, so that our paths spread as c-toxcore's do).
   */
  private liveWithFirstHop(node: NodeInfo, now: number): number {
    for (let i = 0; i < NUMBER_ONION_PATHS; i++) {
      const s = this.slots[i];
      if (s === undefined || now - s.lastSuccessAt > ONION_PATH_TIMEOUT_MS || now - s.createdAt > ONION_PATH_MAX_LIFETIME_MS) continue;
      if (sameAddress(s.path.nodes[0].address, node.address)) return i;
    }
    return -1;
  }
}

/** A uniform-enough number below `n` (n ≤ 2³²). @since 0.1.0 */
export function randomBelow(random: (n: number) => Uint8Array, n: number): number {
  return new Reader(random(4)).u32() % n;
}
