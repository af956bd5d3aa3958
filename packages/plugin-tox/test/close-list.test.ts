import { newKeyPair } from '../src/crypto/keys';
import { CloseList, SearchEntry } from '../src/dht/client-list';
import { BAD_NODE_TIMEOUT_MS, BUCKET_COUNT, BUCKET_SIZE } from '../src/dht/constants';
import { commonPrefixBits, compareDistance } from '../src/dht/distance';

/** A key that shares exactly `prefix` leading bits with `base` (then random). */
function keyAt(base: Uint8Array, prefix: number): Uint8Array {
  const k = newKeyPair().publicKey;
  for (let bit = 0; bit <= prefix && bit < 256; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    const want = bit < prefix ? base[byte] & mask : ~base[byte] & mask;
    k[byte] = (k[byte] & ~mask) | want;
  }
  return k;
}

const addr = (i: number) => ({ host: '127.0.0.1', port: 20000 + i });

describe('distance (Tox spec § "Distance")', () => {
  test('the spec example: from 2, 6 is closer than 5', () => {
    const k = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? n : 0));
    expect(compareDistance(k(2), k(6), k(5))).toBeLessThan(0);
    expect(compareDistance(k(5), k(6), k(2))).toBeLessThan(0);
    expect(compareDistance(k(6), k(5), k(5))).toBe(0);
  });

  test('bucket index is the first differing bit (spec § "Bucket Index")', () => {
    const base = new Uint8Array(32);
    base[0] = 0x80;
    const other = new Uint8Array(32);
    other[0] = 0x40;
    expect(commonPrefixBits(base, other)).toBe(0);
    other[0] = 0xc0;
    expect(commonPrefixBits(base, other)).toBe(1);
    const last = base.slice();
    last[31] = 1;
    expect(commonPrefixBits(base, last)).toBe(255);
    expect(commonPrefixBits(base, base)).toBe(256);
  });
});

describe('close list (k-buckets, sized as c-toxcore: 128 × 8)', () => {
  const me = newKeyPair().publicKey;

  test('a node goes into the bucket of its shared prefix, capped at 127', () => {
    const list = new CloseList(me);
    for (const p of [0, 5, 126, 127, 200]) expect(list.bucketIndex(keyAt(me, p))).toBe(Math.min(p, BUCKET_COUNT - 1));
  });

  test('a full bucket refuses a new node while its nodes are good, takes it once one is Bad', () => {
    const list = new CloseList(me);
    const now = 1_000_000;
    for (let i = 0; i < BUCKET_SIZE; i++) expect(list.add(keyAt(me, 3), addr(i), now)).toBeDefined();
    expect(list.bucket(3).filter(Boolean)).toHaveLength(BUCKET_SIZE);
    const late = keyAt(me, 3);
    expect(list.addable(late, now)).toBe(false);
    expect(list.add(late, addr(100), now)).toBeUndefined();
    // other buckets are not affected
    expect(list.add(keyAt(me, 4), addr(101), now)).toBeDefined();
    // 122 s later every node of bucket 3 is Bad: the newcomer takes a slot
    const later = now + BAD_NODE_TIMEOUT_MS;
    expect(list.addable(late, later)).toBe(true);
    expect(list.add(late, addr(100), later)).toBeDefined();
    expect(list.goodCount(later)).toBe(1);
  });

  test('our own key is never stored', () => {
    const list = new CloseList(me);
    expect(list.add(me, addr(1), 0)).toBeUndefined();
    expect(list.addable(me, 0)).toBe(false);
  });

  test('a known node is refreshed, not duplicated; a new key at a known address replaces the old', () => {
    const list = new CloseList(me);
    const k = keyAt(me, 10);
    list.add(k, addr(1), 0);
    list.add(k, addr(1), 50_000);
    expect([...list.entries()]).toHaveLength(1);
    expect(list.find(k)?.v4?.seenAt).toBe(50_000);
    const restarted = keyAt(me, 20);
    list.add(restarted, addr(1), 60_000);
    expect(list.find(k)).toBeUndefined();
    expect(list.find(restarted)).toBeDefined();
  });

  test('holds: in the list, good, and at that address', () => {
    const list = new CloseList(me);
    const k = keyAt(me, 1);
    list.add(k, addr(1), 0);
    expect(list.holds(k, addr(1), 1)).toBe(true);
    expect(list.holds(k, addr(2), 1)).toBe(false);
    expect(list.holds(k, addr(1), BAD_NODE_TIMEOUT_MS)).toBe(false);
  });
});

describe('search entry (Tox spec § "DHT Search Entry")', () => {
  test('keeps the 8 closest to its target', () => {
    const target = newKeyPair().publicKey;
    const s = new SearchEntry(target, false);
    const keys = Array.from({ length: 30 }, () => newKeyPair().publicKey);
    keys.forEach((k, i) => s.add(k, addr(i), 0));
    const want = [...keys].sort((a, b) => compareDistance(target, a, b)).slice(0, 8);
    const got = [...s.clients.map((c) => c.publicKey)].sort((a, b) => compareDistance(target, a, b));
    expect(got).toEqual(want);
  });

  test('a Bad node makes room even for a farther one', () => {
    const target = newKeyPair().publicKey;
    const s = new SearchEntry(target, false);
    for (let i = 0; i < 8; i++) s.add(keyAt(target, 200), addr(i), 0);
    const far = keyAt(target, 0);
    expect(s.storable(far, 1)).toBe(false);
    expect(s.add(far, addr(50), 1)).toBeUndefined();
    expect(s.storable(far, BAD_NODE_TIMEOUT_MS)).toBe(true);
    expect(s.add(far, addr(50), BAD_NODE_TIMEOUT_MS)).toBeDefined();
  });
});
