/**
 * Mouth-to-ear of a baresip → baresip call (the same clicks, PCMU, through the same kamailio), from
 * sndfile's two dumps: the caller's `-enc.wav` (what its aufile microphone gave the encoder) and the
 * callee's `-dec.wav` (what its decoder gave out). sndfile opens each file at its first frame and
 * logs "dumping encode/decode audio to …"; those lines are stamped as they arrive on stdout. With
 * frames written back to back from there (no loss on 127.0.0.1), a burst at position e of the
 * encode dump left the microphone at t(enc line) + e, and one at r in the decode dump came out of the
 * decoder at t(dec line) + r. Included: the encoder, RTP, the loopback, baresip's jitter buffer and
 * decoder. Excluded, as for confab-media: the capture and output buffers of devices (aufile, no
 * player), and the wait to fill a packet (aufile hands over each 20 ms frame whole at its start
 * time); and, unlike confab-media, the resampling before sndfile's encode filter. The two log lines
 * are stamped when they reach this process: a delay in one's pipe is an error of the figure.
 */
import { join } from 'node:path';
import { readWav } from '../../test/fixtures/media/tones';
import { startBaresip, type Baresip } from '../../test/fixtures/sip/baresip';
import type { Kamailio } from '../../test/fixtures/sip/kamailio-server';
import { until } from '../../test/fixtures/processes';
import { latencies, onsets, writeClicks } from './clicks';
import { stamp } from './stamps';
import { sleep } from './wait';

export async function baresipLoopback(dir: string, seconds: number, k: Kamailio, users: Record<string, string>, codec: string): Promise<{ ms: number[]; problems: string[] }> {
  const clicksWav = join(dir, 'clicks-baresip.wav');
  writeClicks(clicksWav, seconds + 6); // aufile hangs up at the file's end
  const started: Baresip[] = [];
  try {
    const peer = async (user: string, o: object) => {
      const b = await startBaresip({ user, password: users[user]!, domain: k.domain, proxyPort: k.udpPort, audioCodecs: [codec], ...o });
      started.push(b);
      return b;
    };
    const dave = await peer('dave', { play: clicksWav });
    const erin = await peer('erin', { answerMode: 'auto' });
    const [sd, se] = [stamp(dave, /sndfile: dumping encode audio to/), stamp(erin, /sndfile: dumping decode audio to/)];
    const call = await dave.dial(`sip:erin@${k.domain}`);
    const theirs = await erin.incomingCall();
    await call.reached('established');
    await sleep(seconds * 1000);
    await dave.hangup();
    const dec = await theirs.recorded();
    [sd, se].forEach((s) => s.stop());
    const [encLine, decLine] = [sd.lines()[0], se.lines()[0]];
    if (!encLine || !decLine) return { ms: [], problems: ['no sndfile dump lines in the log'] };
    const encPath = /to (\S+)/.exec(encLine.item)![1]!;
    const enc = await until(() => { const p = readWav(encPath); return p.samples.length > 0 ? p : undefined; }, 10000, `${encPath} to be written`);
    const heard = readWav(dec);
    const mouth = onsets(enc).map((e) => encLine.at + (e / enc.rate) * 1000);
    const ear = onsets(heard).map((r) => decLine.at + (r / heard.rate) * 1000);
    return { ms: latencies(mouth, ear), problems: [] };
  } finally {
    for (const b of started) await b.stop();
  }
}
