/**
 * The SDP helper: offers parse back to what was offered; answers keep the offer's payload types
 * (RFC 3264 § 6.1) and crypto tag (RFC 4568 § 7.1.2); what cannot be answered is NotCapable (488);
 * malformed or oversized bodies are InvalidArgument.
 */
import { answerOffer, parseSdp, remoteFromAnswer, sdpAnswer, sdpOffer } from '../src/sdp';
import { DEFAULT_CODECS, telephoneEvent } from '../src/codecs/codecs';
import type { LocalDescription } from '../src/session/types';

const local: LocalDescription = {
  transport: 'rtp', address: '127.0.0.1', port: 40000, rtcpPort: 40001, rtcpMux: false,
  codecs: [...DEFAULT_CODECS, telephoneEvent(101, 48000), telephoneEvent(100, 8000)],
};
const key = { suite: 'AES_CM_128_HMAC_SHA1_80' as const, keySalt: Buffer.alloc(30, 7).toString('base64') };

// what baresip offers (opus at a dynamic type of its own, G.711, telephone-event)
const BARESIP_OFFER = [
  'v=0', 'o=- 1234 5678 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  'm=audio 10000 RTP/AVP 96 0 8 97', 'a=rtpmap:96 opus/48000/2', 'a=fmtp:96 stereo=1;sprop-stereo=1',
  'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:97 telephone-event/48000', 'a=fmtp:97 0-15',
  'a=rtcp:10001', 'a=sendrecv', 'a=label:1', '',
].join('\r\n');

test('an offer parses back to what the session offered', () => {
  const sdp = sdpOffer(local, { sessionId: '42', sessionVersion: 1 });
  const audio = parseSdp(sdp).audio!;
  expect(audio).toMatchObject({ port: 40000, rtcpPort: 40001, rtcpMux: false, address: '127.0.0.1', profile: 'RTP/AVP', direction: 'sendrecv' });
  expect(audio.codecs.map((c) => `${c.name}/${c.pt}/${c.clockRate}`)).toEqual(['opus/111/48000', 'G722/9/8000', 'PCMU/0/8000', 'PCMA/8/8000', 'telephone-event/101/48000', 'telephone-event/100/8000']);
});

test('the answer keeps the offer\'s payload types and order', () => {
  const offer = parseSdp(BARESIP_OFFER).audio!;
  const a = answerOffer(offer, local);
  expect(a.choice.codecs.map((c) => c.pt)).toEqual([96, 0, 8, 97]);
  expect(a.remote).toMatchObject({ address: '127.0.0.1', port: 10000, rtcpPort: 10001, rtcpMux: false });
  expect(a.remote.codecs[0]).toMatchObject({ name: 'opus', pt: 96 });
  const body = sdpAnswer(local, { sessionId: '9', sessionVersion: 1 }, a.choice);
  expect(body).toContain('m=audio 40000 RTP/AVP 96 0 8 97\r\n');
  expect(body).toContain('a=rtpmap:97 telephone-event/48000\r\n');
});

test('hold: a sendonly offer is answered recvonly and the session is told the peer only sends', () => {
  const a = answerOffer(parseSdp(BARESIP_OFFER.replace('a=sendrecv', 'a=sendonly')).audio!, local);
  expect(a.choice.direction).toBe('recvonly');
  expect(a.remote.direction).toBe('sendonly');
});

test('SRTP: the answer carries our key under the offer\'s tag; the remote description the peer\'s', () => {
  const offer = BARESIP_OFFER.replace('RTP/AVP', 'RTP/SAVP').replace('a=sendrecv', `a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${key.keySalt}|2^31\r\na=sendrecv`);
  const ours = { ...local, crypto: { suite: key.suite, keySalt: Buffer.alloc(30, 9).toString('base64') } };
  const a = answerOffer(parseSdp(offer).audio!, ours);
  expect(a.remote.crypto).toEqual(key);
  const body = sdpAnswer(ours, { sessionId: '9', sessionVersion: 1 }, a.choice);
  expect(body).toContain(`a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${ours.crypto.keySalt}\r\n`);
  expect(body).toContain('RTP/SAVP');
  expect(() => answerOffer(parseSdp(offer).audio!, local)).toThrow(expect.objectContaining({ code: 'NotCapable' }) as unknown as Error);
});

test('no codec in common is NotCapable (a 488 for the plugin)', () => {
  const offer = BARESIP_OFFER.replace('m=audio 10000 RTP/AVP 96 0 8 97', 'm=audio 10000 RTP/AVP 96 97').replace('opus/48000/2', 'speex/16000');
  expect(() => answerOffer(parseSdp(offer).audio!, local)).toThrow(expect.objectContaining({ code: 'NotCapable' }) as unknown as Error);
});

test('our offer answered: the remote description has the answer\'s types', () => {
  const answer = BARESIP_OFFER.replace('RTP/AVP 96 0 8 97', 'RTP/AVP 111 101');
  const r = remoteFromAnswer(parseSdp(answer.replace('a=rtpmap:96 opus', 'a=rtpmap:111 opus').replace('a=rtpmap:97 telephone', 'a=rtpmap:101 telephone')).audio!, local);
  expect(r.codecs.map((c) => `${c.name}/${c.pt}`)).toEqual(['opus/111', 'telephone-event/101']);
});

test.each([
  ['garbage', 'hello'],
  ['no origin', 'v=0\r\nm=audio 1 RTP/AVP 0\r\n'],
  ['a port out of range', BARESIP_OFFER.replace('m=audio 10000', 'm=audio 99999')],
  ['a payload type out of range', BARESIP_OFFER.replace('RTP/AVP 96', 'RTP/AVP 300')],
  ['a hostname', BARESIP_OFFER.replace('c=IN IP4 127.0.0.1', 'c=IN IP4 example.org')],
  ['oversized', `${BARESIP_OFFER}${'a=x-filler:0123456789\r\n'.repeat(1000)}`],
])('%s is InvalidArgument', (_name, body) => {
  expect(() => parseSdp(body)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }) as unknown as Error);
});
