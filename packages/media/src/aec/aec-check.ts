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
 * @since 0.1.0
 */
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

/** The launch description of an aec-check run. */
export function aecCheckPipeline(o: AecCheckOptions): string {
  const rate = o.rate ?? 48000;
  if (!DSP_RATES.includes(rate)) throw new RangeError(`rate must be one of ${DSP_RATES.join(', ')}`);
  const delayMs = o.delayMs ?? 0;
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 1000) throw new RangeError('delay must be 0..1000 ms');
  const caps = dspCaps(rate);
  const decode = (file: string) => `filesrc location=${quote(file)} ! wavparse ! audioconvert ! audioresample ! ${caps}`;
  // the far end, preceded by the delay as silence (concat runs its inputs one after the other)
  const far = delayMs > 0
    ? `concat name=far ! ${caps} ! il.sink_0 audiotestsrc wave=silence num-buffers=1 samplesperbuffer=${(delayMs * rate) / 1000} ! ${caps} ! far. ${decode(o.far)} ! far.`
    : `${decode(o.far)} ! il.sink_0`;
  return [
    'interleave name=il ! audio/x-raw,channels=2,channel-mask=(bitmask)0x0 ! deinterleave name=split',
    far,
    `${decode(o.mic)} ! il.sink_1`,
    `split.src_0 ! ${caps} ! ${probeElement('probe')} ! fakesink sync=false async=false`,
    `split.src_1 ! ${caps} ! ${dspElement(o.dsp ?? DEFAULT_DSP, 'dsp', 'probe')} ! audioconvert ! wavenc ! filesink location=${quote(o.out)} async=false`,
  ].join(' ');
}

/** Runs aec-check to the end of the shorter recording. Rejects with GStreamer's reason. */
export function aecCheck(o: AecCheckOptions, report: ErrorSink, timeoutMs = 120_000): Promise<void> {
  return runToEos(aecCheckPipeline(o), report, timeoutMs);
}
