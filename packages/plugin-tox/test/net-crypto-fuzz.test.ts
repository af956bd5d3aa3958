/**
 * Bounded fuzzing of net_crypto's packet handlers (Tox spec § "Net crypto"): random, truncated,
 * mutated, wrongly keyed and replayed cookie requests and responses, handshakes and data packets,
 * from the peer's address and from strangers. Nothing may throw out of the handler, nothing may
 * hang, the established connection's state stays as it was, and it still carries data afterwards.
 */
import { randomBytes } from '../src/crypto/keys';
import { incrementNonceBy } from '../src/crypto/nonce';
import { PacketKind } from '../src/dht/packet-kind';
import type { CryptoConnection } from '../src/net-crypto/connection';
import { encodeDataPlain, sealData } from '../src/net-crypto/packets';
import { COOKIE_REQUEST_LENGTH, HANDSHAKE_PACKET_LENGTH } from '../src/net-crypto/constants';
import { Peers } from './helpers/crypto-peers';

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  return { int: (n: number) => next() % n, bytes: (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff) };
}

test('a few thousand hostile packets change nothing and escape nothing', () => {
  const peers = new Peers();
  const a = peers.add();
  const b = peers.add();
  const captured: Uint8Array[] = [];
  peers.policy = (s) => { captured.push(s.data.slice()); return 'deliver'; };
  b.net.setIncomingHandler((n) => { n.accept(); });
  const ab = a.net.connect(b.keyPair.publicKey, b.dht.publicKey, b.endpoint.local);
  peers.run(200);
  const ba = b.net.connection(a.keyPair.publicKey) as CryptoConnection;
  expect(ba.state).toBe('established');
  for (let i = 0; i < 5; i++) ab.sendLossless(Uint8Array.of(64, i));
  ab.sendLossy(Uint8Array.of(200, 1));
  peers.run(1200);
  const received: number[] = [];
  ba.onData((d) => received.push(d[1]));
  expect(captured.some((p) => p[0] === PacketKind.COOKIE_REQUEST)).toBe(true);
  expect(captured.some((p) => p[0] === PacketKind.CRYPTO_HANDSHAKE)).toBe(true);
  const legit = captured.filter((p) => p[0] >= 0x18 && p[0] <= 0x1b);

  const snapshot = () => ({ state: ba.state, sendQueue: ba.sendQueue, received: ba.counters.received, connections: b.net.connections.length, dhtPk: ba.dhtPk });
  const before = snapshot();
  const r = rng(0x5eed);
  const stranger = { host: '127.0.0.1', port: 61000 };
  const started = Date.now();
  const kinds = [PacketKind.COOKIE_REQUEST, PacketKind.COOKIE_RESPONSE, PacketKind.CRYPTO_HANDSHAKE, PacketKind.CRYPTO_DATA];
  const N = 3000;
  for (let i = 0; i < N; i++) {
    let p: Uint8Array;
    switch (i % 6) {
      case 0: { // random bytes of a random length, with one of our kinds
        p = r.bytes(1 + r.int(1500));
        p[0] = kinds[r.int(4)];
        if (p.length === COOKIE_REQUEST_LENGTH) p[0] = PacketKind.CRYPTO_DATA; // a fresh key would cost a scalar multiplication
        break;
      }
      case 1: { // a legitimate packet truncated or extended
        const l = legit[r.int(legit.length)];
        p = r.int(2) ? l.subarray(0, r.int(l.length)) : Uint8Array.from([...l, ...r.bytes(1 + r.int(8))]);
        if (p.length === 0) p = Uint8Array.of(PacketKind.CRYPTO_DATA);
        break;
      }
      case 2: { // a legitimate packet with one to four bytes changed (not the sender key of a cookie request)
        p = legit[r.int(legit.length)].slice();
        for (let k = 1 + r.int(4); k > 0; k--) {
          const at = p[0] === PacketKind.COOKIE_REQUEST ? 33 + r.int(p.length - 33) : 1 + r.int(p.length - 1);
          p[at] ^= 1 + r.int(255);
        }
        break;
      }
      case 3: { // a data packet under a wrong key with a nonce tail near ours
        const nonce = incrementNonceBy(randomBytes(24), 0);
        p = sealData(r.bytes(32), nonce, encodeDataPlain({ bufferStart: r.int(10), packetNumber: r.int(10), data: Uint8Array.of(64 + r.int(2), 1) }));
        break;
      }
      case 4: // a replay of anything seen
        p = legit[r.int(legit.length)];
        break;
      default: { // a handshake-sized packet of garbage: stops at the cookie
        p = r.bytes(HANDSHAKE_PACKET_LENGTH);
        p[0] = PacketKind.CRYPTO_HANDSHAKE;
      }
    }
    b.endpoint.deliver(p, r.int(3) === 0 ? stranger : a.endpoint.local);
  }
  const elapsed = Date.now() - started;
  b.endpoint.take(); // cookie responses to the replayed cookie requests: not delivered

  expect(snapshot()).toEqual(before);
  expect(received).toEqual([]);
  const st = b.dht.stats;
  expect(st.dropped['handler-error']).toBe(0);
  expect(st.received).toBeGreaterThanOrEqual(N);
  expect(elapsed).toBeLessThan(50_000);

  // and the connection still works
  ab.sendLossless(Uint8Array.of(64, 42));
  peers.pump();
  expect(received).toEqual([42]);
  expect(ba.state).toBe('established');
  peers.dispose();
});
