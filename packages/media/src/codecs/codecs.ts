/**
 * The codecs a session offers, in preference order (audio: Opus first; video: VP8, RFC 7741, then H.264,
 * RFC 6184, when this machine has an H.264 encoder), each
 * with its RTP names and the GStreamer elements that carry it. Static payload types from RFC 3551 § 6; dynamic ones are
 * only defaults for our own offers: when answering, the offer's numbers are kept (RFC 3264 § 6.1).
 * @since 0.1.0
 */
import { hasElement } from '../gst/gi';

export type AudioCodecName = 'opus' | 'G722' | 'PCMU' | 'PCMA';
/** @since 0.2.0 */
export type VideoCodecName = 'VP8' | 'H264';
export type CodecName = AudioCodecName | 'telephone-event' | VideoCodecName;

/** A codec as signalled: what a local or remote description lists. */
export interface Codec {
  readonly name: CodecName;
  /** RTP payload type (0–127). */
  readonly pt: number;
  /** The RTP clock rate as signalled (G.722 says 8000 though it samples at 16 kHz, RFC 3551 § 4.5.2). */
  readonly clockRate: number;
  readonly channels: number;
  /** The format parameters (`a=fmtp`), or ''. */
  readonly fmtp: string;
}

export interface CodecElements {
  /** The rate the capture processing runs at for this codec (webrtcdsp rates only). */
  readonly rate: number;
  readonly encoder: string;
  readonly payloader: string;
  readonly depayloader: string;
  readonly decoder: string;
  /** The RTP encoding name in caps. */
  readonly encodingName: string;
}

/**
 * 20 ms packets, as every SDP we write says (a=ptime:20, RFC 4566 § 6): the capture hands 10 ms
 * buffers, which the payloaders of G.711/G.722 would otherwise send one each.
 */
const PTIME_20 = 'min-ptime=20000000 max-ptime=20000000';

const ELEMENTS: Record<AudioCodecName, CodecElements> = {
  // opusenc: 20 ms frames, in-band FEC for loss, DTX off (comfort noise is not ours to decide)
  opus: { rate: 48000, encoder: 'opusenc inband-fec=true frame-size=20', payloader: 'rtpopuspay', depayloader: 'rtpopusdepay', decoder: 'opusdec use-inband-fec=true plc=true', encodingName: 'OPUS' },
  G722: { rate: 16000, encoder: 'avenc_g722', payloader: `rtpg722pay ${PTIME_20}`, depayloader: 'rtpg722depay', decoder: 'avdec_g722', encodingName: 'G722' },
  PCMU: { rate: 8000, encoder: 'mulawenc', payloader: `rtppcmupay ${PTIME_20}`, depayloader: 'rtppcmudepay', decoder: 'mulawdec', encodingName: 'PCMU' },
  PCMA: { rate: 8000, encoder: 'alawenc', payloader: `rtppcmapay ${PTIME_20}`, depayloader: 'rtppcmadepay', decoder: 'alawdec', encodingName: 'PCMA' },
};

/** Our defaults, in preference order. Opus is "opus/48000/2" in SDP (RFC 7587 § 7). */
export const DEFAULT_CODECS: readonly Codec[] = [
  { name: 'opus', pt: 111, clockRate: 48000, channels: 2, fmtp: 'useinbandfec=1' },
  { name: 'G722', pt: 9, clockRate: 8000, channels: 1, fmtp: '' },
  { name: 'PCMU', pt: 0, clockRate: 8000, channels: 1, fmtp: '' },
  { name: 'PCMA', pt: 8, clockRate: 8000, channels: 1, fmtp: '' },
];

/** RFC 4733 § 7.1.1: events 0–15 are the DTMF digits 0-9 * # A-D. Its clock rate follows the audio codec's. */
export function telephoneEvent(pt: number, clockRate: number): Codec {
  return { name: 'telephone-event', pt, clockRate, channels: 1, fmtp: '0-15' };
}

/** The elements of a video codec: the send side after the camera's raw frames, the receive side up to raw frames. */
export interface VideoCodecElements {
  readonly encoder: string;
  readonly payloader: string;
  readonly depayloader: string;
  readonly decoder: string;
  readonly encodingName: string;
}

const VIDEO_ELEMENTS: Record<VideoCodecName, VideoCodecElements> = {
  // vp8enc for calls: realtime deadline, constant bit rate, no look-ahead (lag-in-frames=0: a frame
  // leaves when it is made), partitions resilient to loss, a keyframe at least every 2 s at 15 fps so a
  // receiver that lost one (or whose PLI was lost) recovers; PLI asks for one at once (RFC 4585 § 6.3.1)
  VP8: {
    encoder: 'vp8enc deadline=1 cpu-used=8 end-usage=cbr target-bitrate=300000 lag-in-frames=0 keyframe-max-dist=30 error-resilient=partitions threads=1',
    // RFC 7741 § 4.2: picture IDs let the receiver tell a lost frame from a late one
    payloader: 'rtpvp8pay picture-id-mode=15-bit',
    // after a loss: drop until the next keyframe and ask for one (a GstForceKeyUnit upstream: rtpsession makes it a PLI)
    depayloader: 'rtpvp8depay request-keyframe=true wait-for-keyframe=true',
    decoder: 'vp8dec',
    encodingName: 'VP8',
  },
  // openh264enc (gstreamer1.0-plugins-bad; x264enc is GPL and often absent) for calls: low complexity,
  // bit-rate control at 300 kbit/s holding it by skipping frames (without enable-frame-skip it sent
  // 2.4 Mbit/s of videotestsrc snow; with it 345 kbit/s, and every frame of the ball or smpte pictures),
  // an IDR every 2 s at 15 fps (gop-size=30, measured), one thread;
  // H.264 Baseline has no B-frames, so a frame leaves when it is made. Constrained Baseline, what
  // profile-level-id=42e01f says. h264parse then rtph264pay: SPS/PPS before every IDR
  // (config-interval=-1, so a receiver that joins late or lost them decodes from the next keyframe),
  // and aggregated with it in a STAP-A (RFC 6184 § 5.7.1, packetization-mode=1) without waiting for
  // more (zero-latency); large frames go as FU-A fragments.
  H264: {
    encoder: 'openh264enc complexity=low rate-control=bitrate bitrate=300000 enable-frame-skip=true gop-size=30 usage-type=camera multi-thread=1 ! video/x-h264,profile=constrained-baseline',
    payloader: 'h264parse ! rtph264pay config-interval=-1 aggregate-mode=zero-latency',
    depayloader: 'rtph264depay request-keyframe=true wait-for-keyframe=true',
    // avdec_h264 (gstreamer1.0-libav) decodes every profile a peer may send in; openh264dec only Constrained Baseline
    decoder: 'h264parse ! avdec_h264',
    encodingName: 'H264',
  },
};

/** RFC 7741 § 6.1: VP8/90000, a dynamic payload type: the video codec every confab-media has. @since 0.2.0 */
export const DEFAULT_VIDEO_CODECS: readonly Codec[] = [{ name: 'VP8', pt: 96, clockRate: 90000, channels: 1, fmtp: '' }];

/**
 * H.264 as we offer it (RFC 6184 § 8.1): Constrained Baseline level 3.1 (what we can receive at most;
 * we send 320x240), packetization-mode 1 (single NAL units, STAP-A and FU-A: what browsers and phones
 * use). @since 0.2.0
 */
export const H264_CODEC: Codec = { name: 'H264', pt: 97, clockRate: 90000, channels: 1, fmtp: 'profile-level-id=42e01f;packetization-mode=1' };

/** What a session with video offers by default, in order: VP8, then H.264 — each when this GStreamer has its encoder and decoder (hasEncoder). @since 0.2.0 */
export const VIDEO_CODECS: readonly Codec[] = [...DEFAULT_VIDEO_CODECS, H264_CODEC];

/** `a=fmtp` parameters (`k=v;k=v`, RFC 4566 § 6), names lower-cased (RFC 6184 § 8.1: case-insensitive). */
export function fmtpParams(fmtp: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of fmtp.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

/** H.264 profiles (profile_idc) whose decoders take our Constrained Baseline stream and that avdec_h264 decodes: Baseline (and Constrained Baseline), Main, High. */
const H264_PROFILES = new Set([0x42, 0x4d, 0x64]);
/** Level 3.1: the level_idc of our profile-level-id. */
const H264_OUR_LEVEL = 0x1f;

/**
 * Whether a peer's H.264 format is one we take, and how we say it: RFC 6184 § 8.2.2 — packetization-mode
 * (default 0) is part of the format and must be ours (1), else the payload type is not taken; the profile
 * part of profile-level-id (default 420010, Baseline) must be one whose decoders take Constrained
 * Baseline, and is kept; the level part may change: we say the lower of the peer's level and ours (3.1).
 */
function h264Format(theirs: Codec): Codec | undefined {
  const p = fmtpParams(theirs.fmtp);
  if ((p.get('packetization-mode') ?? '0') !== '1') return undefined;
  const pli = (p.get('profile-level-id') ?? '420010').toLowerCase();
  if (!/^[0-9a-f]{6}$/.test(pli)) return undefined;
  if (!H264_PROFILES.has(parseInt(pli.slice(0, 2), 16))) return undefined;
  const level = Math.min(parseInt(pli.slice(4), 16), H264_OUR_LEVEL);
  return { ...theirs, fmtp: `profile-level-id=${pli.slice(0, 4)}${level.toString(16).padStart(2, '0')};packetization-mode=1` };
}

/**
 * A peer's video format matched against one of ours: undefined when they differ, else the format to
 * answer and send with — the peer's payload type (RFC 3264 § 6.1) and, for H.264, the format
 * parameters of RFC 6184 § 8.2.2 (h264Format). VP8 matches by name and clock rate and is returned as is.
 * @since 0.2.0
 */
export function matchVideoFormat(ours: Codec, theirs: Codec): Codec | undefined {
  if (!isVideoCodec(theirs) || ours.name !== theirs.name || ours.clockRate !== theirs.clockRate) return undefined;
  return theirs.name === 'H264' ? h264Format(theirs) : theirs;
}

export function isVideoCodec(c: Codec): boolean {
  return c.name in VIDEO_ELEMENTS;
}

export function isAudioCodec(c: Codec): boolean {
  return c.name in ELEMENTS;
}

/** The element names of a launch fragment (`a x=1 ! caps/x ! b`): caps filters are not elements. */
function elementNames(fragment: string): string[] {
  return fragment.split('!').map((s) => s.trim().split(' ')[0]!).filter((n) => n !== '' && !n.includes('/'));
}

/** Whether this GStreamer can encode and decode a codec (G.722 needs gstreamer1.0-libav; H.264 openh264enc and avdec_h264). */
export function hasEncoder(c: Codec): boolean {
  if (c.name === 'telephone-event') return true;
  const e = c.name in VIDEO_ELEMENTS ? VIDEO_ELEMENTS[c.name as VideoCodecName] : ELEMENTS[c.name as AudioCodecName];
  return [e.encoder, e.decoder].flatMap(elementNames).every((el) => hasElement(el));
}

export function elementsOf(name: CodecName): CodecElements {
  if (!(name in ELEMENTS)) throw new RangeError(`${name} is not an audio codec`);
  return ELEMENTS[name as AudioCodecName];
}

/** @since 0.2.0 */
export function videoElementsOf(name: CodecName): VideoCodecElements {
  if (!(name in VIDEO_ELEMENTS)) throw new RangeError(`${name} is not a video codec`);
  return VIDEO_ELEMENTS[name as VideoCodecName];
}

export function isCodecName(name: string): name is CodecName {
  return name === 'telephone-event' || name in ELEMENTS || name in VIDEO_ELEMENTS;
}

/** The audio codec name for an SDP encoding name (case-insensitive, RFC 4566 § 6). */
export function codecByEncodingName(encoding: string): CodecName | undefined {
  const lower = encoding.toLowerCase();
  if (lower === 'telephone-event') return 'telephone-event';
  return (Object.keys(ELEMENTS) as AudioCodecName[]).find((n) => n.toLowerCase() === lower);
}

/** The video codec name for an SDP encoding name (case-insensitive). @since 0.2.0 */
export function videoCodecByEncodingName(encoding: string): VideoCodecName | undefined {
  const lower = encoding.toLowerCase();
  return (Object.keys(VIDEO_ELEMENTS) as VideoCodecName[]).find((n) => n.toLowerCase() === lower);
}

/** RTP caps for a codec, as udpsrc and rtpbin's payload-type map want them. */
export function rtpCaps(c: Codec): string {
  if (c.name in VIDEO_ELEMENTS) {
    // rtcp-fb-nack-pli: rtpsession may then send a PLI when the depayloader asks for a keyframe (RFC 4585)
    return `application/x-rtp,media=video,clock-rate=${c.clockRate},encoding-name=${videoElementsOf(c.name).encodingName},payload=${c.pt},rtcp-fb-nack-pli=(boolean)true`;
  }
  const encodingName = c.name === 'telephone-event' ? 'TELEPHONE-EVENT' : elementsOf(c.name).encodingName;
  return `application/x-rtp,media=audio,clock-rate=${c.clockRate},encoding-name=${encodingName},payload=${c.pt}`;
}
