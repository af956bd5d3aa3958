/**
 * The relay protocol's packets on the stream (c-toxcore TCP_common.c
 * write_packet_TCP_secure_connection / read_packet_TCP_secure_connection): each is
 * [length u16 big-endian][box(session key, nonce, data)], the length counting the MAC; the nonce is
 * the side's base nonce, incremented after every packet. A length over MAX_PACKET_SIZE or a box
 * that does not open ends the connection, as in c-toxcore (the stream can no longer be trusted).
 * @since 0.2.0
 */
import { decrypt, encrypt } from '../crypto/box';
import { MAC_SIZE } from '../crypto/keys';
import { incrementNonce } from '../crypto/nonce';
import { MAX_TCP_PACKET_SIZE } from './constants';
import type { TcpSession } from './handshake';

/** Seals one packet for the stream and moves the send nonce on. @since 0.2.0 */
export function sealFrame(session: TcpSession, data: Uint8Array): Uint8Array {
  if (data.length === 0 || data.length + MAC_SIZE > MAX_TCP_PACKET_SIZE) throw new RangeError(`a relay packet is 1 to ${MAX_TCP_PACKET_SIZE - MAC_SIZE} bytes`);
  const box = encrypt(session.sharedKey, session.sendNonce, data);
  incrementNonce(session.sendNonce);
  const out = new Uint8Array(2 + box.length);
  out[0] = box.length >>> 8;
  out[1] = box.length & 0xff;
  out.set(box, 2);
  return out;
}

/** Why the stream was given up. @since 0.2.0 */
export type FrameError = 'bad-length' | 'bad-box';

/**
 * Reads frames from stream chunks: `push` returns the packets complete so far, or an error (then
 * nothing more is read). Holds at most one frame's bytes.
 * @since 0.2.0
 */
export class FrameReader {
  private buf = new Uint8Array(0);
  private failed: FrameError | undefined;

  constructor(private readonly session: TcpSession) {}

  push(chunk: Uint8Array): { packets: Uint8Array[]; error?: FrameError } {
    const packets: Uint8Array[] = [];
    if (this.failed !== undefined) return { packets, error: this.failed };
    const all = new Uint8Array(this.buf.length + chunk.length);
    all.set(this.buf, 0);
    all.set(chunk, this.buf.length);
    let at = 0;
    while (all.length - at >= 2) {
      const len = (all[at] << 8) | all[at + 1];
      if (len <= MAC_SIZE || len > MAX_TCP_PACKET_SIZE) return this.fail('bad-length', packets);
      if (all.length - at - 2 < len) break;
      const plain = decrypt(this.session.sharedKey, this.session.recvNonce, all.subarray(at + 2, at + 2 + len));
      if (plain === undefined) return this.fail('bad-box', packets);
      incrementNonce(this.session.recvNonce);
      packets.push(plain);
      at += 2 + len;
    }
    this.buf = all.slice(at);
    return { packets };
  }

  private fail(e: FrameError, packets: Uint8Array[]): { packets: Uint8Array[]; error: FrameError } {
    this.failed = e;
    this.buf = new Uint8Array(0);
    return { packets, error: e };
  }
}
