/**
 * Counters of one onion module: packets handled by kind and dropped by reason. The DHT's router
 * counts the same packets coarsely (its `DropReason`s); these say which onion check refused them.
 * `guard` runs a handler, counts its ending both here and (through its return value) in the
 * router, and turns a decoding error into a counted drop.
 * @since 0.1.0
 */
import { Malformed, Truncated } from '../wire/bytes';
import type { DropReason, Outcome } from '../dht/router';

/** Why the onion layer dropped a packet. @since 0.1.0 */
export type OnionDrop =
  | 'bad-size' | 'bad-box' | 'bad-return' | 'malformed' | 'wrong-inner-kind' | 'not-announced' | 'unknown-sendback'
  | 'replay' | 'not-a-friend' | 'unknown-data-kind' | 'key-mismatch' | 'from-self';

/** What an onion handler returns. @since 0.1.0 */
export type OnionOutcome = 'handled' | OnionDrop;

const ROUTER_REASON: Record<OnionDrop, DropReason> = {
  'bad-size': 'bad-size', 'bad-box': 'bad-box', 'bad-return': 'bad-box', malformed: 'malformed',
  'wrong-inner-kind': 'malformed', 'not-announced': 'no-route', 'unknown-sendback': 'unexpected-reply',
  replay: 'unexpected-reply', 'not-a-friend': 'unexpected-reply', 'unknown-data-kind': 'unknown-request',
  'key-mismatch': 'malformed', 'from-self': 'from-self',
};

/** @since 0.1.0 */
export class OnionCounters {
  private readonly handledByKind: Record<number, number> = {};
  private readonly droppedByReason: Partial<Record<OnionDrop, number>> = {};

  /** Runs a handler of packet `kind`; counts how it ended; never lets a decoding error out. */
  guard(kind: number, run: () => OnionOutcome): Outcome {
    let result: OnionOutcome;
    try {
      result = run();
    } catch (err) {
      if (!(err instanceof Truncated) && !(err instanceof Malformed)) throw err; // a bug: the router reports it
      result = 'malformed';
    }
    if (result === 'handled') {
      this.handledByKind[kind] = (this.handledByKind[kind] ?? 0) + 1;
      return 'handled';
    }
    this.droppedByReason[result] = (this.droppedByReason[result] ?? 0) + 1;
    return ROUTER_REASON[result];
  }

  /** A copy, for logs and tests. */
  snapshot(): { handled: Record<number, number>; dropped: Partial<Record<OnionDrop, number>> } {
    return { handled: { ...this.handledByKind }, dropped: { ...this.droppedByReason } };
  }
}
