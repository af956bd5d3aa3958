/**
 * The `frames` transport (issue 20): two sessions of one real confab-media, each handing its encoded
 * Opus frames to a "plugin" — here a loopback UDP socket of the test that relays each RTP datagram to
 * the other session's socket, as plugin-tox relays them through ToxAV's lossy packets — and dropping
 * RTCP. Each side records the other's tone; the frames are 20 ms Opus (timestamp +960 at 48 kHz).
 */
import { createSocket, type Socket } from 'node:dgram';
import type { RemoteDescription } from '../src/session/types';
import { toneShareDb } from './helpers/measure';
import { readWav } from './helpers/wav';
import { mediaWithTones } from './helpers/two-sessions';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const media = mediaWithTones({ aRate: 48000, bRate: 48000, seconds: 8 });

/** A plugin's socket on 127.0.0.1: what it receives from one session is sent to `forward` (RTCP dropped). */
async function pluginSocket(seen: Buffer[]): Promise<{ socket: Socket; port: number; forward(port: number): void }> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  let to = 0;
  socket.on('message', (m) => {
    if (m.length >= 2 && m[1]! >= 200 && m[1]! <= 204) return; // RTCP (RFC 5761 § 4): not a frame
    seen.push(m);
    if (to) socket.send(m, to, '127.0.0.1');
  });
  return { socket, port: socket.address().port, forward: (p) => (to = p) };
}

test('frames: each session hands Opus frames to the plugin and plays the frames the plugin gives back', async () => {
  const fromA: Buffer[] = [];
  const fromB: Buffer[] = [];
  const pa = await pluginSocket(fromA);
  const pb = await pluginSocket(fromB);
  const c = media.mp.client;
  const session = (side: 'a' | 'b') =>
    c.createSession({ audio: true, video: false, transport: 'frames', address: '127.0.0.1', microphone: `file:${media.dir}/${side}-mic.wav`, speaker: `file:${media.recording('frames', side)}` });
  const a = await session('a');
  const b = await session('b');
  const la = await a.localDescription();
  const lb = await b.localDescription();
  expect(la.transport).toBe('frames');
  expect(la.address).toBe('127.0.0.1');
  expect(la.rtcpMux).toBe(true);
  expect(la.codecs[0]).toMatchObject({ name: 'opus', clockRate: 48000 });
  const opus = la.codecs[0]!;
  const remote = (port: number): RemoteDescription => ({ address: '127.0.0.1', port, rtcpMux: true, codecs: [opus] });
  await expect(a.setRemote({ ...remote(pa.port), address: '10.0.0.1' })).rejects.toMatchObject({ code: 'InvalidArgument' });
  // a's frames reach plugin socket pa, which hands them to b's socket; b's reach pb, which hands them to a
  pa.forward(lb.port);
  pb.forward(la.port);
  await a.setRemote(remote(pa.port));
  await b.setRemote(remote(pb.port));
  await a.start();
  await b.start();
  await sleep(4000);
  const stats = await b.stats();
  await a.close();
  await b.close();
  pa.socket.close();
  pb.socket.close();
  expect(stats['packets-received']).toBeGreaterThan(100);
  // RTP version 2, Opus's payload type, one 20 ms frame a packet (RFC 7587 § 4.1: 48 kHz clock)
  const first = fromA[5]!;
  const next = fromA[6]!;
  expect(first[0]! >> 6).toBe(2);
  expect(first[1]! & 0x7f).toBe(opus.pt);
  expect((next.readUInt32BE(4) - first.readUInt32BE(4)) >>> 0).toBe(960);
  expect(fromA.length).toBeGreaterThan(100);
  expect(fromB.length).toBeGreaterThan(100);
  const heardByB = readWav(media.recording('frames', 'b'));
  const heardByA = readWav(media.recording('frames', 'a'));
  expect(toneShareDb(heardByB, 440, 1, 3)).toBeGreaterThan(-6);
  expect(toneShareDb(heardByA, 1000, 1, 3)).toBeGreaterThan(-6);
  expect(toneShareDb(heardByA, 440, 1, 3)).toBeLessThan(-30);
  expect((await c.diagnostics()).pipelines).toBe(0);
}, 30_000);
