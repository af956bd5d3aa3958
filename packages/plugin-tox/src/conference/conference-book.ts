/**
 * The member and link bookkeeping of conferences.ts (group.c addpeer, delpeer, freeze_peer,
 * note_peer_active, setnick, settitle, add_conn_to_groupchat), apart so that each file stays small.
 * @since 0.3.0
 */
import { Emitter, type Disposable, type Event } from '@confab/sdk';
import { keysEqual, toHex } from '../crypto/keys';
import { systemClock, type Clock } from '../dht/clock';
import type { MessengerFriend } from '../messenger/messenger';
import { Conference, newPeer, type ConferenceLink, type ConferencePeer } from './conference';
import { encodeOnline, encodeRejoin } from './packets';
import type { ConferenceEvent, ConferencesOptions } from './conferences';

export abstract class ConferenceBook {
  protected readonly list = new Map<number, Conference>();
  protected readonly watched = new Map<string, Disposable[]>();
  protected readonly events = new Emitter<ConferenceEvent>();
  protected readonly clock: Clock;
  readonly onEvent: Event<ConferenceEvent> = this.events.event;

  constructor(protected readonly opts: ConferencesOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  protected abstract onPacket(friend: MessengerFriend, d: Uint8Array): void;

  // ---- peers ----------------------------------------------------------------------------------

  /** group.c note_peer_active: the peer's last activity, thawing a frozen one. */
  protected noteActive(c: Conference, peerNumber: number): ConferencePeer | undefined {
    const now = this.clock.now();
    const active = c.peers.get(peerNumber);
    if (active) {
      active.lastActive = now;
      return active;
    }
    const frozen = c.frozen.get(peerNumber);
    if (!frozen) return undefined;
    c.frozen.delete(peerNumber);
    frozen.lastActive = now;
    c.peers.set(peerNumber, frozen);
    this.ensureLink(c, frozen);
    this.events.fire({ kind: 'peers', conference: c, added: [frozen], removed: [] });
    c.needSendName = true;
    return frozen;
  }

  /** group.c addpeer: `fresh` information updates and activates; else a frozen peer stays frozen. */
  protected addPeer(c: Conference, realPk: Uint8Array, tempPk: Uint8Array, peerNumber: number, fresh: boolean): ConferencePeer | undefined {
    const known = fresh ? this.noteActive(c, peerNumber) : c.peers.get(peerNumber);
    if (known) {
      if (!keysEqual(known.realPk, realPk)) return undefined;
      if (fresh) known.tempPk = tempPk;
      return known;
    }
    if (!fresh) {
      const frozen = c.frozen.get(peerNumber);
      if (frozen) {
        if (keysEqual(frozen.realPk, realPk)) frozen.tempPk = tempPk;
        return frozen; // group.c returns -1 here; we keep reading the list instead of stopping
      }
    }
    const old = c.peerByPk(realPk);
    if (old) this.delPeer(c, old);
    const oldFrozen = c.frozenByPk(realPk);
    if (oldFrozen) c.frozen.delete(oldFrozen.peerNumber);
    const peer = newPeer(peerNumber, realPk, tempPk, this.clock.now());
    c.peers.set(peerNumber, peer);
    this.ensureLink(c, peer);
    this.events.fire({ kind: 'peers', conference: c, added: [peer], removed: [] });
    return peer;
  }

  protected delPeer(c: Conference, peer: ConferencePeer): void {
    if (keysEqual(peer.realPk, this.opts.selfPk)) return;
    c.peers.delete(peer.peerNumber);
    c.links.delete(toHex(peer.realPk));
    this.events.fire({ kind: 'peers', conference: c, added: [], removed: [peer] });
  }

  /** group.c freeze_peer: kept as frozen; a rejoin is sent if its friend connection is up. */
  protected freezePeer(c: Conference, peer: ConferencePeer): void {
    this.delPeer(c, peer);
    c.frozen.set(peer.peerNumber, peer);
    const friend = this.friendOf(toHex(peer.realPk));
    if (friend?.online) this.rejoin(c, friend);
  }

  protected setNick(c: Conference, peer: ConferencePeer, nick: string): void {
    if (peer.nick === nick) return;
    peer.nick = nick;
    this.events.fire({ kind: 'name', conference: c, peer });
  }

  protected setTitleFrom(c: Conference, title: string, peer?: ConferencePeer): void {
    if (title === '' || c.title === title) return;
    c.title = title;
    c.titleFresh = true;
    this.events.fire({ kind: 'title', conference: c, title, peer });
  }

  // ---- links ----------------------------------------------------------------------------------

  protected friendOf(key: string): MessengerFriend | undefined {
    return this.opts.messenger.friend(Buffer.from(key, 'hex'));
  }

  /** group.c add_conn_to_groupchat. */
  protected link(c: Conference, friend: MessengerFriend, introducer: boolean): { theirGroup?: number; online: boolean; introducer: boolean } {
    this.watch(friend);
    const key = toHex(friend.realPk);
    let l = c.links.get(key);
    if (!l) c.links.set(key, (l = { online: false, introducer }));
    if (introducer) l.introducer = true;
    return l;
  }

  /** A member who is our friend gets a link (group.c connects to the closest peers instead). */
  protected ensureLink(c: Conference, peer: ConferencePeer): void {
    if (keysEqual(peer.realPk, this.opts.selfPk)) return;
    const friend = this.opts.messenger.friend(peer.realPk);
    if (!friend || c.links.has(toHex(peer.realPk))) return;
    this.link(c, friend, false);
    if (friend.online) this.sendOnline(c, friend);
  }

  /** A link goes online (both sides sent 97, or an invite made it so); `linked` when it is the first. */
  protected linkUp(c: Conference, link: ConferenceLink): void {
    if (link.online) return;
    const first = c.onlineLinks() === 0;
    link.online = true;
    if (first) this.events.fire({ kind: 'linked', conference: c });
  }

  protected rejoin(c: Conference, friend: MessengerFriend): void {
    if (friend.connection.send(encodeRejoin(c.type, c.id)) === undefined) return;
    this.link(c, friend, true);
  }

  /** group.c g_handle_status and g_handle_any_status. */
  protected friendStatus(friend: MessengerFriend, online: boolean): void {
    const key = toHex(friend.realPk);
    for (const c of this.list.values()) {
      const l = c.links.get(key);
      if (online) {
        if (l) this.sendOnline(c, friend);
        if (c.frozenByPk(friend.realPk)) this.rejoin(c, friend);
      } else if (l) {
        l.online = false;
        if (c.onlineLinks() === 0) for (const p of [...c.peers.values()]) this.freezeQuietly(c, p); // check_disconnected
      }
    }
  }

  protected freezeQuietly(c: Conference, p: ConferencePeer): void {
    if (keysEqual(p.realPk, this.opts.selfPk)) return;
    c.peers.delete(p.peerNumber);
    c.frozen.set(p.peerNumber, p);
    this.events.fire({ kind: 'peers', conference: c, added: [], removed: [p] });
  }

  /** Subscribes to a friend's packets once. */
  protected watch(friend: MessengerFriend): MessengerFriend {
    const key = toHex(friend.realPk);
    if (!this.watched.has(key)) this.watched.set(key, [friend.connection.onData((d) => this.onPacket(friend, d))]);
    return friend;
  }

  protected sendOnline(c: Conference, friend: MessengerFriend): void {
    friend.connection.send(encodeOnline(c.number, c.type, c.id));
  }
}
