/**
 * SDP with video (0.2.0): an m=video section is written only for a session with video, parses back to
 * what was offered, and is answered with the offer's payload types or refused with port 0
 * (RFC 3264 § 6) — a peer that refuses video leaves an audio-only call. Audio-only bodies are what
 * 0.1.0 wrote.
 */
import { answerOffer, answerSdp, parseSdp, remoteFromSdp, sdpAnswer, sdpOffer } from '../src/sdp';
import { DEFAULT_CODECS, DEFAULT_VIDEO_CODECS, telephoneEvent } from '../src/codecs/codecs';
import type { LocalDescription } from '../src/session/types';

const audioOnly: LocalDescription = {
  transport: 'rtp', address: '127.0.0.1', port: 40000, rtcpPort: 40001, rtcpMux: false,
  codecs: [...DEFAULT_CODECS, telephoneEvent(101, 48000), telephoneEvent(100, 8000)],
};
const local: LocalDescription = { ...audioOnly, video: { port: 40010, rtcpPort: 40011, rtcpMux: false, codecs: DEFAULT_VIDEO_CODECS } };
const o = { sessionId: '42', sessionVersion: 1 };
const key = (n: number) => ({ suite: 'AES_CM_128_HMAC_SHA1_80' as const, keySalt: Buffer.alloc(30, n).toString('base64') });

// what a video phone offers: video first, VP8 at its own dynamic type, H.264 in packetization-mode 0
// (not taken, and not offered by this VP8-only `local`: sdp-h264.test.ts), feedback
const PHONE_OFFER = [
  'v=0', 'o=- 1 1 IN IP4 192.0.2.7', 's=-', 'c=IN IP4 192.0.2.7', 't=0 0',
  'm=video 20000 RTP/AVP 100 97', 'a=rtpmap:100 VP8/90000', 'a=rtcp-fb:100 nack pli', 'a=rtpmap:97 H264/90000', 'a=fmtp:97 profile-level-id=42e01f',
  'a=rtcp-mux', 'a=sendrecv',
  'm=audio 20002 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000', 'a=rtcp:20003', 'a=sendrecv', '',
].join('\r\n');

test('an audio-only session writes no m=video; its offer is unchanged', () => {
  const sdp = sdpOffer(audioOnly, o);
  expect(sdp).not.toContain('m=video');
  expect(sdp.endsWith('a=rtcp:40001\r\na=sendrecv\r\n')).toBe(true);
  expect(parseSdp(sdp).video).toBeUndefined();
});

test('an offer with video parses back to what the session offered', () => {
  const sdp = sdpOffer(local, o);
  expect(sdp).toContain('\r\nm=video 40010 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\na=rtcp:40011\r\na=sendrecv\r\n');
  expect(sdp.indexOf('m=audio')).toBeLessThan(sdp.indexOf('m=video'));
  const p = parseSdp(sdp);
  expect(p.videoFirst).toBeUndefined();
  expect(p.audio!.codecs.every((c) => c.name !== 'VP8')).toBe(true);
  expect(p.video).toMatchObject({ port: 40010, rtcpPort: 40011, rtcpMux: false, address: '127.0.0.1', profile: 'RTP/AVP', formats: [96] });
  expect(p.video!.codecs).toEqual([{ name: 'VP8', pt: 96, clockRate: 90000, channels: 1, fmtp: '' }]);
});

test('the answer takes the offer\'s VP8 type, keeps its m= order, and tells the session where to send', () => {
  const a = answerSdp(parseSdp(PHONE_OFFER), local);
  expect(a.remote.video).toMatchObject({ address: '192.0.2.7', port: 20000, rtcpMux: false, codecs: [{ name: 'VP8', pt: 100 }] });
  expect(a.remote).toMatchObject({ port: 20002, rtcpPort: 20003, codecs: [{ name: 'PCMU', pt: 0 }, { name: 'telephone-event', pt: 101 }] });
  const body = sdpAnswer(local, { sessionId: '9', sessionVersion: 1 }, a.choice);
  expect(body.indexOf('m=video 40010 RTP/AVP 100\r\n')).toBeGreaterThan(0);
  expect(body.indexOf('m=video')).toBeLessThan(body.indexOf('m=audio'));
  expect(body).toContain('a=rtpmap:100 VP8/90000\r\na=rtcp-fb:100 nack pli\r\n');
});

test('an audio-only session refuses the offer\'s video with port 0 and keeps the call', () => {
  const a = answerSdp(parseSdp(PHONE_OFFER), audioOnly);
  expect(a.remote.video).toBeUndefined();
  const body = sdpAnswer(audioOnly, o, a.choice);
  expect(body).toContain('\r\nm=video 0 RTP/AVP 100 97\r\nm=audio 40000 RTP/AVP 0 101\r\n');
  expect(a.remote.codecs[0]).toMatchObject({ name: 'PCMU' });
});

test('video without a codec in common, or without the SRTP the session needs, is refused, not a 488', () => {
  const h264Only = PHONE_OFFER.replace('m=video 20000 RTP/AVP 100 97', 'm=video 20000 RTP/AVP 97');
  expect(sdpAnswer(local, o, answerSdp(parseSdp(h264Only), local).choice)).toContain('m=video 0 RTP/AVP 97\r\n');
  const srtp = { ...local, crypto: key(1), video: { ...local.video!, crypto: key(2) } };
  const savpAudio = PHONE_OFFER.replace('m=audio 20002 RTP/AVP', 'm=audio 20002 RTP/SAVP').replace('a=rtcp:20003', `a=rtcp:20003\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key(3).keySalt}`);
  const a = answerSdp(parseSdp(savpAudio), srtp);
  expect(a.remote.video).toBeUndefined();
  expect(a.remote.crypto).toEqual(key(3));
  expect(sdpAnswer(srtp, o, a.choice)).toContain('m=video 0 RTP/AVP 100 97\r\n');
});

test('SRTP video: the answer carries the video\'s own key under the offer\'s tag', () => {
  const srtp = { ...local, crypto: key(1), video: { ...local.video!, crypto: key(2) } };
  const offer = sdpOffer(srtp, o);
  expect(offer).toContain(`m=video 40010 RTP/SAVP 96\r\n`);
  expect(offer).toContain(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key(2).keySalt}\r\na=sendrecv\r\n`);
  const peer = { ...srtp, port: 50000, crypto: key(4), video: { ...srtp.video, port: 50010, crypto: key(5) } };
  const a = answerSdp(parseSdp(offer), peer);
  expect(a.remote.video!.crypto).toEqual(key(2));
  expect(a.remote.crypto).toEqual(key(1));
  const answer = sdpAnswer(peer, o, a.choice);
  expect(answer).toContain(`inline:${key(5).keySalt}`);
  expect(remoteFromSdp(parseSdp(answer), srtp).video).toMatchObject({ port: 50010, crypto: key(5) });
});

test('our video offer answered with port 0: the remote description is audio-only', () => {
  const answer = sdpAnswer(audioOnly, o, answerSdp(parseSdp(sdpOffer(local, o)), audioOnly).choice);
  expect(answer).toContain('m=video 0 RTP/AVP 96');
  const r = remoteFromSdp(parseSdp(answer), local);
  expect(r.video).toBeUndefined();
  expect(r.port).toBe(40000);
  // and an answer from a peer that leaves m=video out altogether (against RFC 3264 § 6, but seen)
  expect(remoteFromSdp(parseSdp(sdpOffer(audioOnly, o)), local).video).toBeUndefined();
});

test('answerOffer on the audio m= line alone is what it was: no video in its answer', () => {
  const a = answerOffer(parseSdp(PHONE_OFFER).audio!, local);
  expect(a.choice.video).toBeUndefined();
  expect(sdpAnswer(local, o, a.choice)).not.toContain('m=video');
});

test('an offer with no audio stream is NotCapable', () => {
  const videoOnly = PHONE_OFFER.slice(0, PHONE_OFFER.indexOf('m=audio'));
  expect(() => answerSdp(parseSdp(videoOnly), local)).toThrow(expect.objectContaining({ code: 'NotCapable' }) as unknown as Error);
});
