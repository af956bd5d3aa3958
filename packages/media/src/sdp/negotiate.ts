/**
 * Offer/answer (RFC 3264) between a parsed SDP and a session: what to answer an offer with, and the
 * remote description to give the session from an offer or an answer. `answerOffer`/`remoteFromAnswer`
 * take the audio m= line only (0.1.0, unchanged); `answerSdp`/`remoteFromSdp` take the whole SDP and
 * add video (0.2.0).
 * @since 0.1.0
 */
import { ConfabError, InvalidArgumentError } from '@confab/sdk';
import type { Codec } from '../codecs/codecs';
import { matchVideoFormat } from '../codecs/codecs';
import type { Direction, LocalDescription, RemoteDescription, RemoteVideoDescription } from '../session/types';
import type { ParsedSdp, SdpAudio, SdpVideo } from './parse';
import type { SdpMediaChoice, SdpRefusedStream, SdpVideoChoice } from './write';

/** RFC 3264 § 6.1: the answer's direction mirrors the offer's. */
const MIRROR: Record<Direction, Direction> = { sendrecv: 'sendrecv', sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive' };

export interface Answer {
  /** What the session is told about the peer. */
  readonly remote: RemoteDescription;
  /** What the answer lists (the offer's payload types). */
  readonly choice: SdpMediaChoice;
}

const same = (a: Codec, b: Codec) => a.name === b.name && a.clockRate === b.clockRate;

/**
 * The peer's video formats we take, in its order, with its payload types (RFC 3264 § 6.1) and, for
 * H.264, the format parameters we answer with (RFC 6184 § 8.2.2: packetization-mode must be ours, the
 * level is the lower of the two; matchVideoFormat).
 */
function commonVideo(theirs: readonly Codec[], ours: readonly Codec[]): Codec[] {
  const out: Codec[] = [];
  for (const c of theirs) {
    const m = ours.map((o) => matchVideoFormat(o, c)).find((x) => x !== undefined);
    if (m) out.push(m);
  }
  return out;
}

/**
 * The answer to an offer: the offer's codecs we also have, in the offer's order, with its payload
 * types; telephone-event at the chosen codec's rate. NotCapable (a SIP 488) when none is common or
 * the offer asks for SRTP and the session has none (or the other way round).
 */
export function answerOffer(offer: SdpAudio, local: LocalDescription, ourDirection: Direction = 'sendrecv'): Answer {
  const audio = offer.codecs.filter((c) => c.name !== 'telephone-event' && local.codecs.some((l) => same(l, c)));
  if (audio.length === 0) throw new ConfabError('NotCapable', 'no codec in common (488)');
  const te = offer.codecs.find((c) => c.name === 'telephone-event' && c.clockRate === audio[0]!.clockRate);
  const savp = offer.profile === 'RTP/SAVP';
  if (savp !== (local.crypto !== undefined)) throw new ConfabError('NotCapable', savp ? 'the offer needs SRTP' : 'the session needs SRTP');
  const key = savp ? offer.crypto.find((k) => k.suite === local.crypto!.suite) ?? offer.crypto[0] : undefined;
  if (savp && !key) throw new ConfabError('NotCapable', 'no usable crypto attribute');
  const codecs = te ? [...audio, te] : audio;
  const rtcpMux = offer.rtcpMux && local.rtcpMux;
  const peer = offer.direction;
  const direction = ourDirection === 'sendrecv' ? MIRROR[peer] : ourDirection;
  return {
    remote: { address: offer.address, port: offer.port, rtcpPort: offer.rtcpPort, rtcpMux, codecs, ...(key ? { crypto: { suite: key.suite, keySalt: key.keySalt } } : {}), direction: peer },
    choice: { codecs, rtcpMux, direction, cryptoTag: key?.tag },
  };
}

/** The remote description from the answer to our offer. */
export function remoteFromAnswer(answer: SdpAudio, local: LocalDescription): RemoteDescription {
  if (answer.port === 0) throw new ConfabError('NotCapable', 'the peer refused the audio stream');
  const codecs = answer.codecs.filter((c) => local.codecs.some((l) => same(l, c)));
  if (!codecs.some((c) => c.name !== 'telephone-event')) throw new InvalidArgumentError('the answer has no codec we offered');
  const key = local.crypto ? answer.crypto[0] : undefined;
  if (local.crypto && !key) throw new ConfabError('NotCapable', 'the answer has no crypto attribute');
  return { address: answer.address, port: answer.port, rtcpPort: answer.rtcpPort, rtcpMux: answer.rtcpMux && local.rtcpMux, codecs, ...(key ? { crypto: { suite: key.suite, keySalt: key.keySalt } } : {}), direction: answer.direction };
}

/**
 * The answer to a whole offer (0.2.0): the audio as `answerOffer`, and its video stream taken when the
 * session has video, a codec is common and the profile matches our SRTP — otherwise refused with port 0
 * (RFC 3264 § 6), and the call goes on audio-only. The answer keeps the offer's m= line order.
 * Without video in the offer, the same answer `answerOffer` gives.
 * @since 0.2.0
 */
export function answerSdp(offer: ParsedSdp, local: LocalDescription, ourDirection: Direction = 'sendrecv'): Answer {
  if (!offer.audio || offer.audio.port === 0) throw new ConfabError('NotCapable', 'the offer has no audio stream (488)');
  const audio = answerOffer(offer.audio, local, ourDirection);
  if (!offer.video) return audio;
  const video = answerVideo(offer.video, local, ourDirection);
  const choice: SdpMediaChoice = { ...audio.choice, video: video.choice, ...(offer.videoFirst ? { videoFirst: true } : {}) };
  return { remote: { ...audio.remote, ...(video.remote ? { video: video.remote } : {}) }, choice };
}

function refuse(v: SdpVideo): { choice: SdpRefusedStream; remote?: undefined } {
  return { choice: { refused: true, profile: v.profile, formats: v.formats.length > 0 ? v.formats : [0] } };
}

function answerVideo(v: SdpVideo, local: LocalDescription, ourDirection: Direction): { choice: SdpVideoChoice | SdpRefusedStream; remote?: RemoteVideoDescription } {
  const lv = local.video;
  if (!lv || v.port === 0) return refuse(v);
  const codecs = commonVideo(v.codecs, lv.codecs);
  const savp = v.profile === 'RTP/SAVP';
  const key = savp ? v.crypto.find((k) => k.suite === lv.crypto?.suite) ?? v.crypto[0] : undefined;
  if (codecs.length === 0 || savp !== (lv.crypto !== undefined) || (savp && !key)) return refuse(v);
  const rtcpMux = v.rtcpMux && lv.rtcpMux;
  const direction = ourDirection === 'sendrecv' ? MIRROR[v.direction] : ourDirection;
  return {
    choice: { codecs, rtcpMux, direction, cryptoTag: key?.tag },
    remote: { address: v.address, port: v.port, rtcpPort: v.rtcpPort, rtcpMux, codecs, ...(key ? { crypto: { suite: key.suite, keySalt: key.keySalt } } : {}), direction: v.direction },
  };
}

/**
 * The remote description from the whole answer to our offer (0.2.0): the audio as `remoteFromAnswer`;
 * video when we offered it and the answer took it (a port other than 0 and one of our codecs).
 * @since 0.2.0
 */
export function remoteFromSdp(answer: ParsedSdp, local: LocalDescription): RemoteDescription {
  if (!answer.audio) throw new ConfabError('NotCapable', 'the answer has no audio stream');
  const audio = remoteFromAnswer(answer.audio, local);
  const v = answer.video;
  const lv = local.video;
  if (!v || !lv || v.port === 0) return audio;
  const codecs = commonVideo(v.codecs, lv.codecs);
  if (codecs.length === 0) throw new InvalidArgumentError('the answer\'s video has no codec we offered');
  const key = lv.crypto ? v.crypto[0] : undefined;
  if (lv.crypto && !key) throw new ConfabError('NotCapable', 'the answer\'s video has no crypto attribute');
  const video: RemoteVideoDescription = { address: v.address, port: v.port, rtcpPort: v.rtcpPort, rtcpMux: v.rtcpMux && lv.rtcpMux, codecs, ...(key ? { crypto: { suite: key.suite, keySalt: key.keySalt } } : {}), direction: v.direction };
  return { ...audio, video };
}
