/**
 * Two media sessions in one real confab-media on a private bus call each other over 127.0.0.1, each
 * with a WAV tone as the microphone and a WAV recorder as the speaker (DESIGN.md § Media, issue 16).
 */
import { toneShareDb } from './helpers/measure';
import { readWav } from './helpers/wav';
import { mediaWithTones } from './helpers/two-sessions';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const media = mediaWithTones({ aRate: 48000, bRate: 16000, seconds: 14 });
const pair = (codec: string) => media.call(codec, codec);

test('an Opus call: each side records the other\'s tone and not its own; hold silences the held side; DTMF arrives', async () => {
  const [a, b] = await pair('opus');
  const digits: string[] = [];
  b.onDtmf((d) => digits.push(d));
  await sleep(3000);
  await a.hold();
  await sleep(2000);
  await a.resume();
  await a.sendDtmf('19#', 120);
  await sleep(1500);
  const stats = await b.stats();
  await a.close();
  await b.close();
  expect(stats['packets-received']).toBeGreaterThan(100);
  const heardByB = readWav(media.recording('opus', 'b'));
  const heardByA = readWav(media.recording('opus', 'a'));
  // 0.5–2.5 s: both talking
  expect(toneShareDb(heardByB, 440, 0.5, 2.5)).toBeGreaterThan(-6);
  expect(toneShareDb(heardByA, 1000, 0.5, 2.5)).toBeGreaterThan(-6);
  expect(toneShareDb(heardByA, 440, 0.5, 2.5)).toBeLessThan(-30);
  // A held at ~3 s for 2 s: B hears nothing from A
  expect(toneShareDb(heardByB, 440, 3.6, 4.6)).toBeLessThan(-30);
  expect(digits.join('')).toBe('19#');
  expect((await media.mp.client.diagnostics()).pipelines).toBe(0);
}, 30_000);
