/**
 * Clicks for the mouth-to-ear figure: a WAV of short 1 kHz bursts every PERIOD_S, and where they
 * start in a recording.
 *
 * The period is 640 ms = 30,720 samples at 48 kHz: a multiple of confab-media's source buffers
 * (wavparse reads 4,096 bytes = 2,048 samples of a 48 kHz mono file, max(40 ms, 4 KiB)) and of
 * baresip's 20 ms frames (960 samples), so each burst starts a buffer or frame: both programs release
 * a buffer at its start time, and a burst inside one would leave early by its offset.
 */
import { writeWav, type Pcm } from '../../test/fixtures/media/tones';

export const RATE = 48000;
export const PERIOD_S = 0.64;
const BURST_S = 0.01;
/** Bursts start at PERIOD_S, 2 PERIOD_S, …: the first second of a call is not measured twice. */
export function clickTimes(seconds: number): number[] {
  const out: number[] = [];
  for (let t = PERIOD_S; t + PERIOD_S <= seconds; t += PERIOD_S) out.push(Math.round(t * RATE) / RATE);
  return out;
}

/** A 48 kHz mono WAV of `seconds`: silence with a 10 ms 1 kHz burst (amplitude 0.5) at each click time. */
export function writeClicks(path: string, seconds: number): void {
  const samples = new Float64Array(Math.round(seconds * RATE));
  for (const t of clickTimes(seconds)) {
    const s0 = Math.round(t * RATE);
    for (let i = 0; i < BURST_S * RATE; i++) samples[s0 + i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / RATE);
  }
  writeWav(path, { rate: RATE, samples });
}

/**
 * Sample indexes where a burst starts in a recording: the first sample above a third of the
 * recording's peak after at least 200 ms below it.
 */
export function onsets(p: Pcm): number[] {
  let peak = 0;
  for (const x of p.samples) peak = Math.max(peak, Math.abs(x));
  if (peak < 0.01) return [];
  const threshold = peak / 3;
  const quiet = Math.round(0.2 * p.rate);
  const out: number[] = [];
  let last = -Infinity;
  for (let i = 0; i < p.samples.length; i++) {
    if (Math.abs(p.samples[i]!) < threshold) continue;
    if (i - last > quiet) out.push(i);
    last = i;
  }
  return out;
}

/**
 * The latency of each heard burst (ms): its ear time minus the mouth time of the burst it is, taken
 * as the one that makes the difference fall in [−¼, ¾) of a period — a few ms below zero are
 * possible (see the callers), more than ¾ of a period would be read as the next burst.
 */
export function latencies(mouth: readonly number[], ear: readonly number[]): number[] {
  const period = PERIOD_S * 1000;
  return ear.flatMap((e) => {
    const m = mouth.find((t) => e - t >= -period / 4 && e - t < (3 * period) / 4);
    return m === undefined ? [] : [e - m];
  });
}

export function summary(ms: readonly number[]): string {
  if (ms.length === 0) return 'no burst found';
  const s = [...ms].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]!.toFixed(1)} ms, min ${s[0]!.toFixed(1)}, max ${s.at(-1)!.toFixed(1)} (${s.length} bursts)`;
}
