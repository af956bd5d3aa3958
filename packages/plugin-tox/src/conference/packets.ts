/**
 * The wire format of Tox conferences (c-toxcore 0.2.18 toxcore/group.c; Tox spec § "Group chats"),
 * every packet a lossless packet of a friend connection:
 *
 *     96 INVITE_CONFERENCE   (through the messenger)  sub-id u8 | …, see `ConferenceInvite`
 *     97 ONLINE_PACKET       our group number u16 | type u8 | conference id (32)
 *     98 DIRECT_CONFERENCE   their group number u16 | sub-id u8 | …, see `DirectPacket`
 *     99 MESSAGE_CONFERENCE  their group number u16 | peer number u16 | message number u32 | message id u8 | data
 *    100 REJOIN_CONFERENCE   type u8 | conference id (32)
 *
 * Integers are big-endian. Decoders take the packet without its id, return `undefined` for what
 * group.c refuses by length, and never read past the end.
 * @since 0.3.0
 */
import { Reader, Writer } from '../wire/bytes';
import { copyBytes } from '../wire/copy';
import { MAX_CRYPTO_DATA_SIZE } from '../net-crypto/constants';

/** net_crypto.h PACKET_ID_* of conferences. @since 0.3.0 */
export const ConferencePacketId = { INVITE: 96, ONLINE: 97, DIRECT: 98, MESSAGE: 99, REJOIN: 100 } as const;
/** GROUP_ID_LENGTH (group.c). */
export const CONFERENCE_ID_LENGTH = 32;
const PK = 32;
/** GROUPCHAT_TYPE_TEXT; AV conferences (1) are out of scope. */
export const CONFERENCE_TYPE_TEXT = 0;
/** group.c Group_Message_Id, plus the messenger's 64/65 for messages and actions. @since 0.3.0 */
export const GroupMessageId = { PING: 0, NEW_PEER: 16, KILL_PEER: 17, FREEZE_PEER: 18, NAME: 48, TITLE: 49, MESSAGE: 64, ACTION: 65 } as const;
/** group.c Peer_Id: sub-ids of DIRECT_CONFERENCE. */
export const PeerId = { INTRODUCED: 1, QUERY: 8, RESPONSE: 9, TITLE: 10 } as const;
/** group.c Invite_Id. */
export const InviteId = { INVITE: 0, ACCEPT: 1, MEMBER: 2 } as const;
/** MAX_GROUP_MESSAGE_DATA_LEN: MAX_CRYPTO_DATA_SIZE − (1 + MIN_MESSAGE_PACKET_LEN), 1373 − 10. */
export const MAX_GROUP_MESSAGE_DATA_LEN = MAX_CRYPTO_DATA_SIZE - (1 + 2 + 2 + 4 + 1);
/** MAX_NAME_LENGTH (Messenger.h): names and titles. */
export const MAX_TITLE_LENGTH = 128;

/** The invite a friend sends, and what it names: their group number, the type and the id. @since 0.3.0 */
export interface InviteData {
  readonly groupNumber: number;
  readonly type: number;
  readonly id: Uint8Array;
}

/**
 * Packet 96's body (group.c handle_friend_invite_packet): `invite` (INVITE_PACKET_SIZE), `accept`
 * from a newcomer (INVITE_ACCEPT_PACKET_SIZE) or `member` from someone already in the conference
 * (INVITE_MEMBER_PACKET_SIZE, with their peer number). `groupNumber` is always the sender's.
 * @since 0.3.0
 */
export type ConferenceInvite =
  | { readonly kind: 'invite'; readonly invite: InviteData }
  | { readonly kind: 'accept'; readonly groupNumber: number; readonly invite: InviteData }
  | { readonly kind: 'member'; readonly groupNumber: number; readonly invite: InviteData; readonly peerNumber: number };

function readInviteData(r: Reader): InviteData {
  return { groupNumber: r.u16(), type: r.u8(), id: copyBytes(r.bytes(CONFERENCE_ID_LENGTH)) };
}

function writeInviteData(w: Writer, d: InviteData): Writer {
  return w.u16(d.groupNumber).u8(d.type).bytes(d.id);
}

/** group.c handle_friend_invite_packet: exact lengths per sub-id, nothing else. @since 0.3.0 */
export function decodeInvite(d: Uint8Array): ConferenceInvite | undefined {
  if (d.length <= 1) return undefined;
  const r = new Reader(d, 1);
  switch (d[0]) {
    case InviteId.INVITE:
      if (d.length !== 1 + 2 + 1 + CONFERENCE_ID_LENGTH) return undefined;
      return { kind: 'invite', invite: readInviteData(r) };
    case InviteId.ACCEPT:
      if (d.length !== 1 + 2 * 2 + 1 + CONFERENCE_ID_LENGTH) return undefined;
      return { kind: 'accept', groupNumber: r.u16(), invite: readInviteData(r) };
    case InviteId.MEMBER:
      if (d.length !== 1 + 2 * 2 + 1 + CONFERENCE_ID_LENGTH + 2) return undefined;
      return { kind: 'member', groupNumber: r.u16(), invite: readInviteData(r), peerNumber: r.u16() };
    default:
      return undefined;
  }
}

/** Packet 96 whole, id included (group.c invite_friend, send_invite_response). @since 0.3.0 */
export function encodeInvite(i: ConferenceInvite): Uint8Array {
  const w = new Writer(48).u8(ConferencePacketId.INVITE);
  if (i.kind === 'invite') return writeInviteData(w.u8(InviteId.INVITE), i.invite).finish();
  writeInviteData(w.u8(i.kind === 'accept' ? InviteId.ACCEPT : InviteId.MEMBER).u16(i.groupNumber), i.invite);
  if (i.kind === 'member') w.u16(i.peerNumber);
  return w.finish();
}

/** Packet 97 whole (group.c send_packet_online). @since 0.3.0 */
export function encodeOnline(groupNumber: number, type: number, id: Uint8Array): Uint8Array {
  return new Writer(36).u8(ConferencePacketId.ONLINE).u16(groupNumber).u8(type).bytes(id).finish();
}

/** Packet 97's body (group.c handle_packet_online: ONLINE_PACKET_DATA_SIZE exactly). @since 0.3.0 */
export function decodeOnline(d: Uint8Array): InviteData | undefined {
  if (d.length !== 2 + 1 + CONFERENCE_ID_LENGTH) return undefined;
  return readInviteData(new Reader(d));
}

/** Packet 100 whole (group.c try_send_rejoin). @since 0.3.0 */
export function encodeRejoin(type: number, id: Uint8Array): Uint8Array {
  return new Writer(34).u8(ConferencePacketId.REJOIN).u8(type).bytes(id).finish();
}

/** Packet 100's body (group.c handle_packet_rejoin: at least type and id; more is ignored). @since 0.3.0 */
export function decodeRejoin(d: Uint8Array): { readonly type: number; readonly id: Uint8Array } | undefined {
  if (d.length < 1 + CONFERENCE_ID_LENGTH) return undefined;
  return { type: d[0], id: copyBytes(d.subarray(1, 1 + CONFERENCE_ID_LENGTH)) };
}

/** One entry of a peer response (group.c send_peers). @since 0.3.0 */
export interface PeerEntry {
  readonly peerNumber: number;
  readonly realPk: Uint8Array;
  readonly tempPk: Uint8Array;
  readonly nick: Uint8Array;
}

/** DIRECT_CONFERENCE's sub-packets (group.c handle_direct_packet). @since 0.3.0 */
export type DirectPacket =
  | { readonly kind: 'introduced' }
  | { readonly kind: 'query' }
  | { readonly kind: 'response'; readonly peers: readonly PeerEntry[] }
  | { readonly kind: 'title'; readonly title: Uint8Array };

/**
 * A peer response's entries, as group.c handle_send_peers reads them: whole entries while they fit,
 * a trailing part shorter than an entry's fixed part ignored, a name running past the end (or over
 * 128 bytes) ends the list as malformed (`undefined`).
 */
function readPeers(r: Reader): PeerEntry[] | undefined {
  const peers: PeerEntry[] = [];
  while (r.remaining >= 2 + PK * 2 + 1) {
    const peerNumber = r.u16();
    const realPk = copyBytes(r.bytes(PK));
    const tempPk = copyBytes(r.bytes(PK));
    const n = r.u8();
    if (n > r.remaining || n > MAX_TITLE_LENGTH) return undefined;
    peers.push({ peerNumber, realPk, tempPk, nick: copyBytes(r.bytes(n)) });
  }
  return peers;
}

/** A DIRECT_CONFERENCE body after the group number; `undefined` when group.c would drop it. @since 0.3.0 */
export function decodeDirect(d: Uint8Array): DirectPacket | undefined {
  if (d.length === 0) return undefined;
  switch (d[0]) {
    case PeerId.INTRODUCED: return { kind: 'introduced' };
    case PeerId.QUERY: return { kind: 'query' };
    case PeerId.RESPONSE: {
      if (d.length === 1) return undefined;
      const peers = readPeers(new Reader(d, 1));
      return peers && { kind: 'response', peers };
    }
    case PeerId.TITLE:
      // settitle refuses an empty title or one over MAX_NAME_LENGTH
      if (d.length < 2 || d.length - 1 > MAX_TITLE_LENGTH) return undefined;
      return { kind: 'title', title: copyBytes(d.subarray(1)) };
    default:
      return undefined;
  }
}

/** A DIRECT_CONFERENCE packet whole (group.c send_packet_group_peer). @since 0.3.0 */
export function encodeDirect(groupNumber: number, p: DirectPacket): Uint8Array {
  const w = new Writer(64).u8(ConferencePacketId.DIRECT).u16(groupNumber);
  switch (p.kind) {
    case 'introduced': return w.u8(PeerId.INTRODUCED).finish();
    case 'query': return w.u8(PeerId.QUERY).finish();
    case 'title': return w.u8(PeerId.TITLE).bytes(p.title).finish();
    case 'response':
      w.u8(PeerId.RESPONSE);
      for (const e of p.peers) w.u16(e.peerNumber).bytes(e.realPk).bytes(e.tempPk).u8(e.nick.length).bytes(e.nick);
      return w.finish();
  }
}

/**
 * Peer entries in responses that fit a packet (group.c send_peers: MAX_CRYPTO_DATA_SIZE less the
 * packet id and group number per packet). @since 0.3.0
 */
export function splitPeers(peers: readonly PeerEntry[]): PeerEntry[][] {
  const max = MAX_CRYPTO_DATA_SIZE - (1 + 2) - 1;
  const out: PeerEntry[][] = [[]];
  let used = 0;
  for (const p of peers) {
    const size = 2 + PK * 2 + 1 + p.nick.length;
    if (used + size > max) { out.push([]); used = 0; }
    out[out.length - 1].push(p);
    used += size;
  }
  return out;
}

/** A MESSAGE_CONFERENCE body after the group number (group.c handle_message_packet_group). @since 0.3.0 */
export interface GroupMessage {
  readonly peerNumber: number;
  readonly messageNumber: number;
  readonly messageId: number;
  readonly data: Uint8Array;
}

/** `undefined` when shorter than MIN_MESSAGE_PACKET_LEN − 2 (peer, number and id). @since 0.3.0 */
export function decodeMessage(d: Uint8Array): GroupMessage | undefined {
  if (d.length < 2 + 4 + 1) return undefined;
  const r = new Reader(d);
  return { peerNumber: r.u16(), messageNumber: r.u32(), messageId: r.u8(), data: copyBytes(r.rest()) };
}

/** A MESSAGE_CONFERENCE packet whole; relaying re-encodes the same fields. @since 0.3.0 */
export function encodeMessage(groupNumber: number, m: GroupMessage): Uint8Array {
  return new Writer(16 + m.data.length).u8(ConferencePacketId.MESSAGE).u16(groupNumber)
    .u16(m.peerNumber).u32(m.messageNumber).u8(m.messageId).bytes(m.data).finish();
}

/** NEW_PEER's data (GROUP_MESSAGE_NEW_PEER_LENGTH exactly). @since 0.3.0 */
export function decodeNewPeer(d: Uint8Array): { peerNumber: number; realPk: Uint8Array; tempPk: Uint8Array } | undefined {
  if (d.length !== 2 + PK * 2) return undefined;
  const r = new Reader(d);
  return { peerNumber: r.u16(), realPk: copyBytes(r.bytes(PK)), tempPk: copyBytes(r.bytes(PK)) };
}

export function encodeNewPeer(peerNumber: number, realPk: Uint8Array, tempPk: Uint8Array): Uint8Array {
  return new Writer(66).u16(peerNumber).bytes(realPk).bytes(tempPk).finish();
}

/** KILL_PEER / FREEZE_PEER data (GROUP_MESSAGE_KILL_PEER_LENGTH exactly). @since 0.3.0 */
export function decodePeerNumber(d: Uint8Array): number | undefined {
  return d.length === 2 ? (d[0] << 8) | d[1] : undefined;
}

export function encodePeerNumber(n: number): Uint8Array {
  return Uint8Array.of(n >> 8, n & 0xff);
}
