/** CPU and RSS of a process from /proc, for the benches that measure one (calls). */
import { readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (utime + stime) and RSS (kB) of a process. */
export function usage(pid: number): { cpu: number; rssKb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpu: (Number(stat[11]) + Number(stat[12])) / TICKS, rssKb: Number(rss?.[1] ?? 0) };
}

/** % of one core each process used over the same `seconds` of wall time. */
export async function cpuOver(pids: readonly number[], seconds: number): Promise<number[]> {
  const before = pids.map((p) => usage(p).cpu);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wall = (performance.now() - t0) / 1000;
  return pids.map((p, i) => ((usage(p).cpu - before[i]!) / wall) * 100);
}
