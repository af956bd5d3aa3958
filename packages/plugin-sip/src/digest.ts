/**
 * SIP digest authentication (RFC 3261 §22.4, RFC 2617 §3.2.2) with the algorithms of RFC 8760:
 * MD5, SHA-256 and SHA-512/256. sip.js 0.21 knows MD5 only and gives up on anything else; this
 * class takes its place through the user agent core's `authenticationFactory` (see sip-connection.ts),
 * with the same two methods the core calls. Kept free of sip.js so that it is unit-tested alone.
 */
import { createHash, randomBytes } from 'node:crypto';

/** The parsed challenge as sip.js's grammar hands it over (WWW-/Proxy-Authenticate). */
export interface DigestChallenge {
  readonly realm?: string;
  readonly nonce?: string;
  readonly opaque?: string;
  readonly algorithm?: string;
  readonly qop?: string | readonly string[];
  readonly stale?: boolean;
}

/** The parts of an outgoing request the response is computed over. */
export interface DigestRequest {
  readonly method: string;
  readonly ruri: { toString(): string } | string;
}

/** RFC 8760 §2.2: the names a challenge may use, mapped to Node's hash names. The -sess variants are left out (RFC 8760 §2.5 keeps them for HTTP only in practice). */
const HASHES: Readonly<Record<string, string>> = { 'MD5': 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

export function supportedAlgorithm(name: string | undefined): boolean {
  return (name ?? 'MD5').toUpperCase() in HASHES;
}

export class Digest {
  private algorithm = 'MD5';
  private realm = '';
  private nonce = '';
  private opaque?: string;
  private qop?: 'auth' | 'auth-int';
  private uri = '';
  private cnonce = '';
  private nc = 0;
  private response?: string;
  /** Set from the last challenge: a stale nonce may be retried once (RFC 2617 §3.2.1). */
  stale = false;

  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly newCnonce: () => string = () => randomBytes(12).toString('hex'),
  ) {}

  /** Computes credentials for `request` against `challenge`; false when the challenge is one we cannot answer. */
  authenticate(request: DigestRequest, challenge: DigestChallenge, body?: string): boolean {
    const algorithm = (challenge.algorithm ?? 'MD5').toUpperCase(); // RFC 2617 §3.2.1: absent means MD5
    if (!(algorithm in HASHES) || !challenge.realm || !challenge.nonce) return false;
    const offered = challenge.qop === undefined ? [] : typeof challenge.qop === 'string' ? challenge.qop.split(',').map((q) => q.trim()) : challenge.qop;
    let qop: 'auth' | 'auth-int' | undefined;
    if (offered.length > 0) {
      if (offered.includes('auth')) qop = 'auth';
      else if (offered.includes('auth-int')) qop = 'auth-int';
      else return false;
    }
    if (challenge.nonce !== this.nonce) this.nc = 0; // nc counts uses of one nonce (RFC 2617 §3.2.2)
    this.algorithm = algorithm;
    this.realm = challenge.realm;
    this.nonce = challenge.nonce;
    this.opaque = challenge.opaque;
    this.stale = challenge.stale === true;
    this.qop = qop;
    this.uri = String(request.ruri);
    this.cnonce = this.newCnonce();
    this.nc = (this.nc % 0xffffffff) + 1;
    this.response = this.compute(request.method, body ?? '');
    return true;
  }

  /** The Authorization / Proxy-Authorization header value (RFC 3261 §25.1 digest-response). */
  toString(): string {
    if (this.response === undefined) throw new Error('no challenge answered yet');
    const parts = [
      `username=${quote(this.username)}`, `realm=${quote(this.realm)}`, `nonce=${quote(this.nonce)}`,
      `uri=${quote(this.uri)}`, `response=${quote(this.response)}`, `algorithm=${this.algorithm}`,
    ];
    if (this.opaque !== undefined) parts.push(`opaque=${quote(this.opaque)}`);
    if (this.qop) parts.push(`qop=${this.qop}`, `cnonce=${quote(this.cnonce)}`, `nc=${this.ncHex()}`);
    return `Digest ${parts.join(', ')}`;
  }

  private compute(method: string, body: string): string {
    const h = (s: string) => createHash(HASHES[this.algorithm]).update(s, 'utf8').digest('hex');
    const ha1 = h(`${this.username}:${this.realm}:${this.password}`); // RFC 2617 §3.2.2.2 A1
    const ha2 = h(this.qop === 'auth-int' ? `${method}:${this.uri}:${h(body)}` : `${method}:${this.uri}`); // §3.2.2.3 A2
    return this.qop // §3.2.2.1 request-digest
      ? h(`${ha1}:${this.nonce}:${this.ncHex()}:${this.cnonce}:${this.qop}:${ha2}`)
      : h(`${ha1}:${this.nonce}:${ha2}`);
  }

  private ncHex(): string {
    return this.nc.toString(16).padStart(8, '0');
  }
}

/** RFC 3261 §25.1 quoted-string: backslash-escape `"` and `\`. */
function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
