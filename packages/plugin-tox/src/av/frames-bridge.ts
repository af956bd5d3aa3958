/**
 * One call's media between confab-media's `frames` transport and ToxAV's RTP over lossy packets.
 *
 * confab-media sends each encoded Opus frame as RTP (RFC 3550, one 20 ms frame a packet, RFC 7587)
 * to this bridge's loopback socket; the bridge sends it to the friend as ToxAV does (toxav.c
 * toxav_audio_send_frame: sampling rate + Opus packet; rtp.c rtp_send_data: header, lossy 192). A
 * friend's lossy 192 is checked as rtp.c handle_rtp_packet checks it and sent to confab-media's socket
 * as RTP: ToxAV's sequence number and SSRC kept, the RTP timestamp counted in 48 kHz samples from the
 * Opus packets' durations (ToxAV's timestamp is the sender's clock in ms, sometimes the same for two
 * frames sent in one iteration: audio.c orders by sequence number only). RTCP from confab-media is
 * dropped (ToxAV has none; bit rates are toxav's bwcontroller, lossy 196, not sent yet).
 * This is per packet JavaScript in confabd — never in confab-media's streaming threads.
 * @since 0.2.0
 */
import { createSocket, type Socket } from 'node:dgram';
import { audioFrame, decodeAvRtp, framePackets, opusOf, opusSamples48k, RTP_TYPE_AUDIO } from './av-rtp';

/** Where the bridge sends lossy packets (the friend's net_crypto connection). */
export type LossySender = (packet: Uint8Array) => boolean;

/** What the bridge saw, for stats and for the fuzz tests: every packet is counted once. */
export interface BridgeCounters {
  framesSent: number;
  framesReceived: number;
  /** Lossy packets refused by rtp.c's checks, multi-part audio, empty frames. */
  dropped: number;
  /** RTCP from confab-media (not carried). */
  rtcp: number;
}

const RTP_VERSION = 2;

export class FramesBridge {
  private socket?: Socket;
  private mediaPort = 0;
  private pt = 111;
  private sequence = Math.floor(Math.random() * 0x10000);
  private readonly ssrc = Math.floor(Math.random() * 0x1_0000_0000) >>> 0;
  private recv?: { ssrc: number; lastSeq: number; ts: number };
  /** Whether our frames go to the friend (its capabilities say it receives audio, we are not on hold). */
  sending = false;
  readonly counters: BridgeCounters = { framesSent: 0, framesReceived: 0, dropped: 0, rtcp: 0 };
  /** The first frame from the friend, handed to confab-media (call set-up figures). */
  firstFrameAt?: number;

  constructor(private readonly send: LossySender, private readonly clock: () => number = () => Math.floor(performance.now())) {}

  /** Binds the loopback socket; resolves its port (the RemoteDescription the plugin gives confab-media). */
  async open(): Promise<number> {
    const s = createSocket('udp4');
    this.socket = s;
    s.on('message', (m) => this.fromMedia(m));
    s.on('error', () => undefined); // a send to a closed media port: the session's end is reported by confab-media
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => resolve());
    });
    return s.address().port;
  }

  /** Where confab-media takes the friend's frames (its LocalDescription), and Opus's payload type there. */
  connect(mediaPort: number, pt: number): void {
    this.mediaPort = mediaPort;
    this.pt = pt;
  }

  close(): void {
    const s = this.socket;
    this.socket = undefined;
    this.sending = false;
    try {
      s?.close();
    } catch {
      // already closed
    }
  }

  /** A lossy packet 192 from the friend (rtp.c handle_rtp_packet), to confab-media as RTP. */
  fromFriend(packet: Uint8Array): void {
    const p = decodeAvRtp(packet);
    // audio is never split by toxav (20 ms of Opus is far below a piece); a part of one is dropped
    if (!p || packet[0] !== RTP_TYPE_AUDIO || p.header.lengthLower !== p.data.length) {
      this.counters.dropped++;
      return;
    }
    const opus = opusOf(p.data);
    const samples = opus ? opusSamples48k(opus) : 0;
    if (!opus || samples === 0) {
      this.counters.dropped++;
      return;
    }
    const h = p.header;
    let r = this.recv;
    let ts: number;
    if (!r || r.ssrc !== h.ssrc) {
      r = this.recv = { ssrc: h.ssrc, lastSeq: h.sequence, ts: (Math.random() * 0x1_0000_0000) >>> 0 };
      ts = r.ts;
    } else {
      // the clock moves by the sequence distance (a lost frame leaves its gap); a late frame goes back
      const d = ((h.sequence - r.lastSeq + 0x8000) & 0xffff) - 0x8000;
      ts = (r.ts + d * samples) >>> 0;
      if (d > 0) {
        r.lastSeq = h.sequence;
        r.ts = ts;
      }
    }
    this.forward(h.sequence, ts, h.ssrc, opus);
  }

  private forward(seq: number, ts: number, ssrc: number, opus: Uint8Array): void {
    const s = this.socket;
    if (!s || !this.mediaPort) return;
    const rtp = Buffer.allocUnsafe(12 + opus.length);
    rtp[0] = RTP_VERSION << 6;
    rtp[1] = this.pt & 0x7f;
    rtp.writeUInt16BE(seq & 0xffff, 2);
    rtp.writeUInt32BE(ts >>> 0, 4);
    rtp.writeUInt32BE(ssrc >>> 0, 8);
    rtp.set(opus, 12);
    this.counters.framesReceived++;
    this.firstFrameAt ??= Date.now();
    s.send(rtp, this.mediaPort, '127.0.0.1');
  }

  /** An RTP packet from confab-media: its Opus frame to the friend (lossy 192). */
  private fromMedia(m: Buffer): void {
    if (m.length < 12 || m[0]! >> 6 !== RTP_VERSION) return;
    if (m[1]! >= 200 && m[1]! <= 204) {
      this.counters.rtcp++; // RFC 5761 § 4: RTCP on the RTP port
      return;
    }
    if ((m[1]! & 0x7f) !== this.pt || !this.sending) return; // telephone-event, or not to be sent now
    let off = 12 + (m[0]! & 0x0f) * 4; // CSRCs
    if (m[0]! & 0x10) {
      if (m.length < off + 4) return;
      off += 4 + m.readUInt16BE(off + 2) * 4; // header extension (RFC 3550 § 5.3.1)
    }
    let end = m.length;
    if (m[0]! & 0x20) end -= m[m.length - 1]!; // padding
    if (end <= off) return;
    const frame = audioFrame(48000, m.subarray(off, end));
    for (const p of framePackets(RTP_TYPE_AUDIO, { sequence: this.sequence, timestamp: this.clock(), ssrc: this.ssrc }, frame)) this.send(p);
    this.sequence = (this.sequence + 1) & 0xffff;
    this.counters.framesSent++;
  }
}
