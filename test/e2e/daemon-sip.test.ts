/**
 * SIP (issue 5): Confab accounts on a real kamailio 5.6 register over UDP, TCP and WebSocket
 * (digest MD5, and SHA-256 on a second kamailio), exchange MESSAGEs with each other and with
 * baresip (a client no one here wrote) both ways, see each other's published presence, keep
 * working through a relay that drops 20 % of UDP datagrams, and mark a message to nobody `failed`
 * with the reason. A wrong password is `auth-failed`.
 */
import { sipAccount } from '../fixtures/accounts';
import { type PlainParams } from '../fixtures/confabd';
import { startBaresip, type Baresip } from '../fixtures/sip/baresip';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startKamailio, type Kamailio } from '../fixtures/sip/kamailio-server';
import { forbid, until } from '../fixtures/processes';
import { startLossyUdpRelay, type UdpRelay } from '../fixtures/udp-relay';

const ERR = 'im.confab.Error.';
const USERS = { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw', pat: 'pat-pw', erin: 'erin-pw', tess: 'tess-pw', walt: 'walt-pw', nina: 'nina-pw' };

describe('confabd on kamailio', () => {
  const { d, received, use } = withDaemon();
  let k: Kamailio;
  let pat: Baresip;
  let relay: UdpRelay;
  const accounts: Record<string, string> = {};
  const create = async (user: string, transport: string, extra: PlainParams = {}) => {
    const port = { udp: k.udpPort, tcp: k.tcpPort, ws: k.wsPort, tls: k.tlsPort, wss: k.wssPort }[transport] ?? k.tcpPort;
    const password = (USERS as Record<string, string>)[user] ?? 'x';
    return d.createAccount('sip', `${user} (${transport})`, sipAccount(user, password, port, transport, { 'display-name': user.toUpperCase(), ...extra }));
  };
  const send = (account: string, to: string, text: string) => d.send(account, to, text);
  const channelOf = (account: string, target: string) => d.channelOf(account, target);

  beforeAll(async () => {
    k = use(await startKamailio({ users: USERS }));
  });

  it('registers over UDP, TCP and WebSocket; a wrong password is auth-failed', async () => {
    accounts.alice = await create('alice', 'udp');
    accounts.bob = await create('bob', 'tcp');
    accounts.carol = await create('carol', 'ws');
    for (const a of [accounts.alice, accounts.bob, accounts.carol]) await d.waitForStatus(a, 'connected');
    expect(await d.accountProp(accounts.alice, 'Identity')).toBe('alice@127.0.0.1');

    const wrong = await d.createAccount('sip', 'wrong', sipAccount('pat', 'not-pat-pw', k.udpPort));
    await d.waitForStatus(wrong, 'disconnected', 'auth-failed');
    const detail = String(await d.accountProp(wrong, 'StatusDetail'));
    expect(detail).toMatch(/401/);
    expect(detail).not.toContain('not-pat-pw');
    await (await d.account(wrong)).Remove();
  });

  it('answers a SHA-256 digest challenge (RFC 8760), which sip.js alone cannot', async () => {
    const k2 = await startKamailio({ users: { dora: 'dora-pw' }, algorithm: 'SHA-256' });
    try {
      const acc = await d.createAccount('sip', 'dora', sipAccount('dora', 'dora-pw', k2.tcpPort, 'tcp'), { connected: true });
      await (await d.account(acc)).Remove();
    } finally {
      await k2.stop();
    }
  });

  it('exchanges MESSAGEs between accounts on every transport, and with baresip both ways', async () => {
    await send(accounts.alice, 'bob@127.0.0.1', 'udp to tcp');
    await send(accounts.bob, 'sip:carol@127.0.0.1', 'tcp to ws');
    await send(accounts.carol, 'alice@127.0.0.1', 'ws to udp');
    for (const [body, account, sender] of [['udp to tcp', accounts.bob, 'alice@127.0.0.1'], ['tcp to ws', accounts.carol, 'bob@127.0.0.1'], ['ws to udp', accounts.alice, 'carol@127.0.0.1']]) {
      const m = await until(() => received.find((r) => r.body === body), 10000, `'${body}' to arrive`);
      expect(m).toMatchObject({ account, sender, outgoing: false, kind: 'normal' });
    }

    pat = use(await startBaresip({ user: 'pat', password: USERS.pat, domain: '127.0.0.1', proxyPort: k.udpPort, contact: 'sip:alice@127.0.0.1' }));
    await send(accounts.alice, 'pat@127.0.0.1', 'hello baresip, ünïcode');
    await until(() => pat.received().find(([, t]) => t === 'hello baresip, ünïcode'), 10000, 'baresip to print the message');
    expect(pat.received().find(([, t]) => t === 'hello baresip, ünïcode')?.[0]).toMatch(/^sip:alice@127\.0\.0\.1/);
    await pat.message('hello confab from baresip');
    const m = await until(() => received.find((r) => r.body === 'hello confab from baresip'), 10000, "baresip's message");
    expect(m).toMatchObject({ account: accounts.alice, sender: 'pat@127.0.0.1', outgoing: false });

    // the sent ones are confirmed by the 200 (RFC 3428 §7): `sent`, out of the outbox
    const dm = await until(async () => {
      const objects = (await (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, Record<string, Record<string, { value: unknown }>>>;
      return Object.keys(objects).find((p) => objects[p]['im.confab.Confab1.Channel']?.Target?.value === 'pat@127.0.0.1');
    }, 10000, 'the conversation with pat');
    await until(async () => (await d.history(dm)).find((h) => h.body === 'hello baresip, ünïcode')?.state === 'sent', 10000, 'the message to be sent');
  });

  it('marks a message to nobody failed, with the reason', async () => {
    await send(accounts.alice, 'nobody@127.0.0.1', 'into the void');
    const dm = await until(async () => {
      const objects = (await (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, Record<string, Record<string, { value: unknown }>>>;
      return Object.keys(objects).find((p) => objects[p]['im.confab.Confab1.Channel']?.Target?.value === 'nobody@127.0.0.1');
    }, 10000, 'the conversation with nobody');
    const failed = await until(async () => (await d.history(dm)).find((h) => h.body === 'into the void' && h.state === 'failed'), 10000, 'the message to fail');
    const failures = (await (await d.manager()).GetFailures([BigInt(failed.id)])) as Array<[bigint, string]>;
    expect(failures[0][1]).toBe('NotCapable: MESSAGE: 480 Temporarily Unavailable');
  });

  it("sees another account's published presence (PUBLISH, SUBSCRIBE/NOTIFY with PIDF)", async () => {
    const contacts = async () => (await d.accountProp(accounts.alice, 'Contacts')) as string[][];
    await (await d.account(accounts.alice)).AddContact('sip:bob@127.0.0.1', 'Bob');
    await until(async () => (await contacts()).find((c) => c[0] === 'bob@127.0.0.1')?.[2] === 'available', 10000, 'bob available');
    await (await d.manager()).SetPresence('away', 'out for lunch');
    await until(async () => {
      const bob = (await contacts()).find((c) => c[0] === 'bob@127.0.0.1');
      return bob?.[2] === 'away' && bob[3] === 'out for lunch';
    }, 10000, 'bob away with his note');
    await (await d.manager()).SetPresence('busy', '');
    await until(async () => (await contacts()).find((c) => c[0] === 'bob@127.0.0.1')?.[2] === 'busy', 10000, 'bob busy');
    await (await d.manager()).SetPresence('available', '');
  });

  it('registers and exchanges messages with 20 % of UDP datagrams dropped', async () => {
    relay = use(await startLossyUdpRelay({ host: '127.0.0.1', port: k.udpPort }, 0.2, 7));
    accounts.erin = await create('erin', 'udp', { port: relay.port });
    await d.waitForStatus(accounts.erin, 'connected', undefined, 30000);
    const N = 20;
    for (let i = 0; i < N; i++) await send(accounts.erin, 'alice@127.0.0.1', `lossy up ${i}`);
    for (let i = 0; i < N; i++) await send(accounts.alice, 'erin@127.0.0.1', `lossy down ${i}`);
    await until(() => received.filter((r) => r.body.startsWith('lossy ')).length >= 2 * N, 60000, 'every lossy message');
    await forbid(() => received.filter((r) => r.body.startsWith('lossy ')).length > 2 * N, 1500, 'a retransmission still in flight stored as a second copy');
    const lossy = received.filter((r) => r.body.startsWith('lossy '));
    expect(new Set(lossy.map((r) => r.body)).size).toBe(2 * N);
    expect(lossy).toHaveLength(2 * N);
    const s = relay.stats();
    expect(s.droppedUp + s.droppedDown).toBeGreaterThan(5);
  });

  it('registers over TLS and secure WebSocket with the CA; without it, cert-invalid', async () => {
    const tess = await create('tess', 'tls', { 'tls-ca': k.caFile });
    const walt = await create('walt', 'wss', { 'tls-ca': k.caFile });
    for (const a of [tess, walt]) await d.waitForStatus(a, 'connected');
    await send(tess, 'walt@127.0.0.1', 'over TLS to WSS');
    expect(await until(() => received.find((r) => r.body === 'over TLS to WSS'), 10000, 'the TLS message')).toMatchObject({ account: walt, sender: 'tess@127.0.0.1' });
    const nina = await create('nina', 'tls');
    await d.waitForStatus(nina, 'disconnected', 'cert-invalid');
    for (const a of [tess, walt, nina]) await (await d.account(a)).Remove();
  });

  it('loses nothing when kamailio crashes and confabd is killed: queued messages go once, after both are back', async () => {
    await k.kill();
    // TCP and WebSocket flows close at once: both accounts know they are cut off
    for (const a of [accounts.bob, accounts.carol]) await until(async () => (await d.accountProp(a, 'Status')) !== 'connected', 10000, `${a} to notice`);
    // the sender waits switched off, so that it cannot send before the receiver registered again
    // (SIP keeps no message for an unregistered user: that would be a 480, and `failed`)
    await (await d.account(accounts.bob)).SetEnabled(false);
    for (const i of [1, 2, 3]) await send(accounts.bob, 'carol@127.0.0.1', `after the crash ${i}`);
    await d.kill();
    await k.restart();
    await d.restart();
    await d.waitForStatus(accounts.carol, 'connected', undefined, 30000);
    await (await d.account(accounts.bob)).SetEnabled(true);
    await d.waitForStatus(accounts.bob, 'connected');
    const inbox = await channelOf(accounts.carol, 'bob@127.0.0.1');
    const arrived = async () => (await d.history(inbox)).filter((h) => h.body.startsWith('after the crash'));
    await until(async () => (await arrived()).length >= 3, 15000, 'the queued messages');
    const outbox = await channelOf(accounts.bob, 'carol@127.0.0.1');
    await until(async () => (await d.history(outbox)).filter((h) => h.body.startsWith('after the crash') && h.state === 'sent').length === 3, 10000, 'them to be sent');
    await forbid(async () => (await arrived()).length > 3, 1000, 'a queued message arriving twice');
    expect((await arrived()).map((h) => h.body).sort()).toEqual(['after the crash 1', 'after the crash 2', 'after the crash 3']);
  });
});
