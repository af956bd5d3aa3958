/**
 * Tox conferences (c-toxcore 0.2.18 toxcore/group.c, `tox_conference_*`; Tox spec § "Group chats"),
 * text only, over the friend connections of the messenger's friends.
 *
 * Algorithm, as group.c runs it:
 * - Invite (packet 96, through the messenger: the friend must be online): the inviter names its group
 *   number, the type and the 32-byte id. Joining answers `accept` with our group number; the inviter
 *   gives us a random peer number, adds us, marks the link online and tells everyone (NEW_PEER). We
 *   ask the inviter for the peers (QUERY); the response naming our key tells us our peer number,
 *   and then we are connected and send our name.
 * - A link (a friend connection used by a conference) goes online when both sides sent packet 97;
 *   the first online link (or the introducer's) is asked for the peers, and pings every 20 s.
 * - A message (99) carries the author's peer number and a per-author counter; the last 8 numbers per
 *   peer weed out duplicates (check_message_info). A new message is handled, then relayed to every
 *   other online link — and back to its author when it came straight from them (the only way a
 *   two-member conference echoes). We send ours to every online link.
 * - A peer quiet for 60 s is frozen (kept, not listed); any message thaws it. A peer that leaves for
 *   good sends KILL_PEER, one that goes offline FREEZE_PEER. When a frozen peer's friend connection
 *   comes back we send REJOIN (100) and the peer answers with 97.
 *
 * Known differences: we connect only to peers who are our friends (group.c also opens friend
 * connections to up to 4 "closest" non-friends by their DHT key); others are members through relays.
 * We relay to every online link, where group.c picks 2 of the "closest" ones: more copies, each
 * dropped as a duplicate. Every packet that reaches us is counted once (`counters`).
 * @since 0.3.0
 */
import { randomBytes, randomInt } from 'node:crypto';
import { Emitter, type Disposable, type Event } from '@confab/sdk';
import { keysEqual, toHex } from '../crypto/keys';
import { contained, systemClock, systemScheduler, type Clock, type Scheduler } from '../dht/clock';
import type { Messenger, MessengerFriend } from '../messenger/messenger';
import { decodeBounded } from '../wire/text';
import { Conference, newPeer, type ConferencePeer } from './conference';
import { ConferenceBook } from './conference-book';
import type { SavedConference } from './saved-conferences';
import {
  CONFERENCE_TYPE_TEXT, ConferencePacketId, GroupMessageId, MAX_GROUP_MESSAGE_DATA_LEN, MAX_TITLE_LENGTH,
  decodeDirect, decodeInvite, decodeMessage, decodeNewPeer, decodeOnline, decodePeerNumber, decodeRejoin,
  encodeDirect, encodeInvite, encodeMessage, encodeNewPeer, encodeOnline, encodePeerNumber, encodeRejoin, splitPeers,
  type ConferenceInvite, type GroupMessage, type InviteData,
} from './packets';

/** group.c GROUP_PING_INTERVAL (20 s) and FREEZE_TIMEOUT (3 pings). */
export const GROUP_PING_INTERVAL_MS = 20_000;
export const FREEZE_TIMEOUT_MS = GROUP_PING_INTERVAL_MS * 3;
/** Invites kept to accept later, per friend (the newest wins). */
const MAX_PENDING_INVITES = 64;

const utf8 = new TextEncoder();

/** Events of the conferences; one shape per kind. @since 0.3.0 */
export type ConferenceEvent =
  | { readonly kind: 'invited'; readonly friendPk: Uint8Array; readonly invite: InviteData }
  | { readonly kind: 'connected'; readonly conference: Conference }
  /** A link went online where none was: messages can go again (also after a rejoin). */
  | { readonly kind: 'linked'; readonly conference: Conference }
  | { readonly kind: 'message'; readonly conference: Conference; readonly peer: ConferencePeer; readonly type: 'normal' | 'action'; readonly text: string; readonly own: boolean }
  | { readonly kind: 'peers'; readonly conference: Conference; readonly added: readonly ConferencePeer[]; readonly removed: readonly ConferencePeer[] }
  | { readonly kind: 'name'; readonly conference: Conference; readonly peer: ConferencePeer }
  | { readonly kind: 'title'; readonly conference: Conference; readonly title: string; readonly peer?: ConferencePeer };

/** A conference packet handed to a friend connection: its lossless packet number there. @since 0.3.0 */
export interface SentPacket {
  readonly friend: MessengerFriend;
  readonly packet: number;
}

/** @since 0.3.0 */
export interface ConferencesOptions {
  readonly messenger: Messenger;
  readonly selfPk: Uint8Array;
  /** Our DHT key: the temporary key peers learn (group.c uses dht_get_self_public_key). */
  readonly selfDhtPk: Uint8Array;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  readonly tickMs?: number;
}

/** The conferences of one Tox instance; see the header. @since 0.3.0 */
export class Conferences extends ConferenceBook implements Disposable {
  private readonly invites = new Map<string, { friendPk: Uint8Array; invite: InviteData }>(); // by conference id
  private readonly timer: Disposable;
  private readonly msgSub: Disposable;
  private sentName: string;
  /**
   * Every conference packet a friend sends is `received`, then counted once: `handled`, `malformed`
   * (a length or value group.c refuses), `unknown` (no such conference, no such link, not a member)
   * or `duplicate` (a message number seen already).
   */
  readonly counters = { received: 0, handled: 0, malformed: 0, unknown: 0, duplicate: 0 };

  constructor(opts: ConferencesOptions) {
    super(opts);
    this.sentName = opts.messenger.name;
    this.msgSub = opts.messenger.onEvent((e) => {
      const f = this.watch(e.friend);
      if (e.kind === 'status') this.friendStatus(f, e.online);
    });
    this.timer = contained(opts.scheduler ?? systemScheduler).every(opts.tickMs ?? 1000, () => this.tick(), 'conferences');
  }

  /** Conferences by number. */
  get all(): readonly Conference[] {
    return [...this.list.values()];
  }

  byId(idHex: string): Conference | undefined {
    for (const c of this.list.values()) if (c.idHex === idHex.toUpperCase()) return c;
    return undefined;
  }

  /** An invite received and not yet accepted, by conference id. */
  pendingInvite(idHex: string): { friendPk: Uint8Array; invite: InviteData } | undefined {
    return this.invites.get(idHex.toUpperCase());
  }

  /** group.c add_groupchat: a new conference with us as peer 0 (`id` random unless given). */
  create(id: Uint8Array = randomId()): Conference {
    const c = new Conference(this.freeNumber(), CONFERENCE_TYPE_TEXT, id, true);
    c.peers.set(0, newPeer(0, this.opts.selfPk, this.opts.selfDhtPk, this.clock.now(), this.opts.messenger.name));
    this.list.set(c.number, c);
    return c;
  }

  /** group.c invite_friend: false when the friend is offline or we are not connected yet. */
  invite(c: Conference, friend: MessengerFriend): boolean {
    if (!c.connected || !friend.online) return false;
    this.watch(friend);
    return friend.connection.send(encodeInvite({ kind: 'invite', invite: { groupNumber: c.number, type: c.type, id: c.id } })) !== undefined;
  }

  /** group.c join_groupchat + send_invite_response: accepts an invite from `friend`. */
  join(friend: MessengerFriend, invite: InviteData): Conference {
    if (invite.type !== CONFERENCE_TYPE_TEXT) throw new RangeError('only text conferences are supported');
    if (this.byId(toHex(invite.id))) throw new RangeError('already in this conference');
    if (!friend.online) throw new RangeError('the inviter is offline');
    const c = new Conference(this.freeNumber(), invite.type, invite.id, false);
    this.list.set(c.number, c);
    this.invites.delete(c.idHex);
    this.respond(c, friend, invite);
    return c;
  }

  /** group_message_send / group_action_send: false when nobody is connected. */
  send(c: Conference, text: string, type: 'normal' | 'action' = 'normal'): boolean {
    const b = utf8.encode(text);
    if (b.length === 0 || b.length > MAX_GROUP_MESSAGE_DATA_LEN) throw new RangeError(`a conference message is 1–${MAX_GROUP_MESSAGE_DATA_LEN} bytes`);
    return this.sendGroup(c, type === 'action' ? GroupMessageId.ACTION : GroupMessageId.MESSAGE, b);
  }

  /**
   * `send`, for a caller that waits for the packets: the message number and, per online link, the
   * friend and the lossless packet number that carried it — net_crypto acknowledges each one when
   * that member has it (as c-toxcore's read receipts of friend messages). `undefined` when no link
   * is online (c-toxcore: TOX_ERR_CONFERENCE_SEND_MESSAGE_FAIL_SEND).
   */
  sendTracked(c: Conference, text: string, type: 'normal' | 'action' = 'normal'): { messageNumber: number; packets: SentPacket[] } | undefined {
    const b = utf8.encode(text);
    if (b.length === 0 || b.length > MAX_GROUP_MESSAGE_DATA_LEN) throw new RangeError(`a conference message is 1–${MAX_GROUP_MESSAGE_DATA_LEN} bytes`);
    const packets: SentPacket[] = [];
    if (!this.sendGroup(c, type === 'action' ? GroupMessageId.ACTION : GroupMessageId.MESSAGE, b, packets)) return undefined;
    return { messageNumber: c.messageNumber, packets };
  }

  /** group_title_send: set here at once; sent when anyone else is there. */
  setTitle(c: Conference, title: string): void {
    const b = utf8.encode(title);
    if (b.length === 0 || b.length > MAX_TITLE_LENGTH) throw new RangeError(`a title is 1–${MAX_TITLE_LENGTH} bytes`);
    if (c.title === title) return;
    c.title = title;
    if (c.peers.size > 1) this.sendGroup(c, GroupMessageId.TITLE, b);
  }

  /** del_groupchat(…, permanent): KILL_PEER to the others, then forgotten. */
  leave(c: Conference): void {
    if (c.connected) this.sendGroup(c, GroupMessageId.KILL_PEER, encodePeerNumber(c.ourPeerNumber));
    this.list.delete(c.number);
  }

  /**
   * A conference from the profile (group.c load_group): connected, with our saved peer number and
   * message number (saved ahead, see saved-conferences.ts), every other peer frozen until it is heard
   * from again; a friend among them gets REJOIN when its connection comes up (rejoin_frozen_friend).
   * The peers' saved last-active times only order group.c's forgetting of frozen peers, which we do
   * not do: they start from now.
   */
  restore(saved: SavedConference): Conference {
    if (this.byId(toHex(saved.id))) throw new RangeError('already in this conference');
    const c = new Conference(this.freeNumber(), saved.type, saved.id, true);
    c.messageNumber = saved.messageNumber;
    c.lossyMessageNumber = saved.lossyMessageNumber;
    c.ourPeerNumber = saved.ourPeerNumber;
    c.title = saved.title;
    const now = this.clock.now();
    for (const p of saved.peers) {
      if (keysEqual(p.realPk, this.opts.selfPk) || p.peerNumber === saved.ourPeerNumber) continue;
      c.frozen.set(p.peerNumber, newPeer(p.peerNumber, p.realPk, p.tempPk, now, p.nick));
    }
    c.peers.set(c.ourPeerNumber, newPeer(c.ourPeerNumber, this.opts.selfPk, this.opts.selfDhtPk, now, this.opts.messenger.name));
    this.list.set(c.number, c);
    for (const p of c.frozen.values()) {
      const friend = this.friendOf(toHex(p.realPk));
      if (friend?.online) this.rejoin(c, friend);
    }
    return c;
  }

  dispose(): void {
    this.timer.dispose();
    this.msgSub.dispose();
    for (const subs of this.watched.values()) for (const s of subs) s.dispose();
    this.watched.clear();
    this.events.dispose();
  }

  // ---- sending --------------------------------------------------------------------------------

  /** group.c send_message_group: our next message number, to every online link. */
  private sendGroup(c: Conference, messageId: number, data: Uint8Array, packets?: SentPacket[]): boolean {
    if (!c.connected || c.onlineLinks() === 0) return false;
    c.messageNumber = (c.messageNumber + 1) >>> 0;
    if (c.messageNumber === 0) c.messageNumber = 1;
    return this.relay(c, { peerNumber: c.ourPeerNumber, messageNumber: c.messageNumber, messageId, data }, undefined, packets) > 0;
  }

  /** group.c send_message_all_connections, but to every online link but `except`; `packets` collects what went. */
  private relay(c: Conference, m: GroupMessage, except?: string, packets?: SentPacket[]): number {
    let sent = 0;
    for (const [key, l] of c.links) {
      if (!l.online || key === except || l.theirGroup === undefined) continue;
      const friend = this.friendOf(key);
      const packet = friend?.connection.send(encodeMessage(l.theirGroup, m));
      if (friend === undefined || packet === undefined) continue;
      sent++;
      packets?.push({ friend, packet });
    }
    return sent;
  }

  private respond(c: Conference, friend: MessengerFriend, invite: InviteData): void {
    const packet: ConferenceInvite = c.connected
      ? { kind: 'member', groupNumber: c.number, invite, peerNumber: c.ourPeerNumber }
      : { kind: 'accept', groupNumber: c.number, invite };
    friend.connection.send(encodeInvite(packet));
    const link = this.link(c, friend, true);
    link.theirGroup = invite.groupNumber;
    this.linkUp(c, link);
    this.direct(friend, invite.groupNumber, { kind: 'query' });
  }

  private direct(friend: MessengerFriend, theirGroup: number, p: Parameters<typeof encodeDirect>[1]): void {
    friend.connection.send(encodeDirect(theirGroup, p));
  }

  // ---- receiving ------------------------------------------------------------------------------

  protected onPacket(friend: MessengerFriend, d: Uint8Array): void {
    const id = d[0];
    if (id < ConferencePacketId.INVITE || id > ConferencePacketId.REJOIN) return; // not ours
    if (id === ConferencePacketId.INVITE && !friend.online) return; // the messenger drops it (counted there)
    this.counters.received++;
    this.counters[this.handle(friend, id, d.subarray(1))]++;
  }

  private handle(friend: MessengerFriend, id: number, d: Uint8Array): 'handled' | 'malformed' | 'unknown' | 'duplicate' {
    switch (id) {
      case ConferencePacketId.INVITE: return this.onInvite(friend, d);
      case ConferencePacketId.ONLINE: return this.onOnline(friend, d);
      case ConferencePacketId.REJOIN: return this.onRejoin(friend, d);
    }
    // g_handle_packet: group number, then a link with this friend
    if (d.length < 2 + 1) return 'malformed';
    const c = this.list.get((d[0] << 8) | d[1]);
    const link = c?.links.get(toHex(friend.realPk));
    if (!c || !link) return 'unknown';
    if (id === ConferencePacketId.DIRECT) return this.onDirect(c, friend, d.subarray(2));
    return this.onMessage(c, friend, d.subarray(2));
  }

  /** group.c handle_friend_invite_packet. */
  private onInvite(friend: MessengerFriend, d: Uint8Array): 'handled' | 'malformed' | 'unknown' {
    const p = decodeInvite(d);
    if (!p) return 'malformed';
    if (p.kind === 'invite') {
      const known = this.byId(toHex(p.invite.id));
      if (known) {
        if (known.connected && known.type === p.invite.type) this.respond(known, friend, p.invite); // already in it: join them as a member
        return 'handled';
      }
      if (p.invite.type !== CONFERENCE_TYPE_TEXT) return 'unknown'; // AV conferences are out of scope
      if (this.invites.size >= MAX_PENDING_INVITES) this.invites.delete(this.invites.keys().next().value as string);
      this.invites.set(toHex(p.invite.id).toUpperCase(), { friendPk: friend.realPk, invite: p.invite });
      this.events.fire({ kind: 'invited', friendPk: friend.realPk, invite: p.invite });
      return 'handled';
    }
    const c = this.list.get(p.invite.groupNumber); // their answer names our group number
    if (!c || c.type !== p.invite.type || !keysEqual(c.id, p.invite.id)) return 'unknown';
    let peerNumber: number;
    if (p.kind === 'member') peerNumber = p.peerNumber;
    else {
      peerNumber = randomInt(0x10000);
      for (let tries = 0; c.peers.has(peerNumber) || c.frozen.has(peerNumber); tries++) {
        if (tries > 32) return 'unknown';
        peerNumber = randomInt(0x10000);
      }
    }
    const tempPk = friend.connection.dhtPk ?? new Uint8Array(32);
    this.addPeer(c, friend.realPk, tempPk, peerNumber, true);
    const link = this.link(c, friend, false);
    if (p.kind === 'member') {
      link.introducer = true;
      this.direct(friend, p.groupNumber, { kind: 'query' });
    }
    link.theirGroup = p.groupNumber;
    this.linkUp(c, link);
    this.sendGroup(c, GroupMessageId.NEW_PEER, encodeNewPeer(peerNumber, friend.realPk, tempPk));
    return 'handled';
  }

  /** group.c handle_packet_online. */
  private onOnline(friend: MessengerFriend, d: Uint8Array): 'handled' | 'malformed' | 'unknown' {
    const p = decodeOnline(d);
    if (!p) return 'malformed';
    const c = this.byId(toHex(p.id));
    const link = c?.links.get(toHex(friend.realPk));
    if (!c || c.type !== p.type || !link || link.online) return 'unknown';
    if (c.onlineLinks() === 0 || link.introducer) this.direct(friend, p.groupNumber, { kind: 'query' });
    link.theirGroup = p.groupNumber;
    this.linkUp(c, link);
    this.sendOnline(c, friend);
    const peer = c.peerByPk(friend.realPk);
    if (peer) {
      this.sendGroup(c, GroupMessageId.NEW_PEER, encodeNewPeer(peer.peerNumber, peer.realPk, peer.tempPk));
      c.needSendName = true;
    }
    this.ping(c);
    return 'handled';
  }

  /** group.c handle_packet_rejoin: a frozen (or active) peer is back; it gets our online packet. */
  private onRejoin(friend: MessengerFriend, d: Uint8Array): 'handled' | 'malformed' | 'unknown' {
    const p = decodeRejoin(d);
    if (!p) return 'malformed';
    const c = this.byId(toHex(p.id));
    if (!c || c.type !== p.type) return 'unknown';
    const known = c.peerByPk(friend.realPk) ?? c.frozenByPk(friend.realPk);
    if (!known) return 'unknown';
    this.addPeer(c, friend.realPk, friend.connection.dhtPk ?? known.tempPk, known.peerNumber, true);
    this.link(c, friend, false);
    this.sendOnline(c, friend);
    return 'handled';
  }

  /** group.c handle_direct_packet. */
  private onDirect(c: Conference, friend: MessengerFriend, d: Uint8Array): 'handled' | 'malformed' | 'unknown' {
    const p = decodeDirect(d);
    if (!p) return 'malformed';
    const link = c.links.get(toHex(friend.realPk))!;
    switch (p.kind) {
      case 'introduced':
        return 'handled';
      case 'query': {
        if (!link.online || link.theirGroup === undefined) return 'unknown';
        const entries = [...c.peers.values()].map((x) => ({ peerNumber: x.peerNumber, realPk: x.realPk, tempPk: x.tempPk, nick: clip(x.nick) }));
        for (const peers of splitPeers(entries)) this.direct(friend, link.theirGroup, { kind: 'response', peers });
        if (c.title !== '') this.direct(friend, link.theirGroup, { kind: 'title', title: utf8.encode(c.title) });
        return 'handled';
      }
      case 'response':
        for (const e of p.peers) {
          if (!c.connected && keysEqual(e.realPk, this.opts.selfPk)) {
            c.ourPeerNumber = e.peerNumber; // handle_send_peers: the list names us: we are in
            c.connected = true;
            c.peers.set(e.peerNumber, newPeer(e.peerNumber, this.opts.selfPk, this.opts.selfDhtPk, this.clock.now(), this.opts.messenger.name));
            c.needSendName = true;
            this.events.fire({ kind: 'connected', conference: c });
          }
          const peer = this.addPeer(c, e.realPk, e.tempPk, e.peerNumber, false);
          if (!peer) return 'malformed';
          if (!peer.nickUpdated) this.setNick(c, peer, decodeBounded(e.nick, MAX_TITLE_LENGTH));
        }
        return 'handled';
      case 'title':
        if (!c.titleFresh) this.setTitleFrom(c, decodeBounded(p.title, MAX_TITLE_LENGTH));
        return 'handled';
    }
  }

  /** group.c handle_message_packet_group. */
  private onMessage(c: Conference, friend: MessengerFriend, d: Uint8Array): 'handled' | 'malformed' | 'unknown' | 'duplicate' {
    const m = decodeMessage(d);
    if (!m) return 'malformed';
    const link = c.links.get(toHex(friend.realPk))!;
    const freeze = m.messageId === GroupMessageId.FREEZE_PEER;
    const peer = freeze ? c.peers.get(m.peerNumber) : this.noteActive(c, m.peerNumber);
    if (!peer) {
      // an author we do not know: the relaying peer knows them; ask it for the list
      if (!freeze && link.online && link.theirGroup !== undefined) this.direct(friend, link.theirGroup, { kind: 'query' });
      return 'unknown';
    }
    if (!Conference.checkMessageInfo(peer, m.messageNumber, m.messageId)) return 'duplicate';
    const verdict = this.apply(c, peer, m);
    if (verdict !== 'handled') return verdict;
    const fromAuthor = keysEqual(peer.realPk, friend.realPk);
    this.relay(c, m, fromAuthor ? undefined : toHex(friend.realPk));
    return 'handled';
  }

  private apply(c: Conference, peer: ConferencePeer, m: GroupMessage): 'handled' | 'malformed' {
    const data = m.data;
    switch (m.messageId) {
      case GroupMessageId.PING:
        return 'handled';
      case GroupMessageId.NEW_PEER: {
        const n = decodeNewPeer(data);
        if (!n) return 'malformed';
        this.addPeer(c, n.realPk, n.tempPk, n.peerNumber, true);
        return 'handled';
      }
      case GroupMessageId.KILL_PEER:
      case GroupMessageId.FREEZE_PEER: {
        const n = decodePeerNumber(data);
        if (n === undefined || n !== peer.peerNumber) return 'malformed'; // only oneself (group.c's TODO)
        if (m.messageId === GroupMessageId.KILL_PEER) this.delPeer(c, peer);
        else this.freezePeer(c, peer);
        return 'handled';
      }
      case GroupMessageId.NAME:
        if (data.length > MAX_TITLE_LENGTH) return 'malformed';
        peer.nickUpdated = true;
        this.setNick(c, peer, decodeBounded(data, MAX_TITLE_LENGTH));
        return 'handled';
      case GroupMessageId.TITLE:
        if (data.length === 0 || data.length > MAX_TITLE_LENGTH) return 'malformed';
        this.setTitleFrom(c, decodeBounded(data, MAX_TITLE_LENGTH), peer);
        return 'handled';
      case GroupMessageId.MESSAGE:
      case GroupMessageId.ACTION:
        if (data.length === 0) return 'malformed';
        this.events.fire({
          kind: 'message', conference: c, peer, type: m.messageId === GroupMessageId.ACTION ? 'action' : 'normal',
          text: new TextDecoder().decode(data), own: peer.peerNumber === c.ourPeerNumber, // ours, relayed back: c-toxcore reports it too
        });
        return 'handled';
      default:
        return 'malformed'; // group.c: unknown message ids are neither handled nor relayed
    }
  }

  // ---- time -----------------------------------------------------------------------------------

  private ping(c: Conference): void {
    const now = this.clock.now();
    if (now - c.lastPingAt < GROUP_PING_INTERVAL_MS) return;
    if (this.sendGroup(c, GroupMessageId.PING, new Uint8Array(0))) c.lastPingAt = now;
  }

  /** group.c do_groupchats: ping, freeze the quiet, send our name when due. */
  private tick(): void {
    const name = this.opts.messenger.name;
    const renamed = name !== this.sentName;
    this.sentName = name;
    const now = this.clock.now();
    for (const c of this.list.values()) {
      if (!c.connected) continue;
      for (const p of c.peers.values()) if (keysEqual(p.realPk, this.opts.selfPk)) p.nick = name;
      // links to friends that came online before the conference knew them
      for (const [key, l] of c.links) {
        const f = this.friendOf(key);
        if (f?.online && !l.online) this.sendOnline(c, f);
      }
      this.ping(c);
      for (const p of [...c.peers.values()]) {
        if (p.peerNumber !== c.ourPeerNumber && now - p.lastActive > FREEZE_TIMEOUT_MS) this.freezeQuietly(c, p);
      }
      if (c.peers.size <= 1) c.titleFresh = false;
      if (c.needSendName || renamed) {
        if (this.sendGroup(c, GroupMessageId.NAME, utf8.encode(name))) c.needSendName = false;
      }
    }
  }

  private freeNumber(): number {
    let n = 0;
    while (this.list.has(n)) n++;
    return n;
  }
}

function randomId(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/** A nick as it goes in a peer response: at most 128 bytes (a u8 length). */
function clip(nick: string): Uint8Array {
  const b = utf8.encode(nick);
  return b.length > MAX_TITLE_LENGTH ? b.subarray(0, MAX_TITLE_LENGTH) : b;
}
