/**
 * The SDP confab-media gives webrtcbin for the peer (its offer, or its answer to ours), written from
 * the peer's structured description: webrtcbin takes descriptions as SDP only. Audio and video are one
 * BUNDLE group (RFC 8843) on one ICE/DTLS transport, RTCP multiplexed (RFC 5761, RFC 8858
 * `a=rtcp-mux-only` is not needed: webrtcbin always multiplexes). The profile is UDP/TLS/RTP/SAVPF
 * (RFC 5764 § 8). Nothing here reaches a plugin.
 * @since 0.3.0
 */
import type { Codec } from '../codecs/codecs';
import type { DtlsParameters, IceParameters, RemoteDescription } from '../session/types';
import { candidateAttribute } from './ice';

/** The mids (RFC 5888) of our m= sections, as webrtcbin named them in its offer (`audio0`, `video1`). */
export interface Mids {
  readonly audio: string;
  readonly video?: string;
}

/** `a=mid` values of an SDP webrtcbin wrote, by media. */
export function midsOf(sdp: string): Mids {
  let media = '';
  let audio = '';
  let video: string | undefined;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) media = line.slice(2).split(' ')[0] ?? '';
    else if (line.startsWith('a=mid:')) {
      if (media === 'audio' && !audio) audio = line.slice(6);
      else if (media === 'video' && video === undefined) video = line.slice(6);
    }
  }
  return { audio: audio || '0', ...(video !== undefined ? { video } : {}) };
}

function rtpmaps(codecs: readonly Codec[], video: boolean): string[] {
  return codecs.flatMap((c) => {
    const enc = c.name === 'opus' ? 'OPUS' : c.name === 'telephone-event' ? 'telephone-event' : c.name;
    const out = [`a=rtpmap:${c.pt} ${enc}/${c.clockRate}${c.channels > 1 ? `/${c.channels}` : ''}`];
    if (c.fmtp) out.push(`a=fmtp:${c.pt} ${c.fmtp}`);
    // RFC 4585 § 4.2: keyframes on a Picture Loss Indication
    if (video) out.push(`a=rtcp-fb:${c.pt} nack pli`);
    return out;
  });
}

function transport(ice: IceParameters, dtls: DtlsParameters, withCandidates: boolean): string[] {
  return [
    `a=ice-ufrag:${ice.ufrag}`,
    `a=ice-pwd:${ice.pwd}`,
    ...(ice.lite ? ['a=ice-lite'] : []),
    `a=fingerprint:${dtls.fingerprint.hash} ${dtls.fingerprint.value}`,
    `a=setup:${dtls.setup}`,
    ...(withCandidates ? [...ice.candidates.map((c) => `a=${candidateAttribute(c)}`), 'a=end-of-candidates'] : []),
  ];
}

/**
 * The peer's side as SDP: `setup` is what the peer said (actpass in an offer; active or passive in
 * an answer, RFC 5763 § 5). Video is written when the peer has it (a port other than 0).
 */
export function peerSdp(r: RemoteDescription, ice: IceParameters, dtls: DtlsParameters, mids: Mids): string {
  const first = ice.candidates[0];
  const address = first?.address ?? '0.0.0.0';
  const ipv = address.includes(':') ? 'IP6' : 'IP4';
  const port = first?.port ?? 9;
  const video = r.video && r.video.port !== 0 && mids.video !== undefined ? r.video : undefined;
  const group = video ? `${mids.audio} ${mids.video!}` : mids.audio;
  const lines = ['v=0', `o=- ${Date.now()} 1 IN ${ipv} ${address}`, 's=-', 't=0 0', `a=group:BUNDLE ${group}`, 'a=msid-semantic: WMS'];
  lines.push(
    `m=audio ${port} UDP/TLS/RTP/SAVPF ${r.codecs.map((c) => c.pt).join(' ')}`,
    `c=IN ${ipv} ${address}`,
    `a=mid:${mids.audio}`,
    ...transport(ice, dtls, true),
    'a=rtcp-mux',
    `a=${r.direction ?? 'sendrecv'}`,
    ...rtpmaps(r.codecs, false),
  );
  if (video) {
    lines.push(
      `m=video ${port} UDP/TLS/RTP/SAVPF ${video.codecs.map((c) => c.pt).join(' ')}`,
      `c=IN ${ipv} ${address}`,
      `a=mid:${mids.video!}`,
      ...transport(ice, dtls, false),
      'a=rtcp-mux',
      `a=${video.direction ?? 'sendrecv'}`,
      ...rtpmaps(video.codecs, true),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
