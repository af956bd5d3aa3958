/**
 * SASL SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677) with Node's crypto. @xmpp/client's own
 * SCRAM-SHA-1 derives the key in JavaScript (~1.3 s per login on this kind of machine, see
 * ../shared/notes/real-peers.md); PBKDF2 in OpenSSL takes milliseconds. Also: the server must prove
 * it knows the password (the `v=` of server-final-message, RFC 5802 §3), which @xmpp/sasl never
 * checks — `verifyServerFinal` does, from the <success/> element.
 *
 * The classes fit the `saslmechanisms` factory @xmpp/sasl uses: `new Mech()`, `clientFirst`,
 * `response(credentials)`, `challenge(serverMessage)`.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramName = 'SCRAM-SHA-256' | 'SCRAM-SHA-1';
const HASH: Record<ScramName, 'sha256' | 'sha1'> = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-1': 'sha1' };
/** RFC 7677 §4: at least 4096 iterations; more than this is a server trying to burn our CPU. */
const MIN_ITERATIONS = 4096;
const MAX_ITERATIONS = 1_000_000;

export interface ScramMechanism {
  readonly name: ScramName;
  readonly clientFirst: true;
  response(credentials: { username: string; password: string }): string;
  challenge(serverMessage: string): void;
}

export interface ScramState {
  /** base64 of the ServerSignature we expect in server-final-message, once computed. */
  expected?: string;
}

/** A mechanism class for the saslmechanisms factory; `state` receives what the server must prove. */
export function scramClass(name: ScramName, state: ScramState, fixedNonce?: string): new () => ScramMechanism {
  const hash = HASH[name];
  class Scram implements ScramMechanism {
    readonly name = name;
    readonly clientFirst = true as const;
    private readonly nonce = fixedNonce ?? randomBytes(18).toString('base64'); // fixed only in tests
    private firstBare = '';
    private final = '';

    response(credentials: { username: string; password: string }): string {
      if (this.final) return this.final;
      // RFC 5802 §5.1: saslname escapes '=' and ','; gs2-header "n,," (no channel binding).
      this.firstBare = `n=${credentials.username.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${this.nonce}`;
      this.password = credentials.password;
      return `n,,${this.firstBare}`;
    }

    private password = '';

    challenge(serverFirst: string): void {
      const attrs = parseAttributes(serverFirst);
      const nonce = attrs.get('r') ?? '';
      const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
      const iterations = Number(attrs.get('i'));
      if (!nonce.startsWith(this.nonce) || nonce.length === this.nonce.length) throw new Error('SCRAM: the server changed our nonce');
      if (salt.length === 0) throw new Error('SCRAM: the server sent no salt');
      if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
        throw new Error(`SCRAM: the server asked for ${attrs.get('i')} iterations (accepted: ${MIN_ITERATIONS} to ${MAX_ITERATIONS})`);
      }
      // RFC 5802 §3: SaltedPassword := Hi(Normalize(password), salt, i), Hi being PBKDF2 with HMAC.
      const salted = pbkdf2Sync(this.password.normalize('NFKC'), salt, iterations, createHash(hash).digest().length, hash);
      this.password = '';
      const clientKey = hmac(hash, salted, 'Client Key');
      const storedKey = createHash(hash).update(clientKey).digest();
      const withoutProof = `c=biws,r=${nonce}`; // biws = base64("n,,")
      const authMessage = `${this.firstBare},${serverFirst},${withoutProof}`;
      const signature = hmac(hash, storedKey, authMessage);
      const proof = Buffer.alloc(clientKey.length);
      for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i] ^ signature[i];
      state.expected = hmac(hash, hmac(hash, salted, 'Server Key'), authMessage).toString('base64');
      this.final = `${withoutProof},p=${proof.toString('base64')}`;
    }
  }
  return Scram;
}

/** RFC 5802 §3: the server-final-message must carry the ServerSignature we computed. */
export function verifyServerFinal(serverFinal: string, state: ScramState): boolean {
  if (!state.expected) return true; // not a SCRAM login
  const got = Buffer.from(parseAttributes(serverFinal).get('v') ?? '');
  const want = Buffer.from(state.expected);
  return got.length === want.length && timingSafeEqual(got, want);
}

function hmac(hash: string, key: Buffer, text: string | Buffer): Buffer {
  return createHmac(hash, key).update(text).digest();
}

function parseAttributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0], part.slice(2));
  }
  return out;
}
