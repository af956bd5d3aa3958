/**
 * One conference's state as group.c's Group_c keeps it (c-toxcore 0.2.18): our peer number, the
 * message counter, the title, the peers (active and frozen) and the friend connections it uses.
 * No I/O here: conferences.ts sends and receives.
 * @since 0.3.0
 */
import { keysEqual, toHex } from '../crypto/keys';

/** group.c MAX_LAST_MESSAGE_INFOS: the last message numbers kept per peer, for duplicates. */
export const MAX_LAST_MESSAGE_INFOS = 8;

/** A member (group.c Group_Peer). @since 0.3.0 */
export interface ConferencePeer {
  readonly peerNumber: number;
  readonly realPk: Uint8Array;
  tempPk: Uint8Array;
  nick: string;
  /** The name came in a NAME message (group.c nick_updated): a peer list no longer overrides it. */
  nickUpdated: boolean;
  lastActive: number;
  /** Newest first: {number, id} (group.c last_message_infos). */
  readonly seen: { messageNumber: number; messageId: number }[];
}

/** A friend connection the conference uses (group.c Groupchat_Connection). @since 0.3.0 */
export interface ConferenceLink {
  /** Their group number for this conference, once known (invite response or online packet). */
  theirGroup?: number;
  /** GROUPCHAT_CONNECTION_ONLINE: both sides sent the online packet (or an invite made it so). */
  online: boolean;
  /** GROUPCHAT_CONNECTION_REASON_INTRODUCER: we joined through them; ask them for the peers. */
  introducer: boolean;
}

/** @since 0.3.0 */
export class Conference {
  /** GROUPCHAT_STATUS_CONNECTED once we have our peer number; VALID while joining. */
  connected: boolean;
  ourPeerNumber = 0;
  messageNumber = 0;
  /** group.c lossy_message_number: AV only; kept from the profile and saved as c-toxcore does. */
  lossyMessageNumber = 0;
  title = '';
  /** A title came from a peer since the conference was last alone (group.c title_fresh). */
  titleFresh = false;
  needSendName = false;
  lastPingAt = 0;
  readonly peers = new Map<number, ConferencePeer>();
  readonly frozen = new Map<number, ConferencePeer>();
  /** By friend public key (hex). */
  readonly links = new Map<string, ConferenceLink>();

  constructor(readonly number: number, readonly type: number, readonly id: Uint8Array, connected: boolean) {
    this.connected = connected;
  }

  get idHex(): string {
    return toHex(this.id).toUpperCase();
  }

  peerByPk(pk: Uint8Array): ConferencePeer | undefined {
    for (const p of this.peers.values()) if (keysEqual(p.realPk, pk)) return p;
    return undefined;
  }

  frozenByPk(pk: Uint8Array): ConferencePeer | undefined {
    for (const p of this.frozen.values()) if (keysEqual(p.realPk, pk)) return p;
    return undefined;
  }

  onlineLinks(): number {
    let n = 0;
    for (const l of this.links.values()) if (l.online) n++;
    return n;
  }

  /**
   * group.c check_message_info / find_message_slot_or_reject: whether a message is new from this
   * peer. Numbers older than the oldest kept are refused once the list is full; a NAME or TITLE
   * older than a newer one of the same kind is refused too.
   */
  static checkMessageInfo(peer: ConferencePeer, messageNumber: number, messageId: number): boolean {
    const ignoreOlder = messageId === 48 || messageId === 49; // GROUP_MESSAGE_NAME_ID, _TITLE_ID
    let i = 0;
    for (; i < peer.seen.length; i++) {
      const s = peer.seen[i];
      if (((messageNumber - (s.messageNumber + 1)) >>> 0) <= 2 ** 31) break; // newer than this one
      if (messageNumber === s.messageNumber) return false;
      if (ignoreOlder && messageId === s.messageId) return false;
    }
    if (i === MAX_LAST_MESSAGE_INFOS) return false;
    peer.seen.splice(i, 0, { messageNumber, messageId });
    if (peer.seen.length > MAX_LAST_MESSAGE_INFOS) peer.seen.pop();
    return true;
  }
}

/** A fresh peer record. @since 0.3.0 */
export function newPeer(peerNumber: number, realPk: Uint8Array, tempPk: Uint8Array, now: number, nick = ''): ConferencePeer {
  return { peerNumber, realPk, tempPk, nick, nickUpdated: false, lastActive: now, seen: [] };
}
