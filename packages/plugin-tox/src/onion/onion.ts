/**
 * The onion layer of one Tox instance, wired together: every node relays (`OnionRelay`) and
 * serves announces (`AnnounceServer`), as c-toxcore's new_onion and new_onion_announce do for
 * every Tox; a user also runs an `OnionClient` (c-toxcore's new_onion_client). Order does not
 * matter: each registers its own packet kinds on the DHT's router.
 * @since 0.1.0
 */
import type { Disposable } from '@confab/sdk';
import type { KeyPair } from '../crypto/keys';
import type { Dht } from '../dht/dht';
import type { Clock, Scheduler } from '../dht/clock';
import { AnnounceServer } from './announce-server';
import { OnionClient } from './client';
import { OnionRelay } from './relay';

/** @since 0.1.0 */
export interface OnionOptions {
  readonly dht: Dht;
  /** Our long-term key pair; without it only the node roles run (a bootstrap node). */
  readonly realKeyPair?: KeyPair;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  readonly random?: (n: number) => Uint8Array;
  readonly wallClock?: () => number;
}

/** Relay, announce service and (with a real key) client on one DHT. @since 0.1.0 */
export class Onion implements Disposable {
  readonly relay: OnionRelay;
  readonly announce: AnnounceServer;
  readonly client: OnionClient | undefined;

  constructor(opts: OnionOptions) {
    this.relay = new OnionRelay(opts.dht, opts);
    this.announce = new AnnounceServer(opts.dht, opts);
    this.client = opts.realKeyPair === undefined ? undefined : new OnionClient({ ...opts, realKeyPair: opts.realKeyPair });
  }

  /** Starts the client's periodic work (the node roles need none). */
  start(): void {
    this.client?.start();
  }

  dispose(): void {
    this.client?.dispose();
    this.announce.dispose();
    this.relay.dispose();
  }
}
