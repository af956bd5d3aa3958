/**
 * bench/media — confab-media's figures (issue 16). Not a test: it prints figures.
 *
 *   npm run bench -- media
 *
 * 1. echo cancellation: `confab-media aec-check` on a synthetic echo path (a speech-like far end,
 *    60 ms bulk delay, a reflection, -10 dB, low-passed; double talk 12–16 s; see
 *    packages/media/test/helpers/aec-scenario.ts): ERLE over the first 2 s, converged (8–12 s) and
 *    after double talk (17–20 s), and the near end's loss during double talk; for each suppression
 *    level, with the playback delay told to the canceller (as a call's latency report does) and
 *    without it, with and without automatic gain control.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECHO_DELAY_MS, measureAec, writeScenario, type AecFigures } from '../packages/media/test/helpers/aec-scenario';

const f1 = (n: number) => n.toFixed(1).padStart(6);

async function echoCancellation(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-media-'));
  try {
    writeScenario(dir);
    console.log('echo cancellation (aec-check, webrtcdsp 0.3 legacy AEC, 48 kHz processing; dB)');
    console.log('  suppression  delay told  agc   first 2 s  converged  after DT  near loss in DT');
    for (const suppression of ['low', 'moderate', 'high']) {
      for (const delay of [ECHO_DELAY_MS - 10, 0]) {
        for (const agc of [false, true]) {
          const args = ['--suppression', suppression, '--delay', String(delay), ...(agc ? ['--agc'] : [])];
          const f: AecFigures = await measureAec(dir, 'out.wav', args);
          console.log(`  ${suppression.padEnd(11)}  ${`${delay} ms`.padStart(10)}  ${agc ? 'on ' : 'off'}  ${f1(f.first2s)}     ${f1(f.converged)}     ${f1(f.afterDoubleTalk)}    ${f1(f.nearLossDoubleTalk)}`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await echoCancellation();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
