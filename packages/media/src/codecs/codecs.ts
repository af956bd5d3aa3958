/**
 * The audio codecs a session offers, in preference order (Opus first), each with its RTP names and
 * the GStreamer elements that carry it. Static payload types from RFC 3551 § 6; dynamic ones are
 * only defaults for our own offers: when answering, the offer's numbers are kept (RFC 3264 § 6.1).
 * @since 0.1.0
 */
import { hasElement } from '../gst/gi';

export type CodecName = 'opus' | 'G722' | 'PCMU' | 'PCMA' | 'telephone-event';

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

const ELEMENTS: Record<Exclude<CodecName, 'telephone-event'>, CodecElements> = {
  // opusenc: 20 ms frames, in-band FEC for loss, DTX off (comfort noise is not ours to decide)
  opus: { rate: 48000, encoder: 'opusenc inband-fec=true frame-size=20', payloader: 'rtpopuspay', depayloader: 'rtpopusdepay', decoder: 'opusdec use-inband-fec=true plc=true', encodingName: 'OPUS' },
  G722: { rate: 16000, encoder: 'avenc_g722', payloader: 'rtpg722pay', depayloader: 'rtpg722depay', decoder: 'avdec_g722', encodingName: 'G722' },
  PCMU: { rate: 8000, encoder: 'mulawenc', payloader: 'rtppcmupay', depayloader: 'rtppcmudepay', decoder: 'mulawdec', encodingName: 'PCMU' },
  PCMA: { rate: 8000, encoder: 'alawenc', payloader: 'rtppcmapay', depayloader: 'rtppcmadepay', decoder: 'alawdec', encodingName: 'PCMA' },
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

/** Whether this GStreamer can encode and decode a codec (G.722 needs gstreamer1.0-libav). */
export function hasEncoder(c: Codec): boolean {
  if (c.name === 'telephone-event') return true;
  const e = ELEMENTS[c.name];
  return [e.encoder, e.decoder].every((el) => hasElement(el.split(' ')[0]!));
}

export function elementsOf(name: CodecName): CodecElements {
  if (name === 'telephone-event') throw new RangeError('telephone-event is not an audio codec');
  return ELEMENTS[name];
}

export function isCodecName(name: string): name is CodecName {
  return name === 'telephone-event' || name in ELEMENTS;
}

/** The codec name for an SDP encoding name (case-insensitive, RFC 4566 § 6). */
export function codecByEncodingName(encoding: string): CodecName | undefined {
  const lower = encoding.toLowerCase();
  if (lower === 'telephone-event') return 'telephone-event';
  return (Object.keys(ELEMENTS) as Exclude<CodecName, 'telephone-event'>[]).find((n) => n.toLowerCase() === lower);
}

/** RTP caps for a codec, as udpsrc and rtpbin's payload-type map want them. */
export function rtpCaps(c: Codec): string {
  const encodingName = c.name === 'telephone-event' ? 'TELEPHONE-EVENT' : elementsOf(c.name).encodingName;
  return `application/x-rtp,media=audio,clock-rate=${c.clockRate},encoding-name=${encodingName},payload=${c.pt}`;
}
