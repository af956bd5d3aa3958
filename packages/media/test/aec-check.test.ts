/**
 * `confab-media aec-check` on a synthetic echo path (test/helpers/aec-scenario.ts), run as the real
 * command. Figures for the record: `npm run bench -- media`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECHO_DELAY_MS, measureAec, runAecCheck, writeScenario } from './helpers/aec-scenario';
import { withLeadingSilence } from '../src/aec/aec-check';
import { readWav, writeWav } from './helpers/wav';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'confab-aec-'));
  writeScenario(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('cancels the echo when told the playback delay, as a call is', async () => {
  const f = await measureAec(dir, 'out-delay.wav', ['--delay', String(ECHO_DELAY_MS - 10)]);
  expect(f.converged).toBeGreaterThan(35);
  expect(f.first2s).toBeGreaterThan(20);
  expect(f.afterDoubleTalk).toBeGreaterThan(25);
  // the near end gets through double talk (suppression takes some of it, never most)
  expect(f.nearLossDoubleTalk).toBeLessThan(10);
});

test('without the delay the canceller still removes part of the echo', async () => {
  const f = await measureAec(dir, 'out-nodelay.wav');
  expect(f.converged).toBeGreaterThan(10);
});

test('the output keeps the length of the recording, at the processing rate asked for', async () => {
  await runAecCheck(['--far', join(dir, 'far.wav'), '--mic', join(dir, 'mic.wav'), '--out', join(dir, 'out16.wav'), '--rate', '16000']);
  const out = readWav(join(dir, 'out16.wav'));
  const mic = readWav(join(dir, 'mic.wav'));
  expect(out.rate).toBe(16000);
  expect(Math.abs(out.samples.length - mic.samples.length)).toBeLessThan(16000 * 0.05);
});

test('a missing recording is a clear error and exit status 1', async () => {
  await expect(runAecCheck(['--far', join(dir, 'nope.wav'), '--mic', join(dir, 'mic.wav'), '--out', join(dir, 'x.wav')])).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining('No such file') as unknown,
  });
});

test('bad arguments are refused before anything runs', async () => {
  await expect(runAecCheck(['--far', 'a.wav'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--mic is required') as unknown });
  await expect(runAecCheck(['--far', 'a', '--mic', 'b', '--out', 'c', '--rate', '44100'])).rejects.toMatchObject({ stderr: expect.stringContaining('rate must be') as unknown });
});

test('the delay is written as silence before the far end\'s samples, the WAV sizes grown to match', () => {
  const samples = Float64Array.from([0.5, -0.5, 0.25, -0.25]);
  writeWav(join(dir, 'short.wav'), { rate: 8000, samples });
  writeFileSync(join(dir, 'short-delayed.wav'), withLeadingSilence(readFileSync(join(dir, 'short.wav')), 3 * 2));
  const out = readWav(join(dir, 'short-delayed.wav'));
  expect(out.rate).toBe(8000);
  expect(Array.from(out.samples).map((x) => Math.round(x * 100) / 100)).toEqual([0, 0, 0, 0.5, -0.5, 0.25, -0.25]);
  expect(() => withLeadingSilence(Buffer.from('not a wave file'), 2)).toThrow('not a RIFF WAVE file');
});
