/**
 * Writing SDP offers and answers (RFC 3264) from a session's local description. An answer lists the
 * offer's payload types for the codecs it accepts (RFC 3264 § 6.1), answers one crypto attribute with
 * the offer's tag (RFC 4568 § 7.1.2) and rtcp-mux only when offered (RFC 5761 § 5.1.1).
 * A session with video adds an m=video section (0.2.0): VP8 (RFC 7741) with PLI feedback (RFC 4585
 * § 4.2), its own port, RTCP and key; a refused video stream is answered with port 0 (RFC 3264 § 6).
 * An audio-only session writes what 0.1.0 wrote, with a=rtcp beside a=rtcp-mux since 0.2.0.
 * @since 0.1.0
 */
import type { Codec } from '../codecs/codecs';
import type { Direction, LocalDescription } from '../session/types';

export interface SdpOrigin {
  /** o= session id and version (RFC 4566 § 5.2): the version goes up with every new offer of a session. */
  readonly sessionId: string;
  readonly sessionVersion: number;
  readonly username?: string;
}

export interface SdpMediaChoice {
  readonly codecs: readonly Codec[];
  readonly rtcpMux: boolean;
  readonly direction: Direction;
  /** The crypto tag (our key goes with it), when SRTP. */
  readonly cryptoTag?: number;
  /** The video section: ours, or a refusal of the offer's. Absent: no m=video at all. @since 0.2.0 */
  readonly video?: SdpVideoChoice | SdpRefusedStream;
  /** Write m=video before m=audio (an answer to an offer in that order). @since 0.2.0 */
  readonly videoFirst?: boolean;
}

/** @since 0.2.0 */
export interface SdpVideoChoice {
  /** Our video codecs with the offer's payload types (an answer), or all of ours (an offer). */
  readonly codecs: readonly Codec[];
  readonly rtcpMux: boolean;
  readonly direction: Direction;
  readonly cryptoTag?: number;
}

/** An offered stream we do not take: `m=<media> 0 <profile> <formats>` (RFC 3264 § 6). @since 0.2.0 */
export interface SdpRefusedStream {
  readonly refused: true;
  readonly profile: string;
  readonly formats: readonly number[];
}

function rtpmap(c: Codec): string[] {
  const enc = c.name === 'opus' ? 'opus' : c.name;
  const channels = c.channels > 1 ? `/${c.channels}` : '';
  const out = [`a=rtpmap:${c.pt} ${enc}/${c.clockRate}${channels}`];
  if (c.fmtp) out.push(`a=fmtp:${c.pt} ${c.fmtp}`);
  return out;
}

/**
 * a=rtcp (RFC 3605) and rtcp-mux, the crypto line, the direction: the tail of a media section. With
 * rtcp-mux, a=rtcp names the RTP port itself (RFC 5761 § 5.1.3), so a peer that declines to
 * multiplex still sends its RTCP where we listen (baresip 1.0 does: else it goes to port + 1).
 */
function streamTail(rtcpMux: boolean, rtcpPort: number, crypto: LocalDescription['crypto'], tag: number | undefined, direction: Direction): string[] {
  const out = rtcpMux ? [`a=rtcp:${rtcpPort}`, 'a=rtcp-mux'] : [`a=rtcp:${rtcpPort}`];
  if (crypto && tag !== undefined) out.push(`a=crypto:${tag} ${crypto.suite} inline:${crypto.keySalt}`);
  out.push(`a=${direction}`);
  return out;
}

function audioSection(l: LocalDescription, m: SdpMediaChoice): string[] {
  const srtp = l.crypto !== undefined && m.cryptoTag !== undefined;
  return [
    // RFC 4568 § 3.1.4: SRTP with SDES is the RTP/SAVP profile
    `m=audio ${l.port} ${srtp ? 'RTP/SAVP' : 'RTP/AVP'} ${m.codecs.map((c) => c.pt).join(' ')}`,
    ...m.codecs.flatMap(rtpmap),
    'a=ptime:20',
    ...streamTail(m.rtcpMux, l.rtcpPort, l.crypto, srtp ? m.cryptoTag : undefined, m.direction),
  ];
}

function videoSection(l: LocalDescription, v: SdpVideoChoice | SdpRefusedStream): string[] {
  if ('refused' in v || !l.video) {
    const r = 'refused' in v ? v : { profile: 'RTP/AVP', formats: v.codecs.map((c) => c.pt) };
    return [`m=video 0 ${r.profile} ${r.formats.join(' ')}`];
  }
  const lv = l.video;
  const srtp = lv.crypto !== undefined && v.cryptoTag !== undefined;
  return [
    `m=video ${lv.port} ${srtp ? 'RTP/SAVP' : 'RTP/AVP'} ${v.codecs.map((c) => c.pt).join(' ')}`,
    // RFC 4585 § 4.2: we answer a Picture Loss Indication with a keyframe, and send one after a loss
    ...v.codecs.flatMap((c) => [...rtpmap(c), `a=rtcp-fb:${c.pt} nack pli`]),
    ...streamTail(v.rtcpMux, lv.rtcpPort, lv.crypto, srtp ? v.cryptoTag : undefined, v.direction),
  ];
}

function body(l: LocalDescription, o: SdpOrigin, m: SdpMediaChoice): string {
  const ipv = l.address.includes(':') ? 'IP6' : 'IP4';
  const audio = audioSection(l, m);
  const video = m.video ? videoSection(l, m.video) : [];
  const lines = [
    'v=0',
    `o=${o.username ?? '-'} ${o.sessionId} ${o.sessionVersion} IN ${ipv} ${l.address}`,
    's=-',
    `c=IN ${ipv} ${l.address}`,
    't=0 0',
    // RFC 3264 § 6: an answer has the offer's m= lines in the offer's order
    ...(m.videoFirst ? [...video, ...audio] : [...audio, ...video]),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** An offer of everything the session can receive: audio, and video when the session has it. */
export function sdpOffer(l: LocalDescription, o: SdpOrigin, direction: Direction = 'sendrecv'): string {
  const video = l.video ? { codecs: l.video.codecs, rtcpMux: l.video.rtcpMux, direction, cryptoTag: l.video.crypto ? 1 : undefined } : undefined;
  return body(l, o, { codecs: l.codecs, rtcpMux: l.rtcpMux, direction, cryptoTag: l.crypto ? 1 : undefined, ...(video ? { video } : {}) });
}

export function sdpAnswer(l: LocalDescription, o: SdpOrigin, m: SdpMediaChoice): string {
  return body(l, o, m);
}
