/**
 * Two media sessions in one real confab-media on a private bus call each other over 127.0.0.1, each
 * with a WAV tone as the microphone and a WAV recorder as the speaker (DESIGN.md § Media, issue 16).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaSessionClient } from '../src/client/media-client';
import { toneShareDb } from './helpers/measure';
import { remoteOf } from './helpers/remote';
import { startMedia, type MediaProcess } from './helpers/media-process';
import { tone } from './helpers/signals';
import { readWav, writeWav } from './helpers/wav';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let mp: MediaProcess;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'confab-call-'));
  writeWav(join(dir, 'a-mic.wav'), { rate: 48000, samples: tone(440, 48000, 14) });
  writeWav(join(dir, 'b-mic.wav'), { rate: 16000, samples: tone(1000, 16000, 14) });
  mp = await startMedia();
});
afterAll(async () => {
  await mp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function pair(codec: string, extra: { srtp?: boolean; rtcpMux?: boolean } = {}): Promise<[MediaSessionClient, MediaSessionClient]> {
  const common = { audio: true, video: false, transport: 'rtp' as const, address: '127.0.0.1', codecs: [codec], ...extra };
  const a = await mp.client.createSession({ ...common, microphone: `file:${join(dir, 'a-mic.wav')}`, speaker: `file:${join(dir, `a-${codec}.wav`)}` });
  const b = await mp.client.createSession({ ...common, microphone: `file:${join(dir, 'b-mic.wav')}`, speaker: `file:${join(dir, `b-${codec}.wav`)}` });
  const [la, lb] = [await a.localDescription(), await b.localDescription()];
  await a.setRemote(remoteOf(lb, codec));
  await b.setRemote(remoteOf(la, codec));
  await a.start();
  await b.start();
  return [a, b];
}

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
  const heardByB = readWav(join(dir, 'b-opus.wav'));
  const heardByA = readWav(join(dir, 'a-opus.wav'));
  // 0.5–2.5 s: both talking
  expect(toneShareDb(heardByB, 440, 0.5, 2.5)).toBeGreaterThan(-6);
  expect(toneShareDb(heardByA, 1000, 0.5, 2.5)).toBeGreaterThan(-6);
  expect(toneShareDb(heardByA, 440, 0.5, 2.5)).toBeLessThan(-30);
  // A held at ~3 s for 2 s: B hears nothing from A
  expect(toneShareDb(heardByB, 440, 3.6, 4.6)).toBeLessThan(-30);
  expect(digits.join('')).toBe('19#');
  expect((await mp.client.diagnostics()).pipelines).toBe(0);
}, 30_000);
