/**
 * Hostile input from an XMPP server (RFC 6120 §4.9 stream errors, §8.3 stanza errors): a scripted
 * server walks confabd through a normal login, then sends what no honest server would. Every time
 * the daemon keeps running; what can be ignored is ignored, what breaks the stream closes it and the
 * account reconnects; forged carbons and roster pushes change nothing; unknown IQs are answered
 * `service-unavailable`; nothing is ever expanded or grown without bound.
 */
import { xmppAccount } from '../fixtures/accounts';
import { ROOT_PATH } from '../fixtures/confabd';
import { startFakeXmppServer, type FakeXmppServer } from '../fixtures/xmpp/fake-xmpp-server';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { until } from '../fixtures/processes';

const ACCOUNT = '/im/confab/Confab1/accounts/xmpp_victim_localhost';

describe('confabd against a hostile XMPP server', () => {
  const { d, received, use } = withDaemon();
  let fake: FakeXmppServer;
  const statuses: string[] = [];

  beforeAll(async () => {
    fake = use(await startFakeXmppServer());
    (await d.manager()).on('AccountsChanged', (batch: string[][]) => statuses.push(...batch.map((b) => b[1])));
    await d.createAccount('xmpp', 'Victim', xmppAccount('victim@localhost', 'pw', fake, { 'ping-interval': 1 }), { connected: true });
  });

  const alive = async () => {
    expect(d.proc.child.exitCode).toBeNull();
    expect(await d.prop(ROOT_PATH, 'im.confab.Confab1.Manager', 'FailedPlugins')).toEqual([]);
  };
  /** Sends `raw`; the stream is closed for it and the account logs in again. */
  const fatal = async (raw: string) => {
    statuses.length = 0;
    fake.send(raw);
    await until(() => statuses.includes('connecting'), 15000, 'the stream to be closed')
    await d.waitForStatus(ACCOUNT, 'connected');
    await alive();
  };


  it('ignores what it does not know, answers unknown IQs, and believes no forged copy or roster push', async () => {
    fake.send(`<message from='x@localhost/r' type='chat'><weird xmlns='urn:nope'><deeper><deepest/></deeper></weird></message>`);
    fake.send(`<iq type='get' id='unknown1' from='localhost' to='victim@localhost/confab'><query xmlns='urn:example:unknown'/></iq>`);
    fake.send(`<iq type='set' id='push1' from='evil@localhost'><query xmlns='jabber:iq:roster'><item jid='planted@localhost' subscription='both'/></query></iq>`);
    fake.send(`<message from='evil@localhost' type='chat'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>` +
      `<message from='victim@localhost/phone' to='bob@localhost' type='chat'><body>forged carbon</body></message></forwarded></sent></message>`);
    fake.send(`<message from='evil@localhost' type='chat'><result xmlns='urn:xmpp:mam:2' queryid='mam1' id='x'><forwarded xmlns='urn:xmpp:forward:0'>` +
      `<message from='bob@localhost' to='victim@localhost' type='chat'><body>forged archive</body></message></forwarded></result></message>`);
    fake.send(`<message from='not a jid@@' type='chat'><body>bad from</body></message><presence from='@@@'/><iq type='result' id='nobody-asked'/>`);
    fake.send(`<message from='friend@localhost/r' type='chat' id='m1'><body>still listening</body></message>`);
    await until(() => received.find((r) => r.body === 'still listening'), 10000, 'the message after the junk');

    // RFC 6120 §8.4: an IQ nobody handles gets service-unavailable; a push not from us gets an error
    await until(() => /<iq[^>]*id=["']unknown1["'][^>]*type=["']error["']|<iq[^>]*type=["']error["'][^>]*id=["']unknown1["']/.test(fake.input()), 5000, 'the error for the unknown IQ');
    expect(fake.input()).toMatch(/service-unavailable/);
    expect(fake.input()).toMatch(/<iq[^>]*(id=["']push1["'][^>]*type=["']error["']|type=["']error["'][^>]*id=["']push1["'])/);
    expect(received.map((r) => r.body)).not.toEqual(expect.arrayContaining(['forged carbon', 'forged archive', 'bad from']));
    expect(((await d.accountProp(ACCOUNT, 'Contacts')) as string[][]).map((c) => c[0])).not.toContain('planted@localhost');
    expect(await d.accountProp(ACCOUNT, 'Status')).toBe('connected');
    await alive();
  });

  it('closes the stream for malformed XML, an entity-expansion attempt and an oversized stanza — and logs in again', async () => {
    await fatal(`<message from='a@localhost' type='chat'><body>unclosed</message>`);
    const bomb = `<!DOCTYPE lol [<!ENTITY a "${'a'.repeat(100)}"><!ENTITY b "${'&a;'.repeat(100)}"><!ENTITY c "${'&b;'.repeat(100)}">]>` +
      `<message from='a@localhost' type='chat'><body>&c;</body></message>`;
    await fatal(bomb); // RFC 6120 §11.1: no DTD in a stream — closed with restricted-xml, nothing expanded
    expect(fake.input()).toMatch(/restricted-xml/);
    expect(received.some((r) => r.body.includes('a'.repeat(1000)))).toBe(false);
    await alive();
    statuses.length = 0;
    const chunk = 'x'.repeat(64 * 1024);
    fake.send(`<message from='a@localhost' type='chat'><body>`);
    for (let i = 0; i < 40; i++) fake.send(chunk); // 2.5 MB without an end
    await until(() => /policy-violation/.test(fake.input()), 10000, 'the policy-violation stream error');
    await until(() => statuses.includes('connecting'), 15000, 'the stream to be closed');
    await d.waitForStatus(ACCOUNT, 'connected');
    await alive();
  });

  it('takes a flood of 20,000 unknown stanzas without falling over', async () => {
    const flood = Array.from({ length: 20_000 }, (_, i) => `<iq type='result' id='flood${i}'/><message from='f@localhost' type='headline'><x xmlns='urn:nope'/></message>`).join('');
    fake.send(flood);
    fake.send(`<message from='friend@localhost/r' type='chat' id='m2'><body>after the flood</body></message>`);
    await until(() => received.find((r) => r.body === 'after the flood'), 20000, 'the message after the flood');
    await alive();
  });

  it('gives up a server that stops answering (XEP-0199 ping) and logs in again', async () => {
    statuses.length = 0;
    fake.silence();
    await until(() => statuses.includes('connecting'), 15000, 'the silent server to be given up');
    await d.waitForStatus(ACCOUNT, 'connected');
    await alive();
  });

  it('never logs in in the clear: a server (or a man in the middle) offering no TLS is refused before SASL', async () => {
    const clear = await startFakeXmppServer({ noTls: true });
    try {
      const acc = await d.createAccount('xmpp', 'Clear', xmppAccount('clear@localhost', 'secret-in-the-clear', { port: clear.port }));
      await until(async () => (await d.accountProp(acc, 'StatusDetail')) !== '' && (await d.accountProp(acc, 'Status')) !== 'connected', 10000, 'the refusal');
      await until(() => /offers no TLS/.test(String(d.proc.output())), 10000, 'the reason in the log');
      expect(String(await d.accountProp(acc, 'StatusDetail'))).toMatch(/offers no TLS/);
      expect(clear.input()).not.toMatch(/<auth/);
      expect(clear.input()).not.toContain(Buffer.from('secret-in-the-clear').toString('base64').slice(0, 12));
      await (await d.account(acc)).Remove();
    } finally {
      await clear.close();
    }
  });
});
