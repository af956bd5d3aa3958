/**
 * Telepathy's room browser (spec 0.27 Channel.Type.RoomList) on Confab: telepathy-glib's own Tp.RoomList
 * (python3-gi, TelepathyGLib 0.12, as Polari's join dialog uses it) asks the ChannelDispatcher for a
 * RoomList channel of an IRC account on ngircd and lists the channels raw IRC clients made, with their
 * topics and member counts; the connection advertises the class, and refuses bad RoomList requests
 * with typed errors.
 */
import { join } from 'node:path';
import dbus from 'dbus-next';
import { REPO_ROOT } from '../fixtures/confabd';
import { ircAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient } from '../fixtures/irc/raw-irc-client';
import { start, until } from '../fixtures/processes';

const SCRIPT = join(REPO_ROOT, 'test', 'fixtures', 'telepathy', 'tp-room-list.py');
const TP = 'org.freedesktop.Telepathy';
const ROOM_LIST = `${TP}.Channel.Type.RoomList`;

describe('a RoomList channel for a telepathy-glib client', () => {
  const { d, use } = withDaemon();
  let irc: Ngircd;
  let tpAccount = '';

  beforeAll(async () => {
    irc = use(await startNgircd());
    const owner = use(await connectRawClient(irc.host, irc.port, 'owner'));
    const guest = use(await connectRawClient(irc.host, irc.port, 'guest'));
    for (const [room, topic] of [['#tea', 'Earl Grey only'], ['#coffee', '']]) {
      owner.join(room);
      await owner.waitFor((l) => l.command === '366' && l.params[1] === room, 5000);
      if (topic) owner.send(`TOPIC ${room} :${topic}`);
    }
    guest.join('#tea');
    await guest.waitFor((l) => l.command === '366', 5000);
    const path = await d.createAccount('irc', 'Browser', ircAccount(irc, 'browser'), { connected: true });
    tpAccount = `/org/freedesktop/Telepathy/Account/idle/irc/${path.split('/').pop()!}`;
  });

  async function connection() {
    const account = (await d.client.getProxyObject(`${TP}.AccountManager`, tpAccount)).getInterface('org.freedesktop.DBus.Properties');
    await until(async () => ((await account.Get(`${TP}.Account`, 'Connection')) as { value: string }).value !== '/', 20000, 'the Telepathy connection');
    const path = ((await account.Get(`${TP}.Account`, 'Connection')) as { value: string }).value;
    return { path, obj: await d.client.getProxyObject(path.slice(1).replace(/\//g, '.'), path) };
  }

  it('Tp.RoomList lists the rooms through the ChannelDispatcher', async () => {
    const { obj } = await connection();
    const props = obj.getInterface('org.freedesktop.DBus.Properties');
    const classes = ((await props.Get(`${TP}.Connection.Interface.Requests`, 'RequestableChannelClasses')) as { value: Array<[Record<string, { value: unknown }>, string[]]> }).value;
    const roomList = classes.find(([fixed]) => fixed[`${TP}.Channel.ChannelType`]?.value === ROOM_LIST);
    expect(roomList?.[0][`${TP}.Channel.TargetHandleType`]?.value).toBe(0);
    expect(roomList?.[1]).toEqual([`${ROOM_LIST}.Server`]);

    const py = start('/usr/bin/python3', [SCRIPT, tpAccount], { env: d.env(), stdio: ['pipe', 'pipe', 'pipe'] });
    const step = (name: string) => until(() => {
      const all = py.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const err = all.find((s) => s.error);
      if (err) throw new Error(`the client failed: ${String(err.error)}\n${py.output()}`);
      return all.find((s) => s.step === name);
    }, 40000, `the client's step '${name}'`);
    expect(await step('channel')).toMatchObject({ server: '', listing: false });
    const done = await step('done');
    const rooms = done.rooms as Array<Record<string, unknown>>;
    expect(rooms.map((r) => [r.handle_name, r.subject, r.members, r.channel_type])).toEqual([
      ['#coffee', '', 1, `${TP}.Channel.Type.Text`],
      ['#tea', 'Earl Grey only', 2, `${TP}.Channel.Type.Text`],
      ['&server', 'Server Messages', 0, `${TP}.Channel.Type.Text`], // ngircd's own; handle names are normalized (IRC casemapping)
    ]);
    expect(rooms.every((r) => typeof r.handle === 'number' && r.handle > 0)).toBe(true);
    expect(await py.exited).toBe(0);
  });

  it('a RoomList channel requested on the connection: ListRooms, GotRooms, ListingRooms; StopListing; typed refusals', async () => {
    const { obj } = await connection();
    const requests = obj.getInterface(`${TP}.Connection.Interface.Requests`);
    const v = (sig: string, value: unknown) => new dbus.Variant(sig, value);
    const [chPath, immutable] = (await requests.CreateChannel({
      [`${TP}.Channel.ChannelType`]: v('s', ROOM_LIST), [`${TP}.Channel.TargetHandleType`]: v('u', 0),
    })) as [string, Record<string, { value: unknown }>];
    expect(immutable[`${TP}.Channel.TargetHandleType`].value).toBe(0);
    expect(immutable[`${ROOM_LIST}.Server`].value).toBe('');
    const ch = await d.client.getProxyObject(obj.name, chPath);
    const rl = ch.getInterface(ROOM_LIST);
    const got: Array<[number, string, Record<string, { value: unknown }>]> = [];
    const listing: boolean[] = [];
    rl.on('GotRooms', (rooms: typeof got) => got.push(...rooms));
    rl.on('ListingRooms', (b: boolean) => listing.push(b));
    await rl.ListRooms();
    await until(async () => listing.length === 2, 20000, 'ListingRooms true then false');
    expect(listing).toEqual([true, false]);
    expect(await rl.GetListingRooms()).toBe(false);
    expect(got.map(([, , info]) => info['handle-name'].value).sort()).toEqual(['#coffee', '#tea', '&server']);

    // StopListing of a listing going on ends it (ListingRooms false), and the channel lists again afterwards.
    await rl.ListRooms();
    await rl.StopListing();
    await until(async () => listing.length === 4, 20000, 'the stopped listing to end');
    expect(listing).toEqual([true, false, true, false]);

    const closed = new Promise<void>((resolve) => ch.getInterface(`${TP}.Channel`).on('Closed', () => resolve()));
    await ch.getInterface(`${TP}.Channel`).Close();
    await closed;

    await expect(requests.CreateChannel({ [`${TP}.Channel.ChannelType`]: v('s', ROOM_LIST), [`${TP}.Channel.TargetHandleType`]: v('u', 2) }))
      .rejects.toMatchObject({ type: `${TP}.Error.InvalidArgument` });
    await expect(requests.CreateChannel({ [`${TP}.Channel.ChannelType`]: v('s', ROOM_LIST), [`${ROOM_LIST}.Server`]: v('u', 1) }))
      .rejects.toMatchObject({ type: `${TP}.Error.InvalidArgument` });
    await expect(requests.CreateChannel({ [`${TP}.Channel.ChannelType`]: v('s', ROOM_LIST), [`${ROOM_LIST}.Colour`]: v('s', 'red') }))
      .rejects.toMatchObject({ type: `${TP}.Error.NotImplemented` });
    const channels = ((await obj.getInterface('org.freedesktop.DBus.Properties').Get(`${TP}.Connection.Interface.Requests`, 'Channels')) as { value: unknown[][] }).value;
    expect(channels.map((c) => c[0])).not.toContain(chPath);
  });
});
