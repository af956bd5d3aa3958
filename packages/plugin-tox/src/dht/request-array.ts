/**
 * Requests awaiting their reply (Tox spec § "Ping array"; c-toxcore's ping_array): a ring of
 * fixed size whose request ids are random 64-bit numbers carrying their slot (`id % size`). A reply
 * is accepted once, within the timeout, and only with the id we made: a replayed or forged reply
 * finds nothing. The ring bounds memory whatever the traffic: the oldest entry is overwritten.
 * @since 0.1.0
 */
import { randomBytes } from '../crypto/keys';
import type { Clock } from './clock';

interface Slot<T> {
  id: bigint;
  at: number;
  data: T;
}

/** Requests awaiting a reply, with the data to check the reply against. @since 0.1.0 */
export class RequestArray<T> {
  private readonly slots: (Slot<T> | undefined)[];
  private next = 0;

  constructor(private readonly size: number, private readonly timeoutMs: number, private readonly clock: Clock,
    private readonly random: (n: number) => Uint8Array = randomBytes) {
    this.slots = new Array<Slot<T> | undefined>(size).fill(undefined);
  }

  /** Stores `data` and returns the id to put in the request. */
  add(data: T): bigint {
    const index = this.next;
    this.next = (this.next + 1) % this.size;
    let id = 0n;
    for (const b of this.random(8)) id = (id << 8n) | BigInt(b);
    const n = BigInt(this.size);
    id = id - (id % n) + BigInt(index); // spec § "Ping array": the id names its slot
    if (id === 0n) id = n; // 0 is never an id
    this.slots[index] = { id, at: this.clock.now(), data };
    return id;
  }

  /** The data of a live request with this id, removing it (a second reply finds nothing). */
  take(id: bigint): T | undefined {
    if (id <= 0n) return undefined;
    const index = Number(id % BigInt(this.size));
    const slot = this.slots[index];
    if (slot === undefined || slot.id !== id) return undefined;
    this.slots[index] = undefined;
    if (this.clock.now() - slot.at >= this.timeoutMs) return undefined;
    return slot.data;
  }

  /** Entries still held (live or not yet overwritten). */
  get pending(): number {
    return this.slots.reduce((n, s) => n + (s === undefined ? 0 : 1), 0);
  }
}
