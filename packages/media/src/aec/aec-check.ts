/**
 * `confab-media aec-check`: a call's capture processing run offline on two recordings — what the far
 * end said (FAR) and what the microphone heard (MIC) — writing what the far end would hear (OUT).
 *
 * Both files are decoded, resampled to the processing rate and interleaved into one stereo stream,
 * then split again: channel 0 (far) goes through the probe, channel 1 (mic) through the canceller.
 * `deinterleave` pushes both halves of every buffer from one thread, far first, so the canceller
 * always has the far end of the same instant, as fast as the CPU goes and the same on every run
 * (two free-running file branches would race). The sinks do not preroll (`async=false`): both
 * branches share that one thread, so a sink blocking in preroll would starve the other.
 *
 * The recordings carry no latency report, so `delayMs` tells the canceller the playback→capture delay
 * a live call would have reported (the far end is delayed by it before the probe). It should be a
 * little less than the true bulk delay: the canceller's filter reaches ≈ 48 ms beyond it, not before.
 * The delay is written into a copy of the far end first (decoded at the processing rate by a pipeline
 * of its own, then that much silence put before its samples): done inside the pipeline with `concat`
 * (a one-buffer silence, then the file) it hung now and then under load (3 runs in 40 here, once in
 * CI), never finishing.
 * @since 0.1.0
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quote } from '../gst/launch';
import { runToEos } from '../gst/pipeline';
import type { ErrorSink } from '../gst/safe';
import { DEFAULT_DSP, DSP_RATES, dspCaps, dspElement, probeElement, type DspSettings } from './dsp-settings';

export interface AecCheckOptions {
  readonly far: string;
  readonly mic: string;
  readonly out: string;
  /** Processing rate (default 48000, as for Opus). */
  readonly rate?: number;
  /** The playback→capture delay the canceller is told, in ms (default 0). */
  readonly delayMs?: number;
  readonly dsp?: DspSettings;
}

function checked(o: AecCheckOptions): { rate: number; delayMs: number } {
  const rate = o.rate ?? 48000;
  if (!DSP_RATES.includes(rate)) throw new RangeError(`rate must be one of ${DSP_RATES.join(', ')}`);
  const delayMs = o.delayMs ?? 0;
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 1000) throw new RangeError('delay must be 0..1000 ms');
  return { rate, delayMs };
}

const decode = (file: string, caps: string) => `filesrc location=${quote(file)} ! wavparse ! audioconvert ! audioresample ! ${caps}`;

/** The launch description of an aec-check run, its far end already delayed (`farDelayed`, see the header). */
export function aecCheckPipeline(o: AecCheckOptions, farDelayed = o.far): string {
  const { rate } = checked(o);
  const caps = dspCaps(rate);
  const far = `${decode(farDelayed, caps)} ! il.sink_0`;
  return [
    'interleave name=il ! audio/x-raw,channels=2,channel-mask=(bitmask)0x0 ! deinterleave name=split',
    far,
    `${decode(o.mic, caps)} ! il.sink_1`,
    `split.src_0 ! ${caps} ! ${probeElement('probe')} ! fakesink sync=false async=false`,
    `split.src_1 ! ${caps} ! ${dspElement(o.dsp ?? DEFAULT_DSP, 'dsp', 'probe')} ! audioconvert ! wavenc ! filesink location=${quote(o.out)} async=false`,
  ].join(' ');
}

/** Runs aec-check to the end of the shorter recording. Rejects with GStreamer's reason. */
export async function aecCheck(o: AecCheckOptions, report: ErrorSink, timeoutMs = 120_000): Promise<void> {
  const { rate, delayMs } = checked(o);
  if (delayMs === 0) return runToEos(aecCheckPipeline(o), report, timeoutMs);
  const dir = mkdtempSync(join(tmpdir(), 'confab-aec-'));
  try {
    const decoded = join(dir, 'far.wav');
    await runToEos(`${decode(o.far, dspCaps(rate))} ! wavenc ! filesink location=${quote(decoded)}`, report, timeoutMs);
    const delayed = join(dir, 'far-delayed.wav');
    writeFileSync(delayed, withLeadingSilence(readFileSync(decoded), Math.round((delayMs * rate) / 1000) * 2)); // S16LE mono: 2 bytes a sample
    await runToEos(aecCheckPipeline(o, delayed), report, timeoutMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A RIFF WAVE file with `bytes` of zero samples before its data (the RIFF and data sizes grown to match). */
export function withLeadingSilence(wav: Buffer, bytes: number): Buffer {
  if (wav.length < 12 || wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF WAVE file');
  for (let at = 12; at + 8 <= wav.length;) {
    const size = wav.readUInt32LE(at + 4);
    if (wav.toString('ascii', at, at + 4) === 'data') {
      const head = Buffer.from(wav.subarray(0, at + 8));
      const data = wav.subarray(at + 8, Math.min(wav.length, at + 8 + size));
      head.writeUInt32LE(data.length + bytes, at + 4);
      head.writeUInt32LE(head.length - 8 + bytes + data.length, 4);
      return Buffer.concat([head, Buffer.alloc(bytes), data]);
    }
    at += 8 + size + (size % 2); // RIFF chunks are padded to even sizes
  }
  throw new Error('no data chunk in the WAVE file');
}
