import { TokenBucket } from '../src/flood-control';

describe('the token bucket', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends a burst at once, then paces at the rate, in order', () => {
    let now = 0;
    const bucket = new TokenBucket(3, 2, () => now);
    const sent: number[] = [];
    for (let i = 0; i < 7; i++) bucket.send(() => sent.push(i));
    expect(sent).toEqual([0, 1, 2]);
    expect(bucket.waiting).toBe(4);
    for (const [t, expected] of [[500, [0, 1, 2, 3]], [1000, [0, 1, 2, 3, 4]], [2000, [0, 1, 2, 3, 4, 5, 6]]] as const) {
      now = t; // the bucket's clock; the pending timer then fires and drains what the time allows
      jest.runOnlyPendingTimers();
      expect(sent.slice(0, expected.length)).toEqual(expected);
    }
    expect(bucket.waiting).toBe(0);
  });

  it('refills up to the burst, not beyond', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 10, () => now);
    now = 60_000;
    const sent: number[] = [];
    for (let i = 0; i < 5; i++) bucket.send(() => sent.push(i));
    expect(sent).toEqual([0, 1]);
  });

  it('drops what waits when cleared', () => {
    let now = 0;
    const bucket = new TokenBucket(1, 1, () => now);
    const sent: number[] = [];
    for (let i = 0; i < 3; i++) bucket.send(() => sent.push(i));
    bucket.clear();
    now = 10_000;
    jest.runOnlyPendingTimers();
    expect(sent).toEqual([0]);
    expect(bucket.waiting).toBe(0);
  });
});
