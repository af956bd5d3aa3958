/**
 * The XOR metric (Tox spec § "Distance") and the bucket index (§ "Bucket Index").
 * @since 0.1.0
 */
import { PUBLIC_KEY_SIZE } from '../crypto/keys';

/**
 * Which of `a` and `b` is closer to `base`: negative if `a`, positive if `b`, 0 if equal. The first
 * differing byte decides (spec § "Distance": "as soon as an ordering decision can be made in the
 * most significant bits, further bits won't influence that decision").
 * @since 0.1.0
 */
export function compareDistance(base: Uint8Array, a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < PUBLIC_KEY_SIZE; i++) {
    const da = base[i] ^ a[i];
    const db = base[i] ^ b[i];
    if (da !== db) return da - db;
  }
  return 0;
}

/**
 * The index of the first bit where the keys differ, from the most significant (spec § "Bucket
 * Index": 255 − log2(distance)); 256 for equal keys.
 * @since 0.1.0
 */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < PUBLIC_KEY_SIZE; i++) {
    const x = a[i] ^ b[i];
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return PUBLIC_KEY_SIZE * 8;
}
