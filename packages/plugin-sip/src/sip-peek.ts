/**
 * A first look at a raw SIP message, before sip.js parses it: the start line and the few headers
 * the transport layer needs (RFC 3261 §7.3: names are case-insensitive and have compact forms,
 * §7.3.3), and stateless responses built from them. Free of sip.js; never throws.
 */

export interface Peek {
  readonly isRequest: boolean;
  readonly method?: string;
  readonly status?: number;
  /** Every header line, unfolded (§7.3.1), in order, with the name lowercased and compact forms expanded. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

// RFC 3261 §7.3.3 compact forms.
const COMPACT: Readonly<Record<string, string>> = {
  v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type',
  e: 'content-encoding', k: 'supported', s: 'subject', o: 'event', u: 'allow-events', r: 'refer-to',
};

const REQUEST_LINE = /^([A-Za-z!%*_+`'~.-]+) (\S+) SIP\/2\.0$/; // §25.1 Method SP Request-URI SP SIP-Version
const STATUS_LINE = /^SIP\/2\.0 (\d{3}) ?(.*)$/;

/** The message's parts, or undefined when the start line is not SIP's or the header section never ends. */
export function peek(raw: string): Peek | undefined {
  const end = raw.search(/\r?\n\r?\n/);
  if (end < 0) return undefined;
  const lines = raw.slice(0, end).split(/\r?\n/);
  const body = raw.slice(end).replace(/^\r?\n\r?\n/, '');
  const start = lines.shift() ?? '';
  const req = REQUEST_LINE.exec(start);
  const res = req ? null : STATUS_LINE.exec(start);
  if (!req && !res) return undefined;
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1][1] += ` ${line.trim()}`; // §7.3.1 folding
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.push([COMPACT[name] ?? name, line.slice(colon + 1).trim()]);
  }
  return req ? { isRequest: true, method: req[1].toUpperCase(), headers, body } : { isRequest: false, status: Number(res![1]), headers, body };
}

export function header(p: Peek, name: string): string | undefined {
  return p.headers.find(([n]) => n === name)?.[1];
}

export function headerCount(p: Peek, name: string): number {
  return p.headers.filter(([n]) => n === name).length;
}

/** The branch of the top Via (§8.1.1.7), what transactions are matched by (§17.1.3, §17.2.3). */
export function topBranch(p: Peek): string | undefined {
  const via = header(p, 'via');
  return via ? /;\s*branch=([^;,\s]+)/i.exec(via)?.[1] : undefined;
}

/** CSeq as number and method (§8.1.1.5). */
export function cseq(p: Peek): { seq: number; method: string } | undefined {
  const m = /^(\d{1,10})\s+([A-Za-z!%*_+`'~.-]+)$/.exec(header(p, 'cseq') ?? '');
  return m ? { seq: Number(m[1]), method: m[2].toUpperCase() } : undefined;
}

/** The headers a response must copy from its request (§8.2.6.2), present in `p`. */
export function canAnswer(p: Peek): boolean {
  return p.isRequest && p.method !== 'ACK' && ['via', 'from', 'to', 'call-id', 'cseq'].every((h) => header(p, h) !== undefined);
}

/**
 * A stateless response (§8.2.6): Via headers, From, To (with a tag, §8.2.6.2), Call-ID and CSeq
 * copied. Control characters in the copied values are stripped: they came from an unknown sender.
 */
export function statelessResponse(p: Peek, status: number, reason: string, extra: readonly string[] = []): string {
  const clean = (s: string) => s.replace(/[\x00-\x1f\x7f]/g, '');
  const lines = [`SIP/2.0 ${status} ${reason}`];
  for (const [n, v] of p.headers) if (n === 'via') lines.push(`Via: ${clean(v)}`);
  const to = clean(header(p, 'to') ?? '');
  lines.push(`From: ${clean(header(p, 'from') ?? '')}`, `To: ${/;\s*tag=/i.test(to) ? to : `${to};tag=confab${Math.random().toString(36).slice(2, 10)}`}`);
  lines.push(`Call-ID: ${clean(header(p, 'call-id') ?? '')}`, `CSeq: ${clean(header(p, 'cseq') ?? '')}`, ...extra, 'Content-Length: 0', '', '');
  return lines.join('\r\n');
}
