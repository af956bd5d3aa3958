/**
 * The checks every received message passes before sip.js sees it. sip.js drops what it cannot parse
 * without a word and answers what it can; here a malformed request gets a clear 400 when it can be
 * answered at all (RFC 3261 §8.2.6, §21.4.1), an oversized one 413 (§21.4.11), a flood 503 with
 * Retry-After (§21.5.4), and anything else not SIP is dropped and counted. Free of sip.js.
 */
import { canAnswer, cseq, header, headerCount, peek, statelessResponse, type Peek } from './sip-peek';

export type Verdict =
  | { readonly action: 'pass'; readonly message: string; readonly peek: Peek }
  | { readonly action: 'reply'; readonly response: string; readonly why: string }
  | { readonly action: 'drop'; readonly why: string };

export interface GuardLimits {
  /** The largest body taken, in bytes. */
  readonly maxBody: number;
  /** Requests per second taken on average, and in one burst, before 503. */
  readonly ratePerSecond: number;
  readonly burst: number;
}

export const DEFAULT_LIMITS: GuardLimits = { maxBody: 64 * 1024, ratePerSecond: 2000, burst: 4000 };

const SINGLE = ['from', 'to', 'call-id', 'cseq', 'content-length', 'max-forwards']; // §20: at most once

export class InboundGuard {
  private tokens: number;
  private last = Date.now();
  /** Counts by verdict, for logs and tests. */
  readonly counts = { passed: 0, rejected: 0, dropped: 0, limited: 0 };

  constructor(private readonly limits: GuardLimits = DEFAULT_LIMITS, private readonly now: () => number = Date.now) {
    this.tokens = limits.burst;
    this.last = now();
  }

  check(raw: string): Verdict {
    const v = this.verdict(raw);
    if (v.action === 'pass') this.counts.passed++;
    else if (v.action === 'drop') this.counts.dropped++;
    else if (v.why === 'flood') this.counts.limited++;
    else this.counts.rejected++;
    return v;
  }

  private verdict(raw: string): Verdict {
    const p = peek(raw);
    if (!p) return { action: 'drop', why: 'not a SIP message' };
    const bad = (reason: string): Verdict =>
      canAnswer(p) ? { action: 'reply', response: statelessResponse(p, 400, reason), why: reason } : { action: 'drop', why: reason };
    for (const h of ['via', 'from', 'to', 'call-id', 'cseq']) {
      if (header(p, h) === undefined) return bad(`Missing ${h} header`); // §8.1.1 mandatory headers
    }
    for (const h of SINGLE) if (headerCount(p, h) > 1) return bad(`More than one ${h} header`);
    const seq = cseq(p);
    if (!seq) return bad('Bad CSeq');
    if (p.isRequest && seq.method !== p.method) return bad('CSeq method does not match the request'); // §8.1.1.5
    const length = header(p, 'content-length');
    const bodyBytes = Buffer.byteLength(p.body, 'utf8');
    let message = raw;
    if (length !== undefined) {
      if (!/^\d{1,10}$/.test(length)) return bad('Bad Content-Length');
      const n = Number(length);
      if (n > this.limits.maxBody) {
        return p.isRequest && canAnswer(p) ? { action: 'reply', response: statelessResponse(p, 413, 'Request Entity Too Large'), why: 'body too large' } : { action: 'drop', why: 'body too large' };
      }
      if (n > bodyBytes) return bad('Content-Length larger than the body'); // §18.3: a datagram's body is never continued
      if (n < bodyBytes) message = trimBody(raw, p, n); // §18.3: octets past Content-Length are discarded
    }
    if (bodyBytes > this.limits.maxBody) return bad('Body too large');
    if (p.isRequest && p.method !== 'ACK' && !this.take()) {
      return { action: 'reply', response: statelessResponse(p, 503, 'Service Unavailable', ['Retry-After: 5']), why: 'flood' };
    }
    return { action: 'pass', message, peek: p };
  }

  /** A token bucket over received requests. */
  private take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.limits.burst, this.tokens + ((t - this.last) / 1000) * this.limits.ratePerSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

function trimBody(raw: string, p: Peek, bytes: number): string {
  const head = raw.slice(0, raw.length - p.body.length);
  return head + Buffer.from(p.body, 'utf8').subarray(0, bytes).toString('utf8');
}
