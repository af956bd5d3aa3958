/**
 * The capture processing of a call: `webrtcdsp` (webrtc-audio-processing 0.3 in Debian bookworm: the
 * legacy AEC, not AEC3) fed with the far end by a `webrtcechoprobe` of the same pipeline.
 *
 * Defaults chosen from measurements (bench/media.ts, a 60 ms echo path, speech-like far end): with the
 * playback→capture delay known to the canceller, `echo-suppression-level=high` gave 43 dB ERLE
 * converged and 32 dB over the first 2 s; `moderate` 43 / 28 dB. Automatic gain control on cost about
 * 5 dB of ERLE (it raises what residual echo is left), so it is off unless asked for.
 * `delay-agnostic=true` broke cancellation (≈ 10 dB) and `extended-filter` changed nothing, so both
 * stay off. The canceller's filter covers ≈ 48 ms beyond the delay it is told: the probe tells it the
 * playback sink's latency, so a call's playback sink must report its latency truthfully.
 * @since 0.1.0
 */
import { props } from '../gst/launch';

export type SuppressionLevel = 'low' | 'moderate' | 'high';

export interface DspSettings {
  /** Echo cancellation (default on). */
  readonly echoCancel: boolean;
  readonly suppression: SuppressionLevel;
  /** Noise suppression (default on, moderate). */
  readonly noiseSuppression: boolean;
  /** Automatic gain control (default off: see above). */
  readonly gainControl: boolean;
}

export const DEFAULT_DSP: DspSettings = { echoCancel: true, suppression: 'high', noiseSuppression: true, gainControl: false };

/** The sample rates webrtcdsp processes (S16LE interleaved). */
export const DSP_RATES: readonly number[] = [8000, 16000, 32000, 48000];

/** The webrtcdsp element, bound to the probe of the same pipeline named `probe`. */
export function dspElement(s: DspSettings, name: string, probe: string): string {
  return `webrtcdsp ${props({
    name,
    probe,
    'echo-cancel': s.echoCancel,
    // enums can be set by nick in a launch string even where a binding could not set them
    'echo-suppression-level': s.suppression,
    'noise-suppression': s.noiseSuppression,
    'gain-control': s.gainControl,
    'delay-agnostic': false,
  })}`;
}

/** The probe: a pass-through on the playback path that keeps the far end for the canceller. */
export function probeElement(name: string): string {
  return `webrtcechoprobe name=${name}`;
}

/** Raw audio caps webrtcdsp takes. */
export function dspCaps(rate: number): string {
  return `audio/x-raw,format=S16LE,layout=interleaved,rate=${rate},channels=1`;
}
