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
 * 2. one audio call (Opus, 20 ms, webrtcdsp on both sides, test tones, far end not played) between two
 *    confab-media processes on 127.0.0.1: CPU (% of one core) and RSS of one of them over CALL_S
 *    seconds, beside the same process idle; packets and loss from GetStats.
 * 3. the same call with video both ways (VP8 320x240 @ 15 fps from the test picture, decoded and
 *    counted, not shown): CPU and RSS, frames sent and decoded per second over the window.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ECHO_DELAY_MS, measureAec, writeScenario, type AecFigures } from '../packages/media/test/helpers/aec-scenario';
import { startMedia, type MediaProcess } from '../packages/media/test/helpers/media-process';
import { remoteOf } from '../packages/media/test/helpers/remote';

const CALL_S = Number(process.env.CALL_S ?? 10);
/** `aec` or `calls` runs one part only (default: both). */
const PART = process.env.MEDIA_PART ?? 'all';
const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) and RSS (kB) of a process, from /proc. */
function usage(pid: number): { cpu: number; rssKb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpu: (Number(stat[11]) + Number(stat[12])) / TICKS, rssKb: Number(rss?.[1] ?? 0) };
}

async function cpuOver(pid: number, seconds: number): Promise<number> {
  const before = usage(pid).cpu;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return ((usage(pid).cpu - before) / ((performance.now() - t0) / 1000)) * 100;
}

async function oneCall(video: boolean): Promise<void> {
  let a: MediaProcess | undefined;
  let b: MediaProcess | undefined;
  try {
    [a, b] = [await startMedia(), await startMedia()];
    const pid = a.media.pid!;
    const idleCpu = await cpuOver(pid, 3);
    const idleRss = usage(pid).rssKb;
    const opts = { audio: true, video, transport: 'rtp' as const, address: '127.0.0.1', codecs: ['opus'], speaker: 'none', camera: 'test' };
    const sa = await a.client.createSession({ ...opts, microphone: 'tone:440' });
    const sb = await b.client.createSession({ ...opts, microphone: 'tone:1000' });
    await sa.setRemote(remoteOf(await sb.localDescription()));
    await sb.setRemote(remoteOf(await sa.localDescription()));
    await sa.start();
    await sb.start();
    await new Promise((r) => setTimeout(r, 1000));
    const before = await sa.stats();
    const callCpu = await cpuOver(pid, CALL_S);
    const callRss = usage(pid).rssKb;
    const st = await sa.stats();
    console.log(`\none Opus call${video ? ' with VP8 video both ways' : ''} between two confab-media processes (${CALL_S} s; one side measured)`);
    console.log(`  CPU          idle ${idleCpu.toFixed(1)} %   in a call ${callCpu.toFixed(1)} % of a core`);
    console.log(`  RSS          idle ${(idleRss / 1024).toFixed(1)} MB   in a call ${(callRss / 1024).toFixed(1)} MB`);
    console.log(`  RTP          sent ${st['packets-sent']}, received ${st['packets-received']}, lost ${st['packets-lost']}, jitter ${st['jitter-ms']?.toFixed(1)} ms, RTT ${st['round-trip-ms']?.toFixed(1)} ms`);
    if (video) {
      const rate = (k: string) => ((st[k]! - before[k]!) / CALL_S).toFixed(1);
      console.log(`  video        ${rate('video-frames-sent')} frames/s sent, ${rate('video-frames-decoded')} frames/s decoded; RTP sent ${st['video-packets-sent']}, received ${st['video-packets-received']}`);
    }
    await sa.close();
    await sb.close();
  } finally {
    await a?.stop();
    await b?.stop();
  }
}

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
  if (PART !== 'calls') await echoCancellation();
  if (PART === 'aec') return;
  await oneCall(false);
  await oneCall(true);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
