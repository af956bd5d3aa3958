/**
 * Bounded fuzzing of what arrives through an established friend connection (issue 6: "every packet
 * decoder is fuzzed … no crash, no hang, no state corrupted"): the messenger's packets (Tox spec
 * § "Messenger": 24, 25, 48–51, 64, 65) with wrong lengths, oversized and invalid-UTF-8 names and
 * status messages, unknown user statuses, empty messages and random ids, and friend_connection's
 * own (§ "friend_connection": 16, 17, 18) — share-relays lists that lie about their nodes, friend
 * requests too short or too long. They are authenticated: the peer's own crypto connection sends
 * them, so every one reaches the decoders. Nothing may throw, the friend's fields stay within
 * their bounds, the connection stays up, and the counters add up to what was delivered.
 */
import { FriendConnections, type ConnectionFriendRequest } from '../src/friend-connection/friend-connections';
import { Messenger, type MessengerEvent } from '../src/messenger/messenger';
import { MAX_CRYPTO_DATA_SIZE } from '../src/net-crypto/constants';
import { ONION_CLIENT_MAX_DATA_SIZE } from '../src/onion/constants';
import { MAX_NAME_LENGTH, MAX_STATUS_MESSAGE_LENGTH } from '../src/savedata/friends';
import { IpType } from '../src/wire/packed-node';
import { Peers, type Peer } from './helpers/crypto-peers';
import { stack, type Stack } from './helpers/messenger-stack';

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  return { int: (n: number) => next() % n, bytes: (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff) };
}


const utf8 = new TextEncoder();
const USER_STATUSES = ['available', 'away', 'busy'];

/** What the messenger must make of a packet (c-toxcore's m_handle_packet), given whether the friend is online. */
function expected(p: Uint8Array, online: boolean): { outcome: 'handled' | 'beforeOnline' | 'malformed' | 'unknown'; online: boolean } {
  const [id] = p;
  const n = p.length - 1;
  if (!online) return id === 24 && n === 0 ? { outcome: 'handled', online: true } : { outcome: 'beforeOnline', online };
  const ok = (c: boolean) => ({ outcome: c ? 'handled' as const : 'malformed' as const, online });
  switch (id) {
    case 24: return ok(n === 0);
    case 25: return n === 0 ? { outcome: 'handled', online: false } : ok(false);
    case 48: return ok(n <= MAX_NAME_LENGTH);
    case 49: return ok(n <= MAX_STATUS_MESSAGE_LENGTH);
    case 50: return ok(n === 1 && p[1] < 3);
    case 51: return ok(n === 1);
    case 64: case 65: return ok(n >= 1);
    default: return { outcome: 'unknown', online };
  }
}

/** A share-relays packet (17): up to 4 packed nodes, some with a family byte or a length that lies. */
function relays(r: ReturnType<typeof rng>): Uint8Array {
  const parts: number[] = [17];
  const count = r.int(5);
  for (let i = 0; i < count; i++) {
    const types = [IpType.UDP_IPV4, IpType.UDP_IPV6, IpType.TCP_IPV4, IpType.TCP_IPV6, r.int(256)];
    const type = types[r.int(types.length)];
    const size = type === IpType.UDP_IPV6 || type === IpType.TCP_IPV6 ? 16 : 4;
    const node = [type, ...r.bytes(size + 2 + 32)];
    // a node cut short, or one whose family says IPv6 over an IPv4-sized body
    parts.push(...(r.int(6) === 0 ? node.slice(0, r.int(node.length)) : node));
  }
  if (r.int(4) === 0) parts.push(...r.bytes(1 + r.int(60)));
  return Uint8Array.from(parts);
}

/** One hostile packet: mostly the messenger's ids at lengths around their bounds, then 16–18 and random ids. */
function hostile(r: ReturnType<typeof rng>): Uint8Array {
  const len = (max: number) => [0, 1, 2, max - 1, max, max + 1, r.int(max + 2), r.int(MAX_CRYPTO_DATA_SIZE)][r.int(8)];
  const ids = [24, 25, 48, 49, 50, 51, 64, 65];
  const withBody = (id: number, body: Uint8Array) => Uint8Array.from([id, ...body]);
  switch (r.int(12)) {
    case 0: case 1: case 2: { // a messenger id, a length near its bound, random bytes (invalid UTF-8 too)
      const id = ids[r.int(ids.length)];
      const max = id === 48 ? MAX_NAME_LENGTH : id === 49 ? MAX_STATUS_MESSAGE_LENGTH : 1;
      return withBody(id, r.bytes(Math.min(len(max), MAX_CRYPTO_DATA_SIZE - 1)));
    }
    case 3: // a name of bytes that are no UTF-8: each decodes to U+FFFD, three bytes
      return withBody(48, Uint8Array.from({ length: MAX_NAME_LENGTH - r.int(4) }, () => 0x80 + r.int(64)));
    case 4: // a status message likewise
      return withBody(49, Uint8Array.from({ length: MAX_STATUS_MESSAGE_LENGTH - r.int(4) }, () => 0xc0 + r.int(32)));
    case 5: // user status: any byte
      return Uint8Array.of(50, r.int(256));
    case 6: // online / offline, with or without a tail
      return withBody(24 + r.int(2), r.bytes(r.int(3) === 0 ? 1 + r.int(4) : 0));
    case 7: // a keep-alive, perhaps with a tail
      return withBody(16, r.bytes(r.int(3)));
    case 8: return relays(r);
    case 9: // a friend request: too short, about right, or too long
      return withBody(18, r.bytes([0, 1, 4, 5, ONION_CLIENT_MAX_DATA_SIZE - 1, ONION_CLIENT_MAX_DATA_SIZE, r.int(MAX_CRYPTO_DATA_SIZE)][r.int(7)]));
    case 10: // an empty message or action
      return Uint8Array.of(64 + r.int(2));
    default: // a random lossless id, random body
      return withBody(19 + r.int(191 - 19 + 1), r.bytes(r.int(200)));
  }
}

test('thousands of hostile friend packets: nothing escapes, the friend stays valid, the counters add up', () => {
  const warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  const peers = new Peers();
  const a = stack(peers);
  const b = stack(peers);
  a.peer.dht.bootstrap({ address: b.peer.endpoint.local, publicKey: b.peer.dht.publicKey });
  a.m.addFriend(b.peer.keyPair.publicKey).connection.setDhtPk(b.peer.dht.publicKey);
  const friendOfB = b.m.addFriend(a.peer.keyPair.publicKey);
  friendOfB.connection.setDhtPk(a.peer.dht.publicKey);
  peers.run(8000, 50);
  expect(friendOfB.online).toBe(true);

  const attacker = a.peer.net.connection(b.peer.keyPair.publicKey)!; // a's side of the authenticated connection
  const victim = b.peer.net.connection(a.peer.keyPair.publicKey)!;
  const fb = b.fc.get(a.peer.keyPair.publicKey)!;
  const requests: ConnectionFriendRequest[] = [];
  b.fc.onFriendRequest((e) => requests.push(e));
  const fcBefore = { ...fb.counters };
  const mBefore = { ...b.m.counters };
  const receivedBefore = victim.counters.received;
  b.events.length = 0;

  const model = { online: true, handled: 0, beforeOnline: 0, malformed: 0, unknown: 0, requests: 0, shortRequests: 0, messages: 0 };
  const r = rng(0xf00d);
  const N = 3000;
  const started = Date.now();
  let sent = 0;
  const check = () => {
    expect(utf8.encode(friendOfB.name).length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(utf8.encode(friendOfB.statusMessage).length).toBeLessThanOrEqual(MAX_STATUS_MESSAGE_LENGTH);
    expect(USER_STATUSES).toContain(friendOfB.userStatus);
    expect(typeof friendOfB.typing).toBe('boolean');
    if (!friendOfB.online) expect(friendOfB.typing).toBe(false);
    expect(friendOfB.online).toBe(model.online);
    expect(fb.online).toBe(true);
  };
  while (sent < N) {
    for (let k = 0; k < 40 && sent < N; k++) {
      const p = hostile(r);
      if (r.int(20) === 0) { attacker.sendLossy(Uint8Array.from([192 + r.int(63), ...r.bytes(r.int(100))])); continue; }
      if (attacker.sendLossless(p) === undefined) continue; // the send buffer is full: comes next round
      sent++;
      if (p[0] === 18) {
        const okLen = p.length > 5 && p.length <= ONION_CLIENT_MAX_DATA_SIZE;
        if (okLen) model.requests++; else model.shortRequests++;
        continue;
      }
      if (p[0] === 16 || p[0] === 17) continue;
      const e = expected(p, model.online);
      model[e.outcome]++;
      if (e.outcome === 'handled' && (p[0] === 64 || p[0] === 65)) model.messages++;
      model.online = e.online;
    }
    peers.run(100, 20); // delivered, acknowledged, keep-alives keep flowing
    check();
  }
  peers.run(2000, 50);
  check();
  const elapsed = Date.now() - started;

  // nothing threw anywhere: no handler errors, no listener errors (those become warnings)
  expect(b.peer.dht.stats.dropped['handler-error']).toBe(0);
  expect(warnings).not.toHaveBeenCalled();
  expect(elapsed).toBeLessThan(60_000);

  // every packet was delivered once, in order, and each counted exactly once somewhere
  const delivered = victim.counters.received - receivedBefore;
  const fc = Object.fromEntries(Object.entries(fb.counters).map(([k, v]) => [k, v - fcBefore[k as keyof typeof fcBefore]]));
  const m = Object.fromEntries(Object.entries(b.m.counters).map(([k, v]) => [k, v - mBefore[k as keyof typeof mBefore]]));
  expect(fc.pingsReceived + fc.relayPackets + fc.friendRequests + fc.badPackets + m.received).toBe(delivered);
  expect(m.received).toBe(m.handled + m.beforeOnline + m.malformed + m.unknown);
  // the messenger's verdicts are c-toxcore's, packet for packet (the peer's own packets only add handled ones)
  expect(m.beforeOnline).toBe(model.beforeOnline);
  expect(m.malformed).toBe(model.malformed);
  expect(m.unknown).toBe(model.unknown);
  expect(m.handled).toBeGreaterThanOrEqual(model.handled);
  expect(b.events.filter((e) => e.kind === 'message')).toHaveLength(model.messages);
  // friend requests: the ones of a possible length reported, the others counted as bad
  expect(requests).toHaveLength(model.requests);
  expect(fc.friendRequests).toBe(model.requests);
  expect(fc.relayPackets).toBeGreaterThan(0);
  expect(fc.badPackets).toBeGreaterThan(model.shortRequests); // the lying relay lists are the rest
  for (const q of requests) expect(q.message.length + 5).toBeLessThanOrEqual(ONION_CLIENT_MAX_DATA_SIZE);

  // and the friend still talks
  b.events.length = 0;
  attacker.sendLossless(Uint8Array.of(24)); // in case the last word was an offline packet
  expect(a.m.friend(b.peer.keyPair.publicKey)!.sendMessage('still here')).toBeDefined();
  peers.run(500, 50);
  expect(b.events.some((e) => e.kind === 'message' && e.text === 'still here')).toBe(true);

  a.m.dispose(); b.m.dispose(); a.fc.dispose(); b.fc.dispose(); peers.dispose();
  warnings.mockRestore();
});
