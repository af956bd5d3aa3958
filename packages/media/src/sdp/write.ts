/**
 * Writing SDP offers and answers (RFC 3264) from a session's local description. An answer lists the
 * offer's payload types for the codecs it accepts (RFC 3264 § 6.1), answers one crypto attribute with
 * the offer's tag (RFC 4568 § 7.1.2) and rtcp-mux only when offered (RFC 5761 § 5.1.1).
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
}

function rtpmap(c: Codec): string[] {
  const enc = c.name === 'opus' ? 'opus' : c.name;
  const channels = c.channels > 1 ? `/${c.channels}` : '';
  const out = [`a=rtpmap:${c.pt} ${enc}/${c.clockRate}${channels}`];
  if (c.fmtp) out.push(`a=fmtp:${c.pt} ${c.fmtp}`);
  return out;
}

function body(l: LocalDescription, o: SdpOrigin, m: SdpMediaChoice): string {
  const ipv = l.address.includes(':') ? 'IP6' : 'IP4';
  const srtp = l.crypto !== undefined && m.cryptoTag !== undefined;
  const lines = [
    'v=0',
    `o=${o.username ?? '-'} ${o.sessionId} ${o.sessionVersion} IN ${ipv} ${l.address}`,
    's=-',
    `c=IN ${ipv} ${l.address}`,
    't=0 0',
    // RFC 4568 § 3.1.4: SRTP with SDES is the RTP/SAVP profile
    `m=audio ${l.port} ${srtp ? 'RTP/SAVP' : 'RTP/AVP'} ${m.codecs.map((c) => c.pt).join(' ')}`,
    ...m.codecs.flatMap(rtpmap),
    'a=ptime:20',
  ];
  if (m.rtcpMux) lines.push('a=rtcp-mux');
  else lines.push(`a=rtcp:${l.rtcpPort}`); // RFC 3605
  if (srtp) lines.push(`a=crypto:${m.cryptoTag} ${l.crypto!.suite} inline:${l.crypto!.keySalt}`);
  lines.push(`a=${m.direction}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** An offer of everything the session can receive. */
export function sdpOffer(l: LocalDescription, o: SdpOrigin, direction: Direction = 'sendrecv'): string {
  return body(l, o, { codecs: l.codecs, rtcpMux: l.rtcpMux, direction, cryptoTag: l.crypto ? 1 : undefined });
}

export function sdpAnswer(l: LocalDescription, o: SdpOrigin, m: SdpMediaChoice): string {
  return body(l, o, m);
}
