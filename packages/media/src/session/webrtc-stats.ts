/**
 * Statistics of a `webrtc` session from webrtcbin's `get-stats` reply (the W3C webrtc-stats
 * dictionaries: inbound-rtp, outbound-rtp, remote-inbound-rtp), asked for when wanted, never sampled
 * per packet. node-gtk hands the nested structures back as opaque GValues, so the reply's
 * serialisation is read instead, as stats.ts does for rtpbin.
 * @since 0.3.0
 */
import type { ExtraStats } from './stats';
import type { SessionStats } from './types';

type Fields = Record<string, string>;

/** The first value of each field per stats entry, by its type (`inbound-rtp`…): nested rtpbin stats come after and are ignored. */
export function statsByType(text: string): Map<string, Fields[]> {
  const plain = text.replace(/\\(.)/g, '$1');
  const out = new Map<string, Fields[]>();
  for (const chunk of plain.split('type=(GstWebRTCStatsType)').slice(1)) {
    const type = /^[a-z-]+/.exec(chunk)?.[0] ?? '';
    const fields: Fields = {};
    // the entry's own fields come before any nested structure (`gst-rtp-source-stats`, `…-stats=(structure)`)
    const own = chunk.split(/=\(structure\)|gst-rtp|application\/x-rtp/)[0] ?? chunk;
    for (const m of own.matchAll(/([a-z][a-z0-9-]*)=\([a-zA-Z0-9]+\)("[^"]*"|[^,;"\s]+)/g)) {
      if (!(m[1]! in fields)) fields[m[1]!] = m[2]!.replace(/^"|"$/g, '');
    }
    const list = out.get(type) ?? [];
    list.push(fields);
    out.set(type, list);
  }
  return out;
}

const num = (f: Fields | undefined, name: string): number => {
  const v = Number(f?.[name]);
  return Number.isFinite(v) ? v : 0;
};

/** What the session adds: as for `rtp`, and whether DTLS-SRTP is up (the peer connection is connected). */
export interface WebRtcExtra extends ExtraStats {
  readonly dtlsSrtp: boolean;
}

/** Our stats from the audio transceiver's reply (and the video's, when there is video). */
export function webrtcStats(audioText: string, extra: WebRtcExtra, videoText = ''): SessionStats {
  const a = statsByType(audioText);
  const v = statsByType(videoText);
  const inbound = a.get('inbound-rtp')?.[0];
  const outbound = a.get('outbound-rtp')?.[0];
  const remote = a.get('remote-inbound-rtp')?.[0];
  // webrtc-stats: jitter and round-trip-time are in seconds; fraction-lost 0..1
  const rtt = remote && remote['round-trip-time'] !== undefined ? num(remote, 'round-trip-time') * 1000 : -1;
  return {
    packetsSent: num(outbound, 'packets-sent'),
    packetsReceived: num(inbound, 'packets-received'),
    remoteFractionLost: num(remote, 'fraction-lost'),
    remotePacketsLost: Math.max(0, num(remote, 'packets-lost')),
    remoteJitterMs: num(remote, 'jitter') * 1000,
    roundTripMs: rtt,
    packetsLost: Math.max(0, num(inbound, 'packets-lost')),
    jitterMs: num(inbound, 'jitter') * 1000,
    farLevelDb: extra.farLevelDb,
    foreignStreams: extra.foreignStreams,
    videoFramesSent: extra.videoFramesSent,
    videoFramesDecoded: extra.videoFramesDecoded,
    videoPacketsSent: num(v.get('outbound-rtp')?.[0], 'packets-sent'),
    videoPacketsReceived: num(v.get('inbound-rtp')?.[0], 'packets-received'),
    dtlsSrtp: extra.dtlsSrtp,
  };
}
