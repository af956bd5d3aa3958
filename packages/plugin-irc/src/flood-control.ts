/**
 * Outgoing flood control: a token bucket. Servers disconnect a client that sends faster than they
 * allow ("Excess Flood"; RFC 1459 §8.10 describes the classic penalty scheme), and irc-framework has
 * no flood control of its own. Every line the plugin originates goes through `send`, in order: up to
 * `burst` lines go out at once, then `ratePerSecond`. Lines irc-framework writes by itself (PONG, CAP)
 * are not delayed, so the server never times us out while a queue drains.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queue: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly burst: number,
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Runs `write` now if a token is free and nothing is waiting, else after everything queued before it. */
  send(write: () => void): void {
    this.queue.push(write);
    this.drain();
  }

  /** Lines waiting for a token. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Drops what waits (the connection is gone). */
  clear(): void {
    this.queue.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private drain(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.queue.shift()!();
    }
    if (this.queue.length > 0 && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond)));
    }
  }
}
