/**
 * People (issue 7) with real servers and clients no one here wrote: three accounts — two XMPP
 * accounts on prosody (alice, bob) and one IRC account on ngircd. Carol is a plain @xmpp/client
 * session and a raw IRC client whose realname gives her JID. Her contacts on the three accounts
 * become one person: the two JIDs by their equal address, the IRC nick by the address her WHOIS
 * gives. Dave's JID and Dmitri's nick are linked by hand; an unlink of Carol's nick holds against new
 * evidence; both survive a kill -9 of confabd and a reconnect of every account. Carol's person's
 * presence follows her contacts on both protocols; her messages on both arrive in one timeline in
 * server-time order, each marked with its account; unread counts are right after the restart.
 */
import { join } from 'node:path';
import { ircAccount, xmppAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startXmppPeer } from '../fixtures/xmpp/peer';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { startProsody, type Prosody } from '../fixtures/xmpp/prosody';
import { until, type Started } from '../fixtures/processes';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';

const PERSON = 'im.confab.Confab1.Person';
const last = (path: string) => path.slice(path.lastIndexOf('/') + 1);

describe('people across IRC and XMPP', () => {
  const { d, use } = withDaemon();
  let xmpp: Prosody;
  let irc: Ngircd;
  let carolXmpp: Started | undefined;
  let carolIrc: RawIrcClient | undefined;
  let alice = '';
  let bob = '';
  let ircAcc = '';
  const peopleChanges: string[][] = [];

  const startCarolXmpp = async () => {
    const p = use(await startXmppPeer(xmpp, 'carol', 'carol-pw', 'laptop'));
    return p;
  };
  const carolOnIrc = async (realname: string) => use(await connectRawClient(irc.host, irc.port, 'carol_irc', undefined, realname));
  const personOf = async (account: string, contact: string) => (await (await d.manager()).GetPerson(account, contact)) as string;
  const prop = (person: string, name: string) => d.prop(person, PERSON, name);
  const contactsOf = async (person: string) => ((await prop(person, 'Contacts')) as string[][]).map(([acc, id, , status, , reason]) => ({ account: acc, id, status, reason }));
  const presenceOf = async (person: string) => ((await prop(person, 'Presence')) as string[])[0];
  const xmppParams = (user: string) => xmppAccount(`${user}@localhost`, `${user}-pw`, xmpp);

  beforeAll(async () => {
    [xmpp, irc] = await Promise.all([startProsody().then(use), startNgircd().then(use)]);
    for (const u of ['alice', 'bob', 'carol', 'dave']) xmpp.register(u, `${u}-pw`);
    (await d.manager()).on('PeopleChanged', (batch: string[][]) => peopleChanges.push(...batch));
    alice = await d.createAccount('xmpp', 'Alice', xmppParams('alice'));
    bob = await d.createAccount('xmpp', 'Bob', xmppParams('bob'));
    ircAcc = await d.createAccount('irc', 'IRC', ircAccount(irc, 'alice', { 'ison-interval': 1 }));
    for (const acc of [alice, bob, ircAcc]) await d.waitForStatus(acc, 'connected');
    carolXmpp = await startCarolXmpp();
  });
  afterAll(() => {
    if (process.env.PEOPLE_DEBUG) console.log(d.proc?.output()); // (the daemon has stopped by now: its output is kept)
  });

  it('links contacts that share an address into one person, never by name, and by hand', async () => {
    // Carol in both XMPP rosters; she approves both (RFC 6121 §3.1), so both see her presence.
    for (const [acc, user] of [[alice, 'alice'], [bob, 'bob']]) {
      await (await d.account(acc)).AddContact('carol@localhost', 'Carol');
      await until(() => carolXmpp!.output().includes(`"presence":"subscribe","from":"${user}@localhost`), 10000, `carol to get ${user}'s request`);
      carolXmpp!.child.stdin!.write(`!presence\t${user}@localhost\tsubscribed\n`);
    }
    const carol = await personOf(alice, 'carol@localhost');
    expect(await personOf(bob, 'Carol@localhost')).toBe(carol);
    expect((await contactsOf(carol)).map((c) => [last(c.account), c.reason])).toEqual([
      [last(alice), 'its own person'],
      [last(bob), `same address carol@localhost as carol@localhost on ${last(alice)}`],
    ]);
    await until(async () => (await presenceOf(carol)) === 'available', 10000, "carol's person to be available");

    // An IRC contact with the same display name is not linked by it…
    await (await d.account(ircAcc)).AddContact('carol_irc', 'Carol');
    const ircCarol = await personOf(ircAcc, 'carol_irc');
    expect(ircCarol).not.toBe(carol);
    // …but by the address her WHOIS gives (RFC 2812 RPL_WHOISUSER realname), once she is online.
    carolIrc = await carolOnIrc('Carol xmpp:carol@localhost');
    await until(async () => (await personOf(ircAcc, 'carol_irc')) === carol, 15000, 'the IRC contact to join carol (ISON, then WHOIS)');
    expect((await contactsOf(carol)).find((c) => c.id === 'carol_irc')?.reason).toBe(`same address carol@localhost as carol@localhost on ${last(alice)}`);
    // PeopleChanged is a batched signal, sent after the change; the method call above may answer first
    await until(() => peopleChanges.some(([path, change]) => path === ircCarol && change === 'removed'), 5000, 'PeopleChanged: the IRC person removed');
    expect(await prop(carol, 'Addresses')).toEqual(['carol@localhost']);

    // Dave on XMPP and Dmitri on IRC: nothing in common but the user's word (the CLI).
    await (await d.account(alice)).AddContact('dave@localhost', 'Dave');
    await (await d.account(ircAcc)).AddContact('dmitri', '');
    const dave = await personOf(alice, 'dave@localhost');
    expect(await d.cli(['person', last(dave), 'link', last(ircAcc), 'dmitri'])).toMatchObject({ code: 0 });
    expect(await personOf(ircAcc, 'dmitri')).toBe(dave);
    const shown = await d.cli(['person', last(dave), 'show']);
    expect(shown.stdout).toMatch(/dmitri\s+unknown\s+linked by hand|dmitri\s+.*linked by hand/);
    const people = JSON.parse((await d.cli(['people', '--json'])).stdout) as Array<{ id: string; name: string; contacts: unknown[] }>;
    expect(people.find((p) => p.id === last(carol))).toMatchObject({ name: 'Carol', contacts: expect.any(Array) });
    expect(people.find((p) => p.id === last(carol))!.contacts).toHaveLength(3);
    expect(((await (await d.manager()).SearchPeople('carol@LOCAL', 0)) as string[])).toEqual([carol]);
    expect(((await (await d.manager()).SearchPeople('dmitri', 0)) as string[])).toEqual([dave]);
  });

  it("follows a person's presence across protocols", async () => {
    const carol = await personOf(alice, 'carol@localhost');
    const status = async (acc: string, id: string) => (await contactsOf(carol)).find((c) => c.account === acc && c.id === id)?.status;
    await until(async () => (await status(ircAcc, 'carol_irc')) === 'available', 10000, 'carol online on IRC');
    // XMPP gone: still available through IRC
    await carolXmpp!.stop();
    carolXmpp = undefined;
    await until(async () => (await status(alice, 'carol@localhost')) === 'offline', 10000, 'carol offline on XMPP');
    expect(await presenceOf(carol)).toBe('available');
    // IRC gone too: offline
    carolIrc!.send('QUIT :bye');
    carolIrc!.close();
    carolIrc = undefined;
    await until(async () => (await presenceOf(carol)) === 'offline', 15000, "carol's person offline (ISON)");
    // back on XMPP only: available again
    carolXmpp = await startCarolXmpp();
    await until(async () => (await presenceOf(carol)) === 'available', 10000, "carol's person available again");
    expect(await status(ircAcc, 'carol_irc')).toBe('offline');
  });

  it("shows one timeline of a person's messages from both protocols, in server-time order", async () => {
    const carol = await personOf(alice, 'carol@localhost');
    carolIrc = await carolOnIrc('Carol xmpp:carol@localhost');
    const bodies = async () => ((await (await d.object(carol)).getInterface(PERSON).GetTimeline(0n, 0)) as unknown[][]).map((m) => [String(m[6]), String(m[2])]);
    carolXmpp!.child.stdin!.write('alice@localhost\tone, on XMPP\n');
    await until(async () => (await bodies()).length === 1, 10000, 'the XMPP message in the timeline');
    carolIrc.privmsg('alice', 'two, on IRC');
    await until(async () => (await bodies()).length === 2, 10000, 'the IRC message in the timeline');
    carolXmpp!.child.stdin!.write('bob@localhost\tthree, to bob on XMPP\n');
    await until(async () => (await bodies()).length === 3, 10000, 'the third message');
    expect(await bodies()).toEqual([['one, on XMPP', alice], ['two, on IRC', ircAcc], ['three, to bob on XMPP', bob]]);
    const times = ((await (await d.object(carol)).getInterface(PERSON).GetTimeline(0n, 0)) as unknown[][]).map((m) => Number(m[5]));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // a page: the newest one, then the two before it
    const person = (await d.object(carol)).getInterface(PERSON);
    const newest = (await person.GetTimeline(0n, 1)) as unknown[][];
    expect(newest.map((m) => m[6])).toEqual(['three, to bob on XMPP']);
    expect(((await person.GetTimeline(newest[0][0] as bigint, 5)) as unknown[][]).map((m) => m[6])).toEqual(['one, on XMPP', 'two, on IRC']);
    // talking to her picks a contact on a connected account where she is online
    const channel = (await person.OpenConversation('text')) as string;
    expect([await d.channelProp(channel, 'Account'), await d.channelProp(channel, 'Target')]).toEqual([bob, 'carol@localhost']); // the one last used
    await expect(person.OpenConversation('smoke')).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
  });

  it('keeps unlinks against new evidence, and every decision across a kill -9 and reconnects', async () => {
    const carol = await personOf(alice, 'carol@localhost');
    const dave = await personOf(alice, 'dave@localhost');
    const unlinked = JSON.parse((await d.cli(['person', last(carol), 'unlink', last(ircAcc), 'carol_irc', '--json'])).stdout) as { person: string };
    const ircCarol = await personOf(ircAcc, 'carol_irc');
    expect(last(ircCarol)).toBe(unlinked.person);
    expect((await contactsOf(ircCarol)).map((c) => c.reason)).toEqual(['unlinked by hand']);
    // new evidence: she reconnects with one more address in her realname; WHOIS says it, linking declines
    carolIrc!.send('QUIT :new name');
    carolIrc!.close();
    await until(async () => (await contactsOf(ircCarol))[0].status === 'offline', 15000, 'carol_irc offline');
    carolIrc = await carolOnIrc('Carol xmpp:carol@localhost sip:carol@example.net');
    await until(async () => ((await prop(ircCarol, 'Addresses')) as string[]).includes('carol@example.net'), 15000, 'the new WHOIS to be read');
    expect(await personOf(ircAcc, 'carol_irc')).toBe(ircCarol);

    const unread = async () => {
      const inbox = (await (await d.manager()).GetInbox(0)) as unknown[][];
      return Object.fromEntries(inbox.map(([ch, , target, , n]) => [`${last(String(ch))}:${String(target)}`, Number(n)]));
    };
    const before = await unread();
    expect(Object.entries(before).filter(([k]) => /:carol/.test(k)).reduce((a, [, n]) => a + n, 0)).toBe(3);

    await d.kill();
    await d.restart();
    for (const acc of [alice, bob, ircAcc]) await d.waitForStatus(acc, 'connected');
    expect(await personOf(alice, 'carol@localhost')).toBe(carol);
    expect(await personOf(bob, 'carol@localhost')).toBe(carol);
    expect(await personOf(ircAcc, 'carol_irc')).toBe(ircCarol);
    expect(await personOf(ircAcc, 'dmitri')).toBe(dave);
    expect(await unread()).toEqual(before);

    for (const acc of [alice, bob, ircAcc]) await (await d.account(acc)).Reconnect();
    for (const acc of [alice, bob, ircAcc]) await d.waitForStatus(acc, 'connected');
    await until(async () => (await presenceOf(ircCarol)) === 'available', 15000, 'carol_irc watched again');
    await until(async () => (await presenceOf(carol)) === 'available', 15000, 'carol on XMPP seen again');
    expect(await personOf(ircAcc, 'carol_irc')).toBe(ircCarol);
    expect(await personOf(ircAcc, 'dmitri')).toBe(dave);
    expect((await contactsOf(carol)).map((c) => last(c.account))).toEqual([last(alice), last(bob)]);
    expect(await unread()).toEqual(before);

    // wrong arguments are typed errors
    const person = (await d.object(carol)).getInterface(PERSON);
    await expect(person.Link('/im/confab/Confab1/channels/1', 'x')).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
    await expect(person.Link(ircAcc, 'nobody')).rejects.toMatchObject({ type: 'im.confab.Error.NotFound' });
    await expect(person.Merge(carol)).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
    await expect((await d.manager()).GetPerson(alice, 'stranger@localhost')).rejects.toMatchObject({ type: 'im.confab.Error.NotFound' });
  });
});
