/**
 * ToxAV's RTP over lossy packets (c-toxcore 0.2.18 toxav/rtp.c, rtp.h): packet id 192 (audio) or
 * 193 (video), then an 80-byte header (rtp.c rtp_header_pack: the 12 bytes of RFC 3550's fixed header,
 * then Tox's flags u64, offset_full u32, data_length_full u32, received_length_full u32, 11 zero
 * u32s, offset_lower u16, data_length_lower u16; all big-endian), then the data. A frame longer than
 * MAX_CRYPTO_DATA_SIZE − 81 is sent in pieces with the same header save the offsets (rtp.c
 * rtp_send_data); video always sets RTP_LARGE_FRAME and the full 32-bit length and offset.
 * Audio data is the sampling rate (u32, big-endian) then one Opus packet (toxav.c
 * toxav_audio_send_frame; audio.c ac_iterate reads it back).
 * @since 0.2.0
 */
import { MAX_CRYPTO_DATA_SIZE } from '../net-crypto/constants';

/** rtp.h RTP_Type: the lossy packet ids, also the header's payload type (mod 128). */
export const RTP_TYPE_AUDIO = 192;
export const RTP_TYPE_VIDEO = 193;
/** rtp.h RTP_HEADER_SIZE. */
export const RTP_HEADER_SIZE = 80;
/** rtp.h RTPFlags. */
export const RTP_LARGE_FRAME = 1;
export const RTP_KEY_FRAME = 2;
/** What one lossy packet carries at most after id and header (rtp.c rtp_send_data's `piece`). */
export const RTP_PIECE = MAX_CRYPTO_DATA_SIZE - (RTP_HEADER_SIZE + 1);

export interface AvRtpHeader {
  readonly marker: boolean;
  /** 64 (audio) or 65 (video): the packet id mod 128. */
  readonly pt: number;
  readonly sequence: number;
  /** The sender's monotonic clock, ms (rtp.c: current_time_monotonic). */
  readonly timestamp: number;
  readonly ssrc: number;
  /** RTPFlags bits (only the low 32 are used by 0.2.18). */
  readonly flags: number;
  readonly offsetFull: number;
  readonly lengthFull: number;
  readonly offsetLower: number;
  readonly lengthLower: number;
}

export interface AvRtpPacket {
  readonly header: AvRtpHeader;
  readonly data: Uint8Array;
}

/** The lossy packets of one frame, as rtp.c rtp_send_data splits it. */
export function framePackets(type: number, h: { sequence: number; timestamp: number; ssrc: number; keyFrame?: boolean }, frame: Uint8Array): Uint8Array[] {
  const video = type === RTP_TYPE_VIDEO;
  const flags = (video ? RTP_LARGE_FRAME : 0) | (h.keyFrame ? RTP_KEY_FRAME : 0);
  const out: Uint8Array[] = [];
  for (let sent = 0; sent < frame.length || (sent === 0 && frame.length === 0); ) {
    const piece = Math.min(RTP_PIECE, frame.length - sent);
    const p = new Uint8Array(1 + RTP_HEADER_SIZE + piece);
    const v = new DataView(p.buffer);
    p[0] = type;
    p[1] = 2 << 6; // version 2 ("unused in toxav"), no padding, extension or CSRC
    p[2] = type % 128;
    v.setUint16(3, h.sequence & 0xffff);
    v.setUint32(5, h.timestamp >>> 0);
    v.setUint32(9, h.ssrc >>> 0);
    v.setUint32(13, 0); // flags, high 32 bits
    v.setUint32(17, flags);
    v.setUint32(21, sent); // offset_full
    v.setUint32(25, frame.length); // data_length_full
    // received_length_full and the 11 padding words stay 0
    v.setUint16(77, sent & 0xffff); // offset_lower
    v.setUint16(79, Math.min(frame.length, 0xffff)); // data_length_lower
    p.set(frame.subarray(sent, sent + piece), 1 + RTP_HEADER_SIZE);
    out.push(p);
    sent += piece;
    if (piece === 0) break;
  }
  return out;
}

/**
 * A lossy packet read as rtp.c handle_rtp_packet reads it, with its checks: at least a header and
 * one byte, the header's payload type the packet id's, offsets inside the frame. `undefined`: dropped.
 */
export function decodeAvRtp(packet: Uint8Array): AvRtpPacket | undefined {
  if (packet.length < 1 + RTP_HEADER_SIZE + 1) return undefined;
  const type = packet[0]!;
  if (type !== RTP_TYPE_AUDIO && type !== RTP_TYPE_VIDEO) return undefined;
  const v = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const header: AvRtpHeader = {
    marker: (packet[2]! & 0x80) !== 0,
    pt: packet[2]! & 0x7f,
    sequence: v.getUint16(3),
    timestamp: v.getUint32(5),
    ssrc: v.getUint32(9),
    flags: v.getUint32(17),
    offsetFull: v.getUint32(21),
    lengthFull: v.getUint32(25),
    offsetLower: v.getUint16(77),
    lengthLower: v.getUint16(79),
  };
  if (header.pt !== type % 128) return undefined;
  if ((header.flags & RTP_LARGE_FRAME) !== 0 && header.offsetFull >= header.lengthFull) return undefined;
  if (header.offsetLower >= header.lengthLower) return undefined;
  return { header, data: packet.subarray(1 + RTP_HEADER_SIZE) };
}

/** toxav.c toxav_audio_send_frame: the sampling rate, then the Opus packet. */
export function audioFrame(rate: number, opus: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + opus.length);
  new DataView(out.buffer).setUint32(0, rate);
  out.set(opus, 4);
  return out;
}

/** The Opus packet of an audio frame (audio.c ac_iterate skips the 4-byte rate); undefined if empty. */
export function opusOf(frame: Uint8Array): Uint8Array | undefined {
  return frame.length > 4 ? frame.subarray(4) : undefined;
}

/**
 * Samples at 48 kHz in an Opus packet, from its TOC byte (RFC 6716 § 3.1): the configuration gives
 * the frame size, the code the frame count (code 3: the count byte). 0 when unreadable.
 */
export function opusSamples48k(p: Uint8Array): number {
  if (p.length === 0) return 0;
  const toc = p[0]!;
  const config = toc >> 3;
  let size: number; // in 1/400 s (2.5 ms) units × 120 samples
  if (config < 12) size = [480, 960, 1920, 2880][config & 3]!; // SILK: 10, 20, 40, 60 ms
  else if (config < 16) size = [480, 960][config & 1]!; // hybrid: 10, 20 ms
  else size = [120, 240, 480, 960][config & 3]!; // CELT: 2.5, 5, 10, 20 ms
  const code = toc & 3;
  const frames = code === 0 ? 1 : code === 3 ? (p.length > 1 ? p[1]! & 0x3f : 0) : 2;
  return size * frames;
}
