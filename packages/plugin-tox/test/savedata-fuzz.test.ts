/**
 * Bounded fuzzing of the profile parsers: random, truncated, bit-flipped and length-inflated inputs
 * must end in `Truncated`, `Malformed` or `WrongPassphrase` (or parse), quickly, and never anything
 * else. Seeded, so a failure is reproducible.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WrongPassphrase, derivePassKeySync, getSalt, parseSavedata, passDecrypt, passKeyDecrypt, writeSavedata } from '../src/savedata';
import { ToxId } from '../src/tox-id';
import { Malformed, Truncated } from '../src/wire/bytes';

const VECTORS = join(__dirname, 'vectors');
const load = (f: string): Uint8Array => new Uint8Array(readFileSync(join(VECTORS, f)));
const plain = load('c-toxcore-plain.tox');
const resaved = load('c-toxcore-resaved.tox');
const encrypted = load('c-toxcore-encrypted.tox');
const PASSPHRASE = 'correct horse battery staple';

/** xorshift32: deterministic. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000, 2216 * 1000, 0xffff];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function noise(length: number, rand: (n: number) => number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = rand(256);
  return out;
}

function mutate(base: Uint8Array, rand: (n: number) => number): Uint8Array {
  switch (rand(6)) {
    case 0: // truncated
      return base.slice(0, rand(base.length));
    case 1: {
      // a few flipped bytes
      const b = base.slice();
      for (let i = rand(8) + 1; i > 0; i--) b[rand(b.length)] ^= 1 << rand(8);
      return b;
    }
    case 2: {
      // a huge or odd little- or big-endian u32 anywhere (section lengths, friend fields…)
      const b = base.slice();
      const at = rand(b.length - 4);
      new DataView(b.buffer).setUint32(at, rand(2) ? HUGE[rand(HUGE.length)] : rand(0x100000), rand(2) === 0);
      return b;
    }
    case 3: // random bytes behind a valid header
      return concat(base.subarray(0, 8 + rand(80)), noise(rand(3000), rand));
    case 4: // pure noise
      return noise(rand(600), rand);
    default: {
      // a slice of the file duplicated or moved (sections repeated, misaligned)
      const a = rand(base.length);
      const e = a + rand(base.length - a);
      return concat(base.subarray(0, rand(base.length)), base.subarray(a, e), base.subarray(rand(base.length)));
    }
  }
}

function expectOnly(f: () => unknown, allowed: Function[]): 'ok' | string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!allowed.some((t) => e instanceof t)) throw e;
    return (e as Error).name;
  }
}

describe('fuzzing the profile parsers', () => {
  it('parseSavedata: 2,000 hostile inputs, only Truncated/Malformed, each fast', () => {
    const rand = rng(0x5eed);
    const outcomes = new Map<string, number>();
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const input = mutate(i % 2 ? plain : resaved, rand);
      const t0 = process.hrtime.bigint();
      const outcome = expectOnly(() => {
        const p = parseSavedata(input);
        writeSavedata(p); // what parses also writes
      }, [Truncated, Malformed]);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    times.sort((a, b) => a - b);
    // ms; a parse takes ~1 ms (one scalar multiplication); the bound leaves room for a GC pause
    expect(times[1000]).toBeLessThan(20);
    expect(times[1999]).toBeLessThan(250);
    expect(outcomes.get('Truncated')).toBeGreaterThan(0);
    expect(outcomes.get('Malformed')).toBeGreaterThan(0);
  });

  it('passKeyDecrypt: 2,000 hostile inputs, only Truncated/Malformed/WrongPassphrase', () => {
    const rand = rng(0xc0ffee);
    const key = derivePassKeySync(PASSPHRASE, getSalt(encrypted));
    for (let i = 0; i < 2000; i++) {
      const input = mutate(encrypted, rand);
      expectOnly(() => parseSavedata(passKeyDecrypt(key, input)), [Truncated, Malformed, WrongPassphrase]);
    }
  });

  it('passDecrypt with the key derivation: damaged salts and lengths', async () => {
    const rand = rng(7);
    for (let i = 0; i < 12; i++) {
      const input = mutate(encrypted, rand);
      await passDecrypt(input, PASSPHRASE).then(
        (p) => expectOnly(() => parseSavedata(p), [Truncated, Malformed]),
        (e: unknown) => expect([Truncated, Malformed, WrongPassphrase].some((t) => e instanceof t)).toBe(true),
      );
    }
  });

  it('ToxId.parse: 2,000 random strings, only Malformed', () => {
    const rand = rng(99);
    const good = '7F9C31FE850E97CEFD4C4591DF93FC757C7C12549DDD55F8EEAECC34FE76C029C3C2F8F45F3C';
    const alphabet = '0123456789abcdefABCDEF xyz\u00e9';
    for (let i = 0; i < 2000; i++) {
      const s = rand(2)
        ? Array.from({ length: rand(90) }, () => alphabet[rand(alphabet.length)]).join('')
        : good.slice(0, rand(76)) + alphabet[rand(alphabet.length)] + good.slice(rand(76));
      expectOnly(() => ToxId.parse(s), [Malformed]);
    }
  });
});
