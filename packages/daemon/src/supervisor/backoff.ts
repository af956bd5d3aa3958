/**
 * Reconnect delays: exponential from `initialDelayMs`, capped at `maxDelayMs`, with "equal jitter"
 * (half fixed, half random) so that many accounts behind one network failure do not retry in step,
 * and no delay is ever below half the nominal one.
 */
export interface BackoffPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(nominal / 2 + (nominal / 2) * random());
}
