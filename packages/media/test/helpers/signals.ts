/**
 * Synthetic signals for echo and call tests: a speech-like talker (a glottal pulse train with a
 * wandering pitch, shaped by a formant-like filter, breath noise, syllables of 120–420 ms separated by
 * pauses of 50–350 ms), an echo path (bulk delay, a reflection, a low-pass), tones.
 * Deterministic: every generator takes a seed.
 */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** A talker at pitch f0 (Hz), peak amplitude `peak`. */
export function speechLike(seed: number, f0: number, rate: number, seconds: number, peak = 0.5): Float64Array {
  const r = xorshift(seed);
  const n = Math.round(rate * seconds);
  const out = new Float64Array(n);
  let env = 0;
  let on = false;
  let left = 0;
  let phase = 0;
  let lp = 0;
  let lp2 = 0;
  for (let i = 0; i < n; i++) {
    if (left-- <= 0) {
      on = !on;
      left = Math.floor((on ? 0.12 + r() * 0.3 : 0.05 + r() * 0.3) * rate);
    }
    env += ((on ? 1 : 0) - env) * (on ? 0.004 : 0.002) * (16000 / rate);
    phase += (f0 * (1 + 0.15 * Math.sin((2 * Math.PI * i * 1.3) / rate))) / rate;
    let pulse = 0;
    if (phase >= 1) {
      phase -= 1;
      pulse = 1;
    }
    lp += 0.25 * (pulse * 3 + (r() * 2 - 1) * 0.3 - lp);
    lp2 += 0.5 * (lp - lp2);
    out[i] = env * (lp - lp2 * 0.5);
  }
  return normalize(out, peak);
}

export function normalize(x: Float64Array, peak: number): Float64Array {
  let max = 0;
  for (const v of x) max = Math.max(max, Math.abs(v));
  if (max > 0) for (let i = 0; i < x.length; i++) x[i] = (x[i]! * peak) / max;
  return x;
}

/** The echo of `far` at a microphone: bulk delay, a reflection 8 ms later, gain, a one-pole low-pass, a noise floor. */
export function echoPath(far: Float64Array, rate: number, o: { delayMs: number; gain: number; noise?: number; seed?: number }): Float64Array {
  const d = Math.round((o.delayMs / 1000) * rate);
  const d2 = d + Math.round(0.008 * rate);
  const r = xorshift(o.seed ?? 99);
  const out = new Float64Array(far.length);
  let lp = 0;
  for (let i = 0; i < far.length; i++) {
    const e = (i >= d ? far[i - d]! : 0) * o.gain + (i >= d2 ? far[i - d2]! : 0) * o.gain * 0.33;
    lp += 0.6 * (e - lp);
    out[i] = lp + (r() * 2 - 1) * (o.noise ?? 0.0003);
  }
  return out;
}

/** `a + b` over the samples of `b` from `fromS` to `toS` seconds (the rest of `a` unchanged). */
export function mixIn(a: Float64Array, b: Float64Array, rate: number, fromS: number, toS: number): Float64Array {
  const out = Float64Array.from(a);
  for (let i = Math.round(fromS * rate); i < Math.min(a.length, Math.round(toS * rate)); i++) out[i]! += b[i] ?? 0;
  return out;
}

export function tone(freq: number, rate: number, seconds: number, amplitude = 0.3): Float64Array {
  const n = Math.round(rate * seconds);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}
