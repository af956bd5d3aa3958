/**
 * XMPP, first step (issue 4): a Confab account on a real prosody — STARTTLS with the test CA, SCRAM
 * login, presence — exchanges one-to-one messages with clients no one here wrote: `sendxmpp` sends
 * to us, a plain @xmpp/client session receives from us and answers. A wrong password is
 * `auth-failed`; a self-signed server without its CA is `cert-invalid`.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DaemonFixture, REPO_ROOT, toMsg, v, type Msg } from '../fixtures/confabd';
import { startProsody, type Prosody } from '../fixtures/prosody';
import { start, stopAll, until, type Started } from '../fixtures/processes';

const RECEIVER = join(REPO_ROOT, 'test', 'fixtures', 'peers', 'xmpp-receiver.mjs');

describe('confabd on prosody', () => {
  let xmpp: Prosody;
  let d: DaemonFixture;
  let peer: Started;
  const received: Msg[] = [];
  const params = (extra: Record<string, ReturnType<typeof v>> = {}) => ({
    jid: v('s', 'confab@localhost'), server: v('s', '127.0.0.1'), port: v('i', xmpp.port), 'tls-ca': v('s', xmpp.caFile), password: v('s', 'confab-pw'), ...extra,
  });

  beforeAll(async () => {
    xmpp = await startProsody();
    for (const [u, p] of [['confab', 'confab-pw'], ['peer', 'peer-pw'], ['other', 'other-pw']]) xmpp.register(u, p);
    d = await DaemonFixture.start();
    (await d.manager()).on('MessagesReceived', (batch: unknown[][]) => received.push(...batch.map(toMsg)));
    peer = start(process.execPath, [RECEIVER, 'peer', 'peer-pw', String(xmpp.port)], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_EXTRA_CA_CERTS: xmpp.caFile } });
    await until(() => peer.output().includes('"online":true'), 15000, 'the @xmpp/client peer to log in');
  });
  afterAll(async () => {
    await peer?.stop();
    await d?.stop();
    await xmpp?.stop();
    await stopAll();
  });

  it('logs in over STARTTLS and exchanges messages with sendxmpp and an @xmpp/client peer', async () => {
    const m = await d.manager();
    const account = (await m.CreateAccount('xmpp', 'Local XMPP', params())) as string;
    await d.waitForStatus(account, 'connected');
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

    // the peer answers; it lands in the same conversation
    peer.child.stdin!.write('confab@localhost\tand hello back\n');
    await until(() => received.find((r) => r.body === 'and hello back'), 10000, 'the answer');
    const answer = received.find((r) => r.body === 'and hello back')!;
    const history = (await d.history(answer.channel)).map((h) => [h.body, h.outgoing, h.state]);
    expect(history).toEqual([['hello from confab', true, 'sent'], ['and hello back', false, 'received']]);
  });

  it('says auth-failed for a wrong password and cert-invalid without the CA', async () => {
    const m = await d.manager();
    const wrong = (await m.CreateAccount('xmpp', 'Wrong', params({ jid: v('s', 'peer@localhost'), password: v('s', 'not-it'), resource: v('s', 'wrong') }))) as string;
    await d.waitForStatus(wrong, 'disconnected', 'auth-failed');
    expect(String(await d.accountProp(wrong, 'StatusDetail'))).not.toContain('not-it');
    const noCa = (await m.CreateAccount('xmpp', 'No CA', { jid: v('s', 'other@localhost'), server: v('s', '127.0.0.1'), port: v('i', xmpp.port), password: v('s', 'other-pw') })) as string;
    await d.waitForStatus(noCa, 'disconnected', 'cert-invalid');
    expect(String(await d.accountProp(noCa, 'StatusDetail'))).toMatch(/certificate/);
  });
});
