/**
 * Conferences kept in the profile (src/conference/saved-conferences.ts, profile-conferences.ts) against
 * a profile c-toxcore 0.2.18 wrote (vectors/c-toxcore-conferences.tox, made through the harness:
 * see its .json), the save/restore cycle through the engine (group.c save_conf / load_group), and
 * the acknowledgement that confirms a sent conference message (conference-sends.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Emitter, OfflineError } from '@confab/sdk';
import { parseSavedata, writeSavedata, SectionType } from '../src/savedata';
import {
  ConferenceSends, Conferences, SAVE_OFFSET_MESSAGE_NUMBER, conferencesOf, readConferences, savedOf, withConferences, writeConferences,
  type SavedConference,
} from '../src/conference';
import type { Messenger, MessengerFriend } from '../src/messenger/messenger';

const VECTORS = join(__dirname, 'vectors');
const file = readFileSync(join(VECTORS, 'c-toxcore-conferences.tox'));
const expected = JSON.parse(readFileSync(join(VECTORS, 'c-toxcore-conferences.json'), 'utf8')) as {
  self: { publicKey: string; name: string };
  conferences: Array<Omit<SavedConference, 'id' | 'peers'> & { id: string; peers: Array<{ realPk: string; tempPk: string; peerNumber: number; lastActive: number; nick: string }> }>;
};
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const expectedSaved: SavedConference[] = expected.conferences.map((c) => ({
  ...c, id: bytes(c.id), peers: c.peers.map((p) => ({ ...p, realPk: bytes(p.realPk), tempPk: bytes(p.tempPk) })),
}));

/** Enough of a messenger for the engine without a network: a name, no friends, no events. */
function quietMessenger(name: string): Messenger {
  return { name, onEvent: () => ({ dispose() {} }), friend: () => undefined } as unknown as Messenger;
}

describe('the CONFERENCES section of a profile c-toxcore wrote', () => {
  const profile = parseSavedata(file);

  it('reads as c-toxcore saved it: ids, titles, stored message numbers, the other member with its name and keys', () => {
    const read = conferencesOf(profile);
    expect(read.error).toBeUndefined();
    expect(read.saved).toEqual(expectedSaved);
  });

  it('is written back byte for byte, in its place: the whole profile is the file again', () => {
    const section = profile.otherSections.find((s) => s.type === SectionType.CONFERENCES)!;
    expect(Buffer.from(writeConferences(expectedSaved)).equals(Buffer.from(section.data))).toBe(true);
    const rewritten = writeSavedata({ ...profile, otherSections: withConferences(profile.otherSections, expectedSaved) });
    expect(Buffer.from(rewritten).equals(file)).toBe(true);
  });

  it('puts the section after PATH_NODE and before higher types when a profile had none; c-toxcore writes it empty', () => {
    const others = [{ type: 7, data: Uint8Array.of(1) }, { type: 21, data: Uint8Array.of(2) }];
    expect(withConferences(others, []).map((s) => [s.type, s.data.length])).toEqual([[7, 1], [20, 0], [21, 1]]);
  });

  it('an unreadable section is reported, and kept as it was until there are conferences to save', () => {
    const section = profile.otherSections.find((s) => s.type === SectionType.CONFERENCES)!;
    const broken = { ...profile, otherSections: [{ type: SectionType.CONFERENCES, data: section.data.subarray(0, 120) }] }; // the first record's peer cut short
    const read = conferencesOf(broken);
    expect(read.saved).toEqual([]);
    expect(read.error).toBeDefined();
    expect(withConferences(broken.otherSections, [], read.raw)[0].data).toBe(read.raw);
    expect(withConferences(broken.otherSections, expectedSaved.slice(1), read.raw)[0].data.length).toBe(1 + 32 + 4 + 2 + 2 + 4 + 1);
  });
});

describe('a conference restored and saved again (group.c load_group, then save_conf)', () => {
  const selfPk = bytes(expected.self.publicKey);
  let confs: Conferences;
  let now = 1_000_000;
  beforeEach(() => {
    confs = new Conferences({
      messenger: quietMessenger('alice'), selfPk, selfDhtPk: new Uint8Array(32).fill(9),
      clock: { now: () => now }, scheduler: { every: () => ({ dispose() {} }), after: () => ({ dispose() {} }) },
    });
  });
  afterEach(() => confs.dispose());

  it('comes back connected, with our peer number, the others frozen, and saves ahead by SAVE_OFFSET_MESSAGE_NUMBER', () => {
    const c = confs.restore(expectedSaved[0]);
    expect(c.connected).toBe(true);
    expect([...c.peers.keys()]).toEqual([0]);
    expect(c.peers.get(0)!.nick).toBe('alice');
    expect([...c.frozen.values()].map((p) => [p.peerNumber, p.nick])).toEqual([[10455, 'bob ✓']]);
    expect(c.title).toBe('planning ✓');
    expect(c.messageNumber).toBe(65540); // the stored number is the next one's base, as c-toxcore loads it
    now += 5000;
    const again = savedOf(c, selfPk, { clockNow: now, unixNow: 2_000_000_000 })!;
    expect(again.messageNumber).toBe(65540 + SAVE_OFFSET_MESSAGE_NUMBER);
    expect(again.lossyMessageNumber).toBe(8192 * 2);
    expect(again.peers.map((p) => [p.peerNumber, p.nick, p.lastActive])).toEqual([[10455, 'bob ✓', 2_000_000_000 - 5]]);
    expect(readConferences(writeConferences([again]))).toEqual([again]);
    expect(() => confs.restore(expectedSaved[0])).toThrow(RangeError);
  });

  it('wraps the message number as a u32, and saves nothing of a conference still joining', () => {
    const c = confs.restore({ ...expectedSaved[1], messageNumber: 0xffff_fff0 });
    expect(savedOf(c, selfPk, { clockNow: now, unixNow: 0 })!.messageNumber).toBe((0xffff_fff0 + SAVE_OFFSET_MESSAGE_NUMBER) >>> 0);
    c.connected = false;
    expect(savedOf(c, selfPk, { clockNow: now, unixNow: 0 })).toBeUndefined();
  });
});

describe('a sent conference message is confirmed by a net_crypto acknowledgement', () => {
  const friend = (b: number) => {
    const acks = new Emitter<number>();
    return { f: { realPk: new Uint8Array(32).fill(b), connection: { onAcknowledged: acks.event } } as unknown as MessengerFriend, acks };
  };

  it('resolves when one member acknowledged its packet; fails Offline when every member that had it left first', async () => {
    const sends = new ConferenceSends();
    const x = friend(1);
    const y = friend(2);
    const one = sends.track([{ friend: x.f, packet: 5 }, { friend: y.f, packet: 9 }]);
    y.acks.fire(8); // another packet
    y.acks.fire(9);
    await expect(one).resolves.toBeUndefined();
    const two = sends.track([{ friend: x.f, packet: 6 }, { friend: y.f, packet: 10 }]);
    sends.offline(x.f.realPk);
    sends.offline(y.f.realPk);
    await expect(two).rejects.toBeInstanceOf(OfflineError);
    await expect(sends.track([])).rejects.toBeInstanceOf(OfflineError);
    const three = sends.track([{ friend: x.f, packet: 7 }]);
    sends.dispose();
    await expect(three).rejects.toBeInstanceOf(OfflineError);
  });
});
