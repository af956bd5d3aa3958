/**
 * A call's m= lines across offers and answers (RFC 3264 §8), and when we take a video stream.
 *
 * RFC 3264 §8.1: a later offer of the session has every m= line the session had, in the same order —
 * a stream is removed by port 0 on its line, never by leaving the line out — and a new stream is
 * added as a new m= line at the end or in the place of one with port 0. So once an m=video line was
 * in an offer or an answer, every offer we make has one: ours with a port while we have video, else
 * `m=video 0 <profile> <formats>` repeating the last formats. The answer side keeps the offer's lines
 * already (`@confab/media`'s answerSdp).
 *
 * Which video we take, when the peer offers it (VP8 we can decode, port other than 0):
 *  - in the INVITE: when the user accepts with video (`accept(id, {video: true})`);
 *  - in a re-INVITE: when we have video now (the peer keeps it), or when the peer *adds* it — its
 *    last description had no video with a port. That is what SIP phones with video enabled do
 *    (baresip's `video` module, Linphone with "accept video"): the far end's camera turns on, ours
 *    follows. A re-offer repeating a video stream we refused before is refused again, so a peer that
 *    keeps offering the video we declined (in a hold re-INVITE, say) cannot turn our camera on.
 * Free of sip.js and of the media process.
 */
import { DEFAULT_VIDEO_CODECS, VIDEO_CODECS, matchVideoFormat, type Direction, type LocalDescription, type ParsedSdp, type SdpMediaChoice } from '@confab/media';

/** The m= lines a call's SDP has had, beyond its audio (which is always the first or second). */
export interface MediaLines {
  /** The m=video line, once there was one: what it says with port 0 while the call has no video. */
  readonly video?: { readonly profile: string; readonly formats: readonly number[] };
  /** m=video before m=audio (the peer's first offer had them so). */
  readonly videoFirst: boolean;
}

export const NO_LINES: MediaLines = { videoFirst: false };

/**
 * Whether an SDP (an offer, or an answer to ours) has a video stream we can take: a port, and VP8 or
 * H.264 in packetization mode 1 (RFC 6184 § 8.2.2; confab-media refuses it with port 0 where it has
 * no H.264 encoder, and the call goes on with audio).
 */
export function hasVideo(sdp: ParsedSdp): boolean {
  const v = sdp.video;
  return !!v && v.port !== 0 && v.codecs.some((c) => VIDEO_CODECS.some((d) => matchVideoFormat(d, c) !== undefined));
}

/**
 * Whether to take the video of the peer's offer. `wish`: the user's choice, for the INVITE's offer
 * (undefined for a re-INVITE); `ours`: the call has video now; `peerHad`: the peer's last
 * description had video with a port (see the header).
 */
export function takeVideo(offer: ParsedSdp, wish: boolean | undefined, ours: boolean, peerHad: boolean): boolean {
  if (!hasVideo(offer)) return false;
  if (wish !== undefined) return wish;
  return ours || !peerHad;
}

/**
 * Our offer (RFC 3264 §5): every codec we can receive, audio and — while the session has it — video;
 * an m=video line with port 0 in its place when the call had one and has no video now (§8.1).
 */
export function offerChoice(local: LocalDescription, direction: Direction, lines: MediaLines): SdpMediaChoice {
  const lv = local.video;
  let video: SdpMediaChoice['video'];
  if (lv) video = { codecs: lv.codecs, rtcpMux: lv.rtcpMux, direction, cryptoTag: lv.crypto ? 1 : undefined };
  else if (lines.video) video = { refused: true, profile: lines.video.profile, formats: lines.video.formats }; // §8.2: removed, the line kept
  return {
    codecs: local.codecs, rtcpMux: local.rtcpMux, direction, cryptoTag: local.crypto ? 1 : undefined,
    ...(video ? { video } : {}),
    ...(video && lines.videoFirst ? { videoFirst: true } : {}),
  };
}

/** The lines after our offer `choice` went out. */
export function linesOfChoice(lines: MediaLines, choice: SdpMediaChoice): MediaLines {
  const v = choice.video;
  if (!v) return lines;
  const video = 'refused' in v ? { profile: v.profile, formats: v.formats } : { profile: v.cryptoTag !== undefined ? 'RTP/SAVP' : 'RTP/AVP', formats: v.codecs.map((c) => c.pt) };
  return { video, videoFirst: lines.videoFirst };
}

/** The lines after the peer's offer: its m=video line (with a port or not) becomes the session's. */
export function linesOfOffer(lines: MediaLines, offer: ParsedSdp): MediaLines {
  const v = offer.video;
  if (!v) return lines;
  return { video: { profile: v.profile, formats: v.formats.length > 0 ? v.formats : [DEFAULT_VIDEO_CODECS[0]!.pt] }, videoFirst: offer.videoFirst === true || lines.videoFirst };
}
