/**
 * Offer/answer for a Jingle session on confab-media's `webrtc` transport (XEP-0176 + XEP-0320),
 * with confab-media's negotiation (answerSdp/remoteFromSdp, as for raw UDP) and the differences of
 * that transport:
 *   - as answerer we must give confab-media the offer *before* asking for our description (its role
 *     comes from the order of calls), so the answer is negotiated against what a webrtc session
 *     will have — Opus (and VP8) with confab-media's payload types — not a LocalDescription;
 *   - it carries one audio codec and no telephone-event (DTMF is not on webrtc yet): those are left
 *     out of what we answer and of what confab-media is told;
 *   - RTCP is always multiplexed (RFC 5761) and everything is bundled (RFC 8843);
 *   - the remote description gets the peer's ICE credentials, candidates and fingerprint.
 */
import {
  DEFAULT_CODECS, DEFAULT_VIDEO_CODECS, answerSdp, remoteFromSdp,
  type Answer, type DtlsParameters, type IceCandidate, type IceParameters, type LocalDescription, type ParsedSdp, type RemoteDescription,
} from '@confab/media';

/** What a webrtc session of confab-media receives and sends: its first codec (Opus) and VP8. */
function webrtcTemplate(address: string, video: boolean): LocalDescription {
  const audio = DEFAULT_CODECS.slice(0, 1);
  return {
    transport: 'webrtc', address, port: 9, rtcpPort: 9, rtcpMux: true, codecs: audio,
    ...(video ? { video: { port: 9, rtcpPort: 9, rtcpMux: true, codecs: DEFAULT_VIDEO_CODECS } } : {}),
  };
}

const noEvents = <T extends { name: string }>(codecs: readonly T[]): T[] => codecs.filter((c) => c.name !== 'telephone-event');

export interface PeerTransport {
  readonly ice: IceParameters;
  readonly dtls: DtlsParameters;
}

function withTransport(r: RemoteDescription, t: PeerTransport, candidates: readonly IceCandidate[]): RemoteDescription {
  return { ...r, rtcpMux: true, codecs: noEvents(r.codecs), ice: { ...t.ice, candidates }, dtls: t.dtls, ...(r.video ? { video: { ...r.video, rtcpMux: true } } : {}) };
}

/** Our answer to a webrtc offer (RFC 3264 § 6.1 by confab-media's answerSdp) and the remote description for it. */
export function webrtcAnswer(offer: ParsedSdp, address: string, video: boolean, t: PeerTransport, candidates: readonly IceCandidate[]): Answer {
  const a = answerSdp(offer, webrtcTemplate(address, video), 'sendrecv');
  return { remote: withTransport(a.remote, t, candidates), choice: { ...a.choice, codecs: noEvents(a.choice.codecs), rtcpMux: true } };
}

/** The remote description from the answer to our webrtc offer (RFC 3264 § 7). */
export function webrtcRemote(answer: ParsedSdp, local: LocalDescription, t: PeerTransport, candidates: readonly IceCandidate[]): RemoteDescription {
  return withTransport(remoteFromSdp(answer, local), t, candidates);
}
