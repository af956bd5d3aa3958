/**
 * The retransmissions RFC 3261 asks of an unreliable transport, which sip.js 0.21 leaves out (its
 * Timer A/E/G are FIXMEs): kept here, under sip.js's transactions, so that a lost datagram costs a
 * retry, not a failed request. sip.js still runs Timers B/F/H (its transactions time out by
 * themselves); these timers stop at the same 64·T1.
 *  - §17.1.1.2 Timer A: an INVITE is sent again at T1, 2T1, 4T1… until any response.
 *  - §17.1.2.2 Timer E: a non-INVITE request at T1, 2T1… capped at T2, and at T2 once a provisional
 *    response came, until a final response.
 *  - §17.2.1 Timer G and §13.3.1.4: a final response to an INVITE at T1, 2T1… capped at T2 until
 *    the ACK arrives.
 * Free of sip.js.
 */
import { cseq, header, peek, topBranch } from './sip-peek';

export interface TimerValues {
  /** RTT estimate, 500 ms by default (§17.1.1.1). */
  readonly t1: number;
  /** Longest interval for non-INVITE requests and INVITE responses, 4 s (§17.1.2.2). */
  readonly t2: number;
}

export const RFC3261_TIMERS: TimerValues = { t1: 500, t2: 4000 };

interface Pending {
  readonly raw: string;
  interval: number;
  readonly cap: number;
  readonly deadline: number;
  timer: NodeJS.Timeout;
}

export class UdpRetransmitter {
  private readonly pending = new Map<string, Pending>();
  /** Retransmissions sent, for logs and tests. */
  retransmissions = 0;

  constructor(private readonly send: (raw: string) => void, private readonly timers: TimerValues = RFC3261_TIMERS) {}

  /** Call for every message handed to the socket. */
  sent(raw: string): void {
    const p = peek(raw);
    if (!p) return;
    const cs = cseq(p);
    if (!cs) return;
    const { t1, t2 } = this.timers;
    if (p.isRequest) {
      if (p.method === 'ACK') return; // ACK is never retransmitted by the transaction (§17.1.1.3)
      const branch = topBranch(p);
      if (!branch) return;
      this.arm(`c ${branch} ${cs.method}`, raw, t1, p.method === 'INVITE' ? Number.POSITIVE_INFINITY : t2);
    } else if (cs.method === 'INVITE' && (p.status ?? 0) >= 200) {
      const callId = header(p, 'call-id');
      if (callId) this.arm(`s ${callId} ${cs.seq}`, raw, t1, t2);
    }
  }

  /** Call for every message received; stops what it answers. */
  received(raw: string): void {
    const p = peek(raw);
    if (!p) return;
    const cs = cseq(p);
    if (!cs) return;
    if (p.isRequest) {
      if (p.method !== 'ACK') return;
      const callId = header(p, 'call-id');
      if (callId) this.stop(`s ${callId} ${cs.seq}`); // §17.2.1: the ACK ends Timer G
      return;
    }
    const branch = topBranch(p);
    if (!branch) return;
    const key = `c ${branch} ${cs.method}`;
    const entry = this.pending.get(key);
    if (!entry) return;
    const status = p.status ?? 0;
    if (status >= 200 || cs.method === 'INVITE') {
      this.stop(key); // §17.1.1.2: any response ends Timer A; §17.1.2.2: a final one ends Timer E
    } else if (entry.interval < this.timers.t2) {
      // §17.1.2.2: after a provisional response, retransmit at T2
      entry.interval = this.timers.t2;
      clearTimeout(entry.timer);
      entry.timer = this.schedule(key, entry);
    }
  }

  /** Drops every pending retransmission (the socket is closing). */
  clear(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }

  private arm(key: string, raw: string, interval: number, cap: number): void {
    const old = this.pending.get(key);
    if (old) clearTimeout(old.timer); // sip.js sent the same transaction again (a 2xx resent by the TU)
    const entry = { raw, interval, cap, deadline: Date.now() + 64 * this.timers.t1, timer: undefined as unknown as NodeJS.Timeout };
    entry.timer = this.schedule(key, entry);
    this.pending.set(key, entry);
  }

  private schedule(key: string, entry: Pending): NodeJS.Timeout {
    const t = setTimeout(() => {
      if (Date.now() >= entry.deadline) {
        this.pending.delete(key); // Timer B/F/H: sip.js reports the timeout
        return;
      }
      this.retransmissions++;
      this.send(entry.raw);
      entry.interval = Math.min(entry.interval * 2, entry.cap);
      entry.timer = this.schedule(key, entry);
    }, entry.interval);
    t.unref();
    return t;
  }

  private stop(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(key);
  }
}
