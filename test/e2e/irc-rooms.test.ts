/**
 * Rooms, contacts and nick regain, on both server profiles: inspircd 3 (labeled-response answers
 * our commands, MONITOR watches contacts) and ngircd 26 (no CAP: a PING after each command, ISON
 * polling). Other users are plain raw-socket clients.
 */
import { type Connection, type ContactPresence, type RoomChange, type RoomInvitation } from '@confab/sdk';
import { disposeIrcConnections, ircConnection } from '../fixtures/irc/irc-connection';
import { startInspircd } from '../fixtures/irc/inspircd';
import { startNgircd } from '../fixtures/irc/ngircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { stopAll, until } from '../fixtures/processes';

interface Server {
  host: string;
  port: number;
  stop(): Promise<void>;
}

const servers: Array<[string, () => Promise<Server>]> = [
  ['inspircd (labeled-response, MONITOR)', startInspircd],
  ['ngircd (PING fallback, ISON)', () => startNgircd()],
];

/** Everything the connection says about rooms, presence and invitations. */
function observe(conn: Connection) {
  const rooms: RoomChange[] = [];
  const presence: ContactPresence[] = [];
  const invites: RoomInvitation[] = [];
  conn.rooms!.onRoomChanged((c) => rooms.push(c));
  conn.rooms!.onInvited!((i) => invites.push(i));
  conn.contacts!.onPresence((p) => presence.push(...p));
  return { rooms, presence, invites, lastPresence: (id: string) => presence.filter((p) => p.id === id).at(-1)?.status };
}

describe.each(servers)('IRC rooms and contacts on %s', (_name, startServer) => {
  let irc: Server;
  const raws: RawIrcClient[] = [];
  const raw = async (nick: string) => {
    const c = await connectRawClient(irc.host, irc.port, nick);
    raws.push(c);
    return c;
  };
  const conn = (nickname: string) => ircConnection({ server: irc.host, port: irc.port, nickname, 'ison-interval': 1, 'flood-burst': 10, 'flood-rate': 5 });

  beforeAll(async () => {
    irc = await startServer();
  });
  afterAll(async () => {
    disposeIrcConnections();
    for (const r of raws) r.close();
    await irc?.stop();
    await stopAll();
  });

  it('sets the topic, roles and modes, invites and kicks — and the server refuses a non-operator', async () => {
    const { conn: mod } = conn('moder');
    const seen = observe(mod);
    await mod.connect();
    await mod.rooms!.join('#mod'); // created by us: we are its operator
    const guest = await raw('guest');
    guest.join('#mod');
    await until(() => seen.rooms.some((c) => c.membersAdded?.some((m) => m.id === 'guest')), 10000, 'guest in the member list');

    await mod.rooms!.setTopic!('#mod', 'a topic: with words');
    await guest.waitFor((l) => l.command === 'TOPIC' && l.params[1] === 'a topic: with words', 10000);
    expect(seen.rooms.filter((c) => c.topic !== undefined).at(-1)?.topic).toBe('a topic: with words');

    await mod.rooms!.setRole!('#mod', 'guest', 'voice');
    expect(seen.rooms.flatMap((c) => c.membersAdded ?? []).filter((m) => m.id === 'guest').at(-1)?.role).toBe('voice');
    await mod.rooms!.setRole!('#mod', 'Guest', 'op'); // -v+o in one MODE
    await guest.waitFor((l) => l.command === 'MODE' && l.params.includes('+o') || /-v\+o/.test(l.params[1] ?? ''), 10000);
    expect(seen.rooms.flatMap((c) => c.membersAdded ?? []).filter((m) => m.id === 'guest').at(-1)?.role).toBe('op');
    await mod.rooms!.setRole!('#mod', 'guest', 'member');
    expect(seen.rooms.flatMap((c) => c.membersAdded ?? []).filter((m) => m.id === 'guest').at(-1)?.role).toBe('member');

    await mod.rooms!.setModes!('#mod', '+mt');
    await until(() => /^\+\S*m/.test(seen.rooms.filter((c) => c.modes !== undefined).at(-1)?.modes ?? ''), 5000, '+m in the room modes');
    await mod.rooms!.setModes!('#mod', '+l 42');
    await until(() => /^\+\S*l\S* 42$/.test(seen.rooms.filter((c) => c.modes !== undefined).at(-1)?.modes ?? ''), 5000, 'the limit in the room modes');

    const invitee = await raw('invitee');
    await mod.rooms!.invite!('#mod', 'invitee');
    await invitee.waitFor((l) => l.command === 'INVITE' && l.params[1] === '#mod', 10000);

    // A member without rights: the server's refusal comes back as the error, not a timeout.
    const { conn: pleb } = conn('pleb');
    await pleb.connect();
    await pleb.rooms!.join('#mod');
    await expect(pleb.rooms!.setTopic!('#mod', 'mine now')).rejects.toMatchObject({ code: 'PermissionDenied' });
    await expect(pleb.rooms!.kick!('#mod', 'moder', 'coup')).rejects.toMatchObject({ code: 'PermissionDenied' });
    await expect(mod.rooms!.kick!('#mod', 'nobody-here')).rejects.toMatchObject({ code: expect.stringMatching(/NotFound|NotAvailable/) });
    await expect(mod.rooms!.setModes!('#mod', 'rubbish')).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(mod.rooms!.setTopic!('#mod', 'two\r\nQUIT :lines')).rejects.toMatchObject({ code: 'InvalidArgument' });

    await mod.rooms!.kick!('#mod', 'guest', 'out you go');
    await guest.waitFor((l) => l.command === 'KICK' && l.params[1] === 'guest' && l.params[2] === 'out you go', 10000);
    expect(seen.rooms.some((c) => c.membersRemoved?.includes('guest'))).toBe(true);
    await pleb.disconnect();
    await mod.disconnect();
  });

  it('reports an invitation to a room', async () => {
    const { conn: me } = conn('welcome');
    const seen = observe(me);
    await me.connect();
    const host = await raw('host1');
    host.join('#party');
    await host.waitFor((l) => l.command === '366', 5000);
    host.send('INVITE welcome #party');
    await until(() => seen.invites.length > 0, 10000, 'the invitation');
    expect(seen.invites[0]).toEqual({ room: '#party', by: 'host1' });
    await me.disconnect();
  });

  it('watches contacts come and go, and answers WHOIS as contact information', async () => {
    const { conn: me } = conn('watcher');
    const seen = observe(me);
    await me.connect();
    me.contacts!.watch(['Buddy', 'ghost'], true);
    await until(() => seen.lastPresence('buddy') === 'offline' && seen.lastPresence('ghost') === 'offline', 10000, 'both offline');
    const buddy = await raw('buddy');
    await until(() => seen.lastPresence('buddy') === 'available', 10000, 'buddy online');

    const info = await me.contacts!.info('buddy');
    expect(info).toMatchObject({ nick: 'buddy', realname: expect.any(String), server: expect.any(String) });
    expect(info.host).toBeTruthy();
    await expect(me.contacts!.info('ghost')).rejects.toMatchObject({ code: 'NotFound' });

    buddy.close();
    await until(() => seen.lastPresence('buddy') === 'offline', 10000, 'buddy offline');
    me.contacts!.watch(['buddy'], false);
    await me.disconnect();
  });

  it('takes the nickname back when it becomes free', async () => {
    const holder = await raw('regain');
    const observer = await raw('obs');
    const { conn: me } = conn('regain');
    await me.connect(); // as regain_
    await me.rooms!.join('#regain');
    observer.join('#regain');
    await observer.waitFor((l) => l.command === '366', 5000);
    const from = observer.lines.length;
    holder.send('QUIT :bye');
    await observer.waitFor((l) => l.command === 'NICK' && l.prefix.startsWith('regain_!') && l.params[0] === 'regain', 15000, from);
    await me.disconnect();
  });
});
