/**
 * XEP-0198 stream management on prosody: the TCP connection is cut in the middle of a conversation
 * (a relay between confabd and prosody drops both sockets, and refuses new ones for a second). The
 * session is resumed: what the peer sent meanwhile and what we sent meanwhile arrive, each once, in
 * order, and the account never went through a full reconnect.
 */
import { xmppAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startXmppPeer } from '../fixtures/xmpp/peer';
import { startProsody, type Prosody } from '../fixtures/xmpp/prosody';
import { forbid, until, type Started } from '../fixtures/processes';
import { startRelay, type TcpRelay } from '../fixtures/tcp-relay';

describe('confabd on prosody, with the socket cut', () => {
  const { d, received, use } = withDaemon();
  let xmpp: Prosody;
  let relay: TcpRelay;
  let peer: Started;
  const startPeer = async () => {
    const p = use(await startXmppPeer(xmpp, 'peer', 'peer-pw', 'peer'));
    return p;
  };
  const statuses: string[] = [];

  beforeAll(async () => {
    xmpp = use(await startProsody());
    xmpp.register('confab', 'confab-pw');
    xmpp.register('peer', 'peer-pw');
    relay = use(await startRelay(xmpp.port));
    (await d.manager()).on('AccountsChanged', (batch: string[][]) => statuses.push(...batch.map((b) => b[1])));
    peer = await startPeer();
  });

  it('resumes the session: nothing lost, nothing doubled, in either direction', async () => {
    const account = await d.createAccount('xmpp', 'Via relay', xmppAccount('confab@localhost', 'confab-pw', { port: relay.port, caFile: xmpp.caFile }), { connected: true });
    const id = account.split('/').pop()!;
    const say = (body: string) => peer.child.stdin!.write(`confab@localhost\t${body}\n`);

    say('before 1');
    await until(() => received.find((r) => r.body === 'before 1'), 10000, 'the first message');
    expect((await d.cli(['send', id, 'peer@localhost', 'mine before'])).code).toBe(0);
    await until(() => peer.output().includes('"body":"mine before"'), 10000, 'our first message at the peer');
    statuses.length = 0;

    relay.block(true);
    expect(relay.cut()).toBe(1);
    for (let i = 1; i <= 3; i++) say(`during ${i}`);
    for (let i = 1; i <= 3; i++) expect((await d.cli(['send', id, 'peer@localhost', `mine during ${i}`])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1000)); // the cut lasts a second: what is sent meanwhile waits on both sides
    relay.block(false);

    await until(() => received.find((r) => r.body === 'during 3'), 15000, 'what the peer sent during the cut');
    await until(() => peer.output().includes('"body":"mine during 3"'), 15000, 'what we sent during the cut');
    say('after 1');
    await until(() => received.find((r) => r.body === 'after 1'), 10000, 'a message after the resumption');
    expect(d.proc.output()).toMatch(/session resumed/);
    expect(statuses).not.toContain('disconnected');

    const channel = received.find((r) => r.body === 'before 1')!.channel;
    const history = (await d.history(channel)).map((h) => h.body);
    expect(history.filter((b) => !b.startsWith('mine'))).toEqual(['before 1', 'during 1', 'during 2', 'during 3', 'after 1']);
    expect(history.filter((b) => b.startsWith('mine'))).toEqual(['mine before', 'mine during 1', 'mine during 2', 'mine during 3']);
    const atPeer = peer.output().split('\n').filter((l) => l.includes('"body":"mine')).map((l) => (JSON.parse(l) as { body: string }).body);
    expect(atPeer).toEqual(['mine before', 'mine during 1', 'mine during 2', 'mine during 3']);
    await until(async () => (await d.history(channel)).filter((h) => h.outgoing).every((h) => h.state !== 'queued'), 10000, 'every message confirmed');
  });

  it('after a server restart the session cannot be resumed: it reconnects, the archive fills the gap, the outbox goes once', async () => {
    const account = '/im/confab/Confab1/accounts/xmpp_confab_localhost';
    const id = account.split('/').pop()!;
    await xmpp.restart(); // every session is gone
    await peer.stop();
    peer = await startPeer(); // (offline storage is off: the peer must be online to get ours)
    expect((await d.cli(['send', id, 'peer@localhost', 'mine across the restart'])).code).toBe(0);
    peer.child.stdin!.write('confab@localhost\tpeer across the restart\n');
    await d.waitForStatus(account, 'connected');
    await until(() => received.find((r) => r.body === 'peer across the restart'), 15000, 'the message sent around the restart');
    await until(() => peer.output().includes('"body":"mine across the restart"'), 15000, 'our queued message at the peer')
    const twice = (bodies: string[], body: string) => bodies.filter((b) => b === body).length > 1;
    await forbid(async () => {
      const stored = (await d.history(received.find((r) => r.body === 'peer across the restart')!.channel)).map((h) => h.body);
      const atPeer = peer.output().split('\n').filter((l) => l.includes('"body":"mine across the restart"'));
      return twice(stored, 'peer across the restart') || twice(stored, 'mine across the restart') || atPeer.length > 1;
    }, 500, 'a message across the restart twice (in history or at the peer)');
    const channel = received.find((r) => r.body === 'peer across the restart')!.channel;
    const history = (await d.history(channel)).map((h) => h.body);
    expect(history.filter((b) => b === 'peer across the restart')).toHaveLength(1);
    expect(history.filter((b) => b === 'mine across the restart')).toHaveLength(1);
    expect(peer.output().split('\n').filter((l) => l.includes('"body":"mine across the restart"'))).toHaveLength(1);
  });
});
