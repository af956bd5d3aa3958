/**
 * Contact ids on Tox: a friend is their long-term public key, 64 upper-case hex digits (what
 * c-toxcore's friend list keys on). A Tox ID (76 hex: key, nospam, checksum) names the same
 * contact; only a friend request needs its nospam, so `parseContact` keeps it when given.
 */
import { InvalidArgumentError } from '@confab/sdk';
import { toHex } from '../crypto/keys';
import { InvalidToxId, ToxId, TOX_PUBLIC_KEY_SIZE } from '../tox-id';

export interface ParsedContact {
  /** The contact id: the public key, 64 upper-case hex digits. */
  readonly id: string;
  /** When a whole Tox ID was given. */
  readonly toxId?: ToxId;
}

export function parseContact(text: string): ParsedContact {
  const t = text.trim().replace(/^tox:/i, ''); // the tox: URI scheme qTox and uTox hand out
  if (/^[0-9A-Fa-f]{64}$/.test(t)) return { id: t.toUpperCase() };
  try {
    const toxId = ToxId.parse(t);
    return { id: hex(toxId.publicKey), toxId };
  } catch (e) {
    if (e instanceof InvalidToxId) {
      throw new InvalidArgumentError(`'${text}' is neither a Tox ID (76 hex digits) nor a public key (64): ${e.message}`);
    }
    throw e;
  }
}

/** A key as contact ids and Tox IDs write it: upper-case hex. */
export function hex(b: Uint8Array): string {
  return toHex(b).toUpperCase();
}

export function publicKeyOf(id: string): Uint8Array {
  const b = Buffer.from(id, 'hex');
  if (b.length !== TOX_PUBLIC_KEY_SIZE) throw new InvalidArgumentError(`'${id}' is not a Tox public key`);
  return new Uint8Array(b);
}
