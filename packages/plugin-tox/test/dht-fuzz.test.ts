/**
 * Bounded fuzzing: random, truncated, mutated, wrongly keyed and replayed packets fed to the DHT
 * through its socket handler, and random bytes fed to every decoder. Nothing may throw out of the
 * handler, every packet is counted, and the DHT's state stays what the legitimate traffic made it.
 */
import { precompute } from '../src/crypto/box';
import { newKeyPair, toHex } from '../src/crypto/keys';
import { ManualTime } from '../src/dht/clock';
import { Dht } from '../src/dht/dht';
import { openDhtPacket, readDhtHeader, sealDhtPacket } from '../src/dht/dht-packet';
import { readDhtRequestHeader, sealDhtRequest } from '../src/dht/dht-request';
import { PacketKind } from '../src/dht/packet-kind';
import {
  decodeNodesRequest, decodeNodesResponse, decodePing, encodeNodesRequest, encodeNodesResponse, encodePing,
} from '../src/dht/rpc';
import { Malformed, Reader, Truncated } from '../src/wire/bytes';
import { decodeNodes } from '../src/wire/packed-node';
import { MemoryEndpoint } from './helpers/memory-endpoint';

/** A seeded generator, so that a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
  return {
    int: (n: number) => next() % n,
    bytes: (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff),
  };
}

const KINDS = [0x00, 0x01, 0x02, 0x04, 0x20, 0x21, 0x80, 0x8e, 0xf0, 0xff];
const SEED = 0x5eed;

test('5,000 hostile packets: no throw escapes, all counted, state intact', () => {
  const time = new ManualTime();
  const ep = new MemoryEndpoint({ host: '127.0.0.1', port: 33445 });
  const dht = new Dht({ endpoint: ep, clock: time, scheduler: time, sharedKeyCacheSize: 256 });
  const errors: unknown[] = [];
  dht.router.onHandlerError((e) => errors.push(e));
  const peer = newKeyPair();
  const shared = precompute(dht.publicKey, peer.secretKey);
  const peerAt = { host: '127.0.0.1', port: 40001 };

  // legitimate exchange: we bootstrap from the peer, it answers with one node
  dht.bootstrap({ address: peerAt, publicKey: peer.publicKey });
  const req = ep.take()[0];
  const reqId = decodeNodesRequest(openDhtPacket(readDhtHeader(req.data), shared)!).requestId;
  const third = { transport: 'udp' as const, address: { host: '127.0.0.1', port: 40002 }, publicKey: newKeyPair().publicKey };
  const goodResponse = sealDhtPacket(PacketKind.NODES_RESPONSE, peer.publicKey, shared, encodeNodesResponse({ nodes: [third], requestId: reqId }));
  ep.deliver(goodResponse, peerAt);
  expect(dht.isConnected).toBe(true);
  const before = JSON.stringify(dht.closeListView().map((v) => [toHex(v.publicKey), v.address]));

  const valid = [
    sealDhtPacket(PacketKind.PING_REQUEST, peer.publicKey, shared, encodePing({ response: false, requestId: 1n })),
    sealDhtPacket(PacketKind.PING_RESPONSE, peer.publicKey, shared, encodePing({ response: true, requestId: 2n })),
    sealDhtPacket(PacketKind.NODES_REQUEST, peer.publicKey, shared, encodeNodesRequest({ target: peer.publicKey, requestId: 3n })),
    goodResponse,
    sealDhtRequest(dht.publicKey, peer.publicKey, shared, 0xfe, Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8])),
    Uint8Array.from([0x21, ...peer.publicKey]),
  ];
  // combined keys of strangers, made once: tweetnacl runs ~15× slower inside jest's vm context
  // (~13 ms instead of ~0.8 ms per key), so the test spends its time on the DHT, not on setup
  const wrongKeys = Array.from({ length: 8 }, () => precompute(dht.publicKey, newKeyPair().secretKey));
  const r = rng(SEED);
  const started = Date.now();
  const N = 5000;
  for (let i = 0; i < N; i++) {
    let p: Uint8Array;
    const from = r.int(4) === 0 ? peerAt : { host: '127.0.0.1', port: 1024 + r.int(60000) };
    switch (i % 8) {
      case 0: { // random bytes under a likely kind
        p = r.bytes(r.int(300));
        if (p.length > 0) p[0] = KINDS[r.int(KINDS.length)];
        break;
      }
      case 1: { // a valid packet cut short
        const v = valid[r.int(valid.length)];
        p = v.subarray(0, r.int(v.length));
        break;
      }
      case 2: { // a valid packet with some bytes flipped
        p = valid[r.int(valid.length)].slice();
        for (let k = 1 + r.int(3); k > 0; k--) p[r.int(p.length)] ^= 1 << r.int(8);
        break;
      }
      case 3: { // right sizes, the peer's key, but sealed with another key
        const wrong = wrongKeys[r.int(wrongKeys.length)];
        const kinds = [PacketKind.PING_REQUEST, PacketKind.PING_RESPONSE, PacketKind.NODES_REQUEST];
        const k = kinds[r.int(kinds.length)];
        const plain = k === PacketKind.NODES_REQUEST ? encodeNodesRequest({ target: peer.publicKey, requestId: 4n }) : encodePing({ response: k === 1, requestId: 4n });
        p = sealDhtPacket(k, peer.publicKey, wrong, plain);
        break;
      }
      case 4: // a replayed response
        p = r.int(2) === 0 ? goodResponse : valid[1];
        break;
      case 5: { // authentic but unsolicited responses, some with our own key as sender
        const nodes = [{ ...third, publicKey: r.bytes(32) }];
        const sender = r.int(5) === 0 ? dht.publicKey : peer.publicKey;
        p = sealDhtPacket(PacketKind.NODES_RESPONSE, sender, shared, encodeNodesResponse({ nodes, requestId: BigInt(r.int(1 << 30)) }));
        break;
      }
      case 6: { // authentic, with a plain text of the right size but wrong contents
        const kinds = [PacketKind.PING_REQUEST, PacketKind.PING_RESPONSE, PacketKind.NODES_RESPONSE];
        const k = kinds[r.int(kinds.length)];
        if (r.int(3) === 0) {
          p = sealDhtRequest(dht.publicKey, peer.publicKey, shared, 0xfe, r.bytes(1 + r.int(20)));
        } else {
          p = sealDhtPacket(k, peer.publicKey, shared, r.bytes(k === PacketKind.NODES_RESPONSE ? 48 + r.int(160) : 9));
        }
        break;
      }
      default: // oversized or empty
        p = r.int(2) === 0 ? new Uint8Array(0) : r.bytes(2049 + r.int(100));
    }
    expect(() => ep.deliver(p, from)).not.toThrow();
  }
  const elapsed = Date.now() - started;

  const st = dht.stats;
  const dropped = Object.values(st.dropped).reduce((a, b) => a + b, 0);
  expect(st.received).toBe(N + 1);
  expect(st.handled + dropped).toBe(st.received);
  expect(st.dropped['handler-error']).toBe(0);
  expect(errors).toEqual([]);
  for (const reason of ['empty', 'too-large', 'unknown-kind', 'bad-size', 'from-self', 'bad-box', 'malformed', 'unexpected-reply', 'no-route', 'disabled'] as const) {
    expect([reason, st.dropped[reason]]).not.toEqual([reason, 0]);
  }
  expect(dropped).toBeGreaterThan(N * 0.8);
  expect(st.sharedKeys.cached).toBeLessThanOrEqual(256);
  expect(JSON.stringify(dht.closeListView().map((v) => [toHex(v.publicKey), v.address]))).toBe(before);
  expect(elapsed).toBeLessThan(30_000);

  // still works: a fresh ping is answered
  ep.take();
  ep.deliver(sealDhtPacket(PacketKind.PING_REQUEST, peer.publicKey, shared, encodePing({ response: false, requestId: 77n })), peerAt);
  const [reply] = ep.take();
  expect(decodePing(openDhtPacket(readDhtHeader(reply.data), shared)!)).toEqual({ response: true, requestId: 77n });
  dht.dispose();
});

test('every decoder throws only Truncated or Malformed on random input', () => {
  const r = rng(SEED + 1);
  const decoders: ((b: Uint8Array) => unknown)[] = [
    (b) => decodeNodes(b, 4, { allowTcp: r.int(2) === 0 }),
    decodePing,
    decodeNodesRequest,
    decodeNodesResponse,
    readDhtHeader,
    readDhtRequestHeader,
    (b) => new Reader(b).u64(),
  ];
  let threw = 0;
  for (let i = 0; i < 20_000; i++) {
    const b = r.bytes(r.int(260));
    // bias towards plausible ip types and counts
    if (b.length > 0 && r.int(2) === 0) b[0] = [0, 1, 2, 4, 10, 130, 138][r.int(7)];
    const decode = decoders[i % decoders.length];
    try {
      decode(b);
    } catch (e) {
      threw++;
      if (!(e instanceof Truncated || e instanceof Malformed)) throw e;
    }
  }
  expect(threw).toBeGreaterThan(0);
});

test('a flood of fresh keys keeps the shared key cache at its bound', () => {
  const time = new ManualTime();
  const ep = new MemoryEndpoint({ host: '127.0.0.1', port: 33445 });
  const dht = new Dht({ endpoint: ep, clock: time, scheduler: time, sharedKeyCacheSize: 16 });
  for (let i = 0; i < 80; i++) {
    const kp = newKeyPair();
    const p = sealDhtPacket(PacketKind.PING_REQUEST, kp.publicKey, precompute(dht.publicKey, kp.secretKey), encodePing({ response: false, requestId: BigInt(i + 1) }));
    ep.deliver(p, { host: '127.0.0.1', port: 2000 + i });
  }
  expect(dht.stats.sharedKeys.cached).toBe(16);
  expect(dht.stats.sharedKeys.computed).toBe(80);
  expect(dht.stats.toPing).toBeLessThanOrEqual(32);
});
