/**
 * Two sessions of one real confab-media calling each other over 127.0.0.1, each with a WAV tone as
 * its microphone (a: 440 Hz, b: 1000 Hz) and a WAV recorder as its speaker: the set-up every call
 * test shares. `mediaWithTones` registers the process and the folder with jest's beforeAll/afterAll.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaSessionClient } from '../../src/client/media-client';
import type { SessionOptions } from '../../src/session/types';
import { startMedia, type MediaProcess } from './media-process';
import { remoteOf } from './remote';
import { tone } from './signals';
import { writeWav } from './wav';

export interface TonePair {
  readonly mp: MediaProcess;
  /** The folder of the microphones and recordings. */
  readonly dir: string;
  /** Where a call's recording for side a or b is: `<dir>/<name>-<side>.wav`. */
  recording(name: string, side: 'a' | 'b'): string;
  /** Two sessions with `codec` (and `extra` options), each given the other's description, both started. */
  call(name: string, codec: string, extra?: Partial<SessionOptions>): Promise<[MediaSessionClient, MediaSessionClient]>;
}

export function mediaWithTones(opts: { aRate: number; bRate: number; seconds: number }): TonePair {
  let mp: MediaProcess | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'confab-call-'));
    writeWav(join(dir, 'a-mic.wav'), { rate: opts.aRate, samples: tone(440, opts.aRate, opts.seconds) });
    writeWav(join(dir, 'b-mic.wav'), { rate: opts.bRate, samples: tone(1000, opts.bRate, opts.seconds) });
    mp = await startMedia();
  });
  afterAll(async () => {
    await mp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const pair: TonePair = {
    get mp() {
      if (!mp) throw new Error('confab-media is not started (beforeAll)');
      return mp;
    },
    get dir() {
      return dir;
    },
    recording: (name, side) => join(dir, `${name}-${side}.wav`),
    async call(name, codec, extra = {}) {
      const common = { audio: true, video: false, transport: 'rtp' as const, address: '127.0.0.1', codecs: [codec], ...extra };
      const session = (side: 'a' | 'b') =>
        pair.mp.client.createSession({ ...common, microphone: `file:${join(dir, `${side}-mic.wav`)}`, speaker: `file:${pair.recording(name, side)}` });
      const a = await session('a');
      const b = await session('b');
      await a.setRemote(remoteOf(await b.localDescription(), codec));
      await b.setRemote(remoteOf(await a.localDescription(), codec));
      await a.start();
      await b.start();
      return [a, b];
    },
  };
  return pair;
}
