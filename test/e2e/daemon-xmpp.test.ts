/**
 * XMPP (issue 4, in steps): a Confab account on a real prosody — STARTTLS with the test CA, SCRAM
 * login, presence — exchanges one-to-one messages with clients no one here wrote: `sendxmpp` sends
 * to us, a plain @xmpp/client session receives from us and answers. Carbons show what the same
 * account sends from another client; the archive (MAM) fills what was sent while Confab was away,
 * once, also after a kill -9. A wrong password is `auth-failed`; a self-signed server without its CA
 * is `cert-invalid`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { xmppAccount } from '../fixtures/accounts';
import { type PlainParams } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startXmppPeer } from '../fixtures/xmpp/peer';
import { startMcabber } from '../fixtures/xmpp/mcabber';
import { startProsody, type Prosody } from '../fixtures/xmpp/prosody';
import { forbid, until, type Started } from '../fixtures/processes';

describe('confabd on prosody', () => {
  const { d, received, use } = withDaemon();
  let xmpp: Prosody;
  let peer: Started;
  const startPeer = async (user: string, password: string, resource: string) => {
    const p = use(await startXmppPeer(xmpp, user, password, resource));
    return p;
  };
  const say = (p: Started, to: string, body: string) => p.child.stdin!.write(`${to}\t${body}\n`);
  /** Resolves once prosody has handled all `p` sent so far: it answers an IQ of one session after the stanzas before it. */
  const handled = async (p: Started) => {
    const answers = () => p.output().split('\n').filter((l) => l.startsWith('{"disco":')).length;
    const before = answers();
    say(p, '!disco', 'localhost');
    await until(() => answers() > before, 10000, 'prosody to answer what the peer sent');
  };
  /** `!join` for the peer, resolved once the room has it in (its own presence back). */
  const peerJoins = async (p: Started, occupant: string) => {
    say(p, '!join', occupant);
    await until(() => p.output().includes(`{"joined":"${occupant}"}`), 10000, `the peer in ${occupant}`);
  };
  const ACCOUNT = '/im/confab/Confab1/accounts/xmpp_confab_localhost';
  const requests: string[][] = [];
  const params = (extra: PlainParams = {}) => xmppAccount('confab@localhost', 'confab-pw', xmpp, extra);

  beforeAll(async () => {
    xmpp = use(await startProsody());
    for (const [u, p] of [['confab', 'confab-pw'], ['peer', 'peer-pw'], ['other', 'other-pw'], ['mc', 'mc-pw']]) xmpp.register(u, p);
    (await d.manager()).on('SubscriptionRequested', (acc: string, contact: string, message: string) => requests.push([acc, contact, message]));
    peer = await startPeer('peer', 'peer-pw', 'peer');
  });

  it('logs in over STARTTLS and exchanges messages with sendxmpp and an @xmpp/client peer', async () => {
    const account = await d.createAccount('xmpp', 'Local XMPP', params(), { connected: true });
    expect(await d.accountProp(account, 'Identity')).toBe('confab@localhost');

    // sendxmpp (Net::XMPP, STARTTLS with the CA) → us
    execFileSync('sendxmpp', ['-u', 'other', '-p', 'other-pw', '-j', `localhost:${xmpp.port}`, '-t', '-a', xmpp.caFile, '-r', 'cli', 'confab@localhost'],
      { input: 'hello from sendxmpp', timeout: 20000, stdio: ['pipe', 'ignore', 'ignore'] });
    await until(() => received.find((r) => r.body === 'hello from sendxmpp'), 10000, 'the message from sendxmpp');
    expect(received.find((r) => r.body === 'hello from sendxmpp')).toMatchObject({ account, sender: 'other@localhost', kind: 'normal', state: 'received', outgoing: false });

    // us → the peer, confirmed by the server
    const send = await d.cli(['send', account.split('/').pop()!, 'Peer@localhost/phone', 'hello from confab']);
    expect(send).toMatchObject({ code: 0 });
    await until(() => peer.output().includes('"body":"hello from confab"'), 10000, 'the peer to receive it');
    expect(peer.output()).toMatch(/"from":"confab@localhost\/confab","type":"chat","body":"hello from confab"/);

    // the peer's client acknowledges it (XEP-0184), then shows it (XEP-0333): delivered, then read
    const sentLine = peer.output().split('\n').find((l) => l.includes('"body":"hello from confab"'))!;
    const stanzaId = (JSON.parse(sentLine) as { id: string }).id;
    const stateOf = async (channel: string, body: string) => (await d.history(channel)).find((h) => h.body === body)?.state;
    const dmPath = await until(async () => {
      const objects = (await (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, Record<string, Record<string, { value: unknown }>>>;
      return Object.keys(objects).find((p) => objects[p]['im.confab.Confab1.Channel']?.Target?.value === 'peer@localhost');
    }, 10000, 'the conversation with peer@localhost');
    await until(async () => (await stateOf(dmPath, 'hello from confab')) === 'delivered', 10000, 'the receipt to make it delivered');
    say(peer, '!displayed', `confab@localhost/confab\t${stanzaId}`);
    await until(async () => (await stateOf(dmPath, 'hello from confab')) === 'read', 10000, 'the displayed marker to make it read');

    // typing, both ways (XEP-0085): a signal, never stored
    const states: string[][] = [];
    (await d.manager()).on('ChatStateChanged', (ch: string, contact: string, state: string) => states.push([ch, contact, state]));
    say(peer, '!state', 'confab@localhost\tcomposing');
    await until(() => states.length > 0, 10000, 'the ChatStateChanged signal');
    expect(states[0]).toEqual([dmPath, 'peer@localhost', 'composing']);
    await (await d.channel(dmPath)).SetChatState('composing');
    await until(() => peer.output().includes('"chatstate":"composing","from":"confab@localhost/confab"'), 10000, 'the peer to see us typing');
    await expect((await d.channel(dmPath)).SetChatState('dancing')).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });

    // the peer answers; it lands in the same conversation, and we send the receipt it asked for
    say(peer, 'confab@localhost', 'and hello back');
    await until(() => received.find((r) => r.body === 'and hello back'), 10000, 'the answer');
    const answer = received.find((r) => r.body === 'and hello back')!;
    expect(answer.channel).toBe(dmPath);
    const history = (await d.history(answer.channel)).map((h) => [h.body, h.outgoing, h.state]);
    expect(history).toEqual([['hello from confab', true, 'read'], ['and hello back', false, 'received']]);
    await until(() => /"receipt":"peer-/.test(peer.output()), 10000, 'our receipt at the peer');
  });

  it('shows what the same account sends and receives on another client (carbons)', async () => {
    const phone = await startPeer('confab', 'confab-pw', 'phone');
    say(phone, 'other@localhost', 'sent from my phone');
    say(peer, 'confab@localhost/phone', 'to the phone only');
    await until(() => received.find((r) => r.body === 'to the phone only'), 10000, 'the received carbon');
    await until(() => received.find((r) => r.body === 'sent from my phone'), 10000, 'the sent carbon');
    expect(received.find((r) => r.body === 'sent from my phone')).toMatchObject({ sender: 'confab@localhost', outgoing: true, state: 'sent' });
    expect(received.find((r) => r.body === 'to the phone only')).toMatchObject({ sender: 'peer@localhost', outgoing: false });
    await phone.stop();
  });

  it('fills what was sent while it was away from the archive, once — also after a kill -9', async () => {
    const acc = await d.account(ACCOUNT);
    await acc.SetEnabled(false);
    await d.waitForStatus(ACCOUNT, 'disconnected');
    for (let i = 1; i <= 5; i++) say(peer, 'confab@localhost', `while away ${i}`);
    await handled(peer); // archived
    await acc.SetEnabled(true);
    await d.waitForStatus(ACCOUNT, 'connected');
    await until(() => received.find((r) => r.body === 'while away 5'), 10000, 'the archived messages');
    const channel = received.find((r) => r.body === 'while away 1')!.channel;
    const away = async () => (await d.history(channel)).map((h) => h.body).filter((b) => b.startsWith('while away'));
    expect(await away()).toEqual([1, 2, 3, 4, 5].map((i) => `while away ${i}`));

    // killed while away: the restarted daemon catches up from where its store ends, nothing twice
    await d.kill();
    say(peer, 'confab@localhost', 'while away 6');
    await handled(peer);
    await d.restart();
    await d.waitForStatus(ACCOUNT, 'connected');
    await until(async () => (await away()).length >= 6, 10000, 'the message sent while confabd was dead');
    await forbid(async () => (await away()).length > 6, 500, 'a message of the archive stored twice');
    expect(await away()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `while away ${i}`));
  });

  it('keeps the roster: subscription requests both ways with mcabber, presence, add and remove', async () => {
    const contacts = async () => (await d.accountProp(ACCOUNT, 'Contacts')) as string[][];
    const contact = async (id: string) => (await contacts()).find((c) => c[0] === id);
    const mc = await startMcabber({ jid: 'mc@localhost', password: 'mc-pw', port: xmpp.port, caFile: xmpp.caFile });
    try {
      // mcabber asks to see our presence: a signal, a property, and our answer (allow, and ask back)
      mc.command('/add confab@localhost Confab');
      await until(() => requests.find((r) => r[1] === 'mc@localhost'), 10000, 'the SubscriptionRequested signal');
      expect(requests.find((r) => r[1] === 'mc@localhost')![0]).toBe(ACCOUNT);
      expect(await d.accountProp(ACCOUNT, 'SubscriptionRequests')).toEqual([['mc@localhost', expect.any(String)]]);
      await (await d.account(ACCOUNT)).AnswerSubscription('mc@localhost', true);
      expect(await d.accountProp(ACCOUNT, 'SubscriptionRequests')).toEqual([]);
      await mc.waitFor(/confab@localhost.*(subscri|authoriz)/i, 'mcabber to see our request');
      mc.command('/authorization allow confab@localhost');
      await until(async () => (await contact('mc@localhost'))?.[2] === 'available', 10000, 'mcabber online in Contacts');
      expect((await (await d.account(ACCOUNT)).GetContactInfo('mc@localhost')) as Record<string, string>).toMatchObject({ jid: 'mc@localhost', subscription: 'both', resources: 'mcabber' });
      mc.command('/status away out for lunch');
      await until(async () => (await contact('mc@localhost'))?.slice(2).join('|') === 'away|out for lunch', 10000, 'mcabber away');

      // what we add goes to the server's roster (and asks for the contact's presence)
      const acc = await d.account(ACCOUNT);
      await acc.AddContact('Peer@localhost', 'The Peer');
      await until(async () => (await contact('peer@localhost'))?.[1] === 'The Peer', 10000, 'the roster push');
      await until(() => /"presence":"subscribe","from":"confab@localhost/.test(peer.output()), 10000, 'the peer to get our subscription request');
      // the peer allows it and publishes its nickname (XEP-0172): we see it as its contact
      say(peer, '!presence', 'confab@localhost\tsubscribed');
      await until(async () => ((await acc.GetContactInfo('peer@localhost')) as Record<string, string>).subscription === 'to', 10000, 'our subscription to be approved');
      say(peer, '!nick', 'Pea\t');
      await until(async () => ((await acc.GetContactInfo('peer@localhost')) as Record<string, string>).nickname === 'Pea', 10000, 'the nickname');
      // and its avatar (XEP-0084): kept as a file named by its hash, after checking the hash
      const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
      say(peer, '!avatar', `${png}\t`);
      await until(() => peer.output().includes('"avatar":'), 10000, 'the avatar to be published');
      const avatarFile = await until(async () => ((await acc.GetContactInfo('peer@localhost')) as Record<string, string>).avatar, 10000, 'the avatar');
      expect(readFileSync(avatarFile).equals(Buffer.from(png, 'base64'))).toBe(true);
      expect(avatarFile).toMatch(new RegExp(`${createHash('sha1').update(Buffer.from(png, 'base64')).digest('hex')}\\.png$`));
      // the older way (XEP-0153): a vCard photo announced by its hash in presence
      const png2 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
      say(peer, '!vcard', `${png2}\t`);
      const sha2 = createHash('sha1').update(Buffer.from(png2, 'base64')).digest('hex');
      await until(async () => String(((await acc.GetContactInfo('peer@localhost')) as Record<string, string>).avatar).includes(sha2), 10000, 'the vCard avatar');
      await acc.RemoveContact('peer@localhost');
      await until(async () => !(await contact('peer@localhost')), 10000, 'the removal pushed back');

      // a request denied
      say(peer, '!presence', 'confab@localhost\tsubscribe');
      await until(() => requests.find((r) => r[1] === 'peer@localhost'), 10000, 'the peer’s request');
      const accountId = ACCOUNT.split('/').pop()!;
      expect((await d.cli(['contact', accountId, 'requests'])).stdout).toMatch(/peer@localhost/);
      expect(await d.cli(['contact', accountId, 'deny', 'peer@localhost'])).toMatchObject({ code: 0, stdout: 'denied peer@localhost\n' });
      await until(() => /"presence":"unsubscribed","from":"confab@localhost/.test(peer.output()), 10000, 'the peer to be refused');

      // the roster is the server's: after a restart it is read again, the same
      await d.kill();
      await d.restart();
      await d.waitForStatus(ACCOUNT, 'connected');
      await until(async () => (await contact('mc@localhost'))?.[2] === 'away', 10000, 'mc in the roster, away, after the restart');
      await expect(acc.AddContact('', '')).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
    } finally {
      await mc.stop();
    }
  });

  it('joins rooms (XEP-0045): members with roles, messages both ways, the subject, a taken nick, invitations', async () => {
    const invited: string[][] = [];
    (await d.manager()).on('Invited', (acc: string, room: string, by: string) => invited.push([acc, room, by]));
    await peerJoins(peer, 'lounge@conference.localhost/peerie'); // the peer creates the room, and owns it
    say(peer, '!groupchat', 'lounge@conference.localhost\tsaid before we came');
    const acc = await d.account(ACCOUNT);
    const lounge = (await acc.JoinRoom('Lounge@conference.localhost', '')) as string;
    await until(async () => (await d.channelProp(lounge, 'Joined')) === true, 10000, 'the room to be joined');
    expect(await d.channelProp(lounge, 'Target')).toBe('lounge@conference.localhost');
    const members = async () => ((await d.channelProp(lounge, 'Members')) as string[][]).map((mm) => [mm[0], mm[2]]).sort();
    expect(await members()).toEqual([['confab', 'member'], ['peerie', 'owner']]);
    await until(async () => (await d.history(lounge)).some((h) => h.body === 'said before we came'), 10000, 'the room archive');

    say(peer, '!groupchat', 'lounge@conference.localhost\thello room');
    await until(() => received.find((r) => r.body === 'hello room'), 10000, 'the room message');
    expect(received.find((r) => r.body === 'hello room')).toMatchObject({ channel: lounge, sender: 'peerie', outgoing: false });
    const ch = await d.channel(lounge);
    const sent = Number(await ch.SendMessage('hello from confab to the room', 'normal'));
    await until(() => peer.output().includes('"body":"hello from confab to the room"'), 10000, 'the peer to see it');
    expect(peer.output()).toMatch(/"from":"lounge@conference.localhost\/confab","type":"groupchat","body":"hello from confab to the room"/);
    await until(async () => (await d.history(lounge)).find((h) => h.id === sent)?.state === 'sent', 10000, 'the reflection to confirm it');
    expect((await d.history(lounge)).filter((h) => h.body === 'hello from confab to the room')).toHaveLength(1); // the reflection is not stored again

    say(peer, '!subject', 'lounge@conference.localhost\tTalk here');
    await until(async () => (await d.channelProp(lounge, 'Topic')) === 'Talk here', 10000, 'the subject');

    // a nick already in the room: joined as confab_
    await peerJoins(peer, 'den@conference.localhost/confab');
    const den = (await acc.JoinRoom('den@conference.localhost', '')) as string;
    await until(async () => (await d.channelProp(den, 'Joined')) === true, 10000, 'the den to be joined');
    expect(((await d.channelProp(den, 'Members')) as string[][]).map((mm) => mm[0]).sort()).toEqual(['confab', 'confab_']);

    say(peer, '!invite', 'confab@localhost\tparty@conference.localhost');
    await until(() => invited.length > 0, 10000, 'the invitation');
    expect(invited[0]).toEqual([ACCOUNT, 'party@conference.localhost', 'peer@localhost']);

    await ch.Leave('bye');
    await until(async () => (await d.channelProp(lounge, 'Joined')) === false, 10000, 'the room to be left');

    // the room's archive (XEP-0313 on MUC): what it said before we came, and while we were away, once
    say(peer, '!groupchat', 'lounge@conference.localhost\tsaid while you were away');
    await until(() => peer.output().includes('"body":"said while you were away"'), 10000, 'the room to reflect it (and archive it)');
    await acc.JoinRoom('lounge@conference.localhost', '');
    await until(async () => (await d.history(lounge)).some((h) => h.body === 'said while you were away'), 10000, 'the archive to fill the gap');
    await forbid(async () => {
      const stored = (await d.history(lounge)).map((h) => h.body);
      return new Set(stored).size < stored.length;
    }, 300, 'a message of the room archive stored twice');
    const bodies = (await d.history(lounge)).map((h) => h.body);
    expect(bodies).toEqual(['said before we came', 'hello room', 'hello from confab to the room', 'said while you were away']);
  });

  it('joins the rooms bookmarked by another client (XEP-0402), and answers service discovery (XEP-0030)', async () => {
    const phone = await startPeer('confab', 'confab-pw', 'phone');
    try {
      say(phone, '!bookmark', 'club@conference.localhost\ttrue');
      await until(() => phone.output().includes('"bookmarked":"club@conference.localhost"'), 10000, 'the bookmark to be published');
      const club = await until(async () => {
        const objects = (await (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, Record<string, Record<string, { value: unknown }>>>;
        return Object.keys(objects).find((p) => objects[p]['im.confab.Confab1.Channel']?.Target?.value === 'club@conference.localhost');
      }, 10000, 'the bookmarked room to appear');
      await until(async () => (await d.channelProp(club, 'Joined')) === true, 10000, 'the bookmarked room to be joined');
      say(phone, '!bookmark', 'club@conference.localhost\tfalse');
      await until(async () => (await d.channelProp(club, 'Joined')) === false, 10000, 'the room left when the bookmark stops autojoining');

      say(phone, '!disco', 'confab@localhost/confab');
      await until(() => phone.output().includes('"disco":'), 10000, 'the disco#info answer');
      const features = (JSON.parse(phone.output().split('\n').find((l) => l.includes('"disco":'))!) as { disco: string[] }).disco;
      expect(features).toEqual(expect.arrayContaining(['http://jabber.org/protocol/muc', 'urn:xmpp:receipts', 'urn:xmpp:bookmarks:1+notify']));
    } finally {
      await phone.stop();
    }
  });

  it('connects with direct TLS (XEP-0368) too', async () => {
    const direct = await d.createAccount('xmpp', 'Direct TLS', xmppAccount('other@localhost', 'other-pw', { port: xmpp.tlsPort, caFile: xmpp.caFile }, { 'direct-tls': true, resource: 'direct' }), { connected: true });
    say(peer, 'other@localhost/direct', 'over direct TLS');
    await until(() => received.find((r) => r.body === 'over direct TLS' && r.account === direct), 10000, 'a message over direct TLS');
    await (await d.account(direct)).Remove();
  });

  it('says auth-failed for a wrong password and cert-invalid without the CA', async () => {
    const wrong = await d.createAccount('xmpp', 'Wrong', params({ jid: 'peer@localhost', password: 'not-it', resource: 'wrong' }));
    await d.waitForStatus(wrong, 'disconnected', 'auth-failed');
    expect(String(await d.accountProp(wrong, 'StatusDetail'))).not.toContain('not-it');
    const noCa = await d.createAccount('xmpp', 'No CA', xmppAccount('other@localhost', 'other-pw', { port: xmpp.port }));
    await d.waitForStatus(noCa, 'disconnected', 'cert-invalid');
    expect(String(await d.accountProp(noCa, 'StatusDetail'))).toMatch(/certificate/);
  });
});
