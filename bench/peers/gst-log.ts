/**
 * What confab-media's GStreamer debug log (GST_DEBUG=pipeline:5,wavenc:6, no colour) tells about
 * time, in seconds since gst_init (the log's own timestamps, one monotonic clock for every pipeline
 * of the process):
 * - each pipeline's base time, from gstpipeline.c's "start_time=…, now=…, base_time …" (PAUSED →
 *   PLAYING): the line is written just after `now` is read, so base = the line's time − (now − base);
 * - each wavenc's pushes ("pushing N bytes raw audio, ts=…"): when each buffer of a recording left
 *   for the file, its size and its timestamp (running time).
 */

export interface WavencPush {
  readonly at: number;
  readonly bytes: number;
  readonly pts: number;
}

export interface GstTimes {
  /** pipeline name → base time (s, log clock). */
  readonly base: Map<string, number>;
  /** wavenc name → its pushes in order. */
  readonly pushes: Map<string, WavencPush[]>;
}

const LINE = /^(\d+):(\d\d):(\d\d\.\d+)\s+\d+\s+\S+\s+[A-Z]+\s+(\S+)\s+\S+:<([^>]+)> (.*)$/;
const TIME = /(\d+):(\d\d):(\d\d\.\d+)/;

const seconds = (h: string, m: string, s: string) => Number(h) * 3600 + Number(m) * 60 + Number(s);
const timeOf = (text: string) => {
  const m = TIME.exec(text);
  return m ? seconds(m[1]!, m[2]!, m[3]!) : NaN;
};

export function parseGstLog(text: string): GstTimes {
  const times: GstTimes = { base: new Map(), pushes: new Map() };
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [at, category, object, message] = [seconds(m[1]!, m[2]!, m[3]!), m[4]!, m[5]!, m[6]!];
    if (category === 'pipeline') {
      // the first one: PAUSED → PLAYING (a later PLAYING → PAUSED logs start_time, not a new base)
      const b = /^start_time=\S+, now=(\S+), base_time (\S+)/.exec(message);
      if (b && !times.base.has(object)) times.base.set(object, at - (timeOf(b[1]!) - timeOf(b[2]!)));
    } else if (category === 'wavenc') {
      const p = /pushing (\d+) bytes raw audio, ts=(\S+)/.exec(message);
      if (!p) continue;
      const list = times.pushes.get(object) ?? [];
      list.push({ at, bytes: Number(p[1]), pts: timeOf(p[2]!) });
      times.pushes.set(object, list);
    }
  }
  return times;
}

/** The push holding byte `offset` of the audio data (header excluded), and where in it. */
export function pushAt(pushes: readonly WavencPush[], offset: number): { push: WavencPush; within: number } | undefined {
  let start = 0;
  for (const push of pushes) {
    if (offset < start + push.bytes) return { push, within: offset - start };
    start += push.bytes;
  }
  return undefined;
}
