/**
 * Rooms, contacts and formatting through confabd's D-Bus API and the CLI, on inspircd (labeled-response,
 * MONITOR). The other users are plain raw-socket clients; every change is checked where they see it.
 */
import { ROOT_PATH } from '../fixtures/confabd';
import { ircAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startInspircd, type Inspircd } from '../fixtures/irc/inspircd';
import { connectRawClient } from '../fixtures/irc/raw-irc-client';
import { until } from '../fixtures/processes';

const ERR = 'im.confab.Error.';

describe('confabd rooms and contacts on inspircd', () => {
  const { d, received, use } = withDaemon();
  let irc: Inspircd;
  const invited: string[][] = [];
  let account = '';
  const raw = async (nick: string) => use(await connectRawClient(irc.host, irc.port, nick));
  const contacts = async () => (await d.accountProp(account, 'Contacts')) as string[][];
  const presenceOf = async (id: string) => (await contacts()).find((c) => c[0] === id)?.[2];

  beforeAll(async () => {
    irc = use(await startInspircd());
    (await d.manager()).on('Invited', (acc: string, room: string, by: string) => invited.push([acc, room, by]));
    account = await d.createAccount('irc', 'Moderator', ircAccount(irc, 'dmod'), { connected: true });
  });

  it('moderates a room it operates, and gives the server’s refusal as a typed error', async () => {
    const acc = await d.account(account);
    const path = (await acc.JoinRoom('#dmod', '')) as string; // created by us: we are its operator
    await until(async () => (await d.channelProp(path, 'Joined')) === true, 10000, 'the room to be joined');
    const guest = await raw('guest');
    guest.join('#dmod');
    await until(async () => ((await d.channelProp(path, 'Members')) as string[][]).some((mm) => mm[0] === 'guest'), 10000, 'guest in Members');
    const ch = await d.channel(path);

    await ch.SetTopic('set over D-Bus');
    await guest.waitFor((l) => l.command === 'TOPIC' && l.params[1] === 'set over D-Bus', 10000);
    expect(await d.channelProp(path, 'Topic')).toBe('set over D-Bus');

    await ch.SetRole('guest', 'voice');
    await guest.waitFor((l) => l.command === 'MODE' && l.params[1] === '+v' && l.params[2] === 'guest', 10000);
    expect(((await d.channelProp(path, 'Members')) as string[][]).find((mm) => mm[0] === 'guest')?.[2]).toBe('voice');
    await ch.SetModes('+m');
    await until(async () => /^\+\S*m/.test(String(await d.channelProp(path, 'Modes'))), 10000, '+m in Modes');

    await expect(ch.SetRole('guest', 'emperor')).rejects.toMatchObject({ type: `${ERR}InvalidArgument` });
    await expect(ch.SetModes('')).rejects.toMatchObject({ type: `${ERR}InvalidArgument` });
    await expect(ch.Kick('nobody-here', '')).rejects.toMatchObject({ type: expect.stringMatching(/NotFound|NotAvailable/) });

    // The CLI shows the room and changes it the same way.
    const channelId = path.split('/').pop()!;
    const shown = await d.cli(['room', channelId, 'show']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/set over D-Bus/);
    expect(shown.stdout).toMatch(/guest\s+voice/);
    // (not a second topic: inspircd refuses topic changes in quick succession with 437, NotAvailable)
    expect(await d.cli(['room', channelId, 'mode', '+s'])).toMatchObject({ code: 0, stderr: '' });
    await guest.waitFor((l) => l.command === 'MODE' && l.params[1] === '+s', 10000);

    const invitee = await raw('invitee');
    await ch.Invite('invitee');
    await invitee.waitFor((l) => l.command === 'INVITE' && l.params[1] === '#dmod', 10000);

    await ch.Kick('guest', 'out you go');
    await guest.waitFor((l) => l.command === 'KICK' && l.params[1] === 'guest' && l.params[2] === 'out you go', 10000);
    await until(async () => !((await d.channelProp(path, 'Members')) as string[][]).some((mm) => mm[0] === 'guest'), 10000, 'guest gone from Members');

    // In someone else's room we have no rights: the server's 482 is PermissionDenied, not a timeout.
    const owner = await raw('owner');
    owner.join('#theirs');
    await owner.waitFor((l) => l.command === '366', 5000);
    const theirs = (await acc.JoinRoom('#theirs', '')) as string;
    await until(async () => (await d.channelProp(theirs, 'Joined')) === true, 10000, '#theirs to be joined');
    const their = await d.channel(theirs);
    await expect(their.Kick('owner', 'coup')).rejects.toMatchObject({ type: `${ERR}PermissionDenied` });
    const cli = await d.cli(['room', theirs.split('/').pop()!, 'mode', '+m']);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/PermissionDenied|operator/i);

    // A conversation is not a room.
    owner.privmsg('dmod', 'hi in private');
    await until(() => received.find((r) => r.body === 'hi in private'), 10000, 'the private message');
    const direct = await d.channel(received.find((r) => r.body === 'hi in private')!.channel);
    await expect(direct.SetTopic('no')).rejects.toMatchObject({ type: `${ERR}NotImplemented` });
  });

  it('announces an invitation with the Invited signal', async () => {
    const host = await raw('host1');
    host.join('#party');
    await host.waitFor((l) => l.command === '366', 5000);
    host.send('INVITE dmod #party');
    await until(() => invited.length > 0, 10000, 'the Invited signal');
    expect(invited[0]).toEqual([account, '#party', 'host1']);
  });

  it('keeps contacts, watches their presence, answers WHOIS — and remembers them across a restart', async () => {
    const acc = await d.account(account);
    await acc.AddContact('Pal', 'My Pal');
    expect((await contacts()).find((c) => c[0] === 'pal')?.slice(0, 2)).toEqual(['pal', 'My Pal']);
    await until(async () => (await presenceOf('pal')) === 'offline', 10000, 'pal offline');
    const pal = await raw('pal');
    await until(async () => (await presenceOf('pal')) === 'available', 10000, 'pal available');

    const info = (await acc.GetContactInfo('pal')) as Record<string, string>;
    expect(info).toMatchObject({ nick: 'pal', server: expect.any(String) });
    expect(info.host).toBeTruthy();
    await expect(acc.GetContactInfo('ghost')).rejects.toMatchObject({ type: `${ERR}NotFound` });
    await expect(acc.AddContact('', '')).rejects.toMatchObject({ type: `${ERR}InvalidArgument` });
    await expect(acc.RemoveContact('stranger')).rejects.toMatchObject({ type: `${ERR}NotFound` });

    const listed = await d.cli(['contact', account.split('/').pop()!, 'list']);
    expect(listed.stdout).toMatch(/pal\s+My Pal\s+available/);

    pal.close();
    await until(async () => (await presenceOf('pal')) === 'offline', 10000, 'pal offline again');

    await d.kill();
    await d.restart();
    await d.waitForStatus(account, 'connected');
    expect((await contacts()).map((c) => c.slice(0, 2))).toEqual([['pal', 'My Pal']]);
    await until(async () => (await presenceOf('pal')) === 'offline', 10000, 'pal watched again after the restart');
    await (await d.account(account)).RemoveContact('PAL');
    expect(await contacts()).toEqual([]);
  });

  it('keeps mIRC formatting beside the plain text, for frontends that want it', async () => {
    const acc = await d.account(account);
    const path = (await acc.JoinRoom('#colours', '')) as string;
    await until(async () => (await d.channelProp(path, 'Joined')) === true, 10000, 'the room to be joined');
    const painter = await raw('painter');
    painter.join('#colours');
    await painter.waitFor((l) => l.command === '366', 5000);
    painter.privmsg('#colours', '\x02bold\x02 and \x0304red\x03 and plain');
    painter.privmsg('#colours', 'nothing special');
    await until(() => received.find((r) => r.body === 'nothing special'), 10000, 'both messages');
    const fancy = received.find((r) => r.body === 'bold and red and plain')!;
    const plain = received.find((r) => r.body === 'nothing special')!;
    const markup = (await (await d.manager()).GetMarkup([BigInt(fancy.id), BigInt(plain.id)])) as Array<[bigint, string]>;
    expect(markup.map(([id]) => Number(id))).toEqual([fancy.id]);
    expect(markup[0][1]).toMatch(/<span weight="bold">bold<\/span>/);
    expect(markup[0][1]).toMatch(/<span[^>]*foreground="#[0-9A-Fa-f]{6}"[^>]*>red<\/span>/);
    expect(await d.prop(ROOT_PATH, 'im.confab.Confab1.Manager', 'FailedPlugins')).toEqual([]);
  });
});
