/**
 * Message framing on stream transports (TCP, TLS): RFC 3261 §18.3 — a message ends Content-Length
 * octets after the blank line that ends its headers, and Content-Length is mandatory there. Between
 * messages, RFC 5626 §3.5.1 keep-alives: a double CRLF is a ping (answered with one CRLF), a lone
 * CRLF a pong. Bounded: a header section or body larger than the limits is a framing error, after
 * which the stream cannot be trusted and is closed by the caller. Free of sip.js.
 */

export interface FramerEvents {
  message(raw: string): void;
  ping(): void;
  pong(): void;
  /** The stream broke the rules; nothing more is read from it. */
  error(reason: string): void;
}

export interface FramerLimits {
  readonly maxHeader: number;
  readonly maxBody: number;
}

const CRLF2 = Buffer.from('\r\n\r\n');

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  private failed = false;

  constructor(private readonly on: FramerEvents, private readonly limits: FramerLimits = { maxHeader: 16 * 1024, maxBody: 64 * 1024 }) {}

  push(chunk: Buffer): void {
    if (this.failed) return;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (let guard = 0; guard < 10_000 && this.buf.length > 0 && !this.failed; guard++) {
      if (!this.next()) break;
    }
  }

  /** Takes one keep-alive or message off the buffer; false when more bytes are needed. */
  private next(): boolean {
    if (this.buf[0] === 0x0d || this.buf[0] === 0x0a) {
      if (this.buf.length >= 4 && this.buf.subarray(0, 4).equals(CRLF2)) {
        this.buf = this.buf.subarray(4);
        this.on.ping();
        return true;
      }
      if (this.buf.length >= 2 && this.buf[0] === 0x0d && this.buf[1] === 0x0a) {
        // A lone CRLF is a pong only when what follows is not the rest of a ping.
        if (this.buf.length === 2) return false;
        if (this.buf.length === 3 && this.buf[2] === 0x0d) return false;
        this.buf = this.buf.subarray(2);
        this.on.pong();
        return true;
      }
      if (this.buf[0] === 0x0a) {
        this.buf = this.buf.subarray(1); // a bare LF between messages: tolerated (§7.5)
        return true;
      }
      if (this.buf.length < 2) return false;
    }
    const end = this.buf.indexOf(CRLF2);
    if (end < 0) {
      if (this.buf.length > this.limits.maxHeader) return this.fail('header section too large');
      return false;
    }
    if (end > this.limits.maxHeader) return this.fail('header section too large');
    const head = this.buf.subarray(0, end).toString('latin1');
    const m = /^(?:content-length|l)[ \t]*:[ \t]*(\S*)[ \t]*$/im.exec(head);
    if (!m) return this.fail('no Content-Length on a stream transport'); // §18.3: MUST be present
    if (!/^\d{1,10}$/.test(m[1])) return this.fail('bad Content-Length');
    const length = Number(m[1]);
    if (length > this.limits.maxBody) return this.fail(`Content-Length ${length} over the limit`);
    const total = end + 4 + length;
    if (this.buf.length < total) return false;
    const raw = this.buf.subarray(0, total).toString('utf8');
    this.buf = this.buf.subarray(total);
    this.on.message(raw);
    return true;
  }

  private fail(reason: string): boolean {
    this.failed = true;
    this.buf = Buffer.alloc(0);
    this.on.error(reason);
    return false;
  }
}
