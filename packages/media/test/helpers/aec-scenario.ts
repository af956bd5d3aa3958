/**
 * The echo scenario of the aec-check test and bench/media: a speech-like far end (20 s, 16 kHz), its
 * echo at the microphone through a 60 ms path at -10 dB, and a near-end talker (another pitch) over
 * 12–16 s (double talk). aec-check runs as the real CLI, stopped by its PID if it overruns.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { erle, db, meanSquare } from './measure';
import { echoPath, mixIn, speechLike } from './signals';
import { readWav, writeWav } from './wav';

/** The built command (found through the workspace link, so benches compiled elsewhere find it too). */
export const CONFAB_MEDIA = join(dirname(require.resolve('@confab/media/package.json')), 'dist', 'main.js');
export const RATE = 16000;
export const ECHO_DELAY_MS = 60;
const SECONDS = 20;
const DOUBLE_TALK: [number, number] = [12, 16];

export interface AecFigures {
  /** ERLE over the first 2 s (dB). */
  readonly first2s: number;
  /** ERLE over 8–12 s, converged, far end alone (dB). */
  readonly converged: number;
  /** ERLE over 17–20 s, after the double talk (dB). */
  readonly afterDoubleTalk: number;
  /** How much quieter the near end leaves than it went in, during double talk (dB; 0 = untouched). */
  readonly nearLossDoubleTalk: number;
}

/** Writes far.wav, mic.wav (echo + near end in double talk) and near.wav into `dir`. */
export function writeScenario(dir: string): void {
  const far = speechLike(1, 140, RATE, SECONDS);
  const near = speechLike(7, 210, RATE, SECONDS);
  const echo = echoPath(far, RATE, { delayMs: ECHO_DELAY_MS, gain: 0.3 });
  writeWav(join(dir, 'far.wav'), { rate: RATE, samples: far });
  writeWav(join(dir, 'mic.wav'), { rate: RATE, samples: mixIn(echo, near, RATE, ...DOUBLE_TALK) });
  writeWav(join(dir, 'near.wav'), { rate: RATE, samples: mixIn(new Float64Array(far.length), near, RATE, ...DOUBLE_TALK) });
}

export function runAecCheck(args: readonly string[], timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // execFile kills the child (by its PID) when the timeout passes
    execFile(process.execPath, [CONFAB_MEDIA, 'aec-check', ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

/** Runs aec-check on the scenario in `dir` and measures. */
export async function measureAec(dir: string, out: string, extra: readonly string[] = []): Promise<AecFigures> {
  await runAecCheck(['--far', join(dir, 'far.wav'), '--mic', join(dir, 'mic.wav'), '--out', join(dir, out), ...extra]);
  const mic = readWav(join(dir, 'mic.wav'));
  const near = readWav(join(dir, 'near.wav'));
  const o = readWav(join(dir, out));
  return {
    first2s: erle(mic, o, 0, 2),
    converged: erle(mic, o, 8, 12),
    afterDoubleTalk: erle(mic, o, 17, 20),
    nearLossDoubleTalk: db(meanSquare(near, ...DOUBLE_TALK) / Math.max(1e-20, meanSquare(o, ...DOUBLE_TALK))),
  };
}
