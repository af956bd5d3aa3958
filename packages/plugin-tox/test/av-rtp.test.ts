/**
 * av-rtp.ts against c-toxcore 0.2.18 toxav/rtp.c: rtp_header_pack's 80-byte big-endian header,
 * rtp_send_data's splitting of a frame into pieces of MAX_CRYPTO_DATA_SIZE − 81 bytes (same header
 * save offset_lower/offset_full, which count the bytes sent before the piece), and the checks of
 * handle_rtp_packet (payload type = packet id mod 128, offset_full < data_length_full when
 * RTP_LARGE_FRAME, offset_lower < data_length_lower).
 */
import {
  audioFrame, decodeAvRtp, framePackets, opusOf, opusSamples48k, RTP_HEADER_SIZE, RTP_KEY_FRAME, RTP_LARGE_FRAME, RTP_PIECE, RTP_TYPE_AUDIO, RTP_TYPE_VIDEO,
} from '../src/av/av-rtp';
import { MAX_CRYPTO_DATA_SIZE } from '../src/net-crypto/constants';

const h = { sequence: 0x1234, timestamp: 0x01020304, ssrc: 0xdeadbeef };
const frameOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

describe('header: rtp.c rtp_header_pack', () => {
  it('a small audio frame: one packet, the fixed vector', () => {
    const [p, ...rest] = framePackets(RTP_TYPE_AUDIO, h, Uint8Array.of(9, 8, 7));
    expect(rest).toHaveLength(0);
    const expected = [
      192, // packet id (rtp_send_data: rdata[0] = payload_type)
      0x80, // ve 2, pe 0, xe 0, cc 0
      64, // ma 0, pt 192 % 128
      0x12, 0x34, // sequnum
      1, 2, 3, 4, // timestamp
      0xde, 0xad, 0xbe, 0xef, // ssrc
      0, 0, 0, 0, 0, 0, 0, 0, // flags u64 (audio: 0)
      0, 0, 0, 0, // offset_full
      0, 0, 0, 3, // data_length_full
      0, 0, 0, 0, // received_length_full
      ...new Array<number>(44).fill(0), // RTP_PADDING_FIELDS (11) u32s
      0, 0, // offset_lower
      0, 3, // data_length_lower
      9, 8, 7,
    ];
    expect([...p!]).toEqual(expected);
    expect(p!.length).toBe(1 + RTP_HEADER_SIZE + 3);
  });

  it('video: RTP_LARGE_FRAME always, RTP_KEY_FRAME when asked, pt 65', () => {
    const [p] = framePackets(RTP_TYPE_VIDEO, { ...h, keyFrame: true }, frameOf(10));
    expect(p![0]).toBe(193);
    expect(p![2]).toBe(65);
    expect([...p!.subarray(13, 21)]).toEqual([0, 0, 0, 0, 0, 0, 0, RTP_LARGE_FRAME | RTP_KEY_FRAME]);
    const d = decodeAvRtp(p!)!;
    expect(d.header).toEqual({ marker: false, pt: 65, sequence: 0x1234, timestamp: 0x01020304, ssrc: 0xdeadbeef, flags: 3, offsetFull: 0, lengthFull: 10, offsetLower: 0, lengthLower: 10 });
    expect([...d.data]).toEqual([...frameOf(10)]);
  });

  it('sequence and timestamp wrap to their field widths', () => {
    const [p] = framePackets(RTP_TYPE_AUDIO, { sequence: 0x1_0005, timestamp: 2 ** 32 + 9, ssrc: -1 }, frameOf(5));
    const d = decodeAvRtp(p!)!.header;
    expect(d.sequence).toBe(5);
    expect(d.timestamp).toBe(9);
    expect(d.ssrc).toBe(0xffffffff);
  });

  it('decode reads the marker bit and only the low 32 bits of flags', () => {
    const [p] = framePackets(RTP_TYPE_AUDIO, h, frameOf(4));
    p![2] = 0x80 | 64;
    p![13] = 0xff; // high flag word: ignored by 0.2.18's checks
    const d = decodeAvRtp(p!)!.header;
    expect(d.marker).toBe(true);
    expect(d.pt).toBe(64);
    expect(d.flags).toBe(0);
  });
});

describe('splitting: rtp.c rtp_send_data', () => {
  it('the piece is MAX_CRYPTO_DATA_SIZE − (RTP_HEADER_SIZE + 1)', () => {
    expect(RTP_PIECE).toBe(MAX_CRYPTO_DATA_SIZE - 81);
  });

  it.each([RTP_PIECE - 1, RTP_PIECE])('a frame of %i bytes goes in one packet', (n) => {
    const ps = framePackets(RTP_TYPE_AUDIO, h, frameOf(n));
    expect(ps).toHaveLength(1);
    expect(ps[0]!.length).toBeLessThanOrEqual(MAX_CRYPTO_DATA_SIZE);
  });

  it.each([
    [RTP_TYPE_AUDIO, RTP_PIECE + 1],
    [RTP_TYPE_AUDIO, 3 * RTP_PIECE + 100],
    [RTP_TYPE_VIDEO, 3 * RTP_PIECE],
    [RTP_TYPE_VIDEO, 70000], // beyond 16 bits: data_length_lower 0xffff, offset_lower truncated
  ])('type %i, %i bytes: pieces in order, offsets = bytes sent before, reassembled exactly', (type, n) => {
    const frame = frameOf(n);
    const ps = framePackets(type, { ...h, keyFrame: true }, frame);
    expect(ps).toHaveLength(Math.ceil(n / RTP_PIECE));
    const out = new Uint8Array(n);
    let sent = 0;
    ps.forEach((p, i) => {
      expect(p.length).toBeLessThanOrEqual(MAX_CRYPTO_DATA_SIZE);
      expect(p.length).toBe(1 + RTP_HEADER_SIZE + Math.min(RTP_PIECE, n - i * RTP_PIECE));
      const v = new DataView(p.buffer, p.byteOffset);
      // everything but the offsets is the same in every piece (rtp_send_data packs one header)
      expect([...p.subarray(0, 21)]).toEqual([...ps[0]!.subarray(0, 21)]);
      expect(v.getUint32(21)).toBe(sent); // offset_full
      expect(v.getUint32(25)).toBe(n); // data_length_full
      expect(v.getUint16(77)).toBe(sent & 0xffff); // offset_lower
      expect(v.getUint16(79)).toBe(Math.min(n, 0xffff)); // data_length_lower
      out.set(p.subarray(1 + RTP_HEADER_SIZE), v.getUint32(21));
      sent += p.length - 1 - RTP_HEADER_SIZE;
      const d = decodeAvRtp(p);
      if ((sent - (p.length - 1 - RTP_HEADER_SIZE)) % 0x10000 >= Math.min(n, 0xffff)) expect(d).toBeUndefined(); // handle_rtp_packet's old-protocol check
      else expect(d?.header.offsetFull).toBe(i * RTP_PIECE);
    });
    expect(sent).toBe(n);
    expect(Buffer.from(out).equals(Buffer.from(frame))).toBe(true);
  });

  it('an empty frame: one header-only packet, which handle_rtp_packet drops (offset 0 ≥ length 0)', () => {
    const ps = framePackets(RTP_TYPE_AUDIO, h, new Uint8Array(0));
    expect(ps).toHaveLength(1);
    expect(ps[0]!.length).toBe(1 + RTP_HEADER_SIZE);
    expect(decodeAvRtp(ps[0]!)).toBeUndefined();
  });
});

describe('refusals: rtp.c handle_rtp_packet', () => {
  const good = () => Uint8Array.from(framePackets(RTP_TYPE_AUDIO, h, frameOf(30))[0]!);
  const set32 = (p: Uint8Array, at: number, x: number) => new DataView(p.buffer).setUint32(at, x);
  const set16 = (p: Uint8Array, at: number, x: number) => new DataView(p.buffer).setUint16(at, x);

  it('a good packet passes', () => {
    expect(decodeAvRtp(good())?.data.length).toBe(30);
  });

  it.each([0, 1, 40, RTP_HEADER_SIZE])('short: %i bytes', (n) => {
    expect(decodeAvRtp(good().subarray(0, n))).toBeUndefined();
  });

  it.each([0, 69, 191, 194, 255])('packet id %i is not a ToxAV RTP type', (id) => {
    const p = good();
    p[0] = id;
    expect(decodeAvRtp(p)).toBeUndefined();
  });

  it('header payload type not the packet id mod 128', () => {
    const p = good();
    p[2] = 65; // video's pt in a 192
    expect(decodeAvRtp(p)).toBeUndefined();
    const v = Uint8Array.from(framePackets(RTP_TYPE_VIDEO, h, frameOf(30))[0]!);
    v[2] = 64;
    expect(decodeAvRtp(v)).toBeUndefined();
  });

  it('RTP_LARGE_FRAME with offset_full ≥ data_length_full', () => {
    const p = Uint8Array.from(framePackets(RTP_TYPE_VIDEO, h, frameOf(30))[0]!);
    set32(p, 21, 30);
    expect(decodeAvRtp(p)).toBeUndefined();
    set32(p, 21, 29);
    expect(decodeAvRtp(p)).toBeDefined();
  });

  it('without RTP_LARGE_FRAME, offset_full is not checked', () => {
    const p = good();
    set32(p, 21, 0xffffffff);
    expect(decodeAvRtp(p)).toBeDefined();
  });

  it('offset_lower ≥ data_length_lower', () => {
    const p = good();
    set16(p, 77, 30);
    expect(decodeAvRtp(p)).toBeUndefined();
    set16(p, 77, 0xffff);
    expect(decodeAvRtp(p)).toBeUndefined();
    set16(p, 77, 0);
    set16(p, 79, 0);
    expect(decodeAvRtp(p)).toBeUndefined();
  });

  // handle_rtp_packet refuses `length < RTP_HEADER_SIZE + 1` where length still counts the packet id, so an
  // 81-byte packet (id + header, no data) passes its length check and, with offset_lower < data_length_lower,
  // is kept as a part of a multi-part frame; decodeAvRtp asks for 82 bytes. No effect on audio (the bridge
  // drops multi-part audio), but not "as handle_rtp_packet reads it".
  it.todo('an 81-byte packet (header, no data) with offset_lower < data_length_lower passes, as in handle_rtp_packet (decodeAvRtp refuses it)');

  it('decodes inside a larger buffer', () => {
    const p = good();
    const big = new Uint8Array(p.length + 10);
    big.set(p, 5);
    expect(decodeAvRtp(big.subarray(5, 5 + p.length))?.header.ssrc).toBe(0xdeadbeef);
  });
});

describe('audio frames: toxav.c toxav_audio_send_frame / audio.c ac_iterate', () => {
  it('the rate (u32 big-endian) before the Opus packet, and back', () => {
    const f = audioFrame(48000, Uint8Array.of(0xfc, 1, 2));
    expect([...f]).toEqual([0, 0, 0xbb, 0x80, 0xfc, 1, 2]);
    expect([...opusOf(f)!]).toEqual([0xfc, 1, 2]);
    expect(opusOf(f.subarray(0, 4))).toBeUndefined();
  });

  it.each([
    [[0xfc], 960], // CELT config 31 (20 ms), code 0
    [[0x78], 960], // hybrid config 15 (20 ms)
    [[0x00], 480], // SILK config 0 (10 ms)
    [[0x0b], 0], // SILK config 1, code 3 without its count byte: unreadable
    [[0x0b, 2], 1920], // SILK config 1 (20 ms), code 3, 2 frames
    [[0xfd], 1920], // code 1: two frames
    [[0xff, 3], 2880], // code 3: count byte 3
    [[], 0],
  ])('opusSamples48k(%j) = %i', (bytes, n) => {
    expect(opusSamples48k(Uint8Array.from(bytes))).toBe(n);
  });
});
