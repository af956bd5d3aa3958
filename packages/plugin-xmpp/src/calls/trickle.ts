/**
 * The peer's trickled ICE candidates (XEP-0176 §5.3: transport-info after the initiate or accept).
 * confab-media takes a remote description once, with its candidates (no AddRemoteCandidate yet), so
 * the candidates of one session are collected here and handed over with the description:
 *
 *   - a description that carries candidates (a peer that gathers fully, as we do) is applied at once;
 *   - otherwise we wait for the trickle: until the peer says `<gathering-complete/>`, or QUIET_MS
 *     after the last candidate came, and never longer than MAX_WAIT_MS; with none by then the
 *     description goes without candidates — the peer has ours and its checks reach us, which makes
 *     its address a peer-reflexive candidate (RFC 8445 §7.3.1.3);
 *   - candidates that come after the description was applied are acknowledged and dropped (logged).
 *
 * Bounded: MAX_REMOTE_CANDIDATES per session (confab-media's own bound); more is a bad-request.
 */
import type { IceCandidate } from '@confab/media';

export const QUIET_MS = 250;
export const MAX_WAIT_MS = 2000;
export const MAX_REMOTE_CANDIDATES = 64;

export type Taken = 'taken' | 'late' | 'too-many';

export class RemoteCandidates {
  private readonly list: IceCandidate[] = [];
  private complete = false;
  private applied = false;
  private wake?: () => void;

  constructor(private readonly clock: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout } = { setTimeout, clearTimeout }) {}

  /** Candidates from a description or a transport-info; `complete`: the peer's gathering is over. */
  add(candidates: readonly IceCandidate[], complete = false): Taken {
    if (this.applied) return 'late';
    const fresh = candidates.filter((c) => !this.list.some((x) => x.address === c.address && x.port === c.port && x.component === c.component));
    if (this.list.length + fresh.length > MAX_REMOTE_CANDIDATES) return 'too-many';
    this.list.push(...fresh);
    if (complete) this.complete = true;
    this.wake?.();
    return 'taken';
  }

  get count(): number {
    return this.list.length;
  }

  /**
   * Resolves with the candidates to apply with the description, by the rules above; from then on
   * later candidates are `late`.
   */
  async settle(fromDescription: readonly IceCandidate[]): Promise<IceCandidate[]> {
    if (this.add(fromDescription) === 'too-many') throw new RangeError(`more than ${MAX_REMOTE_CANDIDATES} candidates`);
    if (fromDescription.length === 0 && !this.complete) {
      await new Promise<void>((resolve) => {
        const started = Date.now();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const check = () => {
          if (timer) this.clock.clearTimeout(timer);
          const left = MAX_WAIT_MS - (Date.now() - started);
          if (this.complete || left <= 0) {
            this.wake = undefined;
            resolve();
            return;
          }
          timer = this.clock.setTimeout(() => {
            if (this.list.length > 0) {
              this.complete = true; // QUIET_MS without a new one after the first: what we have is what we use
            }
            check();
          }, this.list.length > 0 ? Math.min(QUIET_MS, left) : left);
        };
        this.wake = check;
        check();
      });
    }
    this.applied = true;
    return [...this.list];
  }
}
