/**
 * Time for the protocol layers, injected so that unit tests drive it by hand and never sleep.
 * @since 0.1.0
 */
import type { Disposable } from '@confab/sdk';

/** A monotonic clock in milliseconds. @since 0.1.0 */
export interface Clock {
  now(): number;
}

/** Runs callbacks later. @since 0.1.0 */
export interface Scheduler {
  /** Calls `fn` every `ms` until disposed. */
  every(ms: number, fn: () => void): Disposable;
  /** Calls `fn` once after `ms` unless disposed first. */
  after(ms: number, fn: () => void): Disposable;
}

/** `performance.now()`: monotonic, unaffected by changes of the wall clock. @since 0.1.0 */
export const systemClock: Clock = { now: () => performance.now() };

/** Node's timers. @since 0.1.0 */
export const systemScheduler: Scheduler = {
  every(ms, fn) {
    const t = setInterval(fn, ms);
    return { dispose: () => clearInterval(t) };
  },
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    return { dispose: () => clearTimeout(t) };
  },
};

/**
 * A clock and scheduler moved by hand: `advance(ms)` runs every timer that falls due, in order,
 * with `now()` set to each one's due time.
 * @since 0.1.0
 */
export class ManualTime implements Clock, Scheduler {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, { due: number; every?: number; fn: () => void }>();

  constructor(start = 1_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  every(ms: number, fn: () => void): Disposable {
    return this.add(ms, fn, ms);
  }

  after(ms: number, fn: () => void): Disposable {
    return this.add(ms, fn, undefined);
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let nextId = -1;
      let nextDue = Infinity;
      for (const [id, tm] of this.timers) if (tm.due <= end && tm.due < nextDue) { nextDue = tm.due; nextId = id; }
      if (nextId < 0) break;
      const tm = this.timers.get(nextId)!;
      this.t = Math.max(this.t, tm.due);
      if (tm.every !== undefined) tm.due += tm.every;
      else this.timers.delete(nextId);
      tm.fn();
    }
    this.t = end;
  }

  private add(ms: number, fn: () => void, every: number | undefined): Disposable {
    const id = this.seq++;
    this.timers.set(id, { due: this.t + Math.max(ms, every === undefined ? 0 : 1), every: every === undefined ? undefined : Math.max(every, 1), fn });
    return { dispose: () => this.timers.delete(id) };
  }
}
