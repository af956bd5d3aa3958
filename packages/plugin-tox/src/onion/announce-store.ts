/**
 * The announce entries of an onion node (spec § "Announce request": the node "stores" the
 * announcing key "for 300 seconds"; c-toxcore's Onion_Announce entries): at most 160 entries,
 * each the key a client announced with, its data public key, and the return path to reach it
 * (the address the request came from and the sealed return data 3). A live entry is refreshed
 * in place; a new one takes a timed-out slot, else it replaces the entry furthest from our DHT
 * key if it is closer — so a flood of announces fills the table but never grows it, and keys
 * close to us (the ones we are responsible for) win.
 * @since 0.1.0
 */
import { keysEqual } from '../crypto/keys';
import { copyBytes } from '../wire/copy';
import type { SocketAddress } from '../wire/ip';
import type { Clock } from '../dht/clock';
import { compareDistance } from '../dht/distance';
import { ANNOUNCE_MAX_ENTRIES, ANNOUNCE_TIMEOUT_MS } from './constants';

/** One announced key. @since 0.1.0 */
export interface AnnounceEntry {
  readonly publicKey: Uint8Array;
  readonly dataPublicKey: Uint8Array;
  /** Where the return path starts (the third hop of the announcing client's path). */
  readonly returnAddress: SocketAddress;
  /** The sealed return data 3 that leads back through the path. */
  readonly returnData: Uint8Array;
  readonly announcedAt: number;
}

/** The entries table. @since 0.1.0 */
export class AnnounceStore {
  private readonly entries: (AnnounceEntry | undefined)[] = [];

  constructor(private readonly selfKey: Uint8Array, private readonly clock: Clock, readonly capacity = ANNOUNCE_MAX_ENTRIES) {}

  /** The live entry announced with `publicKey` (c-toxcore's in_entries). */
  find(publicKey: Uint8Array): AnnounceEntry | undefined {
    const now = this.clock.now();
    return this.entries.find((e) => e !== undefined && this.live(e, now) && keysEqual(e.publicKey, publicKey));
  }

  /** Stores or refreshes an entry; `undefined` when the table is full of closer keys (c-toxcore's add_to_entries). */
  add(e: Omit<AnnounceEntry, 'announcedAt'>): AnnounceEntry | undefined {
    const now = this.clock.now();
    let at = this.entries.findIndex((x) => x !== undefined && this.live(x, now) && keysEqual(x.publicKey, e.publicKey));
    if (at < 0) at = this.entries.findIndex((x) => x === undefined || !this.live(x, now));
    if (at < 0 && this.entries.length < this.capacity) at = this.entries.length;
    if (at < 0) {
      // the furthest live entry gives way to a closer key
      let furthest = 0;
      for (let i = 1; i < this.entries.length; i++) {
        if (compareDistance(this.selfKey, this.entries[i]!.publicKey, this.entries[furthest]!.publicKey) > 0) furthest = i;
      }
      if (compareDistance(this.selfKey, e.publicKey, this.entries[furthest]!.publicKey) >= 0) return undefined;
      at = furthest;
    }
    const stored: AnnounceEntry = {
      publicKey: copyBytes(e.publicKey), dataPublicKey: copyBytes(e.dataPublicKey), returnAddress: e.returnAddress,
      returnData: copyBytes(e.returnData), announcedAt: now,
    };
    this.entries[at] = stored;
    return stored;
  }

  /** Live entries. */
  get size(): number {
    const now = this.clock.now();
    return this.entries.filter((e) => e !== undefined && this.live(e, now)).length;
  }

  private live(e: AnnounceEntry, now: number): boolean {
    return now - e.announcedAt <= ANNOUNCE_TIMEOUT_MS;
  }
}
