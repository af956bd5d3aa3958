/**
 * net_crypto between two TypeScript peers on a memory network (Tox spec § "Net crypto"): cookie,
 * handshake and data round trips, loss and reordering with retransmission, the nonce window, the
 * buffers and the request packet.
 */
import { encrypt } from '../src/crypto/box';
import { newKeyPair, randomBytes } from '../src/crypto/keys';
import { incrementNonceBy } from '../src/crypto/nonce';
import { PacketKind } from '../src/dht/packet-kind';
import {
  COOKIE_LENGTH, CRYPTO_PACKET_BUFFER_SIZE, DATA_NUM_THRESHOLD, HANDSHAKE_PACKET_LENGTH, MAX_CRYPTO_DATA_SIZE,
} from '../src/net-crypto/constants';
import type { CryptoConnection, CryptoStatusEvent } from '../src/net-crypto/connection';
import { applyRequest, encodeRequest, PacketBuffer } from '../src/net-crypto/packet-buffer';
import { decodeDataPlain, encodeDataPlain, makeCookie, openCookie, openData, sealData } from '../src/net-crypto/packets';
import { Peers, type Peer } from './helpers/crypto-peers';

function connectPair(peers: Peers, a: Peer, b: Peer): { ab: CryptoConnection; ba: () => CryptoConnection | undefined } {
  b.net.setIncomingHandler((n) => { n.accept(); });
  const ab = a.net.connect(b.keyPair.publicKey, b.dht.publicKey, b.endpoint.local);
  return { ab, ba: () => b.net.connection(a.keyPair.publicKey) };
}

const bytes = (id: number, n: number, fill = 0) => { const b = new Uint8Array(n).fill(fill); b[0] = id; return b; };

describe('net_crypto handshake', () => {
  let peers: Peers;
  beforeEach(() => { peers = new Peers(); });
  afterEach(() => peers.dispose());

  test('cookie request, cookie response, handshakes and a first data packet establish both sides', () => {
    const a = peers.add();
    const b = peers.add();
    const { ab, ba } = connectPair(peers, a, b);
    const events: string[] = [];
    ab.onStatus((e) => events.push(`a:${e.status}`));
    b.net.onConnection((c) => c.onStatus((e) => events.push(`b:${e.status}`)));
    expect(ab.state).toBe('cookie-requesting');
    peers.run(20); // the cookie request goes at the next tick, as c-toxcore's temp packet
    expect(ab.state).toBe('not-confirmed');
    expect(ba()?.state).toBe('not-confirmed');
    peers.run(100);
    expect(ab.state).toBe('established');
    expect(ba()?.state).toBe('established');
    expect(events.sort()).toEqual(['a:established', 'b:established']);
    expect(a.net.stats.handled.cookieResponses).toBe(1);
    expect(b.net.stats.handled.cookieRequests).toBe(1);
    expect(ab.directlyConnected).toBe(true);
    expect(a.dht.stats.dropped['handler-error'] + b.dht.stats.dropped['handler-error']).toBe(0);
  });

  test('both sides connecting at once meet in one connection each', () => {
    const a = peers.add();
    const b = peers.add();
    a.net.setIncomingHandler((n) => { n.accept(); });
    b.net.setIncomingHandler((n) => { n.accept(); });
    const ab = a.net.connect(b.keyPair.publicKey, b.dht.publicKey, b.endpoint.local);
    const ba = b.net.connect(a.keyPair.publicKey, a.dht.publicKey, a.endpoint.local);
    peers.run(200);
    expect(ab.state).toBe('established');
    expect(ba.state).toBe('established');
    expect(a.net.connections).toHaveLength(1);
    expect(b.net.connections).toHaveLength(1);
    const got: number[] = [];
    ba.onData((d) => got.push(d[1]));
    ab.sendLossless(Uint8Array.of(64, 7));
    peers.pump();
    expect(got).toEqual([7]);
  });

  test('without an incoming handler the handshake is refused after its cookie is checked', () => {
    const a = peers.add();
    const b = peers.add();
    const ab = a.net.connect(b.keyPair.publicKey, b.dht.publicKey, b.endpoint.local);
    peers.run(500);
    expect(ab.state).toBe('handshake-sent');
    expect(b.net.connections).toHaveLength(0);
    expect(b.net.stats.dropped.refused).toBeGreaterThan(0);
  });

  test('a connection nobody answers is killed after 8 cookie requests', () => {
    const a = peers.add();
    const statuses: CryptoStatusEvent[] = [];
    const ab = a.net.connect(newKeyPair().publicKey, newKeyPair().publicKey, { host: '127.0.0.1', port: 9 });
    ab.onStatus((e) => statuses.push(e));
    peers.run(7000, 100);
    expect(ab.state).toBe('cookie-requesting');
    peers.run(3000, 100);
    expect(ab.state).toBe('killed');
    expect(statuses).toEqual([{ status: 'closed', reason: 'handshake-timeout' }]);
    expect(a.net.connections).toHaveLength(0);
  });

  test('a cookie older than 15 s, or from the future, is refused', () => {
    const key = randomBytes(32);
    const keys = { realPk: newKeyPair().publicKey, dhtPk: newKeyPair().publicKey };
    const cookie = makeCookie(key, 1000, keys, randomBytes(24));
    expect(cookie).toHaveLength(COOKIE_LENGTH);
    expect(openCookie(key, 1015, cookie)?.realPk).toEqual(keys.realPk);
    expect(openCookie(key, 1016, cookie)).toBeUndefined();
    expect(openCookie(key, 999, cookie)).toBeUndefined();
    expect(openCookie(randomBytes(32), 1000, cookie)).toBeUndefined();
  });

  test('a handshake replayed after 16 s fails at its cookie, before any public-key work', () => {
    const a = peers.add();
    const b = peers.add();
    let handshake: Uint8Array | undefined;
    peers.policy = (s) => { if (s.data[0] === PacketKind.CRYPTO_HANDSHAKE && !handshake) handshake = s.data; return 'deliver'; };
    connectPair(peers, a, b);
    peers.run(200);
    expect(handshake).toHaveLength(HANDSHAKE_PACKET_LENGTH);
    peers.time.advance(16_000);
    const before = b.net.stats.dropped['stale-cookie'];
    const computed = b.dht.sharedKeys.stats.computed;
    b.endpoint.deliver(handshake!, { host: '127.0.0.1', port: 50000 });
    expect(b.net.stats.dropped['stale-cookie']).toBe(before + 1);
    expect(b.dht.sharedKeys.stats.computed).toBe(computed);
  });
});

describe('net_crypto data', () => {
  let peers: Peers;
  let a: Peer;
  let b: Peer;
  let ab: CryptoConnection;
  let ba: CryptoConnection;
  beforeEach(() => {
    peers = new Peers();
    a = peers.add();
    b = peers.add();
    const c = connectPair(peers, a, b);
    peers.run(100);
    ab = c.ab;
    ba = c.ba()!;
    expect(ba.state).toBe('established');
  });
  afterEach(() => peers.dispose());

  test('lossless packets arrive in order, once, and are acknowledged', () => {
    const got: number[] = [];
    const acked: number[] = [];
    ba.onData((d) => got.push(d[1]));
    ab.onAcknowledged((n) => acked.push(n));
    const numbers = [1, 2, 3, 4, 5].map((i) => ab.sendLossless(Uint8Array.of(64, i)));
    expect(numbers).toEqual([0, 1, 2, 3, 4]);
    peers.pump();
    expect(got).toEqual([1, 2, 3, 4, 5]);
    expect(ab.isReceived(4)).toBe(false); // b has not said so yet
    peers.run(1100);
    expect(acked).toEqual([0, 1, 2, 3, 4]);
    expect(ab.isReceived(4)).toBe(true);
    expect(ab.isReceived(5)).toBe(false);
  });

  test('lossy packets go as they are; wrong ids and sizes are refused', () => {
    const lossy: number[] = [];
    ba.onLossy((d) => lossy.push(d[0]));
    expect(ab.sendLossy(Uint8Array.of(200, 1))).toBe(true);
    expect(ab.sendLossy(Uint8Array.of(64, 1))).toBe(false);
    expect(ab.sendLossless(Uint8Array.of(200, 1))).toBeUndefined();
    expect(ab.sendLossless(Uint8Array.of(2))).toBeUndefined();
    expect(ab.sendLossless(bytes(64, MAX_CRYPTO_DATA_SIZE + 1))).toBeUndefined();
    expect(ab.sendLossless(bytes(64, MAX_CRYPTO_DATA_SIZE, 0xaa))).toBe(0);
    const big: Uint8Array[] = [];
    ba.onData((d) => big.push(d));
    peers.pump();
    expect(lossy).toEqual([200]);
    expect(big[0]).toHaveLength(MAX_CRYPTO_DATA_SIZE);
  });

  test('with 30 % loss and reordering every lossless packet arrives once, in order', () => {
    let seed = 7;
    const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
    peers.policy = (s) => {
      if (s.data[0] !== PacketKind.CRYPTO_DATA) return 'deliver';
      const r = rand();
      return r < 0.3 ? 'drop' : r < 0.5 ? 'hold' : 'deliver';
    };
    const got: number[] = [];
    ba.onData((d) => got.push((d[1] << 8) | d[2]));
    const acked = new Set<number>();
    ab.onAcknowledged((n) => acked.add(n));
    for (let i = 0; i < 150; i++) expect(ab.sendLossless(Uint8Array.of(64, i >> 8, i & 0xff))).toBe(i);
    peers.run(15_000, 50);
    expect(got).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(acked.size).toBe(150);
    expect(ab.counters.resent).toBeGreaterThan(0);
    expect(ab.sendQueue).toBe(0);
  });

  test('a lost tail is recovered through the request packets', () => {
    let drop = true;
    peers.policy = (s) => (drop && s.data[0] === PacketKind.CRYPTO_DATA && s.data.length > 60 ? 'drop' : 'deliver');
    const got: number[] = [];
    ba.onData((d) => got.push(d.length));
    ab.sendLossless(bytes(64, 100));
    ab.sendLossless(bytes(64, 101));
    peers.pump();
    expect(got).toEqual([]);
    drop = false;
    peers.run(3000, 50);
    expect(got).toEqual([100, 101]);
  });

  test('kill: the peer sees the connection closed by a kill packet', () => {
    const seen: CryptoStatusEvent[] = [];
    ba.onStatus((e) => seen.push(e));
    ab.kill();
    peers.pump();
    expect(seen).toEqual([{ status: 'closed', reason: 'killed-by-peer' }]);
    expect(b.net.connections).toHaveLength(0);
    expect(a.net.connections).toHaveLength(0);
  });

  test('congestion control: with packets under control the send rate follows what is acknowledged', () => {
    let sent = 0;
    let got = 0;
    ba.onData(() => got++);
    for (let t = 0; t < 3000; t += 20) {
      while (ab.freeSendSlots > 0 && sent < 600) {
        if (ab.sendLossless(bytes(160, 200), true) === undefined) break;
        sent++;
      }
      peers.time.advance(20);
      peers.pump();
    }
    expect(got).toBe(sent);
    expect(sent).toBeGreaterThan(64);
    expect(ab.sendRate).toBeGreaterThan(4);
  });
});

describe('nonce window (spec § "Data packet")', () => {
  const key = randomBytes(32);
  const base = new Uint8Array(24);
  base[22] = 0xff; base[23] = 0xf0; // tail 65520: the window wraps soon
  const packetAt = (offset: number) => {
    const nonce = incrementNonceBy(base.slice(), offset);
    return sealData(key, nonce, encodeDataPlain({ bufferStart: 0, packetNumber: offset, data: Uint8Array.of(64, 1) }));
  };

  test('packets ahead of the receive nonce open, across the 16-bit wrap', () => {
    for (const off of [0, 1, 15, 16, 1000, DATA_NUM_THRESHOLD * 2]) {
      const recv = base.slice();
      const plain = openData(key, recv, packetAt(off));
      expect(plain && decodeDataPlain(plain)?.packetNumber).toBe(off);
      expect(recv).toEqual(base); // within 2 × threshold: the receive nonce stays
    }
  });

  test('beyond 2 × DATA_NUM_THRESHOLD the receive nonce moves on by DATA_NUM_THRESHOLD', () => {
    const recv = base.slice();
    expect(openData(key, recv, packetAt(DATA_NUM_THRESHOLD * 2 + 1))).toBeDefined();
    expect(recv).toEqual(incrementNonceBy(base.slice(), DATA_NUM_THRESHOLD));
    // a packet from before the new window no longer opens
    expect(openData(key, recv, packetAt(10))).toBeUndefined();
  });

  test('a packet 65536 behind, or under another key, does not open and moves nothing', () => {
    const recv = incrementNonceBy(base.slice(), 65536);
    const copy = recv.slice();
    expect(openData(key, recv, packetAt(0))).toBeUndefined();
    expect(recv).toEqual(copy);
    expect(openData(randomBytes(32), recv, packetAt(65536))).toBeUndefined();
    expect(recv).toEqual(copy);
  });

  test('padding: plain texts grow in steps of 8, all-padding is refused', () => {
    for (let n = 1; n < 40; n++) {
      const plain = encodeDataPlain({ bufferStart: 1, packetNumber: 2, data: bytes(64, n) });
      expect((plain.length - 8 - (MAX_CRYPTO_DATA_SIZE % 8)) % 8).toBe(0);
      expect(decodeDataPlain(plain)?.data).toHaveLength(n);
    }
    expect(decodeDataPlain(new Uint8Array(20))).toBeUndefined();
    expect(encrypt(key, base, Uint8Array.of(1))).toHaveLength(17);
  });
});

describe('packet buffers and the request packet', () => {
  test('holes are named by distance and the rest freed', () => {
    const recv = new PacketBuffer();
    for (const n of [0, 1, 3, 6]) recv.putAt(n, { data: Uint8Array.of(64), sentAt: 0 });
    recv.shift(); recv.shift();
    expect(recv.start).toBe(2);
    expect(Array.from(encodeRequest(recv, 100))).toEqual([1, 1, 2, 1]);
    const send = new PacketBuffer();
    for (let i = 0; i < 7; i++) send.push({ data: Uint8Array.of(64), sentAt: 10 });
    send.clearUntil(2);
    const out = applyRequest(send, encodeRequest(recv, 100), 5000, 1000);
    expect(out?.requested).toBe(3);
    expect(send.get(2)?.sentAt).toBe(0); // asked for again
    expect(send.get(3)).toBeUndefined(); // received: freed
    expect(send.get(4)?.sentAt).toBe(0);
    expect(send.get(5)?.sentAt).toBe(0);
  });

  test('runs of 255 present packets are marked with 0 bytes', () => {
    const recv = new PacketBuffer();
    for (let i = 1; i < 600; i++) if (i !== 400) recv.putAt(i, { data: Uint8Array.of(64), sentAt: 0 });
    const req = encodeRequest(recv, 2000);
    const send = new PacketBuffer();
    for (let i = 0; i < 600; i++) send.push({ data: Uint8Array.of(64), sentAt: 1 });
    const out = applyRequest(send, req, 10_000, 1000);
    expect(out?.requested).toBe(2);
    expect(send.get(0)?.sentAt).toBe(0);
    expect(send.get(400)?.sentAt).toBe(0);
    expect(send.get(399)).toBeUndefined();
    expect(applyRequest(send, Uint8Array.of(2), 10_000, 1000)).toBeUndefined(); // not a request packet
  });

  test('the buffer holds at most CRYPTO_PACKET_BUFFER_SIZE packets and wraps its numbers', () => {
    const b = new PacketBuffer(8);
    for (let i = 0; i < 8; i++) expect(b.push({ data: Uint8Array.of(i), sentAt: 0 })).toBe(i);
    expect(b.push({ data: Uint8Array.of(9), sentAt: 0 })).toBeUndefined();
    expect(b.clearUntil(9)).toBe(false);
    expect(b.clearUntil(8)).toBe(true);
    const r = new PacketBuffer(8);
    expect(r.putAt(8, { data: Uint8Array.of(1), sentAt: 0 })).toBe(false);
    expect(r.putAt(7, { data: Uint8Array.of(1), sentAt: 0 })).toBe(true);
    expect(r.putAt(7, { data: Uint8Array.of(1), sentAt: 0 })).toBe(false);
    expect(new PacketBuffer().count).toBe(0);
    expect(CRYPTO_PACKET_BUFFER_SIZE).toBe(32768);
  });
});
