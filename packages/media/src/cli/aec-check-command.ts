/**
 * `confab-media aec-check --far FAR.wav --mic MIC.wav --out OUT.wav [--delay MS] [--rate HZ]
 *  [--suppression low|moderate|high] [--agc] [--no-ns]`
 * @since 0.1.0
 */
import { aecCheck } from '../aec/aec-check';
import { DEFAULT_DSP, type SuppressionLevel } from '../aec/dsp-settings';
import { integer, parseArgs, required } from './args';

export const AEC_CHECK_USAGE =
  'confab-media aec-check --far FAR.wav --mic MIC.wav --out OUT.wav [--delay MS] [--rate 8000|16000|32000|48000] [--suppression low|moderate|high] [--agc] [--no-ns]';

const LEVELS: readonly SuppressionLevel[] = ['low', 'moderate', 'high'];

export async function aecCheckCommand(argv: readonly string[], report: (where: string, err: unknown) => void): Promise<void> {
  const args = parseArgs(argv, new Set(['agc', 'no-ns']));
  const suppression = (args.options.get('suppression') ?? DEFAULT_DSP.suppression) as SuppressionLevel;
  if (!LEVELS.includes(suppression)) throw new Error(`--suppression must be one of ${LEVELS.join(', ')}`);
  await aecCheck(
    {
      far: required(args, 'far'),
      mic: required(args, 'mic'),
      out: required(args, 'out'),
      rate: integer(args, 'rate'),
      delayMs: integer(args, 'delay'),
      dsp: { ...DEFAULT_DSP, suppression, gainControl: args.flags.has('agc'), noiseSuppression: !args.flags.has('no-ns') },
    },
    report,
  );
}
