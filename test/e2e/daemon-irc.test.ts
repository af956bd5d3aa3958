/**
 * The spine, end to end on a real IRC server (ngircd) and a private bus: an account created over
 * D-Bus connects; a channel is joined; a plain raw-socket IRC client (not our code) and the daemon
 * exchange messages both ways, in the room and in private; everything lands in history, and
 * `confab watch` prints it live.
 */
import { CLI_MAIN, ROOT_PATH, toMsg } from '../fixtures/confabd';
import { ircAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { start, until } from '../fixtures/processes';

describe('confabd on ngircd', () => {
  const { d, received, use } = withDaemon();
  let irc: Ngircd;
  let raw: RawIrcClient;

  beforeAll(async () => {
    irc = use(await startNgircd());
    raw = use(await connectRawClient(irc.host, irc.port, 'rawbob'));
  });

  it('connects an account created over D-Bus, joins, and chats both ways with a raw IRC client', async () => {
    const m = await d.manager();
    const account = await d.createAccount('irc', 'Local', ircAccount(irc, 'confabby'));
    expect(account).toBe('/im/confab/Confab1/accounts/irc_confabby_127_0_0_1');
    await d.waitForStatus(account, 'connected');
    expect(await d.accountProp(account, 'Identity')).toBe('confabby@127.0.0.1');

    const watch = start(process.execPath, [CLI_MAIN, 'watch'], { env: d.env() });
    await until(() => watch.output().includes('confab: watching'), 10000, 'watch to subscribe');

    raw.join('#spine');
    await raw.waitFor((l) => l.command === '366', 5000); // RPL_ENDOFNAMES: rawbob is in
    const chPath = (await (await d.account(account)).JoinRoom('#Spine', '')) as string;
    expect(await d.channelProp(chPath, 'Target')).toBe('#spine');
    await until(async () => (await d.channelProp(chPath, 'Joined')) === true, 10000, 'the room to be joined');
    await raw.waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith('confabby!'), 5000);
    const members = (await d.channelProp(chPath, 'Members')) as string[][];
    expect(members.map((mm) => mm[0]).sort()).toEqual(['confabby', 'rawbob']);

    // raw -> daemon, in the room
    raw.privmsg('#spine', 'hello from a raw socket');
    await until(() => received.find((r) => r.body === 'hello from a raw socket'), 10000, 'the room message');
    const inRoom = received.find((r) => r.body === 'hello from a raw socket')!;
    expect(inRoom).toMatchObject({ channel: chPath, account, sender: 'rawbob', kind: 'normal', state: 'received', outgoing: false });

    // daemon -> raw, in the room, confirmed
    const ch = await d.channel(chPath);
    const id = Number(await ch.SendMessage('hello from confab', 'normal'));
    await raw.waitFor((l) => l.command === 'PRIVMSG' && l.params[0] === '#spine' && l.params[1] === 'hello from confab', 10000);
    await until(async () => ((await ch.GetHistory(0n, 0)) as unknown[][]).map(toMsg).find((h) => h.id === id && h.state === 'sent'), 10000, 'the sent state');
    await ch.SendMessage('waves', 'action');
    await raw.waitFor((l) => l.command === 'PRIVMSG' && l.params[1] === '\u0001ACTION waves\u0001', 10000);

    // private, both ways; a NOTICE and an ACTION from the raw client
    raw.privmsg('confabby', 'psst, private');
    raw.send('NOTICE confabby :a notice');
    raw.send('PRIVMSG confabby :\u0001ACTION nods\u0001');
    await until(() => received.find((r) => r.body === 'nods'), 10000, 'the private messages');
    const direct = received.filter((r) => r.sender === 'rawbob' && r.channel !== chPath);
    expect(direct.map((r) => [r.body, r.kind])).toEqual([['psst, private', 'normal'], ['a notice', 'notice'], ['nods', 'action']]);
    const dm = await d.channel(direct[0].channel);
    expect(await d.channelProp(direct[0].channel, 'Kind')).toBe('direct');
    expect(await d.channelProp(direct[0].channel, 'Target')).toBe('rawbob');
    await dm.SendMessage('private reply', 'normal');
    await raw.waitFor((l) => l.command === 'PRIVMSG' && l.params[0] === 'rawbob' && l.params[1] === 'private reply', 10000);

    // history has it all, in order; search finds it; watch printed it
    const history = ((await ch.GetHistory(0n, 0)) as unknown[][]).map(toMsg).map((h) => h.body);
    expect(history).toEqual(['hello from a raw socket', 'hello from confab', 'waves']);
    const found = ((await m.SearchHistory('raw', 0n, 10)) as unknown[][]).map(toMsg).map((h) => h.body);
    expect(found).toContain('hello from a raw socket');
    await until(() => watch.output().includes('hello from a raw socket') && watch.output().includes('psst, private'), 10000, 'confab watch to print the messages');
    await watch.stop();

    // part: the raw client sees us leave, and the channel is no longer joined
    await ch.Leave('bye');
    await raw.waitFor((l) => l.command === 'PART' && l.prefix.startsWith('confabby!'), 10000);
    await until(async () => (await d.channelProp(chPath, 'Joined')) === false, 10000, 'Joined to turn false');
  });

  it('keeps one inbox: every conversation by last activity, unread counts cleared by acknowledgement and kept across a restart', async () => {
    const m = await d.manager();
    const inbox = async () => ((await m.GetInbox(0)) as unknown[][]).map(([ch, acc, target, last, unread]) => ({ ch: String(ch), acc: String(acc), target: String(target), last: Number(last), unread: Number(unread) }));
    const rows = await inbox();
    expect(rows.map((r) => r.target)).toEqual(['rawbob', '#spine']); // the private reply came last
    expect(rows.map((r) => r.unread)).toEqual([3, 1]); // psst, the notice, the action; the room message
    expect(rows[0].last).toBeGreaterThanOrEqual(rows[1].last);
    const dm = rows[0].ch;
    expect(await d.channelProp(dm, 'UnreadCount')).toBe(3);

    const pending = ((await m.GetPending(0)) as unknown[][]).map(toMsg).filter((p) => p.channel === dm);
    await m.Acknowledge(pending.map((p) => BigInt(p.id)));
    expect(await d.channelProp(dm, 'UnreadCount')).toBe(0);
    const cli = await d.cli(['inbox']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/#spine\s+\S+ \S+\s+1\n/);

    await d.kill();
    await d.restart();
    expect((await inbox()).map((r) => [r.target, r.unread])).toEqual([['rawbob', 0], ['#spine', 1]]);
    await d.waitForStatus('/im/confab/Confab1/accounts/irc_confabby_127_0_0_1', 'connected');
  });

  it('a disabled account sends QUIT', async () => {
    const account = '/im/confab/Confab1/accounts/irc_confabby_127_0_0_1';
    raw.join('#quit');
    await (await d.account(account)).JoinRoom('#quit', '');
    await raw.waitFor((l) => l.command === 'JOIN' && l.params[0] === '#quit' && l.prefix.startsWith('confabby!'), 10000);
    await (await d.account(account)).SetEnabled(false);
    await raw.waitFor((l) => l.command === 'QUIT' && l.prefix.startsWith('confabby!'), 10000);
    await d.waitForStatus(account, 'disconnected', 'requested');
    expect(await d.prop(ROOT_PATH, 'im.confab.Confab1.Manager', 'FailedPlugins')).toEqual([]);
  });
});
