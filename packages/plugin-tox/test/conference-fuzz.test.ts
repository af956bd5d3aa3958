/**
 * Bounded, seeded fuzzing of conference packets (96–100) as a friend's connection hands them up:
 * valid packets mutated (ids, group numbers, lengths, names, peer lists that lie, unknown message
 * ids) into a conference with two members. Nothing may throw, every packet is counted once, titles
 * and names stay within 128 bytes, and our own membership survives.
 */
import { Emitter } from '@confab/sdk';
import type { Messenger, MessengerEvent, MessengerFriend } from '../src/messenger/messenger';
import { Conferences } from '../src/conference/conferences';
import { encodeDirect, encodeInvite, encodeMessage, encodeNewPeer, encodeOnline, encodeRejoin } from '../src/conference/packets';

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  return { int: (n: number) => next() % n, bytes: (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff) };
}

class Probe extends Conferences {
  feed(f: MessengerFriend, d: Uint8Array): void {
    this.onPacket(f, d);
  }
}

const pk = (b: number) => new Uint8Array(32).fill(b);
const utf8 = new TextEncoder();

it.each([1, 2, 3])('fuzzed conference packets (seed %i): dropped or handled, counted, no crash', (seed) => {
  const r = rng(seed);
  const sent: Uint8Array[] = [];
  const friend = { realPk: pk(9), online: true, connection: { dhtPk: pk(8), send: (d: Uint8Array) => { sent.push(d); return sent.length; }, onData: () => ({ dispose() {} }) } } as unknown as MessengerFriend;
  const events = new Emitter<MessengerEvent>();
  const messenger = { name: 'me', onEvent: events.event, friend: (k: Uint8Array) => (k[0] === 9 ? friend : undefined) } as unknown as Messenger;
  const now = { t: 0 };
  const confs = new Probe({ messenger, selfPk: pk(1), selfDhtPk: pk(2), clock: { now: () => now.t }, scheduler: { every: () => ({ dispose() {} }), after: () => ({ dispose() {} }) } as never });
  const c = confs.create();
  // the friend joins: accept → it is a member, the link online
  confs.feed(friend, encodeInvite({ kind: 'accept', groupNumber: 4, invite: { groupNumber: c.number, type: 0, id: c.id } }));
  expect(c.peers.size).toBe(2);
  const theirPeer = [...c.peers.values()].find((p) => p.realPk[0] === 9)!.peerNumber;
  const seeds = (n: number): Uint8Array[] => [
    encodeInvite({ kind: 'invite', invite: { groupNumber: 1, type: 0, id: r.bytes(32) } }),
    encodeOnline(4, 0, c.id),
    encodeRejoin(0, c.id),
    encodeDirect(c.number, { kind: 'query' }),
    encodeDirect(c.number, { kind: 'title', title: r.bytes(1 + r.int(140)) }),
    encodeDirect(c.number, { kind: 'response', peers: [{ peerNumber: r.int(5), realPk: pk(r.int(12)), tempPk: r.bytes(32), nick: r.bytes(r.int(200)) }] }),
    encodeMessage(c.number, { peerNumber: theirPeer, messageNumber: n, messageId: [0, 16, 17, 18, 48, 49, 64, 65, r.int(256)][r.int(9)], data: r.bytes(r.int(140)) }),
    encodeMessage(c.number, { peerNumber: theirPeer, messageNumber: n, messageId: 16, data: encodeNewPeer(r.int(8), pk(r.int(12)), r.bytes(32)) }),
    encodeMessage(c.number, { peerNumber: theirPeer, messageNumber: n, messageId: 49, data: utf8.encode('t'.repeat(r.int(130))) }),
  ];
  for (let i = 0; i < 2000; i++) {
    const base = seeds(i + 1)[r.int(9)];
    const p = Uint8Array.from(base);
    switch (r.int(5)) {
      case 0: break; // as encoded
      case 1: p[r.int(p.length)] = r.int(256); break;
      case 2: { const cut = p.subarray(0, r.int(p.length + 1)); confs.feed(friend, cut.length ? cut : Uint8Array.of(99)); continue; }
      case 3: confs.feed(friend, Uint8Array.of(96 + r.int(5), ...r.bytes(r.int(80)))); continue;
      case 4: now.t += 1000; break;
    }
    expect(() => confs.feed(friend, p)).not.toThrow();
  }
  const k = confs.counters;
  expect(k.handled + k.malformed + k.unknown + k.duplicate).toBe(k.received);
  expect(k.malformed).toBeGreaterThan(0);
  expect(utf8.encode(c.title).length).toBeLessThanOrEqual(128);
  for (const p of [...c.peers.values(), ...c.frozen.values()]) expect(utf8.encode(p.nick).length).toBeLessThanOrEqual(128);
  expect([...c.peers.values()].some((p) => p.realPk[0] === 1)).toBe(true); // we are still in it
  confs.dispose();
});
