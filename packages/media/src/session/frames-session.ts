/**
 * A session on the `frames` transport (issue 20): for protocols that carry media in their own packets
 * (ToxAV: RTP-over-lossy packets 192/193 of a Tox friend connection, c-toxcore toxav/rtp.c). The
 * session still encodes and decodes (webrtcdsp → opusenc, 48 kHz, 20 ms frames; VP8 for video) but its
 * network is the plugin: the encoded frames leave as RTP (rtpopuspay, one Opus frame a packet) to a
 * loopback port the plugin gives in the remote description, and the plugin's frames come back as RTP
 * into the session's loopback socket → jitter buffer → decoder → echo probe → playback. The plugin, not
 * confab-media, turns each packet into its protocol's own framing.
 *
 * Why RTP on a loopback socket (docs/decisions.md): it keeps JavaScript off the per-buffer path in
 * confab-media (udpsink/udpsrc run on GStreamer's threads; an appsink/appsrc bridge through D-Bus or
 * node-gtk would hold the streaming thread on Node's main loop, DESIGN.md § Media), it reuses the `rtp`
 * transport's pipeline whole (jitter buffer, concealment, mute and hold gates, statistics), and the RTP
 * header already carries what a frame needs (sequence, timestamp, marker, payload type).
 *
 * Differences from `rtp`: sockets bind on 127.0.0.1 only, and the remote address must be 127.0.0.1;
 * RTCP is multiplexed on the one socket (the plugin drops it: RFC 5761 § 4, payload types 200–204);
 * Opus only (ToxAV's audio codec), VP8 only for video; no SRTP (the protocol encrypts; nothing leaves
 * the machine in clear). `LocalDescription.transport` is `frames`.
 * @since 0.4.0
 */
import { InvalidArgumentError } from '@confab/sdk';
import type { ErrorSink } from '../gst/safe';
import { RtpSession } from './rtp-session';
import type { LocalDescription, RemoteDescription, SessionOptions } from './types';

/** Where frames go and come from: the plugin is on the same machine. */
export const FRAMES_ADDRESS = '127.0.0.1';

/** The options an `rtp` session needs to carry frames, after checking the caller's. */
export function framesOptions(o: SessionOptions): SessionOptions {
  const only = (asked: readonly string[] | undefined, codec: string, what: string): string[] => {
    if (asked && asked.some((c) => c.toLowerCase() !== codec.toLowerCase())) throw new InvalidArgumentError(`the frames transport carries ${codec} ${what} only`);
    return [codec];
  };
  if (o.srtp) throw new InvalidArgumentError('the frames transport has no SRTP: the protocol that carries the frames encrypts them');
  return {
    ...o,
    transport: 'rtp',
    address: FRAMES_ADDRESS,
    rtcpMux: true,
    srtp: false,
    codecs: only(o.codecs, 'opus', 'audio'),
    ...(o.video ? { videoCodecs: only(o.videoCodecs, 'VP8', 'video') } : {}),
  };
}

export class FramesSession extends RtpSession {
  constructor(id: string, options: SessionOptions, report: ErrorSink) {
    super(id, framesOptions(options), report);
  }

  override localDescription(): LocalDescription {
    return { ...super.localDescription(), transport: 'frames' };
  }

  /** The plugin's loopback port(s): where our frames go, and whose frames we play. */
  override setRemote(r: RemoteDescription): void {
    if (r.address !== FRAMES_ADDRESS || (r.video?.address !== undefined && r.video.address !== FRAMES_ADDRESS)) {
      throw new InvalidArgumentError(`frames go to the plugin on ${FRAMES_ADDRESS} only`);
    }
    if (!r.rtcpMux) throw new InvalidArgumentError('frames: RTCP is multiplexed on the one socket (rtcpMux)');
    super.setRemote(r);
  }
}
