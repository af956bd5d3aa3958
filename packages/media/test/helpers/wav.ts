/**
 * A small WAV reader/writer (PCM S16LE) for tests and benches: they make their inputs and read the
 * outputs of confab-media (which itself never reads samples into JavaScript).
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface Pcm {
  readonly rate: number;
  /** Mono samples in [-1, 1] (the first channel of a multi-channel file). */
  readonly samples: Float64Array;
}

export function writeWav(path: string, pcm: Pcm): void {
  const n = pcm.samples.length;
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + n * 2, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(pcm.rate, 24);
  b.writeUInt32LE(pcm.rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(pcm.samples[i]! * 32767))), 44 + 2 * i);
  writeFileSync(path, b);
}

export function readWav(path: string): Pcm {
  const b = readFileSync(path);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path} is not a WAV file`);
  let offset = 12;
  let channels = 1;
  let rate = 0;
  while (offset + 8 <= b.length) {
    const id = b.toString('ascii', offset, offset + 4);
    // wavenc writes 0 (or a too large size) while streaming when it cannot seek back: read what is there
    const size = Math.min(b.readUInt32LE(offset + 4), b.length - offset - 8);
    if (id === 'fmt ') {
      channels = b.readUInt16LE(offset + 10);
      rate = b.readUInt32LE(offset + 12);
      if (b.readUInt16LE(offset + 22) !== 16) throw new Error(`${path}: only 16-bit PCM is read here`);
    } else if (id === 'data') {
      const n = Math.floor(size / 2 / channels);
      const samples = new Float64Array(n);
      for (let i = 0; i < n; i++) samples[i] = b.readInt16LE(offset + 8 + i * 2 * channels) / 32768;
      return { rate, samples };
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error(`${path} has no data chunk`);
}
