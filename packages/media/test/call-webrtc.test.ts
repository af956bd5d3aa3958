/**
 * The `webrtc` transport (issue 18): two sessions of one real confab-media call each other over
 * 127.0.0.1 through webrtcbin — ICE (libnice, host candidates on the session's address only),
 * DTLS-SRTP, rtcp-mux, BUNDLE — each with a WAV tone as its microphone and a WAV recorder as its
 * speaker; VP8 video both ways; hold. Hostile: a wrong fingerprint ends both sides `media-security`, a
 * peer whose candidates point nowhere ends the session `ice-failed` within the bound; no pipeline left.
 */
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import type { MediaSessionClient } from '../src/client/media-client';
import type { SessionOptions } from '../src/session/types';
import { toneShareDb } from './helpers/measure';
import { mediaWithTones } from './helpers/two-sessions';
import { readWav } from './helpers/wav';
import { connect } from './helpers/webrtc-pair';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const media = mediaWithTones({ aRate: 48000, bRate: 48000, seconds: 12 });

async function sessions(name: string, extra: Partial<SessionOptions> = {}): Promise<[MediaSessionClient, MediaSessionClient]> {
  const common = { audio: true, video: false, transport: 'webrtc' as const, address: '127.0.0.1', ...extra };
  const one = (side: 'a' | 'b') => media.mp.client.createSession({ ...common, microphone: `file:${join(media.dir, `${side}-mic.wav`)}`, speaker: `file:${media.recording(name, side)}` });
  return [await one('a'), await one('b')];
}

function ended(s: MediaSessionClient): Promise<string> {
  return new Promise((resolve) => s.onStateChanged((state, reason) => state === 'ended' && resolve(reason)));
}

async function noPipelines(): Promise<void> {
  const deadline = Date.now() + 3000;
  while ((await media.mp.client.diagnostics()).pipelines !== 0 && Date.now() < deadline) await sleep(100);
  expect(await media.mp.client.diagnostics()).toMatchObject({ sessions: 0, pipelines: 0 });
}

test('an Opus call over ICE and DTLS-SRTP: each side records the other\'s tone; hold silences the held side', async () => {
  const [a, b] = await sessions('webrtc');
  const t0 = Date.now();
  const { offer, answer } = await connect(a, b);
  // media flows once ICE has a pair, DTLS-SRTP is keyed and the fingerprint checked
  while ((await b.stats())['far-level-db'] < -60 && Date.now() - t0 < 10_000) await sleep(100);
  const setup = Date.now() - t0;
  // candidates only on the session's address; fingerprints and roles in both descriptions (RFC 5763 § 5)
  for (const d of [offer, answer]) {
    expect(d.transport).toBe('webrtc');
    expect(d.ice!.candidates.length).toBeGreaterThan(0);
    expect(d.ice!.candidates.every((c) => c.address === '127.0.0.1' && c.protocol === 'udp')).toBe(true);
    expect(d.dtls!.fingerprint.value).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  }
  expect(offer.dtls!.setup).toBe('actpass');
  expect(answer.dtls!.setup).toBe('active');
  // (GStreamer's dtls elements make one certificate per process: both sessions show the same fingerprint)
  await sleep(3000);
  await a.hold();
  await sleep(2000);
  await a.resume();
  await sleep(1000);
  const [sa, sb] = [await a.stats(), await b.stats()];
  await expect(a.sendDtmf('1')).rejects.toMatchObject({ code: 'NotCapable' });
  await a.close();
  await b.close();
  console.log(`webrtc pair: offer → answer → far tone heard in ${setup} ms; packets received a ${String(sa['packets-received'])}, b ${String(sb['packets-received'])}; RTT ${String(sa['round-trip-ms'])} ms`);
  for (const s of [sa, sb]) {
    expect(s['dtls-srtp']).toBe(1);
    expect(s['packets-received']).toBeGreaterThan(100);
    expect(s['packets-sent']).toBeGreaterThan(100);
  }
  const heardByB = readWav(media.recording('webrtc', 'b'));
  const heardByA = readWav(media.recording('webrtc', 'a'));
  expect(toneShareDb(heardByB, 440, 0.5, 2.5)).toBeGreaterThan(-6);
  expect(toneShareDb(heardByA, 1000, 0.5, 2.5)).toBeGreaterThan(-6);
  expect(toneShareDb(heardByA, 440, 0.5, 2.5)).toBeLessThan(-30);
  // A held for 2 s: somewhere after the first 2 s, B hears a second of nothing from A
  const quiet = Array.from({ length: 40 }, (_, i) => toneShareDb(heardByB, 440, 2 + i * 0.25, 3 + i * 0.25));
  expect(Math.min(...quiet)).toBeLessThan(-30);
  await noPipelines();
}, 40_000);

test('VP8 both ways beside the audio, bundled on one transport', async () => {
  const [a, b] = await sessions('webrtc-video', { video: true, camera: 'test' });
  const { offer } = await connect(a, b);
  expect(offer.video!.codecs[0]).toMatchObject({ name: 'VP8', pt: 96 });
  expect(offer.video!.port).toBe(offer.port);
  await sleep(3000);
  const [sa, sb] = [await a.stats(), await b.stats()];
  await a.close();
  await b.close();
  for (const s of [sa, sb]) {
    expect(s['video-frames-sent']).toBeGreaterThan(30);
    expect(s['video-frames-decoded']).toBeGreaterThan(20);
    expect(s['packets-received']).toBeGreaterThan(50);
  }
  await noPipelines();
}, 30_000);

test('a wrong fingerprint ends the call media-security, and nothing is left', async () => {
  const [a, b] = await sessions('webrtc-mitm');
  const [endA, endB] = [ended(a), ended(b)];
  // B is told another certificate's fingerprint for A: A's real certificate fails the check (RFC 5763 § 5)
  await connect(a, b, (r) => ({ ...r, dtls: { ...r.dtls!, fingerprint: { hash: 'sha-256', value: r.dtls!.fingerprint.value.replace(/^../, r.dtls!.fingerprint.value.startsWith('00') ? '11' : '00') } } }));
  // B, told the wrong fingerprint, refuses A's certificate; A then closes its side as a plugin would
  const reason = await Promise.race([endA, endB, sleep(15_000).then(() => 'timeout')]);
  expect(reason).toMatch(/^media-security/);
  await a.close().catch(() => undefined);
  await b.close().catch(() => undefined);
  await noPipelines();
}, 30_000);

test('candidates that point nowhere end the session ice-failed within the bound', async () => {
  // a UDP port that is bound and never answers: checks to it go unanswered
  const silent = createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  const port = silent.address().port;
  try {
    const a = await media.mp.client.createSession({ audio: true, video: false, transport: 'webrtc', address: '127.0.0.1', microphone: 'tone:440' });
    const end = ended(a);
    const offer = await a.localDescription();
    const t0 = Date.now();
    await a.setRemote({
      address: '127.0.0.1',
      port,
      rtcpMux: true,
      codecs: offer.codecs,
      ice: { ufrag: 'nowhere1', pwd: 'nowherenowherenowhere1', candidates: [{ foundation: '1', component: 1, protocol: 'udp', priority: 2130706431, address: '127.0.0.1', port, type: 'host' }] },
      dtls: { fingerprint: offer.dtls!.fingerprint, setup: 'active' },
    });
    await a.start();
    const reason = await Promise.race([end, sleep(20_000).then(() => 'timeout')]);
    expect(reason).toMatch(/^ice-failed/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    await noPipelines();
  } finally {
    silent.close();
  }
}, 30_000);
