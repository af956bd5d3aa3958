/**
 * XMPP on a second real server: a Confab account on ejabberd 23.01 (STARTTLS required, SCRAM login)
 * exchanges one message each way with clients no one here wrote — `sendxmpp` sends to us, a plain
 * @xmpp/client session receives from us. A wrong password is `auth-failed`.
 */
import { execFileSync } from 'node:child_process';
import { xmppAccount } from '../fixtures/accounts';
import { startEjabberd, type Ejabberd } from '../fixtures/xmpp/ejabberd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startXmppPeer } from '../fixtures/xmpp/peer';
import { until, type Started } from '../fixtures/processes';

describe('confabd on ejabberd', () => {
  const { d, received, use } = withDaemon();
  let xmpp: Ejabberd;
  let peer: Started;

  beforeAll(async () => {
    xmpp = use(await startEjabberd());
    for (const [u, p] of [['confab', 'confab-pw'], ['peer', 'peer-pw'], ['other', 'other-pw']]) await xmpp.register(u, p);
    peer = use(await startXmppPeer(xmpp, 'peer', 'peer-pw', 'peer'));
  });

  it('logs in over STARTTLS and exchanges one message each way with sendxmpp and an @xmpp/client peer', async () => {
    const account = await d.createAccount('xmpp', 'ejabberd', xmppAccount('confab@localhost', 'confab-pw', xmpp), { connected: true });
    expect(await d.accountProp(account, 'Identity')).toBe('confab@localhost');
    expect(d.proc.output()).toMatch(/SASL SCRAM-SHA-256/); // ejabberd stores SHA-256 SCRAM keys here: our Node-crypto SCRAM-SHA-256 logs in

    // sendxmpp (Net::XMPP, STARTTLS with the CA) → us
    execFileSync('sendxmpp', ['-u', 'other', '-p', 'other-pw', '-j', `localhost:${xmpp.port}`, '-t', '-a', xmpp.caFile, '-r', 'cli', 'confab@localhost'],
      { input: 'hello from sendxmpp', timeout: 20000, stdio: ['pipe', 'ignore', 'ignore'] });
    await until(() => received.find((r) => r.body === 'hello from sendxmpp'), 10000, 'the message from sendxmpp');
    expect(received.find((r) => r.body === 'hello from sendxmpp')).toMatchObject({ account, sender: 'other@localhost', outgoing: false, state: 'received' });

    // us → the peer, and the server (then the peer's receipt) moves it on from 'pending'
    const send = await d.cli(['send', account.split('/').pop()!, 'peer@localhost', 'hello from confab']);
    expect(send).toMatchObject({ code: 0 });
    await until(() => peer.output().includes('"body":"hello from confab"'), 10000, 'the peer to receive it');
    expect(peer.output()).toMatch(/"from":"confab@localhost\/[^"]+","type":"chat","body":"hello from confab"/);
    const dmPath = await until(async () => {
      const objects = (await (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, Record<string, Record<string, { value: unknown }>>>;
      return Object.keys(objects).find((p) => objects[p]['im.confab.Confab1.Channel']?.Target?.value === 'peer@localhost');
    }, 10000, 'the conversation with peer@localhost');
    const stateOf = async () => (await d.history(dmPath)).find((h) => h.body === 'hello from confab')?.state;
    await until(async () => ['sent', 'delivered', 'read'].includes((await stateOf()) ?? ''), 10000, 'the message to be sent');
    expect((await d.history(dmPath)).filter((h) => h.body === 'hello from confab')).toHaveLength(1);
  });

  it('says auth-failed for a wrong password', async () => {
    const wrong = await d.createAccount('xmpp', 'Wrong', xmppAccount('peer@localhost', 'not-it', xmpp, { resource: 'wrong' }));
    await d.waitForStatus(wrong, 'disconnected', 'auth-failed');
    expect(String(await d.accountProp(wrong, 'StatusDetail'))).not.toContain('not-it');
  });
});
