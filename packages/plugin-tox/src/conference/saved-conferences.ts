/**
 * The CONFERENCES section (type 20) of a Tox profile, as c-toxcore 0.2.18 writes and reads it
 * (group.c conferences_save / save_conf / save_peer and load_group; little-endian, unlike the wire):
 *
 *     per conference: type u8 | id (32) | message number u32 | lossy number u16 | our peer number u16
 *                     | peers saved u32 | title length u8 | title | peers
 *     per peer:       real key (32) | temp key (32) | peer number u16 | last active u64 | nick length u8 | nick
 *
 * Our own peer is not saved; the others load frozen. The saved message number is ahead of the one
 * used (SAVE_OFFSET_MESSAGE_NUMBER, 2^16) so that a crash after more sends than that never repeats a
 * number peers remember. A record that runs past the section or holds a length over 128 ends the
 * section as `Malformed`, as load_group fails it.
 * @since 0.3.0
 */
import { Malformed, Reader, Writer } from '../wire/bytes';
import { copyBytes } from '../wire/copy';
import { decodeBounded } from '../wire/text';
import { readU32le, writeU32le } from '../savedata/little-endian';
import { keysEqual } from '../crypto/keys';
import type { Conference } from './conference';
import { CONFERENCE_ID_LENGTH, MAX_TITLE_LENGTH } from './packets';

/** group.c SAVE_OFFSET_MESSAGE_NUMBER and SAVE_OFFSET_LOSSY_MESSAGE_NUMBER. */
export const SAVE_OFFSET_MESSAGE_NUMBER = 1 << 16;
export const SAVE_OFFSET_LOSSY_MESSAGE_NUMBER = 1 << 13;
/** SAVED_CONF_SIZE_CONSTANT: the fixed part of a conference record. */
const SAVED_CONF_SIZE_CONSTANT = 1 + CONFERENCE_ID_LENGTH + 4 + 2 + 2 + 4 + 1;

/** @since 0.3.0 */
export interface SavedConferencePeer {
  readonly realPk: Uint8Array;
  readonly tempPk: Uint8Array;
  readonly peerNumber: number;
  /** c-toxcore's mono_time seconds at last activity; kept as read. */
  readonly lastActive: number;
  readonly nick: string;
}

/** @since 0.3.0 */
export interface SavedConference {
  readonly type: number;
  readonly id: Uint8Array;
  /** As stored: the next message numbers start above this. */
  readonly messageNumber: number;
  readonly lossyMessageNumber: number;
  readonly ourPeerNumber: number;
  readonly title: string;
  readonly peers: readonly SavedConferencePeer[];
}

const utf8 = new TextEncoder();

function readU16le(r: Reader, what: string): number {
  const b = r.bytes(2, what);
  return b[0] | (b[1] << 8);
}

function text(r: Reader, what: string): string {
  const n = r.u8(`${what} length`);
  if (n > MAX_TITLE_LENGTH) throw new Malformed(`${what} of ${n} bytes (at most ${MAX_TITLE_LENGTH})`);
  return decodeBounded(r.bytes(n, what), MAX_TITLE_LENGTH);
}

/** group.c load_conferences_helper: records while a fixed part fits; what is left is ignored. @since 0.3.0 */
export function readConferences(data: Uint8Array): SavedConference[] {
  const r = new Reader(data);
  const out: SavedConference[] = [];
  while (r.remaining >= SAVED_CONF_SIZE_CONSTANT) {
    const type = r.u8('type');
    const id = copyBytes(r.bytes(CONFERENCE_ID_LENGTH, 'conference id'));
    const messageNumber = readU32le(r, 'message number');
    const lossyMessageNumber = readU16le(r, 'lossy message number');
    const ourPeerNumber = readU16le(r, 'peer number');
    const count = readU32le(r, 'peer count');
    const title = text(r, 'title');
    const peers: SavedConferencePeer[] = [];
    for (let i = 0; i < count; i++) {
      const realPk = copyBytes(r.bytes(32, 'peer key'));
      const tempPk = copyBytes(r.bytes(32, 'peer temp key'));
      const peerNumber = readU16le(r, 'peer number');
      const lo = readU32le(r, 'last active');
      const hi = readU32le(r, 'last active');
      peers.push({ realPk, tempPk, peerNumber, lastActive: hi * 2 ** 32 + lo, nick: text(r, 'nick') });
    }
    out.push({ type, id, messageNumber, lossyMessageNumber, ourPeerNumber, title, peers });
  }
  return out;
}

/** group.c conferences_save's section body. @since 0.3.0 */
export function writeConferences(list: readonly SavedConference[]): Uint8Array {
  const w = new Writer(256);
  for (const c of list) {
    const title = utf8.encode(c.title).subarray(0, MAX_TITLE_LENGTH);
    w.u8(c.type).bytes(c.id);
    writeU32le(w, c.messageNumber);
    w.u8(c.lossyMessageNumber & 0xff).u8((c.lossyMessageNumber >> 8) & 0xff);
    w.u8(c.ourPeerNumber & 0xff).u8(c.ourPeerNumber >> 8);
    writeU32le(w, c.peers.length);
    w.u8(title.length).bytes(title);
    for (const p of c.peers) {
      const nick = utf8.encode(p.nick).subarray(0, MAX_TITLE_LENGTH);
      w.bytes(p.realPk).bytes(p.tempPk).u8(p.peerNumber & 0xff).u8(p.peerNumber >> 8);
      writeU32le(w, p.lastActive % 2 ** 32);
      writeU32le(w, Math.floor(p.lastActive / 2 ** 32));
      w.u8(nick.length).bytes(nick);
    }
  }
  return w.finish();
}

/**
 * What group.c save_conf writes of a live conference: only a connected one (conferences_save skips
 * those still joining), every peer but us, active and frozen alike, and the message numbers ahead by
 * SAVE_OFFSET_MESSAGE_NUMBER and SAVE_OFFSET_LOSSY_MESSAGE_NUMBER (u32 and u16, wrapping). A peer's
 * last activity is written as c-toxcore's clock gives it, in seconds of the Unix epoch: `unixNow`
 * less its age on our clock (`clockNow`, ms). @since 0.3.0
 */
export function savedOf(c: Conference, selfPk: Uint8Array, now: { readonly clockNow: number; readonly unixNow: number }): SavedConference | undefined {
  if (!c.connected) return undefined;
  const peers: SavedConferencePeer[] = [];
  for (const p of [...c.peers.values(), ...c.frozen.values()]) {
    if (keysEqual(p.realPk, selfPk)) continue;
    const age = Math.max(0, Math.floor((now.clockNow - p.lastActive) / 1000));
    peers.push({ realPk: p.realPk, tempPk: p.tempPk, peerNumber: p.peerNumber, lastActive: Math.max(0, now.unixNow - age), nick: p.nick });
  }
  return {
    type: c.type, id: c.id, title: c.title, ourPeerNumber: c.ourPeerNumber, peers,
    messageNumber: (c.messageNumber + SAVE_OFFSET_MESSAGE_NUMBER) >>> 0,
    lossyMessageNumber: (c.lossyMessageNumber + SAVE_OFFSET_LOSSY_MESSAGE_NUMBER) & 0xffff,
  };
}
