import { backoffDelay } from '../src/supervisor/backoff';

describe('backoffDelay', () => {
  const policy = { initialDelayMs: 1000, maxDelayMs: 60_000 };

  it('grows exponentially between half and all of the nominal delay', () => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const nominal = 1000 * 2 ** attempt;
      expect(backoffDelay(policy, attempt, () => 0)).toBe(nominal / 2);
      expect(backoffDelay(policy, attempt, () => 1)).toBe(nominal);
    }
  });

  it('is capped', () => {
    expect(backoffDelay(policy, 50, () => 1)).toBe(60_000);
    expect(backoffDelay(policy, 1000, () => 0.5)).toBe(45_000);
  });
});
