/**
 * A bounded least-recently-used cache of combined keys for one secret key.
 *
 * Computing a combined key (crypto_box_beforenm, a curve25519 scalar multiplication) costs about
 * 1 ms in tweetnacl, and every DHT packet needs one (Tox spec, "Crypto" § "Combined Key": "saving
 * the shared keys and reusing them later as much as possible"). The bound keeps a flood of packets
 * under fresh public keys from growing memory: the least recently used key is evicted.
 * c-toxcore keeps 256 × 4 slots indexed by a key byte, evicting the least requested; an LRU over a
 * Map (whose iteration order is insertion order) is simpler and just as bounded.
 * @since 0.1.0
 */
import { precompute } from './box';
import { toHex } from './keys';

/** Combined keys of one secret key with many public keys, least recently used evicted. @since 0.1.0 */
export class SharedKeyCache {
  private readonly keys = new Map<string, Uint8Array>();
  private computedCount = 0;
  private hitCount = 0;

  constructor(private readonly secretKey: Uint8Array, readonly capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  /** The combined key with `publicKey`, computed at most once while it stays cached. */
  get(publicKey: Uint8Array): Uint8Array {
    const id = toHex(publicKey);
    const hit = this.keys.get(id);
    if (hit !== undefined) {
      this.hitCount++;
      // move to the most recently used end
      this.keys.delete(id);
      this.keys.set(id, hit);
      return hit;
    }
    const shared = precompute(publicKey, this.secretKey);
    this.computedCount++;
    this.keys.set(id, shared);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next().value;
      // not zeroed: a caller may still hold it for the packet in hand; the GC reclaims it
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    return shared;
  }

  get size(): number {
    return this.keys.size;
  }

  /** How many keys were computed (misses) and served from the cache (hits). */
  get stats(): { computed: number; hits: number } {
    return { computed: this.computedCount, hits: this.hitCount };
  }

  /** Zeroes and forgets every key (when the owner of the secret key shuts down). */
  clear(): void {
    for (const k of this.keys.values()) k.fill(0);
    this.keys.clear();
  }
}
