/**
 * Measurements on recordings: power over a time window (rate-independent, so an input at 16 kHz and
 * an output at 48 kHz compare directly), ERLE, and Goertzel tone power.
 */
import type { Pcm } from './wav';

/** Mean square over [fromS, toS). */
export function meanSquare(p: Pcm, fromS: number, toS: number): number {
  const a = Math.max(0, Math.round(fromS * p.rate));
  const b = Math.min(p.samples.length, Math.round(toS * p.rate));
  let s = 0;
  for (let i = a; i < b; i++) s += p.samples[i]! * p.samples[i]!;
  return b > a ? s / (b - a) : 0;
}

export function db(ratio: number): number {
  return 10 * Math.log10(ratio);
}

/** Echo return loss enhancement over a window: how much quieter the output is than the microphone. */
export function erle(mic: Pcm, out: Pcm, fromS: number, toS: number): number {
  return db(meanSquare(mic, fromS, toS) / Math.max(1e-20, meanSquare(out, fromS, toS)));
}

/** Relative power of a frequency over a window (Goertzel), normalised by the window's length. */
export function goertzel(p: Pcm, freq: number, fromS: number, toS: number): number {
  const a = Math.max(0, Math.round(fromS * p.rate));
  const b = Math.min(p.samples.length, Math.round(toS * p.rate));
  const k = (2 * Math.cos((2 * Math.PI * freq) / p.rate));
  let s1 = 0;
  let s2 = 0;
  for (let i = a; i < b; i++) {
    const s0 = p.samples[i]! + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const n = Math.max(1, b - a);
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (n * n);
}

/** Power of a frequency relative to the window's total power, in dB (0 dB: a pure tone). */
export function toneShareDb(p: Pcm, freq: number, fromS: number, toS: number): number {
  // a sine of amplitude A: Goertzel power A²/4, mean square A²/2
  return db((2 * goertzel(p, freq, fromS, toS)) / Math.max(1e-20, meanSquare(p, fromS, toS)));
}
