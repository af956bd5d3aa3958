/**
 * H.264 in SDP (RFC 6184): offered after VP8 as `H264/90000` with Constrained Baseline and
 * packetization-mode 1 and PLI feedback; in an answer taken only in packetization-mode 1 (§ 8.2.2: part
 * of the format), under the offer's payload type, the profile kept and the level the lower of the
 * offer's and ours.
 */
import { DEFAULT_CODECS, H264_CODEC, VIDEO_CODECS, matchVideoFormat, telephoneEvent } from '../src/codecs/codecs';
import { answerSdp, parseSdp, remoteFromSdp, sdpAnswer, sdpOffer } from '../src/sdp';
import { offeredVideoCodecs } from '../src/session/description';
import type { LocalDescription } from '../src/session/types';

const audioOnly: LocalDescription = {
  transport: 'rtp', address: '127.0.0.1', port: 40000, rtcpPort: 40001, rtcpMux: false,
  codecs: [...DEFAULT_CODECS, telephoneEvent(101, 48000), telephoneEvent(100, 8000)],
};
const both: LocalDescription = { ...audioOnly, video: { port: 40010, rtcpPort: 40011, rtcpMux: false, codecs: VIDEO_CODECS } };
const h264Only: LocalDescription = { ...audioOnly, video: { ...both.video!, codecs: [H264_CODEC] } };
const o = { sessionId: '42', sessionVersion: 1 };

/** A peer's offer with the given m=video formats and attribute lines, audio PCMU after it. */
function offer(formats: string, ...lines: string[]): string {
  return [
    'v=0', 'o=- 1 1 IN IP4 192.0.2.7', 's=-', 'c=IN IP4 192.0.2.7', 't=0 0',
    `m=audio 20002 RTP/AVP 0`, 'a=sendrecv',
    `m=video 20000 RTP/AVP ${formats}`, ...lines, 'a=rtcp-mux', 'a=sendrecv', '',
  ].join('\r\n');
}

test('the default offer: VP8 then H.264 (when this machine has openh264enc and avdec_h264), each with PLI feedback', () => {
  expect(offeredVideoCodecs(undefined, () => true).map((c) => c.name)).toEqual(['VP8', 'H264']);
  expect(offeredVideoCodecs(['h264', 'VP8'], () => true).map((c) => c.name)).toEqual(['H264', 'VP8']);
  // without an H.264 encoder, VP8 alone: what 0.2.0 offered
  expect(offeredVideoCodecs(undefined, (c) => c.name === 'VP8').map((c) => c.name)).toEqual(['VP8']);
  expect(() => offeredVideoCodecs(['H264'], (c) => c.name === 'VP8')).toThrow(expect.objectContaining({ code: 'NotCapable' }) as unknown as Error);
  expect(() => offeredVideoCodecs(['VP9'])).toThrow(expect.objectContaining({ code: 'InvalidArgument' }) as unknown as Error);

  const sdp = sdpOffer(both, o);
  expect(sdp).toContain(
    '\r\nm=video 40010 RTP/AVP 96 97\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\n' +
      'a=rtpmap:97 H264/90000\r\na=fmtp:97 profile-level-id=42e01f;packetization-mode=1\r\na=rtcp-fb:97 nack pli\r\na=rtcp:40011\r\na=sendrecv\r\n',
  );
  expect(parseSdp(sdp).video!.codecs).toEqual([...VIDEO_CODECS]);
  // a peer like us answers VP8 (first in the offer); an H.264-only peer answers H.264 at 97
  expect(answerSdp(parseSdp(sdp), both).remote.video!.codecs.map((c) => c.name)).toEqual(['VP8', 'H264']);
  const a = answerSdp(parseSdp(sdp), h264Only);
  expect(a.remote.video!.codecs).toEqual([H264_CODEC]);
  const body = sdpAnswer(h264Only, o, a.choice);
  expect(body).toContain('\r\nm=video 40010 RTP/AVP 97\r\na=rtpmap:97 H264/90000\r\na=fmtp:97 profile-level-id=42e01f;packetization-mode=1\r\na=rtcp-fb:97 nack pli\r\n');
  expect(remoteFromSdp(parseSdp(body), both).video!.codecs).toEqual([H264_CODEC]);
});

test('the answer to an H.264-only offer keeps the offer\'s payload type and says our level', () => {
  // a browser's: level-asymmetry-allowed, Constrained Baseline 3.1 in mode 1 at 102, mode 0 at 127
  const browser = offer('102 127',
    'a=rtpmap:102 H264/90000', 'a=rtcp-fb:102 nack pli', 'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    'a=rtpmap:127 H264/90000', 'a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f');
  const a = answerSdp(parseSdp(browser), both);
  expect(a.remote.video).toMatchObject({ address: '192.0.2.7', port: 20000, rtcpMux: false, codecs: [{ name: 'H264', pt: 102 }] });
  expect(a.remote.video!.codecs).toHaveLength(1);
  const body = sdpAnswer(both, o, a.choice);
  expect(body).toContain('\r\nm=video 40010 RTP/AVP 102\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 profile-level-id=42e01f;packetization-mode=1\r\na=rtcp-fb:102 nack pli\r\n');
  expect(body.indexOf('m=audio')).toBeLessThan(body.indexOf('m=video'));

  // a higher level (4.0, 0x28) is answered with ours (3.1); a lower one (2.1) is kept; the profile is the offer's
  const high = answerSdp(parseSdp(offer('98', 'a=rtpmap:98 H264/90000', 'a=fmtp:98 profile-level-id=640028;packetization-mode=1')), both);
  expect(high.remote.video!.codecs[0]).toMatchObject({ pt: 98, fmtp: 'profile-level-id=64001f;packetization-mode=1' });
  const low = answerSdp(parseSdp(offer('98', 'a=rtpmap:98 H264/90000', 'a=fmtp:98 PROFILE-LEVEL-ID=42E015; packetization-mode=1')), both);
  expect(low.remote.video!.codecs[0]).toMatchObject({ pt: 98, fmtp: 'profile-level-id=42e015;packetization-mode=1' });
});

test('H.264 in packetization-mode 0 (or without one, its default) is not taken as H.264', () => {
  for (const fmtp of ['a=fmtp:97 profile-level-id=42e01f;packetization-mode=0', 'a=fmtp:97 profile-level-id=42e01f']) {
    const sdp = offer('97', 'a=rtpmap:97 H264/90000', fmtp);
    const a = answerSdp(parseSdp(sdp), both);
    expect(a.remote.video).toBeUndefined();
    expect(sdpAnswer(both, o, a.choice)).toContain('\r\nm=video 0 RTP/AVP 97\r\n');
  }
  // beside VP8, the VP8 is taken and the mode-0 H.264 left out of the answer
  const mixed = offer('97 100', 'a=rtpmap:97 H264/90000', 'a=fmtp:97 packetization-mode=0', 'a=rtpmap:100 VP8/90000');
  const a = answerSdp(parseSdp(mixed), both);
  expect(a.remote.video!.codecs.map((c) => [c.name, c.pt])).toEqual([['VP8', 100]]);
  expect(sdpAnswer(both, o, a.choice)).toContain('m=video 40010 RTP/AVP 100\r\n');
  // an answer to our offer in mode 0 has no codec we offered
  const answerMode0 = offer('97', 'a=rtpmap:97 H264/90000', 'a=fmtp:97 profile-level-id=42e01f;packetization-mode=0');
  expect(() => remoteFromSdp(parseSdp(answerMode0), h264Only)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }) as unknown as Error);
  // profiles whose decoders do not take Constrained Baseline (Extended, 58; High 10, 6e) are not taken either
  expect(matchVideoFormat(H264_CODEC, { ...H264_CODEC, fmtp: 'profile-level-id=58a01e;packetization-mode=1' })).toBeUndefined();
  expect(matchVideoFormat(H264_CODEC, { ...H264_CODEC, fmtp: 'profile-level-id=6e001f;packetization-mode=1' })).toBeUndefined();
  expect(matchVideoFormat(H264_CODEC, { ...H264_CODEC, fmtp: 'profile-level-id=zz;packetization-mode=1' })).toBeUndefined();
});

test('an audio-only session\'s offer is what it was', () => {
  expect(sdpOffer(audioOnly, o)).not.toContain('m=video');
  expect(sdpOffer(audioOnly, o)).not.toContain('H264');
});
