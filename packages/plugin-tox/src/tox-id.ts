/**
 * The Tox ID (c-toxcore calls it the friend address): what a user hands out so that others can send a
 * friend request. 38 bytes, shown as 76 hex digits:
 *
 *     public key (32) | nospam (4) | checksum (2)
 *
 * The checksum XORs the first 36 bytes pairwise: byte 0 of the checksum is the XOR of the bytes at even
 * offsets, byte 1 that of the bytes at odd offsets (c-toxcore 0.2.18 `toxcore/util.c` `data_checksum`,
 * `toxcore/Messenger.c` `getaddress`). The nospam is a big-endian u32 here and in `tox_self_get_nospam`;
 * changing it makes earlier IDs useless for new friend requests without changing the key.
 */
import { Malformed } from './wire/bytes';

/** @since 0.1.0 */
export const TOX_PUBLIC_KEY_SIZE = 32;
/** `TOX_ADDRESS_SIZE` in tox.h. @since 0.1.0 */
export const TOX_ID_SIZE = TOX_PUBLIC_KEY_SIZE + 4 + 2;

/** Why a Tox ID was refused. @since 0.1.0 */
export type InvalidToxIdReason = 'length' | 'hex' | 'checksum';

/** A string or byte string that is not a valid Tox ID. @since 0.1.0 */
export class InvalidToxId extends Malformed {
  constructor(readonly reason: InvalidToxIdReason, message: string) {
    super(message);
    this.name = 'InvalidToxId';
  }
}

/** The two checksum bytes over public key and nospam, as a big-endian u16 (its order in the ID). */
export function toxIdChecksum(keyAndNospam: Uint8Array): number {
  if (keyAndNospam.length !== TOX_ID_SIZE - 2) throw new RangeError('checksum is over the 36 bytes of key and nospam');
  const sum = [0, 0];
  for (let i = 0; i < keyAndNospam.length; i++) sum[i % 2] ^= keyAndNospam[i];
  return (sum[0] << 8) | sum[1];
}

/** @since 0.1.0 */
export class ToxId {
  private constructor(private readonly raw: Uint8Array) {}

  /** From a public key and a nospam (u32); computes the checksum. */
  static from(publicKey: Uint8Array, nospam: number): ToxId {
    if (publicKey.length !== TOX_PUBLIC_KEY_SIZE) throw new RangeError(`a public key has ${TOX_PUBLIC_KEY_SIZE} bytes, not ${publicKey.length}`);
    if (!Number.isInteger(nospam) || nospam < 0 || nospam > 0xffffffff) throw new RangeError(`nospam ${nospam} is not a u32`);
    const raw = new Uint8Array(TOX_ID_SIZE);
    raw.set(publicKey);
    new DataView(raw.buffer).setUint32(TOX_PUBLIC_KEY_SIZE, nospam);
    new DataView(raw.buffer).setUint16(TOX_PUBLIC_KEY_SIZE + 4, toxIdChecksum(raw.subarray(0, TOX_ID_SIZE - 2)));
    return new ToxId(raw);
  }

  /** From the 38 bytes of an ID; throws `InvalidToxId` on a wrong length or checksum. */
  static fromBytes(bytes: Uint8Array): ToxId {
    if (bytes.length !== TOX_ID_SIZE) {
      throw new InvalidToxId('length', `a Tox ID has ${TOX_ID_SIZE} bytes, not ${bytes.length}`);
    }
    const raw = Uint8Array.from(bytes); // a copy at offset 0 (a Buffer's slice would be a view)
    const stored = (raw[TOX_ID_SIZE - 2] << 8) | raw[TOX_ID_SIZE - 1];
    const computed = toxIdChecksum(raw.subarray(0, TOX_ID_SIZE - 2));
    if (stored !== computed) {
      throw new InvalidToxId('checksum', `Tox ID checksum is ${hex4(stored)}, expected ${hex4(computed)}: mistyped?`);
    }
    return new ToxId(raw);
  }

  /** From 76 hex digits, either case; surrounding white space is ignored. */
  static parse(text: string): ToxId {
    const s = text.trim();
    if (s.length !== TOX_ID_SIZE * 2) {
      throw new InvalidToxId('length', `a Tox ID has ${TOX_ID_SIZE * 2} hex digits, not ${s.length}`);
    }
    const bad = /[^0-9a-fA-F]/.exec(s);
    if (bad) throw new InvalidToxId('hex', `a Tox ID is hex: '${bad[0]}' at position ${bad.index + 1}`);
    return ToxId.fromBytes(Buffer.from(s, 'hex'));
  }

  get publicKey(): Uint8Array {
    return this.raw.slice(0, TOX_PUBLIC_KEY_SIZE);
  }

  get nospam(): number {
    return new DataView(this.raw.buffer).getUint32(TOX_PUBLIC_KEY_SIZE);
  }

  get checksum(): number {
    return new DataView(this.raw.buffer).getUint16(TOX_PUBLIC_KEY_SIZE + 4);
  }

  /** The same key with another nospam (a new checksum). */
  withNospam(nospam: number): ToxId {
    return ToxId.from(this.raw.subarray(0, TOX_PUBLIC_KEY_SIZE), nospam);
  }

  /** The 38 bytes (a copy). */
  bytes(): Uint8Array {
    return this.raw.slice();
  }

  equals(other: ToxId): boolean {
    return Buffer.compare(this.raw, other.raw) === 0;
  }

  /** 76 upper-case hex digits, as qTox and tox_self_get_address users show it. */
  toString(): string {
    return Buffer.from(this.raw).toString('hex').toUpperCase();
  }
}

function hex4(v: number): string {
  return v.toString(16).toUpperCase().padStart(4, '0');
}
