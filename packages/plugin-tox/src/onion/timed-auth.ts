/**
 * Ping ids of the announce service: a MAC over the time window, the requester's key and address
 * (c-toxcore 0.2.18's timed_auth.c; the spec's § "Announce request" calls it "ping ID"). A client
 * must echo the ping id we gave it to be stored, which proves it receives at its return path;
 * an id is good for its 300 s window and the one before. The MAC is HMAC-SHA-512-256 (what
 * c-toxcore's crypto_hmac is), by Node's native HMAC. Only we check our ping ids, so the
 * exact bytes hashed need not match c-toxcore's.
 * @since 0.1.0
 */
import { createHmac } from 'node:crypto';
import { randomBytes } from '../crypto/keys';
import { Writer } from '../wire/bytes';
import type { Clock } from '../dht/clock';
import { PING_ID_SIZE } from './constants';

const BLOCK = 128; // SHA-512's block size

/**
 * HMAC-SHA-512 truncated to 32 bytes (crypto_auth_hmacsha512256), by Node's native HMAC: up to three
 * per announce request served (two checks, one new id), where tweetnacl's SHA-512 in JavaScript
 * was a top entry of an idle account's profile. @since 0.1.0
 */
export function hmacSha512256(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length > BLOCK) throw new RangeError('HMAC key too long');
  const mac = createHmac('sha512', key).update(message).digest();
  return new Uint8Array(mac.buffer, mac.byteOffset, PING_ID_SIZE);
}

/** Makes and checks timed MACs under a key of its own. @since 0.1.0 */
export class TimedAuth {
  private readonly key: Uint8Array;

  constructor(private readonly clock: Clock, private readonly windowMs: number, random: (n: number) => Uint8Array = randomBytes) {
    this.key = random(32);
  }

  /** The MAC of `data` for the current window. */
  generate(data: Uint8Array): Uint8Array {
    return this.mac(this.window(), data);
  }

  /** Whether `tag` is the MAC of `data` for the current or the previous window. */
  check(data: Uint8Array, tag: Uint8Array): boolean {
    if (tag.length !== PING_ID_SIZE) return false;
    const w = this.window();
    return equal(this.mac(w, data), tag) || equal(this.mac(w - 1, data), tag);
  }

  dispose(): void {
    this.key.fill(0);
  }

  private window(): number {
    return Math.floor(this.clock.now() / this.windowMs);
  }

  private mac(window: number, data: Uint8Array): Uint8Array {
    return hmacSha512256(this.key, new Writer(8 + data.length).u64(BigInt(window)).bytes(data).finish());
  }
}

/** Constant-time equality of two tags of the same length. */
function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}
