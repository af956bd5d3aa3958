/**
 * Video calls (issue 16) between two sessions of one real confab-media over 127.0.0.1, with the test
 * picture as the camera on both sides and no display: VP8 both ways beside the audio, frames counted
 * by GStreamer at each end; a peer that refuses video (port 0) gets an audio-only call; SRTP keys the
 * video stream too; video added to an audio call by a re-offer (SetVideo).
 */
import { answerSdp, parseSdp, remoteFromSdp, sdpAnswer, sdpOffer } from '../src/sdp';
import { toneShareDb } from './helpers/measure';
import { remoteOf } from './helpers/remote';
import { readWav } from './helpers/wav';
import { mediaWithTones } from './helpers/two-sessions';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const media = mediaWithTones({ aRate: 16000, bRate: 16000, seconds: 8 });

function expectHeard(name: string): void {
  expect(toneShareDb(readWav(media.recording(name, 'b')), 440, 0.5, 2)).toBeGreaterThan(-6);
  expect(toneShareDb(readWav(media.recording(name, 'a')), 1000, 0.5, 2)).toBeGreaterThan(-6);
}

test.each([
  ['plain', {}],
  ['srtp', { srtp: true, rtcpMux: false }],
])('a video call (%s): each side decodes the other\'s test picture, and the tones still pass', async (name, extra) => {
  const [a, b] = await media.call(`video-${name}`, 'opus', { video: true, camera: 'test', ...extra });
  const la = await a.localDescription();
  // VP8 first; H.264 after it on a machine with openh264enc and avdec_h264 (this one)
  expect(la.video!.codecs[0]).toMatchObject({ name: 'VP8', pt: 96, clockRate: 90000 });
  expect(la.video!.codecs.slice(1).map((c) => c.name)).toEqual(['H264']);
  expect(la.video!.port).not.toBe(la.port);
  if (name === 'srtp') expect(la.video!.crypto!.keySalt).not.toBe(la.crypto!.keySalt);
  await sleep(3000);
  const [sa, sb] = [await a.stats(), await b.stats()];
  await a.close();
  await b.close();
  // 15 fps for 3 s: 45 frames; the first keyframe and the jitter buffer cost a few
  for (const s of [sa, sb]) {
    expect(s['video-frames-sent']).toBeGreaterThan(30);
    expect(s['video-frames-decoded']).toBeGreaterThan(25);
    expect(s['video-packets-received']).toBeGreaterThan(25);
  }
  expectHeard(`video-${name}`);
  expect((await media.mp.client.diagnostics()).pipelines).toBe(0);
}, 20_000);

test('an H.264 video call (video-codecs-offered H264 only): each side decodes the other\'s test picture', async () => {
  const [a, b] = await media.call('video-h264', 'opus', { video: true, camera: 'test', videoCodecs: ['H264'] });
  const la = await a.localDescription();
  expect(la.video!.codecs).toEqual([{ name: 'H264', pt: 97, clockRate: 90000, channels: 1, fmtp: 'profile-level-id=42e01f;packetization-mode=1' }]);
  const t0 = Date.now();
  await sleep(3000);
  const [sa, sb] = [await a.stats(), await b.stats()];
  const seconds = (Date.now() - t0) / 1000;
  await a.close();
  await b.close();
  for (const s of [sa, sb]) {
    expect(s['video-frames-sent']).toBeGreaterThan(30);
    expect(s['video-frames-decoded']).toBeGreaterThan(20);
    expect(s['video-packets-received']).toBeGreaterThan(20);
  }
  console.log(`H.264 over ${seconds.toFixed(1)} s: sent ${String(sa['video-frames-sent'])}/${String(sb['video-frames-sent'])}, decoded ${String(sa['video-frames-decoded'])}/${String(sb['video-frames-decoded'])}, packets received ${String(sa['video-packets-received'])}/${String(sb['video-packets-received'])}`);
  expectHeard('video-h264');
  expect((await media.mp.client.diagnostics()).pipelines).toBe(0);
}, 20_000);

test('an unknown video codec is refused before anything is bound', async () => {
  const base = { audio: true, video: true, transport: 'rtp' as const, address: '127.0.0.1', camera: 'test' };
  await expect(media.mp.client.createSession({ ...base, videoCodecs: ['VP9'] })).rejects.toMatchObject({ code: 'InvalidArgument' });
  expect((await media.mp.client.diagnostics()).sessions).toBe(0);
});

test('a peer that refuses video (port 0 in its SDP answer) gets an audio-only call', async () => {
  const common = { audio: true, transport: 'rtp' as const, address: '127.0.0.1', codecs: ['opus'], microphone: 'tone:440', speaker: 'none' };
  const a = await media.mp.client.createSession({ ...common, video: true, camera: 'test' });
  const b = await media.mp.client.createSession({ ...common, video: false });
  const offer = sdpOffer(await a.localDescription(), { sessionId: '1', sessionVersion: 1 });
  const answer = answerSdp(parseSdp(offer), await b.localDescription());
  const answerBody = sdpAnswer(await b.localDescription(), { sessionId: '2', sessionVersion: 1 }, answer.choice);
  // the refusal repeats the offer's formats: VP8 96, and H.264 97 on a machine with its encoder (RFC 3264 § 6)
  expect(answerBody).toMatch(/\r\nm=video 0 RTP\/AVP 96( 97)?\r\n/);
  await b.setRemote(answer.remote);
  await a.setRemote(remoteFromSdp(parseSdp(answerBody), await a.localDescription()));
  await a.start();
  await b.start();
  await sleep(2000);
  const [sa, sb] = [await a.stats(), await b.stats()];
  await a.close();
  await b.close();
  expect(sa['video-frames-sent']).toBe(0);
  expect(sa['video-frames-decoded']).toBe(0);
  expect(sb['video-frames-decoded']).toBe(0);
  expect(sa['packets-received']).toBeGreaterThan(50);
  expect(sb['packets-received']).toBeGreaterThan(50);
}, 20_000);

test('video added to an audio call: SetVideo, a re-offer, and the pictures flow', async () => {
  const [a, b] = await media.call('video-added', 'opus', {});
  expect((await a.localDescription()).video).toBeUndefined();
  await sleep(500);
  await a.setVideo(true);
  await b.setVideo(true);
  const [la, lb] = [await a.localDescription(), await b.localDescription()];
  expect(la.video).toBeDefined();
  await a.setRemote(remoteOf(lb));
  await b.setRemote(remoteOf(la));
  await sleep(2500);
  const sa = await a.stats();
  await a.setVideo(false);
  expect((await a.localDescription()).video).toBeUndefined();
  expect(await a.state()).toBe('active');
  await a.close();
  await b.close();
  expect(sa['video-frames-decoded']).toBeGreaterThan(15);
  expect((await media.mp.client.diagnostics()).pipelines).toBe(0);
}, 20_000);

test('bad video choices are refused before anything is bound', async () => {
  const base = { audio: true, video: true, transport: 'rtp' as const, address: '127.0.0.1' };
  await expect(media.mp.client.createSession({ ...base, camera: 'test:nope' })).rejects.toMatchObject({ code: 'InvalidArgument' });
  await expect(media.mp.client.createSession({ ...base, camera: 'device:0123' })).rejects.toMatchObject({ code: 'InvalidArgument' });
  await expect(media.mp.client.createSession({ ...base, videoSink: 'window' as never })).rejects.toMatchObject({ code: 'InvalidArgument' });
  // no camera here: `default` is the test picture
  const s = await media.mp.client.createSession({ ...base, camera: 'default' });
  expect((await s.localDescription()).video!.codecs[0]!.name).toBe('VP8');
  await s.close();
  expect((await media.mp.client.diagnostics()).sessions).toBe(0);
});
