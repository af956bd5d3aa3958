/**
 * SDP between SIP and confab-media (RFC 3264 offer/answer on `@confab/media`'s parser and writer):
 * whether an incoming INVITE's offer can be taken at all (so that we never ring for a call we
 * would have to refuse), the directions of hold (RFC 3264 §8.4), and the o= line's version
 * (RFC 3264 §8). Free of sip.js and of the media process.
 */
import { DEFAULT_CODECS, parseSdp, type Direction, type ParsedSdp, type SdpAudio } from '@confab/media';
import { hasVideo } from './media-lines';
import { isWebRtcSdp, readTransport, webRtcCodec, webRtcProblem } from './sdp-webrtc';

export const SDP_TYPE = 'application/sdp';

export type OfferVerdict =
  /**
   * `audio` is absent for an INVITE without an offer (RFC 3261 §13.2.1: we offer in the 200); `video`:
   * the offer has a video stream we could take (media-lines.ts), so the call rings as a video call.
   */
  | { readonly ok: true; readonly audio?: SdpAudio; readonly video: boolean; readonly webrtc?: boolean }
  | { readonly ok: false; readonly statusCode: number; readonly reasonPhrase: string; readonly extraHeaders: readonly string[] };

const PROFILES = ['RTP/AVP', 'RTP/SAVP']; // RFC 3551; RFC 3711 with SDES keys (RFC 4568 §3.1.4)

/** Whether an incoming INVITE's body is an offer we could answer. `agent` names us in Warning headers. */
export function checkOffer(contentType: string | undefined, body: string | undefined, agent: string): OfferVerdict {
  const refuse = (statusCode: number, reasonPhrase: string, extraHeaders: string[] = []): OfferVerdict => ({ ok: false, statusCode, reasonPhrase, extraHeaders });
  // RFC 3261 §20.43: a 488 says why with a Warning code from its table
  const warn = (code: number, text: string) => [`Warning: ${code} ${agent} "${text}"`];
  if (!body || body.trim() === '') return { ok: true, video: false };
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== SDP_TYPE) return refuse(415, 'Unsupported Media Type', [`Accept: ${SDP_TYPE}`]); // RFC 3261 §21.4.13
  let parsed: ParsedSdp;
  try {
    parsed = parseSdp(body);
  } catch (err) {
    return refuse(400, 'Malformed SDP', warn(399, (err as Error).message.slice(0, 80))); // RFC 3261 §21.4.1 (oversized too)
  }
  const audio = parsed.audio;
  if (!audio || audio.port === 0) return refuse(488, 'Not Acceptable Here', warn(304, 'Media type not available')); // RFC 3264 §6: no audio to take
  if (isWebRtcSdp(body)) {
    // ICE + DTLS-SRTP (RFC 5763 § 5, RFC 8839): taken on the webrtc transport, whatever media-encryption says
    const problem = webRtcProblem(audio, readTransport(body));
    if (problem) return refuse(488, 'Not Acceptable Here', warn(302, problem.slice(0, 80)));
    if (!webRtcCodec(audio.codecs)) return refuse(488, 'Not Acceptable Here', warn(305, 'Incompatible media format'));
    return { ok: true, audio, video: false, webrtc: true }; // video is not taken on this transport yet (port 0)
  }
  if (!PROFILES.includes(audio.profile)) return refuse(488, 'Not Acceptable Here', warn(302, 'Incompatible transport protocol'));
  if (audio.profile === 'RTP/SAVP' && audio.crypto.length === 0) return refuse(488, 'Not Acceptable Here', warn(305, 'No usable crypto attribute')); // RFC 4568 §7.1.2
  if (!hasCommonCodec(audio)) return refuse(488, 'Not Acceptable Here', warn(305, 'Incompatible media format')); // RFC 3261 §21.4.26
  return { ok: true, audio, video: hasVideo(parsed) };
}

/** An audio codec of the offer that confab-media also has (telephone-event alone is not a call). */
export function hasCommonCodec(audio: SdpAudio): boolean {
  return audio.codecs.some((c) => c.name !== 'telephone-event' && DEFAULT_CODECS.some((d) => d.name === c.name && d.clockRate === c.clockRate));
}

/** RFC 3264 §8.4: a peer that will not receive from us (sendonly, inactive) is holding the call. */
export function isHolding(peer: Direction): boolean {
  return peer === 'sendonly' || peer === 'inactive';
}

/**
 * The direction we answer an offer with (RFC 3264 §6.1): the mirror of the offer's, unless we hold
 * the call ourselves — then we only send (sendonly), or nothing at all if the peer holds too.
 */
export function answerDirection(peer: Direction, weHold: boolean): Direction {
  if (!weHold) return { sendrecv: 'sendrecv', sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive' }[peer] as Direction;
  return peer === 'sendrecv' || peer === 'recvonly' ? 'sendonly' : 'inactive';
}

/** The direction of our offer: sendonly while we hold (RFC 3264 §8.4), else sendrecv. */
export function offerDirection(weHold: boolean): Direction {
  return weHold ? 'sendonly' : 'sendrecv';
}

/**
 * The o= line of one call's SDP (RFC 4566 §5.2): one session id, a version that goes up by one
 * with every description that differs from the one before, and stays when it does not (RFC 3264 §8).
 */
export class SdpOrigin {
  readonly sessionId: string;
  private version = 0;
  private last?: string;

  constructor(random: () => number = Math.random) {
    this.sessionId = String(Math.floor(random() * 1e12) + 1); // RFC 4566 §5.2: a numeric string, NTP-like
  }

  /** The description `make` writes, with this origin's id and the right version. */
  describe(make: (o: { sessionId: string; sessionVersion: number }) => string): string {
    let body = make({ sessionId: this.sessionId, sessionVersion: this.version });
    const content = withoutOrigin(body);
    if (this.last !== undefined && content !== this.last) {
      this.version++;
      body = make({ sessionId: this.sessionId, sessionVersion: this.version });
    }
    this.last = content;
    return body;
  }
}

function withoutOrigin(sdp: string): string {
  return sdp.replace(/^o=.*$/m, '');
}
