/**
 * confab-media's GetStats (its contract's names) as the model's CallStats (RTCP, RFC 3550 §6.4), for
 * every plugin's CallsFacet; with `video` (the call carries it now), the frames counted by its pipeline.
 * @since 0.4.0
 */
import type { CallStats } from '@confab/sdk';

export function callStatsOf(s: Readonly<Record<string, number>>, codec: string, video = false): CallStats {
  const n = (k: string) => (Number.isFinite(s[k]) ? s[k]! : 0);
  const rtt = s['round-trip-ms'];
  return {
    packetsSent: n('packets-sent'),
    packetsReceived: n('packets-received'),
    packetsLost: n('packets-lost'),
    jitterMs: n('jitter-ms'),
    ...(rtt !== undefined && Number.isFinite(rtt) && rtt >= 0 ? { roundTripMs: rtt } : {}), // -1 until the first report
    codec,
    ...(video ? { videoFramesSent: n('video-frames-sent'), videoFramesDecoded: n('video-frames-decoded') } : {}),
  };
}
