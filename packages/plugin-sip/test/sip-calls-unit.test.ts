/**
 * The pure parts of SIP calls: final responses and CANCEL reasons as end reasons, DTMF in SIP INFO,
 * media statistics as CallStats, the check of an incoming offer (what is refused before it rings),
 * hold directions, the o= version, and the SessionDescriptionHandler on a fake media session
 * (offer/answer both ways, hold by re-offer, SRTP, closing exactly once).
 */
import { DEFAULT_CODECS, DEFAULT_VIDEO_CODECS, parseSdp, sdpAnswer, sdpOffer, telephoneEvent, type LocalDescription, type RemoteDescription, type SdpAudio } from '@confab/media';
import { ConfabError } from '@confab/sdk';
import { callStatsOf } from '@confab/media';
import { cancelReasonOf, detailOf, endReasonOf, infoBody, infoDigit, isMediaFailure } from '../src/calls/call-reasons';
import { MediaSdh, type SdhMedia } from '../src/calls/media-sdh';
import { NO_LINES, hasVideo, linesOfChoice, linesOfOffer, offerChoice, takeVideo } from '../src/calls/media-lines';
import { SdpOrigin, answerDirection, checkOffer, isHolding, offerDirection } from '../src/calls/sdp-glue';

const KEY = Buffer.alloc(30, 7).toString('base64');
/** A peer's m=video section: VP8 under its own payload type. */
const VP8_LINE = 'm=video 40002 RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\na=rtcp-fb:97 nack pli\r\na=sendrecv\r\n';

function offerSdp(opts: { profile?: string; pts?: string; extra?: string[]; direction?: string; port?: number } = {}): string {
  return [
    'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=audio ${opts.port ?? 40000} ${opts.profile ?? 'RTP/AVP'} ${opts.pts ?? '96 0 101'}`,
    'a=rtpmap:96 opus/48000/2', 'a=rtpmap:101 telephone-event/48000', 'a=fmtp:101 0-15',
    ...(opts.extra ?? []), `a=${opts.direction ?? 'sendrecv'}`, '',
  ].join('\r\n');
}

describe('end reasons (docs/calls.md, SIP column)', () => {
  it.each([
    [486, false, 'busy'], [600, false, 'busy'], [603, false, 'declined'],
    [404, false, 'unreachable'], [410, false, 'unreachable'], [480, false, 'unreachable'], [484, false, 'unreachable'],
    [408, false, 'no-answer'], [487, false, 'no-answer'], [487, true, 'cancelled'],
    [488, false, 'codec-mismatch'], [606, false, 'codec-mismatch'],
    [500, false, 'network-error'], [503, false, 'network-error'], [403, false, 'network-error'], [302, false, 'unreachable'],
  ])('%d (we cancelled: %s) → %s', (status, cancelled, reason) => {
    expect(endReasonOf(status, cancelled)).toBe(reason);
  });

  it('says the status line for people', () => {
    expect(detailOf(486, 'Busy Here')).toBe('486 Busy Here');
    expect(detailOf(603, undefined)).toBe('603');
  });

  it('reads a CANCEL Reason (RFC 3326): cause 200 is answered elsewhere', () => {
    expect(cancelReasonOf(undefined)).toBe('cancelled');
    expect(cancelReasonOf('SIP;cause=200;text="Call completed elsewhere"')).toBe('answered-elsewhere');
    expect(cancelReasonOf('SIP ; text="x" ; cause=200')).toBe('answered-elsewhere');
    expect(cancelReasonOf('SIP;cause=487')).toBe('cancelled');
    expect(cancelReasonOf('Q.850;cause=16')).toBe('cancelled');
  });

  it('tells a broken media path from our own close', () => {
    expect(isMediaFailure('media-failed: pipeline error')).toBe(true);
    expect(isMediaFailure('remote-timeout')).toBe(true);
    expect(isMediaFailure('closed')).toBe(false);
  });
});

describe('DTMF in SIP INFO', () => {
  it('reads application/dtmf-relay and application/dtmf', () => {
    expect(infoDigit('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n')).toBe('5');
    expect(infoDigit('Application/DTMF-Relay; charset=x', 'signal= #\r\n')).toBe('#');
    expect(infoDigit('application/dtmf-relay', 'Signal=10\r\n')).toBe('*');
    expect(infoDigit('application/dtmf', 'a')).toBe('A');
    expect(infoDigit('application/dtmf-relay', 'Signal=Z')).toBeUndefined();
    expect(infoDigit('text/plain', '5')).toBeUndefined();
  });

  it('writes what it reads', () => {
    expect(infoDigit('application/dtmf-relay', infoBody('9'))).toBe('9');
  });
});

it('maps confab-media statistics to CallStats, the round trip only once known', () => {
  const s = { 'packets-sent': 250, 'packets-received': 248, 'packets-lost': 2, 'jitter-ms': 1.5, 'round-trip-ms': -1 };
  expect(callStatsOf(s, 'opus')).toEqual({ packetsSent: 250, packetsReceived: 248, packetsLost: 2, jitterMs: 1.5, codec: 'opus' });
  expect(callStatsOf({ ...s, 'round-trip-ms': 0.4 }, 'PCMU').roundTripMs).toBe(0.4);
  expect(callStatsOf({}, 'none')).toEqual({ packetsSent: 0, packetsReceived: 0, packetsLost: 0, jitterMs: 0, codec: 'none' });
  // video frames only while the call carries video (CallStats' optional fields)
  const v = { ...s, 'video-frames-sent': 45, 'video-frames-decoded': 44 };
  expect(callStatsOf(v, 'opus')).not.toHaveProperty('videoFramesSent');
  expect(callStatsOf(v, 'opus', true)).toMatchObject({ videoFramesSent: 45, videoFramesDecoded: 44 });
});

describe('an incoming offer, checked before we ring', () => {
  it('takes an audio offer with a codec in common', () => {
    const v = checkOffer('application/sdp', offerSdp(), 'confab');
    expect(v.ok).toBe(true);
    expect(v.ok && v.audio?.codecs.map((c) => c.name)).toEqual(['opus', 'PCMU', 'telephone-event']);
  });

  it('takes an INVITE without an offer (we offer in the 200)', () => {
    expect(checkOffer(undefined, '', 'confab')).toEqual({ ok: true, video: false });
  });

  it('says whether the offer has video we could take: VP8, or H.264 in packetization mode 1, with a port', () => {
    expect(checkOffer('application/sdp', offerSdp(), 'confab')).toMatchObject({ ok: true, video: false });
    expect(checkOffer('application/sdp', `${offerSdp()}${VP8_LINE}`, 'confab')).toMatchObject({ ok: true, video: true });
    expect(checkOffer('application/sdp', `${offerSdp()}${VP8_LINE.replace('40002', '0')}`, 'confab')).toMatchObject({ ok: true, video: false });
    expect(checkOffer('application/sdp', `${offerSdp()}m=video 40002 RTP/AVP 97\r\na=rtpmap:97 H264/90000\r\n`, 'confab')).toMatchObject({ ok: true, video: false }); // mode 0 by default
    const h264 = `${offerSdp()}m=video 40002 RTP/AVP 102\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 profile-level-id=42e01f;packetization-mode=1\r\n`;
    expect(checkOffer('application/sdp', h264, 'confab')).toMatchObject({ ok: true, video: true });
  });

  it('refuses no common codec with 488 and a Warning, never a ring', () => {
    const v = checkOffer('application/sdp', offerSdp({ pts: '18 101', extra: ['a=rtpmap:18 G729/8000'] }), 'confab');
    expect(v).toMatchObject({ ok: false, statusCode: 488 });
    expect(!v.ok && v.extraHeaders[0]).toBe('Warning: 305 confab "Incompatible media format"');
  });

  it('refuses telephone-event alone with 488', () => {
    expect(checkOffer('application/sdp', offerSdp({ pts: '101' }), 'confab')).toMatchObject({ ok: false, statusCode: 488 });
  });

  it('refuses malformed and oversized SDP with 400', () => {
    expect(checkOffer('application/sdp', 'v=0\r\nthis is not sdp\r\n', 'confab')).toMatchObject({ ok: false, statusCode: 400 });
    expect(checkOffer('application/sdp', offerSdp().replace('m=audio 40000', 'm=audio 99999'), 'confab')).toMatchObject({ ok: false, statusCode: 400 });
    expect(checkOffer('application/sdp', offerSdp({ extra: Array.from({ length: 2000 }, (_, i) => `a=x-filler:${i}`) }), 'confab')).toMatchObject({ ok: false, statusCode: 400 });
  });

  it('refuses an offer without audio, a refused audio stream and other transports with 488', () => {
    const video = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=video 4000 RTP/AVP 96', 'a=rtpmap:96 VP8/90000', ''].join('\r\n');
    expect(checkOffer('application/sdp', video, 'confab')).toMatchObject({ ok: false, statusCode: 488 });
    expect(checkOffer('application/sdp', offerSdp({ port: 0 }), 'confab')).toMatchObject({ ok: false, statusCode: 488 });
    expect(checkOffer('application/sdp', offerSdp({ profile: 'UDP/TLS/RTP/SAVPF' }), 'confab')).toMatchObject({ ok: false, statusCode: 488 });
  });

  it('takes RTP/SAVP with a crypto attribute, refuses it without one (RFC 4568)', () => {
    expect(checkOffer('application/sdp', offerSdp({ profile: 'RTP/SAVP', extra: [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`] }), 'confab').ok).toBe(true);
    expect(checkOffer('application/sdp', offerSdp({ profile: 'RTP/SAVP' }), 'confab')).toMatchObject({ ok: false, statusCode: 488 });
  });

  it('refuses another body type with 415 and Accept', () => {
    expect(checkOffer('text/plain', 'hello', 'confab')).toMatchObject({ ok: false, statusCode: 415, extraHeaders: ['Accept: application/sdp'] });
  });
});

describe('hold directions (RFC 3264 §8.4) and the o= line (§8)', () => {
  it('offers sendonly while we hold', () => {
    expect(offerDirection(true)).toBe('sendonly');
    expect(offerDirection(false)).toBe('sendrecv');
  });

  it('answers the mirror, or what our own hold allows', () => {
    expect(answerDirection('sendonly', false)).toBe('recvonly');
    expect(answerDirection('inactive', false)).toBe('inactive');
    expect(answerDirection('sendrecv', true)).toBe('sendonly');
    expect(answerDirection('sendonly', true)).toBe('inactive');
    expect(isHolding('sendonly') && isHolding('inactive') && !isHolding('sendrecv') && !isHolding('recvonly')).toBe(true);
  });

  it('keeps the version for the same description and adds one for a changed one', () => {
    const o = new SdpOrigin(() => 0.5);
    const make = (dir: string) => (x: { sessionId: string; sessionVersion: number }) => `o=- ${x.sessionId} ${x.sessionVersion} IN IP4 1.2.3.4\r\na=${dir}\r\n`;
    expect(o.describe(make('sendrecv'))).toContain('o=- 500000000001 0 ');
    expect(o.describe(make('sendrecv'))).toContain(' 0 IN');
    expect(o.describe(make('sendonly'))).toContain(' 1 IN');
    expect(o.describe(make('sendrecv'))).toContain(' 2 IN');
  });
});

/** A media session that records what the handler asked of it. */
function fakeMedia(crypto = false, video = false) {
  const calls: string[] = [];
  const remotes: RemoteDescription[] = [];
  const base: LocalDescription = {
    transport: 'rtp', address: '127.0.0.1', port: 41000, rtcpPort: 41000, rtcpMux: true,
    codecs: [...DEFAULT_CODECS, telephoneEvent(101, 48000), telephoneEvent(100, 8000)],
    ...(crypto ? { crypto: { suite: 'AES_CM_128_HMAC_SHA1_80' as const, keySalt: Buffer.alloc(30, 3).toString('base64') } } : {}),
  };
  const videoPart = { port: 41002, rtcpPort: 41002, rtcpMux: true, codecs: DEFAULT_VIDEO_CODECS };
  let local: LocalDescription = video ? { ...base, video: videoPart } : base;
  let closeFails = false;
  const media: SdhMedia = {
    localDescription: async () => local,
    setRemote: async (r) => { calls.push('setRemote'); remotes.push(r); },
    start: async () => { calls.push('start'); },
    sendDtmf: async () => { calls.push('dtmf'); },
    setVideo: async (on) => { calls.push(`video:${on}`); local = on ? { ...base, video: videoPart } : base; },
    close: async () => { calls.push('close'); if (closeFails) throw new Error('confab-media is gone'); },
  };
  return { media, calls, remotes, get local() { return local; }, failClose: () => { closeFails = true; } };
}

/** A handler on a fake media session that opens with video as asked, and what it was asked. */
function videoSdh(wantsVideo: boolean, crypto = false) {
  let f!: ReturnType<typeof fakeMedia>;
  const opened: boolean[] = [];
  const applied: boolean[] = [];
  const sdh = new MediaSdh({
    open: async (_o, video) => { opened.push(video); f = fakeMedia(crypto, video); return f.media; },
    wantsVideo: () => wantsVideo,
    applied: (r) => applied.push(r.video !== undefined),
  });
  return { sdh, opened, applied, get f() { return f; } };
}

function answerSdp(direction = 'sendrecv', extra: string[] = [], profile = 'RTP/AVP', video = ''): string {
  return ['v=0', 'o=- 9 9 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio 42000 ${profile} 111 101`,
    'a=rtpmap:111 opus/48000/2', 'a=rtpmap:101 telephone-event/48000', ...extra, `a=${direction}`, ''].join('\r\n') + video;
}
const VIDEO_ANSWER = 'm=video 42002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=rtcp-mux\r\na=sendrecv\r\n';
const VIDEO_REFUSED = 'm=video 0 RTP/AVP 96\r\n';

describe('MediaSdh', () => {
  it('places: offers all our codecs, applies the answer and starts the media once', async () => {
    const f = fakeMedia();
    const opened: (SdpAudio | undefined)[] = [];
    const applied: string[] = [];
    const sdh = new MediaSdh({ open: async (o) => { opened.push(o); return f.media; }, wantsVideo: () => false, applied: (r, from) => applied.push(`${from}:${r.direction}`) });
    const offer = await sdh.getDescription();
    expect(offer.contentType).toBe('application/sdp');
    expect(offer.body).toContain('m=audio 41000 RTP/AVP 111 9 0 8 101 100\r\n');
    expect(offer.body).toContain('a=sendrecv');
    expect(opened).toEqual([undefined]);
    await sdh.setDescription(answerSdp());
    expect(f.calls).toEqual(['setRemote', 'start']);
    expect(f.remotes[0]).toMatchObject({ address: '127.0.0.1', port: 42000, codecs: [{ name: 'opus', pt: 111 }, { name: 'telephone-event', pt: 101 }] });
    expect(sdh.codec).toBe('opus');
    expect(sdh.started).toBe(true);
    expect(applied).toEqual(['answer:sendrecv']);

    // hold (RFC 3264 §8.4): a new offer, sendonly, with the next o= version; the answer is applied, no second start
    sdh.holding = true;
    const hold = await sdh.getDescription();
    expect(hold.body).toContain('a=sendonly');
    expect(/^o=- \d+ (\d+) /m.exec(hold.body)?.[1]).toBe('1');
    await sdh.setDescription(answerSdp('recvonly'));
    expect(f.calls).toEqual(['setRemote', 'start', 'setRemote']);
    expect(f.remotes[1]!.direction).toBe('recvonly');
  });

  it('answers: keeps the offer\'s payload types (RFC 3264 §6.1) and mirrors a held offer', async () => {
    const f = fakeMedia();
    const opened: (SdpAudio | undefined)[] = [];
    const applied: string[] = [];
    const sdh = new MediaSdh({ open: async (o) => { opened.push(o); return f.media; }, wantsVideo: () => false, applied: (r, from) => applied.push(`${from}:${r.direction}`) });
    expect(sdh.hasDescription('application/sdp')).toBe(true);
    expect(sdh.hasDescription('text/plain')).toBe(false);
    await sdh.setDescription(offerSdp());
    const answer = await sdh.getDescription();
    expect(answer.body).toContain('m=audio 41000 RTP/AVP 96 0 101\r\n');
    expect(answer.body).toContain('a=rtpmap:96 opus/48000/2');
    expect(opened[0]?.profile).toBe('RTP/AVP');
    expect(f.calls).toEqual(['setRemote', 'start']);
    // the peer holds us: its re-INVITE offers sendonly, we answer recvonly and tell the media its direction
    await sdh.setDescription(offerSdp({ direction: 'sendonly' }).replace('o=- 1 1', 'o=- 1 2'));
    const again = await sdh.getDescription();
    expect(again.body).toContain('a=recvonly');
    expect(f.remotes[1]!.direction).toBe('sendonly');
    expect(applied).toEqual(['offer:sendrecv', 'offer:sendonly']);
    expect(opened).toHaveLength(1);
  });

  it('refuses an offered video stream with port 0 and answers the audio (RFC 3264 §6)', async () => {
    const f = fakeMedia();
    const sdh = new MediaSdh({ open: async () => f.media, wantsVideo: () => false, applied: () => undefined });
    await sdh.setDescription(`${offerSdp()}m=video 40002 RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\na=sendrecv\r\n`);
    const answer = await sdh.getDescription();
    expect(answer.body).toContain('m=audio 41000 RTP/AVP 96 0 101\r\n');
    expect(answer.body).toMatch(/^m=video 0 RTP\/AVP 97\r$/m);
    expect(f.remotes[0]!.video).toBeUndefined();
  });

  it('answers an SRTP offer with SRTP and our key under the offer\'s tag (RFC 4568 §7.1.2)', async () => {
    const f = fakeMedia(true);
    const sdh = new MediaSdh({ open: async () => f.media, wantsVideo: () => false, applied: () => undefined });
    await sdh.setDescription(offerSdp({ profile: 'RTP/SAVP', extra: [`a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`] }));
    const answer = await sdh.getDescription();
    expect(answer.body).toContain('RTP/SAVP');
    expect(answer.body).toContain(`a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:${f.local.crypto!.keySalt}`);
    expect(f.remotes[0]!.crypto).toEqual({ suite: 'AES_CM_128_HMAC_SHA1_80', keySalt: KEY });
  });

  it('offers SRTP when the session has a key, and needs the answer\'s', async () => {
    const f = fakeMedia(true);
    const sdh = new MediaSdh({ open: async () => f.media, wantsVideo: () => false, applied: () => undefined });
    const offer = await sdh.getDescription();
    expect(offer.body).toContain('m=audio 41000 RTP/SAVP ');
    expect(offer.body).toContain('a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:');
    await expect(sdh.setDescription(answerSdp())).rejects.toMatchObject({ code: 'NotCapable' });
    await sdh.rollbackDescription();
  });

  it('rejects an answer without our codecs and leaves the media unstarted', async () => {
    const f = fakeMedia();
    const sdh = new MediaSdh({ open: async () => f.media, wantsVideo: () => false, applied: () => undefined });
    await sdh.getDescription();
    await expect(sdh.setDescription(answerSdp().replace(/opus/g, 'G729'))).rejects.toBeInstanceOf(ConfabError);
    expect(f.calls).not.toContain('start');
  });

  it('closes the media session exactly once, ignoring a media process that is gone', async () => {
    const f = fakeMedia();
    f.failClose();
    const sdh = new MediaSdh({ open: async () => f.media, wantsVideo: () => false, applied: () => undefined });
    await sdh.getDescription();
    sdh.close();
    sdh.close();
    await sdh.closeMedia();
    expect(f.calls.filter((c) => c === 'close')).toHaveLength(1);
    await expect(sdh.getDescription()).rejects.toMatchObject({ code: 'NotAvailable' });
    await expect(sdh.setDescription(answerSdp())).rejects.toMatchObject({ code: 'NotAvailable' });
  });

  it('closes a session that was still opening when the call ended', async () => {
    const f = fakeMedia();
    let open!: () => void;
    const sdh = new MediaSdh({ open: () => new Promise((resolve) => { open = () => resolve(f.media); }), wantsVideo: () => false, applied: () => undefined });
    const offer = sdh.getDescription();
    sdh.close();
    open();
    await expect(offer).rejects.toMatchObject({ code: 'NotAvailable' });
    await sdh.closeMedia();
    expect(f.calls).toEqual(['close']);
  });
});

describe('m= lines across re-offers (RFC 3264 §8) and which video we take', () => {
  const local = (video: boolean): LocalDescription => ({
    transport: 'rtp', address: '127.0.0.1', port: 41000, rtcpPort: 41000, rtcpMux: true, codecs: [...DEFAULT_CODECS, telephoneEvent(101, 48000)],
    ...(video ? { video: { port: 41002, rtcpPort: 41002, rtcpMux: true, codecs: DEFAULT_VIDEO_CODECS } } : {}),
  });
  const o = { sessionId: '1', sessionVersion: 0 };

  it('offers byte for byte what media\'s sdpOffer writes while no line was removed', () => {
    for (const l of [local(true), local(false)]) {
      for (const dir of ['sendrecv', 'sendonly'] as const) expect(sdpAnswer(l, o, offerChoice(l, dir, NO_LINES))).toBe(sdpOffer(l, o, dir));
    }
  });

  it('keeps a removed video line with port 0 and its formats, in its place (§8.1, §8.2)', () => {
    const withVideo = linesOfChoice(NO_LINES, offerChoice(local(true), 'sendrecv', NO_LINES));
    expect(withVideo).toEqual({ video: { profile: 'RTP/AVP', formats: [96] }, videoFirst: false });
    expect(offerChoice(local(false), 'sendonly', withVideo).video).toEqual({ refused: true, profile: 'RTP/AVP', formats: [96] });
    const theirs = linesOfOffer(NO_LINES, parseSdp(`v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n${VP8_LINE}${offerSdp().split('t=0 0\r\n')[1]}`));
    expect(theirs).toEqual({ video: { profile: 'RTP/AVP', formats: [97] }, videoFirst: true });
    expect(offerChoice(local(true), 'sendrecv', theirs)).toMatchObject({ videoFirst: true, video: { codecs: DEFAULT_VIDEO_CODECS } });
  });

  it('takes the INVITE\'s video as the user says, a re-offer\'s when it keeps or adds video, never one repeated after a refusal', () => {
    const audioOnly = parseSdp(offerSdp());
    const withVideo = parseSdp(`${offerSdp()}${VP8_LINE}`);
    const portZero = parseSdp(`${offerSdp()}${VP8_LINE.replace('40002', '0')}`);
    expect(hasVideo(withVideo) && !hasVideo(audioOnly) && !hasVideo(portZero)).toBe(true);
    expect(takeVideo(withVideo, true, false, false)).toBe(true);
    expect(takeVideo(withVideo, false, false, false)).toBe(false);
    expect(takeVideo(audioOnly, true, false, false)).toBe(false);
    expect(takeVideo(withVideo, undefined, true, true)).toBe(true); // kept
    expect(takeVideo(withVideo, undefined, false, false)).toBe(true); // added by the peer
    expect(takeVideo(withVideo, undefined, false, true)).toBe(false); // offered before, refused by us
    expect(takeVideo(portZero, undefined, true, true)).toBe(false); // removed
  });
});

describe('MediaSdh with video', () => {
  const mLines = (body: string) => body.split('\r\n').filter((l) => l.startsWith('m='));

  it('places a video call: m=audio and m=video (VP8, nack pli), the answer\'s video applied', async () => {
    const t = videoSdh(true);
    const offer = await t.sdh.getDescription();
    expect(t.opened).toEqual([true]);
    expect(mLines(offer.body)).toEqual(['m=audio 41000 RTP/AVP 111 9 0 8 101 100', 'm=video 41002 RTP/AVP 96']);
    expect(offer.body).toContain('a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\n');
    await t.sdh.setDescription(answerSdp('sendrecv', [], 'RTP/AVP', VIDEO_ANSWER));
    expect(t.f.remotes[0]!.video).toMatchObject({ port: 42002, codecs: [{ name: 'VP8', pt: 96 }] });
    expect(t.sdh.video).toBe(true);
    expect(t.applied).toEqual([true]);
  });

  it('a peer that refuses video (port 0): audio-only, the video sockets freed, port 0 in every later offer', async () => {
    const t = videoSdh(true);
    await t.sdh.getDescription();
    await t.sdh.setDescription(answerSdp('sendrecv', [], 'RTP/AVP', VIDEO_REFUSED));
    expect(t.f.remotes[0]!.video).toBeUndefined();
    expect(t.f.calls).toEqual(['setRemote', 'start', 'video:false']);
    expect(t.sdh.video).toBe(false);
    t.sdh.holding = true;
    expect(mLines((await t.sdh.getDescription()).body)).toEqual(['m=audio 41000 RTP/AVP 111 9 0 8 101 100', 'm=video 0 RTP/AVP 96']);
  });

  it('setVideo: removed with port 0 on its line, added again in the same place (RFC 3264 §8.1)', async () => {
    const t = videoSdh(false);
    await t.sdh.getDescription();
    await t.sdh.setDescription(answerSdp());
    await t.sdh.setVideo(true);
    const add = await t.sdh.getDescription();
    expect(mLines(add.body)).toEqual(['m=audio 41000 RTP/AVP 111 9 0 8 101 100', 'm=video 41002 RTP/AVP 96']); // a new m= line at the end
    await t.sdh.setDescription(answerSdp('sendrecv', [], 'RTP/AVP', VIDEO_ANSWER));
    expect(t.sdh.video).toBe(true);
    await t.sdh.setVideo(false);
    const remove = await t.sdh.getDescription();
    expect(mLines(remove.body)).toEqual(['m=audio 41000 RTP/AVP 111 9 0 8 101 100', 'm=video 0 RTP/AVP 96']);
    await t.sdh.setDescription(answerSdp('sendrecv', [], 'RTP/AVP', VIDEO_REFUSED));
    expect(t.sdh.video).toBe(false);
    expect(t.applied).toEqual([false, true, false]);
    expect(t.f.calls.filter((c) => c.startsWith('video:'))).toEqual(['video:true', 'video:false']);
  });

  it('answers the INVITE\'s video when accepted with video, with the offer\'s payload type', async () => {
    const t = videoSdh(true);
    await t.sdh.setDescription(`${offerSdp()}${VP8_LINE}`);
    const answer = await t.sdh.getDescription();
    expect(t.opened).toEqual([true]);
    expect(mLines(answer.body)).toEqual(['m=audio 41000 RTP/AVP 96 0 101', 'm=video 41002 RTP/AVP 97']);
    expect(t.f.remotes[0]!.video).toMatchObject({ port: 40002, codecs: [{ name: 'VP8', pt: 97 }] });
    expect(t.sdh.video).toBe(true);
  });

  it('accepted audio-only: the video refused with port 0, and refused again when a re-offer repeats it', async () => {
    const t = videoSdh(false);
    await t.sdh.setDescription(`${offerSdp()}${VP8_LINE}`);
    expect(mLines((await t.sdh.getDescription()).body)).toEqual(['m=audio 41000 RTP/AVP 96 0 101', 'm=video 0 RTP/AVP 97']);
    expect(t.opened).toEqual([false]);
    await t.sdh.setDescription(`${offerSdp({ direction: 'sendonly' })}${VP8_LINE}`.replace('o=- 1 1', 'o=- 1 2'));
    expect(mLines((await t.sdh.getDescription()).body)).toEqual(['m=audio 41000 RTP/AVP 96 0 101', 'm=video 0 RTP/AVP 97']);
    expect(t.f.calls).not.toContain('video:true');
  });

  it('a peer\'s re-offer that adds video is taken, one that removes it (port 0) stops ours', async () => {
    const t = videoSdh(false);
    await t.sdh.setDescription(offerSdp());
    await t.sdh.getDescription();
    await t.sdh.setDescription(`${offerSdp()}${VP8_LINE}`.replace('o=- 1 1', 'o=- 1 2'));
    const add = await t.sdh.getDescription();
    expect(mLines(add.body)).toEqual(['m=audio 41000 RTP/AVP 96 0 101', 'm=video 41002 RTP/AVP 97']);
    expect(t.sdh.video).toBe(true);
    await t.sdh.setDescription(`${offerSdp()}${VP8_LINE.replace('40002', '0')}`.replace('o=- 1 1', 'o=- 1 3'));
    const remove = await t.sdh.getDescription();
    expect(mLines(remove.body)).toEqual(['m=audio 41000 RTP/AVP 96 0 101', 'm=video 0 RTP/AVP 97']);
    expect(t.sdh.video).toBe(false);
    expect(t.f.calls.filter((c) => c.startsWith('video:'))).toEqual(['video:true', 'video:false']);
    expect(t.applied).toEqual([false, true, false]);
  });
});
