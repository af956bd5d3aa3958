/**
 * The conference codecs (src/conference/packets.ts, saved-conferences.ts) against the layouts of
 * c-toxcore 0.2.18 group.c, byte by byte, and the lengths group.c refuses.
 */
import {
  decodeDirect, decodeInvite, decodeMessage, decodeNewPeer, decodeOnline, decodePeerNumber, decodeRejoin,
  encodeDirect, encodeInvite, encodeMessage, encodeNewPeer, encodeOnline, encodeRejoin, splitPeers,
} from '../src/conference/packets';
import { Conference, newPeer } from '../src/conference/conference';
import { readConferences, writeConferences } from '../src/conference/saved-conferences';

const id = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const pk = (b: number) => new Uint8Array(32).fill(b);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('conference packets', () => {
  it('invite, accept and member invites as group.c lays them out (96 | sub-id | numbers | type | id)', () => {
    const inv = encodeInvite({ kind: 'invite', invite: { groupNumber: 0x0102, type: 0, id } });
    expect(hex(inv.subarray(0, 5))).toBe('6000010200');
    expect(inv.length).toBe(1 + 1 + 2 + 1 + 32);
    expect(decodeInvite(inv.subarray(1))).toEqual({ kind: 'invite', invite: { groupNumber: 0x0102, type: 0, id } });
    const acc = encodeInvite({ kind: 'accept', groupNumber: 7, invite: { groupNumber: 3, type: 0, id } });
    expect(hex(acc.subarray(0, 7))).toBe('6001000700030' + '0');
    expect(decodeInvite(acc.subarray(1))).toEqual({ kind: 'accept', groupNumber: 7, invite: { groupNumber: 3, type: 0, id } });
    const mem = encodeInvite({ kind: 'member', groupNumber: 7, invite: { groupNumber: 3, type: 0, id }, peerNumber: 0xbeef });
    expect(hex(mem.subarray(mem.length - 2))).toBe('beef');
    expect(decodeInvite(mem.subarray(1))).toMatchObject({ kind: 'member', peerNumber: 0xbeef });
    // exact sizes only (INVITE_PACKET_SIZE, INVITE_ACCEPT_PACKET_SIZE, INVITE_MEMBER_PACKET_SIZE)
    expect(decodeInvite(inv.subarray(1, inv.length - 1))).toBeUndefined();
    expect(decodeInvite(Uint8Array.of(...acc.subarray(1), 0))).toBeUndefined();
    expect(decodeInvite(Uint8Array.of(3, ...id))).toBeUndefined();
    expect(decodeInvite(Uint8Array.of(0))).toBeUndefined();
  });

  it('online (97) and rejoin (100)', () => {
    const on = encodeOnline(5, 0, id);
    expect(hex(on.subarray(0, 4))).toBe('61000500');
    expect(decodeOnline(on.subarray(1))).toEqual({ groupNumber: 5, type: 0, id });
    expect(decodeOnline(on.subarray(1, 30))).toBeUndefined();
    const rj = encodeRejoin(0, id);
    expect(hex(rj.subarray(0, 2))).toBe('6400');
    expect(decodeRejoin(rj.subarray(1))).toEqual({ type: 0, id });
    expect(decodeRejoin(Uint8Array.of(...rj.subarray(1), 9, 9))).toEqual({ type: 0, id }); // more is ignored, as group.c does
    expect(decodeRejoin(rj.subarray(1, 20))).toBeUndefined();
  });

  it('direct packets (98): query, introduced, a peer response with names, and titles', () => {
    expect(hex(encodeDirect(2, { kind: 'query' }))).toBe('62000208');
    expect(decodeDirect(Uint8Array.of(8))).toEqual({ kind: 'query' });
    expect(decodeDirect(Uint8Array.of(1))).toEqual({ kind: 'introduced' });
    const peers = [{ peerNumber: 1, realPk: pk(1), tempPk: pk(2), nick: new TextEncoder().encode('alice') }, { peerNumber: 2, realPk: pk(3), tempPk: pk(4), nick: new Uint8Array(0) }];
    const resp = encodeDirect(2, { kind: 'response', peers });
    expect(resp.length).toBe(4 + (2 + 64 + 1 + 5) + (2 + 64 + 1));
    expect(decodeDirect(resp.subarray(3))).toEqual({ kind: 'response', peers });
    const lying = Uint8Array.from(resp.subarray(3));
    lying[1 + 2 + 64] = 200; // a name longer than the packet
    expect(decodeDirect(lying)).toBeUndefined();
    expect(decodeDirect(Uint8Array.of(10))).toBeUndefined(); // an empty title
    expect(decodeDirect(Uint8Array.of(10, ...new Uint8Array(129)))).toBeUndefined();
    expect(decodeDirect(Uint8Array.of(10, 65))).toEqual({ kind: 'title', title: Uint8Array.of(65) });
    expect(decodeDirect(Uint8Array.of(77))).toBeUndefined();
    const many = Array.from({ length: 40 }, (_, i) => ({ peerNumber: i, realPk: pk(i), tempPk: pk(i), nick: new Uint8Array(128) }));
    const parts = splitPeers(many);
    expect(parts.flat().length).toBe(40);
    for (const p of parts) expect(encodeDirect(0, { kind: 'response', peers: p }).length).toBeLessThanOrEqual(1373);
  });

  it('messages (99): author, number, id and data; new peer and kill/freeze bodies', () => {
    const m = { peerNumber: 0x0a0b, messageNumber: 0x01020304, messageId: 64, data: Uint8Array.of(104, 105) };
    const p = encodeMessage(9, m);
    expect(hex(p)).toBe('630009' + '0a0b' + '01020304' + '40' + '6869');
    expect(decodeMessage(p.subarray(3))).toEqual(m);
    expect(decodeMessage(p.subarray(3, 9))).toBeUndefined();
    const np = encodeNewPeer(5, pk(1), pk(2));
    expect(decodeNewPeer(np)).toEqual({ peerNumber: 5, realPk: pk(1), tempPk: pk(2) });
    expect(decodeNewPeer(np.subarray(1))).toBeUndefined();
    expect(decodePeerNumber(Uint8Array.of(1, 2))).toBe(0x102);
    expect(decodePeerNumber(Uint8Array.of(1))).toBeUndefined();
  });

  it('duplicates by the last 8 message numbers of a peer (group.c check_message_info)', () => {
    const peer = newPeer(1, pk(1), pk(2), 0);
    expect(Conference.checkMessageInfo(peer, 5, 64)).toBe(true);
    expect(Conference.checkMessageInfo(peer, 5, 64)).toBe(false);
    expect(Conference.checkMessageInfo(peer, 4, 64)).toBe(true); // older but not seen: still new
    for (let n = 6; n < 14; n++) expect(Conference.checkMessageInfo(peer, n, 64)).toBe(true);
    expect(peer.seen.length).toBe(8);
    expect(Conference.checkMessageInfo(peer, 2, 64)).toBe(false); // older than all 8 kept
    expect(Conference.checkMessageInfo(peer, 20, 48)).toBe(true);
    expect(Conference.checkMessageInfo(peer, 19, 48)).toBe(false); // an older NAME than the newest
  });
});

describe('the CONFERENCES profile section', () => {
  it('writes group.c save_conf records (little-endian) and reads them back', () => {
    const saved = [{
      type: 0, id, messageNumber: 65536 + 3, lossyMessageNumber: 8192, ourPeerNumber: 0x1234, title: 'room',
      peers: [{ realPk: pk(1), tempPk: pk(2), peerNumber: 7, lastActive: 1234, nick: 'alice' }],
    }];
    const b = writeConferences(saved);
    expect(b.length).toBe(1 + 32 + 4 + 2 + 2 + 4 + 1 + 4 + (32 + 32 + 2 + 8 + 1 + 5));
    expect(hex(b.subarray(33, 45))).toBe('03000100' + '0020' + '3412' + '01000000');
    expect(readConferences(b)).toEqual(saved);
    expect(() => readConferences(b.subarray(0, b.length - 2))).toThrow();
    expect(readConferences(new Uint8Array(10))).toEqual([]); // shorter than a record: ignored, as load_conferences_helper
  });
});
