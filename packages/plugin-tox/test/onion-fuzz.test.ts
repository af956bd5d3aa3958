/**
 * Bounded fuzzing of every onion decoder (issue 6: random, truncated, mutated, wrong-key and
 * replayed packets): packets a live TS onion node really received are mutated and delivered
 * again. Nothing may escape a handler, nothing may hang, and the node's onion state — announce
 * entries, announce and friend node lists, events fired — must not change.
 */
import { keyPairFromSecret } from '../src/crypto/keys';
import { ManualTime } from '../src/dht/clock';
import { Dht } from '../src/dht/dht';
import { Onion } from '../src/onion';
import { MemoryEndpoint, MemoryNetwork } from './helpers/memory-endpoint';

/** xorshift32: reproducible mutations. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
  return { below: (n: number) => next() % n, bytes: (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff) };
}

test('a few thousand mutated onion packets: no throw, no hang, no state change', () => {
  const time = new ManualTime();
  const net = new MemoryNetwork();
  const endpoints: MemoryEndpoint[] = [];
  // Keys and every random choice (paths, nodes asked) come from one seed, so the network, and which
  // packets reach x before the fuzzing, are the same in every run: with fresh random keys, about one
  // run in fifteen never routed a path through x at the hop whose packets it needs (seen in CI).
  const seeded = rng(0xc0ffee);
  const random = (n: number) => seeded.bytes(n);
  const nodes = Array.from({ length: 6 }, (_, i) => {
    const endpoint = net.endpoint();
    endpoints.push(endpoint);
    const dht = new Dht({ endpoint, clock: time, scheduler: time, keyPair: keyPairFromSecret(random(32)), random });
    const real = keyPairFromSecret(random(32));
    // four of the six are clients, building paths through the others
    const onion = new Onion({ dht, realKeyPair: i >= 2 ? real : undefined, clock: time, scheduler: time, random, wallClock: () => 1_700_000_000_000 + time.now() });
    return { dht, onion, endpoint, real };
  });
  const [x, y] = nodes.slice(4);
  const seen: Uint8Array[] = [];
  x.endpoint.onDatagram((d) => { if (d.data[0] >= 0x80 && d.data[0] <= 0x8e || d.data[0] === 0x20) seen.push(d.data.slice()); });
  for (const n of nodes.slice(1)) n.dht.bootstrap({ address: nodes[0].dht.local, publicKey: nodes[0].dht.publicKey });
  for (const n of nodes) { n.dht.start(); n.onion.start(); }
  const cx = x.onion.client!;
  const cy = y.onion.client!;
  cx.addFriend(y.real.publicKey);
  cy.addFriend(x.real.publicKey);
  let events = 0;
  cx.onDhtPublicKey(() => events++);
  cx.onFriendRequest(() => events++);
  const want = [0x80, 0x81, 0x82, 0x83, 0x84, 0x86, 0x8c, 0x8d, 0x8e];
  const covered = () => want.every((k) => seen.some((p) => p[0] === k));
  for (let i = 0; i < 300 && !(cx.isConnected && cx.friendDhtPublicKey(y.real.publicKey) !== undefined && covered()); i++) {
    time.advance(1000);
    net.flush();
  }
  expect(cx.isConnected).toBe(true);
  expect(want.filter((k) => !seen.some((p) => p[0] === k))).toEqual([]);

  // from here no time passes: only the fuzzed packets could change anything
  for (const e of endpoints) e.take();
  const state = () => JSON.stringify({ entries: x.onion.announce.store.size, client: { ...cx.stats, handled: undefined, dropped: undefined }, events });
  const before = state();
  let bugs = 0;
  x.dht.router.onHandlerError(() => bugs++);
  const r = rng(0x5eed);
  const froms = nodes.map((n) => n.dht.local);
  const COUNT = 2500;
  for (let i = 0; i < COUNT; i++) {
    const seed = seen[r.below(seen.length)];
    let p: Uint8Array;
    switch (r.below(6)) {
      case 0: p = seed.slice(0, r.below(seed.length + 1)); break; // truncated
      case 1: p = Uint8Array.from([...seed, ...r.bytes(1 + r.below(64))]); break; // wrong length
      case 2: { // a few bytes flipped (keys, nonces, boxes, return data)
        p = seed.slice();
        for (let k = 0, n = 1 + r.below(3); k < n; k++) p[r.below(p.length)] ^= 1 + r.below(255);
        break;
      }
      case 3: p = seed.slice(); break; // replayed as it was
      case 4: p = Uint8Array.from([seed[0], ...r.bytes(r.below(1400))]); break; // random body of a real kind
      default: { // another kind's packet under this kind byte
        p = seen[r.below(seen.length)].slice();
        p[0] = 0x80 + r.below(15);
      }
    }
    x.endpoint.deliver(p, froms[r.below(froms.length)]);
    for (const e of endpoints) e.take(); // what x sent on is not delivered: one hop at a time
  }
  expect(bugs).toBe(0);
  expect(x.dht.stats.dropped['handler-error']).toBe(0);
  expect(state()).toBe(before);
  const drops = { relay: x.onion.relay.counters.snapshot().dropped, announce: x.onion.announce.counters.snapshot().dropped, client: cx.counters.snapshot().dropped };
  // every class of check was exercised
  expect(drops.relay['bad-size'] ?? 0).toBeGreaterThan(0);
  expect(drops.relay['bad-box'] ?? 0).toBeGreaterThan(0);
  expect(drops.relay['bad-return'] ?? 0).toBeGreaterThan(0);
  expect(drops.client['unknown-sendback'] ?? 0).toBeGreaterThan(0);
  for (const n of nodes) { n.onion.dispose(); n.dht.dispose(); }
});

