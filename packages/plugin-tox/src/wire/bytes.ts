/**
 * Bounds-checked reading and writing of the Tox wire formats (big-endian integers, fixed-size keys
 * and nonces, length-prefixed fields). Every decoder reads through a `Reader`: reading past the end
 * throws `Truncated`, which the packet handlers catch and count as a dropped packet — never an
 * index out of range, never a partial value.
 */

/** A packet or a record ended before the field being read. */
export class Truncated extends Error {
  constructor(readonly what: string, readonly need: number, readonly have: number) {
    super(`truncated ${what}: needs ${need} bytes, ${have} left`);
    this.name = 'Truncated';
  }
}

/** A field holds a value the format does not allow (a wrong family, a length over its bound). */
export class Malformed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Malformed';
  }
}

export class Reader {
  private at: number;

  constructor(private readonly buf: Uint8Array, start = 0, private readonly end = buf.length) {
    if (start < 0 || end > buf.length || start > end) throw new RangeError('reader out of the buffer');
    this.at = start;
  }

  get offset(): number {
    return this.at;
  }

  get remaining(): number {
    return this.end - this.at;
  }

  /** `n` bytes, as a view on the packet (copy it with `copyBytes` (wire/copy.ts) to keep it). */
  bytes(n: number, what = 'field'): Uint8Array {
    if (!Number.isInteger(n) || n < 0) throw new Malformed(`bad length ${n} for ${what}`);
    if (this.remaining < n) throw new Truncated(what, n, this.remaining);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** The rest, as a view. */
  rest(): Uint8Array {
    return this.bytes(this.remaining, 'rest');
  }

  u8(what = 'u8'): number {
    return this.bytes(1, what)[0];
  }

  u16(what = 'u16'): number {
    const b = this.bytes(2, what);
    return (b[0] << 8) | b[1];
  }

  u32(what = 'u32'): number {
    const b = this.bytes(4, what);
    return ((b[0] << 24) >>> 0) + ((b[1] << 16) | (b[2] << 8) | b[3]);
  }

  u64(what = 'u64'): bigint {
    const b = this.bytes(8, what);
    let v = 0n;
    for (const x of b) v = (v << 8n) | BigInt(x);
    return v;
  }

  /** Throws unless the whole input was read (for formats with no trailing bytes). */
  done(what = 'record'): void {
    if (this.remaining !== 0) throw new Malformed(`${this.remaining} bytes after the ${what}`);
  }
}

export class Writer {
  private buf: Uint8Array;
  private at = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.at));
    this.buf = grown;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
    return this;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.at++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf[this.at++] = (v >>> 8) & 0xff;
    this.buf[this.at++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    for (const s of [24, 16, 8, 0]) this.buf[this.at++] = (v >>> s) & 0xff;
    return this;
  }

  u64(v: bigint): this {
    this.room(8);
    for (let s = 56n; s >= 0n; s -= 8n) this.buf[this.at++] = Number((v >> s) & 0xffn);
    return this;
  }

  get length(): number {
    return this.at;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}
