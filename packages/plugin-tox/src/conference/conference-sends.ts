/**
 * When a message we sent to a conference counts as confirmed, for the model's outbox (a message
 * leaves it only when the protocol confirms it).
 *
 * Conferences have no receipts (group.c has no such message id), so the confirmation is the one
 * c-toxcore's own read receipts of friend messages are made of: net_crypto's acknowledgement of the
 * lossless packet (net_crypto.c, the packet number leaving the send array once the peer's buffer
 * start passes it). We send a message — our peer number and our next message number, group.c
 * send_message_group — to every online link; it is confirmed once ONE of those members acknowledged
 * its packet: that member holds it, shows it (its tox_conference_message callback) and relays it to
 * the others (group.c relays every new message number), which drop copies by the number
 * (check_message_info). If every link that carried it goes offline first, the send fails Offline
 * and the outbox sends it again later under a new message number (at-least-once: a member that had
 * it without our seeing the acknowledgement shows it twice). Bounded: no answer in 60 s is a
 * NetworkError, and the outbox tries again.
 * @since 0.3.0
 */
import { NetworkError, OfflineError, type Disposable } from '@confab/sdk';
import { toHex } from '../crypto/keys';
import type { MessengerFriend } from '../messenger/messenger';
import type { SentPacket } from './conferences';

const ACK_TIMEOUT_MS = 60_000;

interface Waiting {
  /** `friend:packet` keys not acknowledged yet, from friends still online. */
  readonly outstanding: Set<string>;
  resolve(): void;
  reject(e: Error): void;
  readonly timer: NodeJS.Timeout;
}

export class ConferenceSends implements Disposable {
  private readonly byPacket = new Map<string, Waiting>();
  private readonly watched = new Map<string, Disposable>();

  /** Resolves when any of `packets` is acknowledged; rejects Offline when their friends all went offline first. */
  track(packets: readonly SentPacket[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (packets.length === 0) return reject(new OfflineError('no member of the conference is connected'));
      const outstanding = new Set<string>();
      const done = (fn: () => void) => {
        clearTimeout(w.timer);
        for (const k of w.outstanding) this.byPacket.delete(k);
        w.outstanding.clear();
        fn();
      };
      const w: Waiting = {
        outstanding,
        resolve: () => done(resolve),
        reject: (e) => done(() => reject(e)),
        timer: setTimeout(() => w.reject(new NetworkError('no member acknowledged the message in 60 s')), ACK_TIMEOUT_MS),
      };
      w.timer.unref?.();
      for (const p of packets) {
        const key = `${this.watch(p.friend)}:${p.packet}`;
        outstanding.add(key);
        this.byPacket.set(key, w);
      }
    });
  }

  /** A friend's connection went down: its packets will not be acknowledged. */
  offline(friendPk: Uint8Array): void {
    const friendHex = toHex(friendPk);
    for (const [key, w] of [...this.byPacket]) {
      if (!key.startsWith(`${friendHex}:`)) continue;
      this.byPacket.delete(key);
      w.outstanding.delete(key);
      if (w.outstanding.size === 0) w.reject(new OfflineError('the members that had the message went offline before acknowledging it'));
    }
  }

  /** Every wait fails with `e` (the session ends); nothing is kept. */
  failAll(e: Error): void {
    for (const w of new Set(this.byPacket.values())) w.reject(e);
    this.byPacket.clear();
  }

  dispose(): void {
    this.failAll(new OfflineError('disconnected'));
    for (const d of this.watched.values()) d.dispose();
    this.watched.clear();
  }

  private watch(friend: MessengerFriend): string {
    const key = toHex(friend.realPk);
    if (!this.watched.has(key)) {
      this.watched.set(key, friend.connection.onAcknowledged((n) => this.byPacket.get(`${key}:${n}`)?.resolve()));
    }
    return key;
  }
}
