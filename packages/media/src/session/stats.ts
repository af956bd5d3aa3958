/**
 * RTCP statistics of a session (RFC 3550 § 6.4), read from rtpbin's internal RTPSession when asked —
 * never sampled per packet. The session's `stats` structure nests one structure per source; node-gtk
 * returns those nested values as opaque GValues, so the structure's serialisation is parsed instead.
 * @since 0.1.0
 */
import type { GstStructure } from '../gst/gi';
import type { SessionStats } from './types';

type Fields = Record<string, string>;

/** One record of fields per source in a serialised `application/x-rtp-session-stats`. */
export function parseSourceStats(text: string): Fields[] {
  return text
    .split('application/x-rtp-source-stats')
    .slice(1)
    .map((chunk) => {
      const plain = chunk.replace(/\\(.)/g, '$1');
      const fields: Fields = {};
      for (const m of plain.matchAll(/([a-z][a-z0-9-]*)=\((?:[a-z0-9]+)\)("[^"]*"|[^,;>"\s]+)/gi)) {
        if (!(m[1]! in fields)) fields[m[1]!] = m[2]!.replace(/^"|"$/g, '');
      }
      return fields;
    });
}

const num = (f: Fields, name: string): number => {
  const v = Number(f[name]);
  return Number.isFinite(v) ? v : 0;
};

/** What a session adds to rtpbin's figures: read from elements (level, fakesinks), not from RTCP. */
export interface ExtraStats {
  readonly farLevelDb: number;
  readonly foreignStreams: number;
  readonly videoFramesSent: number;
  readonly videoFramesDecoded: number;
}

/** Packets sent and received on one of rtpbin's sessions (the video's). @since 0.2.0 */
export function packetCounts(sources: readonly Fields[]): { sent: number; received: number } {
  const ours = sources.find((s) => s.internal === 'true' && s['is-sender'] === 'true');
  const peer = sources.filter((s) => s.internal !== 'true').find((s) => s['is-sender'] === 'true');
  return { sent: ours ? num(ours, 'packets-sent') : 0, received: peer ? num(peer, 'packets-received') : 0 };
}

/**
 * The buffers a sink has rendered, from its `stats` property's serialisation
 * (`application/x-gst-base-sink-stats, …, rendered=(guint64)N`): how video frames are counted.
 * @since 0.2.0
 */
export function renderedCount(text: string): number {
  const m = /rendered=\(guint64\)(\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Our stats from the sources: the internal one (ours) and the peer's. `clockRate` converts jitter to ms. */
export function sessionStats(sources: readonly Fields[], clockRate: number, extra: ExtraStats, video: readonly Fields[] = []): SessionStats {
  const ours = sources.find((s) => s.internal === 'true' && s['is-sender'] === 'true') ?? sources.find((s) => s.internal === 'true');
  const remotes = sources.filter((s) => s.internal !== 'true');
  const peer = remotes.find((s) => s['is-sender'] === 'true') ?? remotes[0];
  // the peer's receiver report about our stream: the report block it sent (RFC 3550 § 6.4.1)
  const rb = remotes.find((s) => s['have-rb'] === 'true');
  // known once the peer has echoed one of our sender reports (LSR ≠ 0); on loopback it rounds to 0
  const rttKnown = rb !== undefined && num(rb, 'rb-lsr') !== 0;
  return {
    packetsSent: ours ? num(ours, 'packets-sent') : 0,
    packetsReceived: peer ? num(peer, 'packets-received') : 0,
    remoteFractionLost: rb ? num(rb, 'rb-fractionlost') / 256 : 0,
    // cumulative loss is signed (RFC 3550 § 6.4.1): duplicates make it negative
    remotePacketsLost: rb ? Math.max(0, num(rb, 'rb-packetslost')) : 0,
    remoteJitterMs: rb ? (num(rb, 'rb-jitter') / clockRate) * 1000 : 0,
    // rb-round-trip is in 1/65536 s (NTP short format, RFC 3550 § 4)
    roundTripMs: rttKnown ? (num(rb, 'rb-round-trip') * 1000) / 65536 : -1,
    packetsLost: peer ? Math.max(0, num(peer, 'packets-lost')) : 0,
    jitterMs: peer ? (num(peer, 'jitter') / clockRate) * 1000 : 0,
    farLevelDb: extra.farLevelDb,
    foreignStreams: extra.foreignStreams,
    videoFramesSent: extra.videoFramesSent,
    videoFramesDecoded: extra.videoFramesDecoded,
    videoPacketsSent: packetCounts(video).sent,
    videoPacketsReceived: packetCounts(video).received,
  };
}

export function statsText(s: GstStructure | null): string {
  return s ? s.toString() : '';
}

/** The RMS (dBFS) of a `level` element message's serialisation, -127 when absent. */
export function levelRms(text: string): number {
  const m = /rms=\(GValueArray\)<\s*(-?[\d.e+]+|-inf)/.exec(text);
  if (!m || m[1] === '-inf') return -127;
  return Math.max(-127, Number(m[1]));
}
