/**
 * Mouth-to-ear of a loopback call between two sessions of ONE confab-media process (its own private
 * bus, no daemon), each playing the same WAV of clicks (`file:` microphone) and recording the other
 * (`file:` speaker), so both directions are measured on the process's one clock (see gst-log.ts):
 *
 * - mouth: the burst's start in the sender's source, released by `identity sync=true` at the sender
 *   pipeline's base time + its position in the file (each burst starts a source buffer, clicks.ts);
 * - ear: when the decoded buffer holding the burst's start left wavenc for the file, plus the burst's
 *   offset in that buffer — what a device handed that buffer at that moment would play.
 *
 * Included: webrtcdsp (echo canceller, noise suppression), the encoder, RTP, the loopback interface,
 * the jitter buffer as it passes packets in order, the decoder, resampling. Excluded: a microphone's
 * capture buffer and a sound card's output buffer (neither exists here); the jitter buffer's 60 ms
 * latency (JITTER_BUFFER_MS, rtp-session.ts), which only a sink that syncs to the clock waits (the
 * file sink does not; the pipeline's configured latency is 0); and the waits a live microphone
 * imposes that a file does not: a file's buffer (42.7 ms) is released whole at its start time, so
 * the packet holding a burst leaves without waiting for the rest of its samples (a packet's
 * duration), and the resampler to 8 kHz gets its look-ahead at once (which is why a figure can come
 * out a few ms below zero).
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { startMedia } from '../../packages/media/test/helpers/media-process';
import { remoteOf } from '../../packages/media/test/helpers/remote';
import { readWav } from '../../test/fixtures/media/tones';
import { clickTimes, latencies, onsets, writeClicks } from './clicks';
import { parseGstLog, pushAt, type GstTimes } from './gst-log';
import { usage } from './proc-usage';
import { sleep } from './wait';

export interface ConfabLoopback {
  readonly ms: number[];
  /** RSS of the fresh confab-media before any session, kB. */
  readonly freshRssKb: number;
  readonly stats: Array<Record<string, number>>;
  readonly problems: string[];
}

/** Both directions' latencies (ms) from one recording: `ear` is the recording's side, `mouth` the other's. */
function direction(g: GstTimes, wav: string, mouthPipeline: string, wavenc: string, clicks: number[], problems: string[]): number[] {
  const rec = readWav(wav);
  const channels = readFileSync(wav).readUInt16LE(22);
  const pushes = g.pushes.get(wavenc) ?? [];
  const total = pushes.reduce((s, p) => s + p.bytes, 0);
  if (total !== rec.samples.length * 2 * channels) problems.push(`${wavenc} pushed ${total} bytes, ${wav} holds ${rec.samples.length * 2 * channels}`);
  const base = g.base.get(mouthPipeline);
  if (base === undefined) {
    problems.push(`no base time for ${mouthPipeline}`);
    return [];
  }
  const mouth = clicks.map((t) => (base + t) * 1000);
  const ear = onsets(rec).flatMap((r) => {
    const at = pushAt(pushes, r * 2 * channels);
    return at ? [(at.push.at + at.within / (2 * channels * rec.rate)) * 1000] : [];
  });
  return latencies(mouth, ear);
}

export async function confabLoopback(dir: string, seconds: number, codec: string): Promise<ConfabLoopback> {
  const clicksWav = join(dir, 'clicks.wav');
  writeClicks(clicksWav, seconds + 4);
  const saved = { debug: process.env.GST_DEBUG, color: process.env.GST_DEBUG_NO_COLOR };
  process.env.GST_DEBUG = 'pipeline:5,wavenc:6';
  process.env.GST_DEBUG_NO_COLOR = '1';
  const mp = await startMedia().finally(() => {
    process.env.GST_DEBUG = saved.debug;
    process.env.GST_DEBUG_NO_COLOR = saved.color;
    if (saved.debug === undefined) delete process.env.GST_DEBUG;
    if (saved.color === undefined) delete process.env.GST_DEBUG_NO_COLOR;
  });
  try {
    const freshRssKb = usage(mp.media.pid!).rssKb;
    const common = { audio: true, video: false, transport: 'rtp' as const, address: '127.0.0.1', codecs: [codec], microphone: `file:${clicksWav}` };
    const a = await mp.client.createSession({ ...common, speaker: `file:${join(dir, 'a.wav')}` });
    const b = await mp.client.createSession({ ...common, speaker: `file:${join(dir, 'b.wav')}` });
    await a.setRemote(remoteOf(await b.localDescription(), codec));
    await b.setRemote(remoteOf(await a.localDescription(), codec));
    await a.start();
    await b.start();
    await sleep(seconds * 1000);
    const stats = [await a.stats(), await b.stats()];
    await a.close();
    await b.close();
    await sleep(500);
    const g = parseGstLog(mp.output());
    const problems: string[] = [];
    const byIndex = (names: Iterable<string>) => [...names].sort((x, y) => Number(/\d+$/.exec(x)?.[0]) - Number(/\d+$/.exec(y)?.[0]));
    // the sessions' pipelines (and their wavencs) are made in the order the sessions were set up: a, then b
    const [pa, pb] = byIndex(g.base.keys());
    const [wa, wb] = byIndex(g.pushes.keys());
    if (!pa || !pb || !wa || !wb) {
      problems.push(`pipelines ${[...g.base.keys()].join(',')}, wavencs ${[...g.pushes.keys()].join(',')} in the log`);
      return { ms: [], freshRssKb, stats, problems };
    }
    const clicks = clickTimes(seconds + 4);
    const ba = direction(g, join(dir, 'a.wav'), pb, wa, clicks, problems); // b speaks, a hears
    const ab = direction(g, join(dir, 'b.wav'), pa, wb, clicks, problems);
    return { ms: [...ab, ...ba], freshRssKb, stats, problems };
  } finally {
    await mp.stop();
  }
}
