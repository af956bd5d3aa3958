/**
 * An XMPP account on Telepathy (issue 17): a telepathy-glib client (tp-xmpp.py, python3-gi TelepathyGLib)
 * on confabd's private bus, a Confab account `gabble/jabber` on a real prosody, and peers that are plain
 * @xmpp/client sessions (xmpp-receiver.mjs, a library no one here wrote). The roster is Telepathy's
 * ContactList and ContactGroups: listed with subscription states, presence and groups; a contact added
 * (request_subscription_async) and its authorization seen; our authorization of theirs; groups set and a
 * group renamed; a contact removed — each change also seen on Confab's own API, and one made there seen on
 * Telepathy. Then a 1-1 chat both ways through the ChannelDispatcher: a channel ensured for the contact and
 * handed to the client's handler, a message sent the peer receives, one it sends received, and, the channel
 * closed, an incoming chat dispatched to the handler. Bad roster calls get typed Telepathy errors.
 */
import { xmppAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { until, type Started } from '../fixtures/processes';
import { startTpXmpp, type Step, type TpXmppClient } from '../fixtures/telepathy/tp-xmpp';
import { startXmppPeer } from '../fixtures/xmpp/peer';
import { startProsody, type Prosody } from '../fixtures/xmpp/prosody';

const TP = 'org.freedesktop.Telepathy';
const CL = `${TP}.Connection.Interface.ContactList`;
const CG = `${TP}.Connection.Interface.ContactGroups`;
/** spec Subscription_State */
const NO = 1;
const ASK = 3;
const YES = 4;

describe('an XMPP account through telepathy-glib: the roster as ContactList/ContactGroups, and a 1-1 chat', () => {
  const { d, received, use } = withDaemon();
  let xmpp: Prosody;
  let peer: Started;
  let buddy: Started;
  let account: string;
  let tpAccount: string;
  let tp: TpXmppClient;
  const say = (p: Started, to: string, body: string) => p.child.stdin!.write(`${to}\t${body}\n`);
  const contacts = async () => ((await d.accountProp(account, 'Contacts')) as string[][]).map((c) => c[0]).sort();
  const info = async (id: string) => (await (await d.account(account)).GetContactInfo(id)) as Record<string, string>;
  const entry = (s: Step, id: string) => (s.roster as Array<Record<string, unknown>>).find((r) => r.id === id);

  beforeAll(async () => {
    xmpp = use(await startProsody());
    for (const [u, p] of [['confab', 'confab-pw'], ['peer', 'peer-pw'], ['buddy', 'buddy-pw'], ['other', 'other-pw']]) xmpp.register(u, p);
    peer = use(await startXmppPeer(xmpp, 'peer', 'peer-pw', 'peer'));
    buddy = use(await startXmppPeer(xmpp, 'buddy', 'buddy-pw', 'buddy'));
    account = await d.createAccount('xmpp', 'Jabber', xmppAccount('confab@localhost', 'confab-pw', xmpp), { connected: true });
    tpAccount = `/org/freedesktop/Telepathy/Account/gabble/jabber/${account.split('/').pop()!}`;
    // before any Telepathy client: buddy on the roster through Confab's own API, and allowed to see us by buddy
    await (await d.account(account)).AddContact('buddy@localhost', 'Buddy');
    await until(() => /"presence":"subscribe","from":"confab@localhost/.test(buddy.output()), 10000, 'buddy to get our request');
    say(buddy, '!presence', 'confab@localhost\tsubscribed');
    await until(async () => (await info('buddy@localhost')).subscription === 'to', 10000, 'buddy’s authorization');
  });

  afterAll(async () => {
    await tp?.proc.stop();
  });

  it('lists the roster, adds a contact and sees its authorization, sets groups, removes a contact — on both APIs', async () => {
    tp = await startTpXmpp(d.env(), 'ConfabTpXmpp', tpAccount);
    const ready = tp.steps().find((s) => s.step === 'ready')!;
    expect(ready).toMatchObject({ self_id: 'confab@localhost', state: 3, can_change: true, persists: true, disjoint: false, storage: 3, groups: [] });
    expect(entry(ready, 'buddy@localhost')).toMatchObject({ subscribe: YES, publish: NO, groups: [], alias: 'Buddy' });
    await until(() => tp.steps().find((s) => s.step === 'presence' && s.id === 'buddy@localhost' && s.status === 'available')
      ?? (entry(ready, 'buddy@localhost')!.presence === 'available'), 10000, 'buddy available on Telepathy');

    // request_subscription_async: on the roster (Confab's too), asked; the peer gets the request and allows it
    await tp.run('add', 'peer@localhost');
    await tp.step('list-changed', (s) => (s.added as string[]).includes('peer@localhost'));
    await tp.step('subscription', (s) => s.id === 'peer@localhost' && s.subscribe === ASK);
    expect(await contacts()).toContain('peer@localhost');
    await until(() => /"presence":"subscribe","from":"confab@localhost/.test(peer.output()), 10000, 'the peer to get our request');
    say(peer, '!presence', 'confab@localhost\tsubscribed');
    await tp.step('subscription', (s) => s.id === 'peer@localhost' && s.subscribe === YES);
    await tp.step('presence', (s) => s.id === 'peer@localhost' && s.status === 'available');

    // the peer asks to see our presence: publish Ask; authorize_publication_async makes it Yes
    say(peer, '!presence', 'confab@localhost\tsubscribe');
    await tp.step('subscription', (s) => s.id === 'peer@localhost' && s.publish === ASK);
    await tp.run('authorize', 'peer@localhost');
    await tp.step('subscription', (s) => s.id === 'peer@localhost' && s.publish === YES && s.subscribe === YES);
    expect((await info('peer@localhost')).subscription).toBe('both');

    // groups: set from Telepathy, seen on Confab; a group renamed
    await tp.run('groups', 'peer@localhost', 'Friends,Work');
    await tp.step('contact-groups', (s) => s.id === 'peer@localhost' && JSON.stringify(s.groups) === '["Friends","Work"]');
    await tp.step('groups-created', (s) => (s.names as string[]).includes('Work'));
    expect((await info('peer@localhost')).groups.split(', ').sort()).toEqual(['Friends', 'Work']);
    const renamedFrom = tp.steps().length;
    await tp.run('rename', 'Work', 'Office');
    await tp.step('groups-created', (s) => (s.names as string[]).includes('Office'), renamedFrom); // XMPP groups are tags: no GroupRenamed
    await tp.step('contact-groups', (s) => s.id === 'peer@localhost' && JSON.stringify(s.groups) === '["Friends","Office"]', renamedFrom);
    await tp.step('groups-removed', (s) => (s.names as string[]).includes('Work'), renamedFrom);
    const listed = await (async () => { tp.command('list'); return tp.step('roster', (s) => (s.groups as string[]).includes('Office')); })();
    expect(listed.groups).toEqual(['Friends', 'Office']);
    expect(entry(listed, 'peer@localhost')).toMatchObject({ subscribe: YES, publish: YES, groups: ['Friends', 'Office'] });

    // ContactInfo: what Confab's GetContactInfo says, as vCard-like fields
    const infoFrom = tp.steps().length;
    await tp.run('info', 'peer@localhost');
    const fields = Object.fromEntries(((await tp.step('info', (s) => s.id === 'peer@localhost', infoFrom)).fields as [string, string[]][]).map(([k, v]) => [k, v[0]]));
    expect(fields).toMatchObject({ 'x-jabber': 'peer@localhost', 'x-subscription': 'both' });
    expect(fields['x-groups'].split(', ').sort()).toEqual(['Friends', 'Office']);

    // a change on Confab's own API shows on Telepathy
    const acc = await d.account(account);
    await acc.AddContact('other@localhost', 'Other');
    await tp.step('list-changed', (s) => (s.added as string[]).includes('other@localhost'));
    await acc.RemoveContact('other@localhost');
    await tp.step('list-changed', (s) => (s.removed as string[]).includes('other@localhost'));

    // remove_contacts_async: off the roster, on both APIs
    await tp.run('remove', 'buddy@localhost');
    await tp.step('list-changed', (s) => (s.removed as string[]).includes('buddy@localhost'));
    await until(async () => !(await contacts()).includes('buddy@localhost'), 10000, 'buddy gone from Confab’s contacts');
    await until(() => /"presence":"unsubscribe[d]?","from":"confab@localhost/.test(buddy.output()), 10000, 'buddy to be told');
  });

  it('chats 1-1 both ways through the ChannelDispatcher, and gets an incoming chat dispatched', async () => {
    await tp.run('chat', 'peer@localhost');
    const handled = await tp.step('handled', (s) => s.target === 'peer@localhost');
    expect(handled).toMatchObject({ requested: true });

    await tp.run('send', 'peer@localhost', 'hello from telepathy');
    await until(() => peer.output().includes('"body":"hello from telepathy"'), 10000, 'the peer to receive it');
    expect(peer.output()).toMatch(/"from":"confab@localhost\/[^"]+","type":"chat","body":"hello from telepathy"/);

    say(peer, 'confab@localhost', 'hello back');
    expect(await tp.step('message', (s) => s.text === 'hello back')).toMatchObject({ sender: 'peer@localhost', path: handled.path });

    // closed: the peer's next message makes a new, unrequested channel, dispatched to the handler
    const from = tp.steps().length;
    await tp.run('close', 'peer@localhost');
    say(peer, 'confab@localhost', 'are you there?');
    const incoming = await tp.step('handled', (s) => s.target === 'peer@localhost', from);
    expect(incoming).toMatchObject({ requested: false });
    expect(incoming.path).not.toBe(handled.path);
    await tp.step('message', (s) => s.text === 'are you there?', from);
    await until(async () => !((await (await d.manager()).GetPending(0)) as unknown[][]).some((m) => m[6] === 'are you there?'), 10000, 'acknowledged on Confab');
    expect(received.find((r) => r.body === 'are you there?')).toMatchObject({ sender: 'peer@localhost' });
  });

  it('answers bad roster calls with typed Telepathy errors, and goes on answering', async () => {
    const props = (await d.client.getProxyObject(`${TP}.AccountManager`, tpAccount)).getInterface('org.freedesktop.DBus.Properties');
    const path = ((await props.Get(`${TP}.Account`, 'Connection')) as { value: string }).value;
    const conn = await d.client.getProxyObject(path.slice(1).replace(/\//g, '.'), path);
    const list = conn.getInterface(CL);
    const groups = conn.getInterface(CG);
    const errorOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: { type?: string }) => e.type);
    expect(await errorOf(list.RequestSubscription([99999], ''))).toBe(`${TP}.Error.InvalidHandle`);
    expect(await errorOf(groups.RenameGroup('No Such Group', 'X'))).toBe(`${TP}.Error.DoesNotExist`);
    expect(await errorOf(groups.RenameGroup('Friends', 'Office'))).toBe(`${TP}.Error.NotAvailable`);
    const selfHandle = ((await conn.getInterface('org.freedesktop.DBus.Properties').Get(`${TP}.Connection`, 'SelfHandle')) as { value: number }).value;
    expect(await errorOf(list.RemoveContacts([selfHandle]))).toBe(`${TP}.Error.InvalidArgument`);
    const [stranger] = (await conn.getInterface(`${TP}.Connection`).RequestHandles(1, ['stranger@localhost'])) as number[];
    expect(await errorOf(groups.SetContactGroups(stranger, ['Friends']))).toBe(`${TP}.Error.DoesNotExist`);
    expect(await errorOf(groups.AddToGroup('', [stranger]))).toBe(`${TP}.Error.DoesNotExist`);
    const [peerHandle] = (await conn.getInterface(`${TP}.Connection`).RequestHandles(1, ['peer@localhost'])) as number[];
    expect(await errorOf(groups.SetContactGroups(peerHandle, ['']))).toBe(`${TP}.Error.InvalidArgument`);
    // still answering, and the roster as it was
    const attrs = (await list.GetContactListAttributes([CG], false)) as Record<string, Record<string, { value: unknown }>>;
    const peerAttrs = Object.values(attrs).find((a) => a[`${TP}.Connection/contact-id`].value === 'peer@localhost')!;
    expect(peerAttrs[`${CL}/subscribe`].value).toBe(YES);
    expect(peerAttrs[`${CG}/groups`].value).toEqual(['Friends', 'Office']);
    expect(await errorOf(list.Download())).toBe('no error');
  });
});
