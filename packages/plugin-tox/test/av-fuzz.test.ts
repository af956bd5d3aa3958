/**
 * Bounded, seeded fuzzing of ToxAV's received packets through ToxCalls' own entry points (the ones
 * routeAvPackets calls): MSI payloads (lossless 69, after the id) to onMsiPacket, and lossy 192/193 to
 * onLossyPacket, which hands an active call's packets to its FramesBridge.fromFriend. Valid packets
 * mutated (headers of a wrong size, unknown ids, requests and errors out of range, no end byte, cut
 * short; RTP headers with wrong payload types, offsets past the length, split frames, bad Opus TOCs).
 * Nothing may throw, every packet is counted once, every reply is a well-formed MSI message, and time
 * and memory stay bounded. confab-media is a fake; the bridge's loopback socket is real.
 */
import { createSocket, type Socket } from 'node:dgram';
import { silentLogger, type CallChange } from '@confab/sdk';
import { audioFrame, framePackets, RTP_HEADER_SIZE, RTP_PIECE, RTP_TYPE_AUDIO, RTP_TYPE_VIDEO } from '../src/av/av-rtp';
import type { MediaAccess } from '@confab/media';
import { decodeMsi, encodeMsi } from '../src/av/msi';
import { ToxCalls, type AvFriend } from '../src/av/tox-calls';

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  return { int: (n: number) => next() % n, bytes: (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff) };
}

const PACKETS = 2000;

interface Rig {
  calls: ToxCalls;
  sent: { friend: string; lossless: Uint8Array[]; lossy: Uint8Array[] }[];
  changes: CallChange[];
  sink: Socket;
  sinkReceived: () => number;
  close(): void;
}

/** ToxCalls with friends a and b online, a fake confab-media whose frames go to a counting socket. */
async function rig(): Promise<Rig> {
  const sink = createSocket('udp4');
  let got = 0;
  sink.on('message', () => got++);
  await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', () => resolve()));
  const sinkPort = sink.address().port;
  const sent = ['a', 'b'].map((friend) => ({ friend, lossless: [] as Uint8Array[], lossy: [] as Uint8Array[] }));
  const friends = new Map<string, AvFriend>(sent.map((s) => [s.friend, {
    online: true,
    sendLossless: (p: Uint8Array) => { s.lossless.push(Uint8Array.from(p)); return true; },
    sendLossy: (p: Uint8Array) => { s.lossy.push(p); return true; },
  }]));
  const session = {
    localDescription: async () => ({ address: '127.0.0.1', port: sinkPort, codecs: [{ name: 'opus', pt: 111, clockRate: 48000, channels: 2 }] }),
    setRemote: async () => undefined,
    start: async () => undefined,
    close: async () => undefined,
    hold: async () => undefined,
    resume: async () => undefined,
    setMuted: async () => undefined,
    stats: async () => ({}),
    onStateChanged: () => ({ dispose() {} }),
  };
  const media = { createSession: async () => session, dispose() {} } as unknown as MediaAccess;
  const calls = new ToxCalls((id) => friends.get(id), media, silentLogger);
  const changes: CallChange[] = [];
  calls.onCallChanged((c) => changes.push(c));
  return {
    calls, sent, changes, sink, sinkReceived: () => got,
    close() {
      calls.friendGone('a');
      calls.friendGone('b');
      sink.close();
    },
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A valid MSI payload (after id 69), mutated. */
function msiPacket(r: ReturnType<typeof rng>): Uint8Array {
  const requests = ['init', 'push', 'pop'] as const;
  const m = {
    request: requests[r.int(3)]!,
    ...(r.int(3) === 0 ? { error: r.int(10) } : {}),
    ...(r.int(3) !== 0 ? { capabilities: r.int(256) } : {}),
  };
  const p = Array.from(encodeMsi(m).subarray(1));
  switch (r.int(8)) {
    case 0: case 1: break; // as encoded (a valid message, or an error out of range)
    case 2: p[r.int(p.length)] = r.int(256); break; // one byte changed: id, size, value or end byte
    case 3: return Uint8Array.from(p.slice(0, r.int(p.length + 1))); // cut short (possibly empty)
    case 4: p.splice(r.int(p.length), 0, ...[r.int(5), 1, r.int(256)]); break; // a header inserted (a duplicate, or id 0/4)
    case 5: p.splice(r.int(p.length), 0, r.int(4), r.int(4)); break; // a header of a wrong size
    case 6: return r.bytes(r.int(r.int(4) === 0 ? 400 : 12)); // noise, sometimes over MSI_MAX_MESSAGE
    case 7: p.push(...r.bytes(r.int(6)), 0); break; // trailing bytes after the end byte
  }
  return Uint8Array.from(p);
}

/** A lossy 192/193, valid or mutated. */
function lossyPacket(r: ReturnType<typeof rng>, seq: number): Uint8Array {
  const tocs = [0xfc, 0x78, 0x08, 0xff, 0x0b, r.int(256)];
  const opus = Uint8Array.of(tocs[r.int(tocs.length)]!, ...r.bytes(r.int(160)));
  const type = r.int(6) === 0 ? RTP_TYPE_VIDEO : RTP_TYPE_AUDIO;
  const frame = r.int(10) === 0 ? r.bytes(RTP_PIECE + r.int(3 * RTP_PIECE)) : r.int(20) === 0 ? opus.subarray(0, r.int(4)) : audioFrame(48000, opus);
  const pieces = framePackets(type, { sequence: seq + r.int(5) - 2, timestamp: seq * 20, ssrc: r.int(4) === 0 ? r.int(3) : 7, keyFrame: r.int(2) === 0 }, frame);
  const p = Uint8Array.from(pieces[r.int(pieces.length)]!);
  const v = new DataView(p.buffer);
  switch (r.int(9)) {
    case 0: case 1: case 2: break; // as sent
    case 3: p[r.int(Math.min(p.length, 1 + RTP_HEADER_SIZE + 2))] = r.int(256); break; // a header byte
    case 4: p[2] = (p[2]! & 0x80) | r.int(128); break; // payload type
    case 5: v.setUint16(77, r.int(0x10000)); break; // offset_lower
    case 6: v.setUint32(21, r.int(2) ? 0xffffffff : r.int(4000)); v.setUint32(17, r.int(4)); break; // offset_full, flags
    case 7: return p.subarray(0, r.int(p.length + 1)); // cut short
    case 8: return Uint8Array.of(r.int(2) ? RTP_TYPE_AUDIO : RTP_TYPE_VIDEO, ...r.bytes(r.int(120))); // noise
  }
  return p;
}

function bounded(started: number, heapBefore: number): void {
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(128 * 1024 * 1024);
}

it.each([1, 2, 3])('fuzzed MSI packets (seed %i): counted, answered with well-formed MSI, no crash', async (seed) => {
  const r = rng(seed);
  const t = await rig();
  const heap = process.memoryUsage().heapUsed;
  const t0 = Date.now();
  let refused = 0;
  let fed = 0;
  let started = 0;
  for (let i = 0; i < PACKETS; i++) {
    // now and then an outgoing call to b, so that pushes and pops also meet a call we made
    if (i % 250 === 0) {
      try {
        await t.calls.start('b', { audio: true, video: false });
        started++;
      } catch {
        // already in a call with b: fine
      }
      await tick();
    }
    const friend = r.int(2) === 0 ? 'a' : 'b';
    const p = msiPacket(r);
    if (decodeMsi(p) === undefined) refused++;
    expect(() => t.calls.onMsiPacket(friend, p)).not.toThrow();
    fed++;
    if (i % 100 === 0) await tick(); // let begin()/ringing run
  }
  await tick();
  const k = t.calls.counters;
  expect(k.msiReceived).toBe(fed);
  expect(refused).toBeGreaterThan(0);
  // every refused payload is counted (a valid one may be counted too: an init or push without capabilities)
  expect(k.msiMalformed).toBeGreaterThanOrEqual(refused);
  expect(k.msiMalformed + k.msiStray).toBeLessThanOrEqual(k.msiReceived);
  expect(k.msiStray).toBeGreaterThan(0);
  // every reply is a message msg_parse_in would take, with packet id 69
  for (const s of t.sent) for (const p of s.lossless) {
    expect(p[0]).toBe(69);
    expect(decodeMsi(p.subarray(1))).toBeDefined();
  }
  // each call ends once
  const ended = t.changes.filter((c) => c.state === 'ended').map((c) => c.id);
  expect(new Set(ended).size).toBe(ended.length);
  expect(started).toBeGreaterThan(0);
  bounded(t0, heap);
  t.close();
});

it.each([1, 2, 3])('fuzzed lossy 192/193 (seed %i) into an active call: counted, bridged or dropped, no crash', async (seed) => {
  const r = rng(seed);
  const t = await rig();
  const id = await t.calls.start('b', { audio: true, video: false });
  t.calls.onMsiPacket('b', encodeMsi({ request: 'push', capabilities: 20 }).subarray(1)); // b answers
  await tick();
  await tick();
  expect(t.changes.filter((c) => c.id === id).map((c) => c.state)).toContain('active');
  const bridge = t.calls.bridgeOf(id)!;
  expect(bridge).toBeDefined();
  const heap = process.memoryUsage().heapUsed;
  const started = Date.now();
  let toA = 0;
  for (let i = 0; i < PACKETS; i++) {
    const friend = r.int(8) === 0 ? 'a' : 'b'; // a has no call: stray
    if (friend === 'a') toA++;
    const p = lossyPacket(r, 1000 + i);
    expect(() => t.calls.onLossyPacket(friend, p)).not.toThrow();
    if (i % 200 === 0) await tick(); // let the socket drain
  }
  const k = t.calls.counters;
  expect(k.lossyReceived).toBe(PACKETS);
  expect(k.lossyStray).toBe(toA);
  const b = bridge.counters;
  expect(b.dropped + b.framesReceived).toBe(PACKETS - toA); // every packet to the call counted once
  expect(b.dropped).toBeGreaterThan(0);
  expect(b.framesReceived).toBeGreaterThan(0);
  expect(b.framesSent).toBe(0); // nothing from confab-media
  bounded(started, heap);
  // the call survives its audio, whatever it was
  expect(t.changes.some((c) => c.id === id && c.state === 'ended')).toBe(false);
  for (let i = 0; i < 20 && t.sinkReceived() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(t.sinkReceived()).toBeGreaterThan(0); // frames reached "confab-media" as RTP
  t.close();
  expect(t.changes.filter((c) => c.id === id && c.state === 'ended')).toHaveLength(1);
});
