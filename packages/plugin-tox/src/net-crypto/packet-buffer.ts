/**
 * The send and receive buffers of a crypto connection (Tox spec § "Net crypto", the packet arrays;
 * c-toxcore's Packets_Array): packet numbers `[start, end)` as unsigned 32-bit numbers that wrap,
 * at most CRYPTO_PACKET_BUFFER_SIZE of them, with holes. Slots live in a Map keyed by the number
 * modulo the size, so an idle connection holds no 32768-slot arrays.
 *
 * Also the request packet (packet id 1) that names the holes of a receive buffer, and its handling
 * on the sending side (spec § "Data packet", "packet request"): one byte per hole giving its
 * distance from the previous one (1-based); a run of 255 present packets is written as a 0 byte.
 * @since 0.1.0
 */
import { CRYPTO_PACKET_BUFFER_SIZE, PacketId } from './constants';

/** A buffered packet; `sentAt` is 0 while it waits to be (re)sent, as c-toxcore's sent_time. @since 0.1.0 */
export interface BufferedPacket {
  readonly data: Uint8Array;
  sentAt: number;
}

const u32 = (n: number) => n >>> 0;

/** @since 0.1.0 */
export class PacketBuffer {
  private slots = new Map<number, BufferedPacket>();
  private startN = 0;
  private endN = 0;

  constructor(private readonly size = CRYPTO_PACKET_BUFFER_SIZE) {}

  get start(): number {
    return this.startN;
  }

  get end(): number {
    return this.endN;
  }

  /** Packets between start and end, holes included. */
  get count(): number {
    return u32(this.endN - this.startN);
  }

  /** Packets actually held. */
  get held(): number {
    return this.slots.size;
  }

  /** Puts a packet at its number (receive side); false if out of the window or already there. */
  putAt(n: number, p: BufferedPacket): boolean {
    if (u32(n - this.startN) >= this.size) return false;
    const k = n % this.size;
    if (this.slots.has(k)) return false;
    this.slots.set(k, p);
    if (u32(n - this.startN) >= this.count) this.endN = u32(n + 1);
    return true;
  }

  /** `undefined` for an empty slot in range, `null` for a number out of range. */
  get(n: number): BufferedPacket | undefined | null {
    const c = this.count;
    if (u32(this.endN - n) > c || u32(n - this.startN) >= c) return null;
    return this.slots.get(n % this.size);
  }

  /** Frees the slot of `n` if it is in range. */
  drop(n: number): void {
    if (this.get(n) !== null) this.slots.delete(n % this.size);
  }

  /** Appends at the end (send side); the packet number, or `undefined` when full. */
  push(p: BufferedPacket): number | undefined {
    if (this.count >= this.size) return undefined;
    const n = this.endN;
    this.slots.set(n % this.size, p);
    this.endN = u32(n + 1);
    return n;
  }

  /** Takes the packet at start if there is one (in-order delivery). */
  shift(): { n: number; packet: BufferedPacket } | undefined {
    if (this.endN === this.startN) return undefined;
    const k = this.startN % this.size;
    const p = this.slots.get(k);
    if (p === undefined) return undefined;
    this.slots.delete(k);
    const n = this.startN;
    this.startN = u32(n + 1);
    return { n, packet: p };
  }

  /** Frees every packet before `n` and moves start there; false if `n` is outside `[start, end]`. */
  clearUntil(n: number): boolean {
    const c = this.count;
    if (u32(this.endN - n) > c || u32(n - this.startN) > c) return false;
    for (let i = this.startN; i !== n; i = u32(i + 1)) this.slots.delete(i % this.size);
    this.startN = n;
    return true;
  }

  /** Moves end to `n` (what the peer says it has sent); false if that would leave the window. */
  setEnd(n: number): boolean {
    if (u32(n - this.startN) > this.size || u32(n - this.endN) > this.size) return false;
    // moving end back over held packets would orphan them: c-toxcore allows it; we drop them too
    for (let i = n; i !== this.endN && u32(i - this.startN) < this.count; i = u32(i + 1)) this.slots.delete(i % this.size);
    this.endN = n;
    return true;
  }

  clear(): void {
    this.slots.clear();
    this.startN = this.endN;
  }
}

/**
 * The request packet for a receive buffer: `[1][hole distances…]`, at most `maxLength` bytes
 * (c-toxcore's generate_request_packet).
 */
export function encodeRequest(recv: PacketBuffer, maxLength: number): Uint8Array {
  const out: number[] = [PacketId.REQUEST];
  let n = 1;
  for (let i = recv.start; i !== recv.end && out.length < maxLength; i = u32(i + 1)) {
    if (recv.get(i) === undefined) {
      out.push(n);
      n = 0;
    } else if (n === 255) {
      out.push(0);
      n = 0;
    }
    n++;
  }
  return Uint8Array.from(out);
}

/** What a request packet did to the send buffer. @since 0.1.0 */
export interface RequestOutcome {
  /** Packets the peer asked for again. */
  readonly requested: number;
  /** The latest send time of the packets it confirmed (for the round-trip time). */
  readonly latestSentAt: number;
}

/**
 * Applies a peer's request packet to our send buffer (c-toxcore's handle_request_packet): packets
 * it names as holes are marked for resending if they were sent more than `rttMs` ago; the others
 * before the last named hole were received and are freed. `undefined` for a malformed packet (a
 * run marker that is not 0).
 */
export function applyRequest(send: PacketBuffer, request: Uint8Array, now: number, rttMs: number): RequestOutcome | undefined {
  if (request.length === 0 || request[0] !== PacketId.REQUEST) return undefined;
  let at = 1;
  let n = 1;
  let requested = 0;
  let latestSentAt = 0;
  for (let i = send.start; i !== send.end; i = u32(i + 1)) {
    if (at >= request.length) break;
    const p = send.get(i);
    if (n === request[at]) {
      if (p) {
        if (p.sentAt + rttMs < now) p.sentAt = 0;
      }
      at++;
      n = 0;
      requested++;
    } else if (p) {
      latestSentAt = Math.max(latestSentAt, p.sentAt);
      send.drop(i);
    }
    if (n === 255) {
      n = 1;
      if (at >= request.length) break;
      if (request[at] !== 0) return undefined;
      at++;
    } else {
      n++;
    }
  }
  return { requested, latestSentAt };
}
