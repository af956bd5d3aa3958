/**
 * Listing a server's rooms (Account.ListRooms, `confab rooms`) on a real ngircd: channels made and
 * given topics by raw IRC clients, listed through confabd's D-Bus API and the CLI; bounded (limit),
 * filtered, stopped, and refused with typed errors. Then prosody's MUC rooms, over XMPP.
 */
import dbus from 'dbus-next';
import { ircAccount, xmppAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient } from '../fixtures/irc/raw-irc-client';
import { until } from '../fixtures/processes';
import { startProsody } from '../fixtures/xmpp/prosody';

const ERR = 'im.confab.Error.';
type Room = [string, string, string, number];
interface Listing { rooms: Room[]; end?: { state: string; detail: string; server: string; count: number; skipped: number } }

describe('listing the rooms of an IRC server', () => {
  const { d, use } = withDaemon();
  let irc: Ngircd;
  let account = '';
  const listings = new Map<number, Listing>();
  const listingOf = (id: number) => listings.get(id) ?? listings.set(id, { rooms: [] }).get(id)!;

  /** Starts a listing and waits for its end (signals subscribed in beforeAll, before any call). */
  async function list(options: Record<string, unknown> = {}): Promise<Listing> {
    const id = (await (await d.account(account)).ListRooms(options)) as number;
    await until(async () => listingOf(id).end !== undefined, 20000, `listing ${id} to end`);
    return listingOf(id);
  }

  beforeAll(async () => {
    irc = use(await startNgircd());
    const owner = use(await connectRawClient(irc.host, irc.port, 'owner'));
    const guest = use(await connectRawClient(irc.host, irc.port, 'guest'));
    for (const [room, topic] of [['#alpha', 'All about \x02alpha\x02'], ['#beta', 'Beta testers'], ['#gamma', '']]) {
      owner.join(room);
      await owner.waitFor((l) => l.command === '366' && l.params[1] === room, 5000);
      if (topic) owner.send(`TOPIC ${room} :${topic}`);
    }
    guest.join('#alpha');
    await guest.waitFor((l) => l.command === '366', 5000);
    account = await d.createAccount('irc', 'Lister', ircAccount(irc, 'lister'), { connected: true });
    const acc = await d.account(account);
    acc.on('RoomsListed', (id: number, rooms: Room[]) => listingOf(id).rooms.push(...rooms));
    acc.on('RoomListingFinished', (id: number, state: string, detail: string, server: string, count: number, skipped: number) => {
      listingOf(id).end = { state, detail, server, count, skipped };
    });
  });

  it('lists every channel with its topic (formatting removed) and member count', async () => {
    const l = await list();
    expect(l.end).toMatchObject({ state: 'done', count: 4, skipped: 0, server: irc.host });
    expect([...l.rooms].sort((a, b) => (a[0] < b[0] ? -1 : 1))).toEqual([
      ['#alpha', '#alpha', 'All about alpha', 2],
      ['#beta', '#beta', 'Beta testers', 1],
      ['#gamma', '#gamma', '', 1],
      ['&SERVER', '&SERVER', 'Server Messages', 0], // ngircd's own channel of server notices
    ]);
  });

  it('filters by name, stops at the limit (truncated), and runs two listings at once', async () => {
    const v = (sig: string, value: unknown) => new dbus.Variant(sig, value);
    expect((await list({ filter: v('s', 'ALP') })).rooms.map((r) => r[0])).toEqual(['#alpha']);
    const truncated = await list({ limit: v('u', 1) });
    expect([truncated.end?.state, truncated.end?.count, truncated.rooms.length]).toEqual(['truncated', 1, 1]);
    const [a, b] = await Promise.all([list(), list()]); // one LIST after the other on the wire, the first drained of its rest
    expect([a.end?.state, a.rooms.length, b.end?.state, b.rooms.length]).toEqual(['done', 4, 'done', 4]);
  });

  it('a listing stopped ends cancelled, and the next one is whole', async () => {
    const acc = await d.account(account);
    const id = (await acc.ListRooms({})) as number;
    await acc.StopListingRooms(id);
    await until(async () => listingOf(id).end !== undefined, 10000, 'the stopped listing to end');
    expect(listingOf(id).end?.state).toBe('cancelled');
    await expect(acc.StopListingRooms(id)).rejects.toMatchObject({ type: `${ERR}NotFound` });
    expect((await list()).rooms).toHaveLength(4);
  });

  it('bad options are InvalidArgument; a disconnected account is Offline', async () => {
    const acc = await d.account(account);
    const v = (sig: string, value: unknown) => new dbus.Variant(sig, value);
    await expect(acc.ListRooms({ colour: v('s', 'red') })).rejects.toMatchObject({ type: `${ERR}InvalidArgument` });
    await expect(acc.ListRooms({ limit: v('u', 0) })).rejects.toMatchObject({ type: `${ERR}InvalidArgument` });
    await expect(acc.ListRooms({ limit: v('s', '5') })).rejects.toMatchObject({ type: `${ERR}InvalidArgument` });
    await expect(acc.ListRooms({ timeout: v('u', 100000) })).rejects.toMatchObject({ type: `${ERR}InvalidArgument` });
    const offline = await d.createAccount('irc', 'Off', ircAccount(irc, 'offline1'));
    await (await d.account(offline)).SetEnabled(false);
    await expect((await d.account(offline)).ListRooms({})).rejects.toMatchObject({ type: `${ERR}Offline` });
  });

  it('confab rooms ACCOUNT prints them, biggest first; --json gives them as data', async () => {
    const id = account.split('/').pop()!;
    const shown = await d.cli(['rooms', id]);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    const lines = shown.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ROOM\s+MEMBERS\s+TOPIC/);
    expect(lines[1]).toMatch(/^#alpha\s+2\s+All about alpha$/);
    expect(lines[lines.length - 1]).toBe(`4 rooms on ${irc.host} (done)`);
    const json = await d.cli(['rooms', id, '--filter', 'bet', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ state: 'done', count: 1, rooms: [{ id: '#beta', topic: 'Beta testers', members: 1 }] });
    expect((await d.cli(['rooms', id, '--limit', 'x'])).code).toBe(2);
  });
});

describe('listing the rooms of an XMPP server (prosody MUC)', () => {
  const { d, use } = withDaemon();

  it('finds conference.localhost by service discovery and lists its public rooms with their occupants', async () => {
    const xmpp = use(await startProsody({ publicRooms: true })); // prosody hides new rooms unless told otherwise
    for (const [u, p] of [['maker', 'maker-pw'], ['lister', 'lister-pw']]) xmpp.register(u, p);
    const maker = await d.createAccount('xmpp', 'Maker', xmppAccount('maker@localhost', 'maker-pw', xmpp), { connected: true });
    for (const room of ['lounge@conference.localhost', 'quiet@conference.localhost']) {
      const path = (await (await d.account(maker)).JoinRoom(room, '')) as string;
      await until(async () => (await d.channelProp(path, 'Joined')) === true, 10000, `${room} joined`);
      // (no topic set: prosody 0.12 gives no muc#roominfo_subject in disco#info, and saving a room for its
      // subject puts it alone in the cache its disco#items answers from, hiding rooms never saved)
    }
    const lister = await d.createAccount('xmpp', 'Lister', xmppAccount('lister@localhost', 'lister-pw', xmpp), { connected: true });
    const acc = await d.account(lister);
    const got: Room[] = [];
    let end: unknown[] | undefined;
    acc.on('RoomsListed', (_id: number, rooms: Room[]) => got.push(...rooms));
    acc.on('RoomListingFinished', (...e: unknown[]) => (end = e));
    await acc.ListRooms({});
    await until(async () => end !== undefined, 20000, 'the XMPP listing to end');
    expect(end?.slice(1)).toEqual(['done', '', 'conference.localhost', 2, 0]);
    expect([...got].sort((a, b) => a[0].localeCompare(b[0]))).toEqual([
      ['lounge@conference.localhost', 'lounge', '', 1], // members from disco#info's muc#roominfo_occupants
      ['quiet@conference.localhost', 'quiet', '', 1],
    ]);

    const id = lister.split('/').pop()!;
    const cli = await d.cli(['rooms', id, '--server', 'conference.localhost', '--filter', 'lou', '--json']);
    expect(JSON.parse(cli.stdout)).toMatchObject({ state: 'done', server: 'conference.localhost', rooms: [{ id: 'lounge@conference.localhost', members: 1 }] });
    const none = await d.cli(['rooms', id, '--server', 'nowhere.localhost']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/listing rooms failed: \w+: /);
  });
});
