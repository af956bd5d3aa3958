/**
 * Time for the protocol layers, injected so that unit tests drive it by hand and never sleep.
 *
 * Every layer's periodic work runs through a `ContainedScheduler` (issue 6: "never a crash"): an
 * exception out of a tick is counted and reported through `onError`, and never reaches Node's
 * timer, where it would take the process down. Layers call `contained(scheduler)`, which wraps
 * once; the owner of the layers (ToxNode) hands them one and listens to it.
 * @since 0.1.0
 */
import { Emitter, type Disposable, type Event } from '@confab/sdk';

/** A monotonic clock in milliseconds. @since 0.1.0 */
export interface Clock {
  now(): number;
}

/** Runs callbacks later. @since 0.1.0 */
export interface Scheduler {
  /** Calls `fn` every `ms` until disposed; `name` says whose timer it is in error reports. */
  every(ms: number, fn: () => void, name?: string): Disposable;
  /** Calls `fn` once after `ms` unless disposed first. */
  after(ms: number, fn: () => void, name?: string): Disposable;
}

/** A timer's callback threw. @since 0.1.0 */
export interface TimerError {
  /** The name the timer was scheduled under (`dht`, `net-crypto`, …; `timer` without one). */
  readonly timer: string;
  readonly error: unknown;
}

/**
 * A scheduler whose callbacks never throw into the timer running them: an exception is counted
 * by timer name and fired on `onError`; with no listener it becomes a process warning, so that it
 * is never silent. The timer keeps running (the next tick may well succeed).
 * @since 0.1.0
 */
export class ContainedScheduler implements Scheduler {
  private readonly errorsE = new Emitter<TimerError>();
  /** A timer callback threw (a bug); counted in `errors`. */
  readonly onError: Event<TimerError> = this.errorsE.event;
  private readonly counts = new Map<string, number>();

  constructor(private readonly inner: Scheduler) {}

  every(ms: number, fn: () => void, name = 'timer'): Disposable {
    return this.inner.every(ms, this.guard(fn, name), name);
  }

  after(ms: number, fn: () => void, name = 'timer'): Disposable {
    return this.inner.after(ms, this.guard(fn, name), name);
  }

  /** Exceptions caught so far, by timer name. */
  get errors(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.counts);
  }

  private guard(fn: () => void, timer: string): () => void {
    return () => {
      try {
        fn();
      } catch (error) {
        this.report(timer, error);
      }
    };
  }

  private report(timer: string, error: unknown): void {
    this.counts.set(timer, (this.counts.get(timer) ?? 0) + 1);
    if (this.errorsE.hasListeners) {
      this.errorsE.fire({ timer, error }); // a listener that throws is reported by the Emitter
      return;
    }
    process.emitWarning(`confab: the ${timer} timer threw: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `scheduler` with its callbacks contained: itself if it already is. @since 0.1.0 */
export function contained(scheduler: Scheduler): ContainedScheduler {
  return scheduler instanceof ContainedScheduler ? scheduler : new ContainedScheduler(scheduler);
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
