import type { ContactPresence } from '@confab/sdk';
import { PresenceWatch } from '../src/presence-watch';

function watch(monitor: boolean) {
  const lines: string[][] = [];
  const reports: ContactPresence[] = [];
  const regained: string[] = [];
  const w = new PresenceWatch({ write: (...l) => lines.push(l), hasMonitor: () => monitor }, (c) => reports.push(...c), (n) => regained.push(n), 1000);
  return { w, lines, reports, regained };
}

describe('the contact watch', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('with MONITOR: sends the list once registered, then + and - as contacts come and go', () => {
    const { w, lines, reports } = watch(true);
    w.watch(['Alice', 'bob'], true);
    expect(lines).toEqual([]); // not before the registration burst
    w.start();
    w.start(); // twice (MOTD and the fallback timer): one MONITOR
    expect(lines).toEqual([['MONITOR', '+', 'alice,bob']]);
    w.online(['ALICE']);
    w.offline(['bob']);
    expect(reports).toEqual([{ id: 'alice', status: 'available', message: '' }, { id: 'bob', status: 'offline', message: '' }]);
    w.online(['alice']); // no change, no report
    w.away('alice', 'lunch');
    w.away('alice', undefined);
    expect(reports.slice(2).map((r) => r.status)).toEqual(['away', 'available']);
    w.watch(['BOB'], false);
    w.watch(['carol', 'alice'], true);
    expect(lines.slice(1)).toEqual([['MONITOR', '-', 'bob'], ['MONITOR', '+', 'carol']]);
    w.stop();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('without MONITOR: polls with ISON, at most 14 nicks a line, and reads absence as offline', () => {
    const { w, lines, reports } = watch(false);
    const many = Array.from({ length: 20 }, (_, i) => `n${i}`);
    w.watch(many, true);
    w.start();
    expect(lines.map((l) => l.length - 1)).toEqual([14, 6]);
    w.online(['n0', 'n3']); // answers the first ISON
    w.online([]); // answers the second
    expect(reports.filter((r) => r.status === 'available').map((r) => r.id)).toEqual(['n0', 'n3']);
    expect(reports.filter((r) => r.status === 'offline')).toHaveLength(18);
    jest.advanceTimersByTime(1000);
    expect(lines).toHaveLength(4); // polled again
    w.stop();
    jest.advanceTimersByTime(5000);
    expect(lines).toHaveLength(4);
  });

  it('takes our nick back when the watch sees it free', () => {
    for (const monitor of [true, false]) {
      const { w, lines, regained } = watch(monitor);
      w.start();
      w.want('Me');
      expect(lines.at(-1)).toEqual(monitor ? ['MONITOR', '+', 'me'] : ['ISON', 'me']);
      if (monitor) w.offline(['me']);
      else w.online([]);
      expect(regained).toEqual(['Me']); // as configured
      w.want(undefined);
      w.stop();
    }
  });
});
