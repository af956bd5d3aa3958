/** Shared by the benches. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** p-th percentile (0–100) of xs. */
export const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** Waits until `count()` reaches `want`, or stops moving for `idleMs` (nothing more is coming). */
export async function waitQuiet(count: () => number, want: number, idleMs = 5000): Promise<void> {
  let last = -1;
  let since = Date.now();
  while (count() < want) {
    if (count() !== last) {
      last = count();
      since = Date.now();
    } else if (Date.now() - since > idleMs) return;
    await sleep(50);
  }
}
