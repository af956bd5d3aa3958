/**
 * The presence publisher (RFC 3903) on a fake user agent core that answers when the test says so:
 * one PUBLISH in flight at a time, refusals switching publishing off once, 412/423 recovered,
 * timeouts leaving it on. And the transport's edge: a throw from sip.js on a received message is
 * contained there.
 */
import type { Core, URI } from 'sip.js';
import { silentLogger, type Logger } from '@confab/sdk';
import { NodeTransport } from '../src/node-transport';
import { PresencePublisher } from '../src/presence-publisher';

interface Sent {
  readonly headers: readonly string[];
  readonly body?: string;
  answer(status: number, headers?: Record<string, string>): void;
}

/** A core whose PUBLISHes wait in `sent` until the test answers them. */
function fakeCore() {
  const sent: Sent[] = [];
  const core = {
    makeOutgoingRequestMessage: (_m: string, _r: URI, _f: URI, _t: URI, _o: unknown, headers: string[], body?: { content: string }) => ({ headers, body: body?.content }),
    publish: (message: { headers: string[]; body?: string }, delegate: { onAccept(r: unknown): void; onReject(r: unknown): void }) => {
      sent.push({
        headers: message.headers, body: message.body,
        answer: (status, headers = {}) => {
          const response = { message: { statusCode: status, reasonPhrase: 'x', getHeader: (n: string) => headers[n.toLowerCase()] } };
          if (status < 300) delegate.onAccept(response);
          else delegate.onReject(response);
        },
      });
    },
  };
  return { core: core as unknown as Core.UserAgentCore, sent };
}

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = { ...silentLogger, info: (m: string) => { lines.push(m); }, child: () => log, lines };
  return log;
}

const AOR = {} as URI;
const tick = () => new Promise((r) => setImmediate(r));

describe('PresencePublisher (RFC 3903)', () => {
  it('keeps one PUBLISH in flight; changes made meanwhile go after it, the newest only, with the entity tag', async () => {
    const { core, sent } = fakeCore();
    const p = new PresencePublisher(core, AOR, { event: 'presence', contentType: 'application/pidf+xml', expires: 3600, log: silentLogger });
    const first = p.publish('one');
    void p.publish('two');
    const last = p.publish('three');
    await tick();
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toBe('one');
    expect(sent[0].headers).toEqual(['Event: presence', 'Expires: 3600']);
    sent[0].answer(200, { 'sip-etag': 'e1', expires: '600' });
    await tick();
    expect(sent).toHaveLength(2);
    expect(sent[1].body).toBe('three'); // 'two' was overtaken before it was sent
    expect(sent[1].headers).toContain('SIP-If-Match: e1'); // §4.3: a modify names the publication
    expect(sent[1].headers).toContain('Expires: 3600');
    sent[1].answer(200, { 'sip-etag': 'e2', expires: '600' });
    await Promise.all([first, last]);
    const closing = p.close();
    await tick();
    expect(sent[2].headers).toEqual(['Event: presence', 'Expires: 0', 'SIP-If-Match: e2']); // §4.5: removal
    expect(sent[2].body).toBeUndefined();
    sent[2].answer(200, { expires: '0' });
    await closing;
  });

  it.each([404, 405, 482, 489, 501, 403])('a %d switches publishing off for the registration, said once', async (status) => {
    const { core, sent } = fakeCore();
    const log = recordingLog();
    const p = new PresencePublisher(core, AOR, { event: 'presence', contentType: 't', expires: 3600, log });
    const a = p.publish('one');
    const b = p.publish('two'); // the bug: a second PUBLISH overlapping the first
    await tick();
    expect(sent).toHaveLength(1);
    sent[0].answer(status);
    await Promise.all([a, b]);
    expect(p.refused).toBe(true);
    await p.publish('three');
    await p.close();
    expect(sent).toHaveLength(1);
    expect(log.lines.filter((l) => l.includes('does not take our presence'))).toHaveLength(1);
  });

  it('a timeout or a transport failure (408, 503) leaves publishing on for the next change', async () => {
    const { core, sent } = fakeCore();
    const p = new PresencePublisher(core, AOR, { event: 'presence', contentType: 't', expires: 3600, log: silentLogger });
    const a = p.publish('one');
    await tick();
    sent[0].answer(408);
    await a;
    expect(p.refused).toBe(false);
    const b = p.publish('two');
    await tick();
    sent[1].answer(503);
    await b;
    expect(p.refused).toBe(false);
    expect(sent).toHaveLength(2);
  });

  it('publishes anew after a 412 (unknown entity tag), and with Min-Expires after a 423, once each', async () => {
    const { core, sent } = fakeCore();
    const p = new PresencePublisher(core, AOR, { event: 'presence', contentType: 't', expires: 60, log: silentLogger });
    const a = p.publish('one');
    await tick();
    sent[0].answer(423, { 'min-expires': '120' });
    await tick();
    expect(sent[1].headers).toContain('Expires: 120');
    sent[1].answer(200, { 'sip-etag': 'e1', expires: '120' });
    await a;
    const b = p.publish('two');
    await tick();
    expect(sent[2].headers).toContain('SIP-If-Match: e1');
    sent[2].answer(412);
    await tick();
    expect(sent[3].headers).not.toContainEqual(expect.stringMatching(/SIP-If-Match/));
    expect(sent[3].body).toBe('two');
    sent[3].answer(412); // a second one in a row is a refusal
    await b;
    expect(p.refused).toBe(true);
    p.dispose();
  });

  it('refreshes before the granted expiry with SIP-If-Match and no body (§4.2)', async () => {
    jest.useFakeTimers();
    try {
      const { core, sent } = fakeCore();
      const p = new PresencePublisher(core, AOR, { event: 'presence', contentType: 't', expires: 3600, log: silentLogger });
      const a = p.publish('one');
      sent[0].answer(200, { 'sip-etag': 'e1', expires: '100' });
      await a;
      jest.advanceTimersByTime(89_000);
      expect(sent).toHaveLength(1);
      jest.advanceTimersByTime(2_000);
      expect(sent).toHaveLength(2);
      expect(sent[1].headers).toEqual(['Event: presence', 'Expires: 3600', 'SIP-If-Match: e1']);
      expect(sent[1].body).toBeUndefined();
      p.dispose();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('the transport edge', () => {
  it('contains a throw from sip.js on a received message, counts it, and goes on', () => {
    const t = new NodeTransport(undefined, { transport: 'udp', host: '127.0.0.1', port: 5060, placeholderHost: 'x.invalid', keepAliveSeconds: 0, log: silentLogger });
    let calls = 0;
    t.onMessage = () => {
      calls++;
      throw new Error('Invalid state transition from Terminated to Unpublished');
    };
    const response = ['SIP/2.0 489 Bad Event', 'Via: SIP/2.0/UDP x.invalid;branch=z9hG4bK1', 'From: <sip:a@h>;tag=1', 'To: <sip:a@h>;tag=2',
      'Call-ID: c', 'CSeq: 1 PUBLISH', 'Content-Length: 0', '', ''].join('\r\n');
    const received = (t as unknown as { received(raw: string): void }).received.bind(t);
    expect(() => { received(response); received(response); }).not.toThrow();
    expect(calls).toBe(2);
    expect(t.contained).toBe(2);
  });
});
