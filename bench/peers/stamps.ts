/**
 * Arrival times (performance.now()) of what a baresip reports: its ctrl_tcp events, stamped by a 1 ms
 * poll of the fixture's event list (the fixture keeps no times), and lines of its log (stdout) that
 * match a pattern, stamped as they arrive.
 */
import type { Baresip, BaresipEvent } from '../../test/fixtures/sip/baresip';

export interface Stamped<T> {
  readonly at: number;
  readonly item: T;
}

export interface Stamps {
  events(): readonly Stamped<BaresipEvent>[];
  lines(): readonly Stamped<string>[];
  /** The arrival time of the first event of `type` for the call `id`. */
  eventAt(type: string, id: string): number | undefined;
  stop(): void;
}

export function stamp(b: Baresip, line: RegExp = /sndfile: dumping/): Stamps {
  const events: Stamped<BaresipEvent>[] = [];
  const lines: Stamped<string>[] = [];
  const timer = setInterval(() => {
    const all = b.events();
    const now = performance.now();
    for (let i = events.length; i < all.length; i++) events.push({ at: now, item: all[i]! });
  }, 1);
  let partial = '';
  const onData = (chunk: Buffer) => {
    const now = performance.now();
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) if (line.test(l)) lines.push({ at: now, item: l });
  };
  b.proc.child.stdout?.on('data', onData);
  return {
    events: () => events,
    lines: () => lines,
    eventAt: (type, id) => events.find((e) => e.item.type === type && e.item.id === id)?.at,
    stop: () => {
      clearInterval(timer);
      b.proc.child.stdout?.off('data', onData);
    },
  };
}
