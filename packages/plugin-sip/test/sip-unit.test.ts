/** The parts of the SIP plugin that need no network: digest, addresses, PIDF, message bodies, the inbound guard, framing. */
import { Digest } from '../src/digest';
import { InboundGuard } from '../src/inbound-guard';
import { buildIsComposing, decodeMessage, htmlToText } from '../src/message-content';
import { withRealContact } from '../src/node-transport';
import { buildPidf, parsePidf } from '../src/pidf';
import { errorCodeOf } from '../src/sip-errors';
import { accountSettings } from '../src/sip-settings';
import { SipProtocol } from '../src/sip-protocol';
import { normalizeSipAddress } from '../src/sip-uri';
import { StreamFramer } from '../src/stream-framer';

const request = (method: string, extra: string[] = [], body = '') =>
  [`${method} sip:alice@127.0.0.1 SIP/2.0`, 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1;rport', 'From: <sip:bob@127.0.0.1>;tag=1',
    'To: <sip:alice@127.0.0.1>', 'Call-ID: c1', `CSeq: 1 ${method}`, 'Max-Forwards: 70', ...extra, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');

describe('digest (RFC 2617, RFC 7616 / 8760 vectors)', () => {
  it('answers an MD5 challenge with qop=auth as RFC 2617 §3.5 computes it', () => {
    const d = new Digest('Mufasa', 'Circle Of Life', () => '0a4f113b');
    expect(d.authenticate({ method: 'GET', ruri: '/dir/index.html' }, { realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: ['auth', 'auth-int'], opaque: '5ccc069c403ebaf9f0171e9517f40e41' })).toBe(true);
    const h = d.toString();
    expect(h).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(h).toContain('nc=00000001');
    expect(h).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  it('answers SHA-256 and MD5 as in RFC 7616 §3.9.1', () => {
    const challenge = { realm: 'http-auth@example.org', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', qop: 'auth', opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS' };
    const cnonce = () => 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
    const sha = new Digest('Mufasa', 'Circle of Life', cnonce);
    sha.authenticate({ method: 'GET', ruri: '/dir/index.html' }, { ...challenge, algorithm: 'SHA-256' });
    expect(sha.toString()).toContain('response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"');
    expect(sha.toString()).toContain('algorithm=SHA-256');
    const md5 = new Digest('Mufasa', 'Circle of Life', cnonce);
    md5.authenticate({ method: 'GET', ruri: '/dir/index.html' }, challenge);
    expect(md5.toString()).toContain('response="8ca523f5e9506fed4657c9700eebdbec"');
  });

  it('refuses challenges it cannot answer, counts nonce uses, escapes quotes', () => {
    const d = new Digest('a"b', 'pw', () => 'c');
    expect(d.authenticate({ method: 'REGISTER', ruri: 'sip:x' }, { realm: 'r', nonce: 'n', algorithm: 'SHA-1' })).toBe(false);
    expect(d.authenticate({ method: 'REGISTER', ruri: 'sip:x' }, { realm: 'r' })).toBe(false);
    expect(d.authenticate({ method: 'REGISTER', ruri: 'sip:x' }, { realm: 'r', nonce: 'n', qop: 'weird' })).toBe(false);
    d.authenticate({ method: 'REGISTER', ruri: 'sip:x' }, { realm: 'r', nonce: 'n', qop: 'auth' });
    d.authenticate({ method: 'REGISTER', ruri: 'sip:x' }, { realm: 'r', nonce: 'n', qop: 'auth' });
    expect(d.toString()).toContain('nc=00000002');
    expect(d.toString()).toContain('username="a\\"b"');
    d.authenticate({ method: 'REGISTER', ruri: 'sip:x' }, { realm: 'r', nonce: 'other', qop: 'auth', algorithm: 'sha-512-256' });
    expect(d.toString()).toContain('nc=00000001');
    expect(d.toString()).toContain('algorithm=SHA-512-256');
  });
});

describe('addresses and parameters', () => {
  it('normalizes what users type and peers send into user@host', () => {
    expect(normalizeSipAddress('sip:Alice@Example.ORG;transport=tcp')).toBe('Alice@example.org');
    expect(normalizeSipAddress('"Bob" <sip:bob@127.0.0.1:5070>;tag=x')).toBe('bob@127.0.0.1:5070');
    expect(normalizeSipAddress('carol@[::1]')).toBe('carol@[::1]');
    expect(() => normalizeSipAddress('nobody')).toThrow(/not a SIP address/);
    expect(() => normalizeSipAddress('a b@host')).toThrow(/user part/);
    expect(() => normalizeSipAddress('a@ho st')).toThrow(/host/);
  });

  it('gives a contact address people can share with XMPP, and reads the transport from the URI', () => {
    const p = new SipProtocol();
    expect(p.contactAddress('sip:Carol@LocalHost:5060')).toBe('carol@localhost');
    expect(p.identifyAccount({ uri: 'sip:alice@example.org;transport=tcp' })).toBe('alice@example.org');
    expect(accountSettings({ uri: 'sip:alice@example.org;transport=tcp' })).toMatchObject({ transport: 'tcp', port: 5060, server: 'example.org', authUser: 'alice' });
    expect(accountSettings({ uri: 'sips:alice@example.org' })).toMatchObject({ transport: 'tls', port: 5061 });
    expect(accountSettings({ uri: 'alice@example.org', transport: 'wss', server: 'proxy', port: 8443 })).toMatchObject({ transport: 'wss', port: 8443, server: 'proxy' });
    expect(() => accountSettings({ uri: 'a@b', 'tls-ca': '/nonexistent/ca.pem' })).toThrow(/tls-ca/);
  });

  it('maps SIP failures to typed errors', () => {
    expect(errorCodeOf(401)).toBe('AuthenticationFailed');
    expect(errorCodeOf(403)).toBe('PermissionDenied');
    expect(errorCodeOf(404)).toBe('NotFound');
    expect(errorCodeOf(408)).toBe('NetworkError');
    expect(errorCodeOf(480)).toBe('NotCapable');
    expect(errorCodeOf(489)).toBe('NotCapable');
    expect(errorCodeOf(500)).toBe('NotAvailable');
  });
});

describe('PIDF (RFC 3863, RPID RFC 4480)', () => {
  it('round-trips our statuses and notes', () => {
    for (const status of ['available', 'away', 'busy'] as const) {
      expect(parsePidf('a@b', buildPidf('sip:a@b', { status, message: 'at <lunch> & "out"' }))).toEqual({ id: 'a@b', status, message: 'at <lunch> & "out"' });
    }
    expect(parsePidf('a@b', buildPidf('sip:a@b', { status: 'invisible', message: 'x' }))).toEqual({ id: 'a@b', status: 'offline', message: '' });
  });

  it("reads other clients' documents and refuses what it cannot read", () => {
    const linphone = `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:pdm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:b@h">
      <tuple id="t"><status><basic>open</basic></status></tuple><pdm:person id="p"><rpid:activities><rpid:on-the-phone/></rpid:activities><rpid:note>call</rpid:note></pdm:person></presence>`;
    expect(parsePidf('b@h', linphone)).toEqual({ id: 'b@h', status: 'busy', message: 'call' });
    expect(parsePidf('b@h', '')).toMatchObject({ status: 'unknown' });
    expect(parsePidf('b@h', '<presence><tuple>')).toMatchObject({ status: 'unknown' });
    expect(parsePidf('b@h', '<!DOCTYPE x [<!ENTITY a "aaaa">]><presence><tuple><status><basic>&a;</basic></status></tuple></presence>')).toMatchObject({ status: 'unknown' });
    expect(parsePidf('b@h', 'x'.repeat(70_000))).toMatchObject({ status: 'unknown' });
  });
});

describe('MESSAGE bodies', () => {
  it('decodes text, HTML, CPIM and isComposing', () => {
    expect(decodeMessage('text/plain;charset=UTF-8', 'hi')).toEqual({ type: 'text', body: 'hi' });
    expect(decodeMessage(undefined, 'hi')).toEqual({ type: 'text', body: 'hi' });
    expect(decodeMessage('text/html', '<b>a</b>&amp;b<br>c&#x263A;')).toEqual({ type: 'text', body: 'a&b\nc\u263a' });
    const cpim = 'From: <sip:b@h>\r\nTo: <sip:a@h>\r\nDateTime: 2026-12-01T00:00:00Z\r\n\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nwrapped';
    expect(decodeMessage('message/cpim', cpim)).toEqual({ type: 'text', body: 'wrapped' });
    expect(decodeMessage('application/im-iscomposing+xml', buildIsComposing('composing'))).toEqual({ type: 'chat-state', state: 'composing' });
    expect(decodeMessage('application/im-iscomposing+xml', buildIsComposing('paused'))).toEqual({ type: 'chat-state', state: 'paused' });
    expect(decodeMessage('image/png', 'x')).toEqual({ type: 'unsupported', contentType: 'image/png' });
    expect(htmlToText('<script>x</script>ok&bogus;')).toBe('ok&bogus;');
  });
});

describe('the inbound guard', () => {
  it('passes good messages and answers bad requests with 400', () => {
    const g = new InboundGuard();
    expect(g.check(request('MESSAGE', ['Content-Type: text/plain'], 'hello')).action).toBe('pass');
    const missing = g.check(request('MESSAGE').replace('Call-ID: c1\r\n', ''));
    expect(missing.action).toBe('drop'); // no Call-ID: nothing to answer with
    const mismatch = g.check(request('MESSAGE').replace('CSeq: 1 MESSAGE', 'CSeq: 1 INVITE'));
    expect(mismatch).toMatchObject({ action: 'reply', why: 'CSeq method does not match the request' });
    expect((mismatch as { response: string }).response).toMatch(/^SIP\/2.0 400 CSeq method/);
    expect((mismatch as { response: string }).response).toMatch(/\r\nTo: <sip:alice@127.0.0.1>;tag=confab/);
    const long = g.check(request('MESSAGE', [], 'hi').replace('Content-Length: 2', 'Content-Length: 99'));
    expect(long).toMatchObject({ action: 'reply', why: 'Content-Length larger than the body' });
    const huge = g.check(request('MESSAGE', [], 'hi').replace('Content-Length: 2', 'Content-Length: 999999999'));
    expect((huge as { response: string }).response).toMatch(/^SIP\/2.0 413/);
    expect(g.check('\x00\x01garbage').action).toBe('drop');
    expect(g.check('MESSAGE sip:a SIP/2.0\r\nVia: x\r\n').action).toBe('drop'); // truncated: no end of headers
    const short = g.check(request('MESSAGE', [], 'hello there').replace('Content-Length: 11', 'Content-Length: 5'));
    expect(short.action === 'pass' && short.message.endsWith('\r\n\r\nhello')).toBe(true);
  });

  it('answers a flood with 503 and Retry-After, then recovers', () => {
    let now = 0;
    const g = new InboundGuard({ maxBody: 1000, ratePerSecond: 10, burst: 20 }, () => now);
    const verdicts = Array.from({ length: 50 }, () => g.check(request('OPTIONS')).action);
    expect(verdicts.filter((v) => v === 'pass')).toHaveLength(20);
    expect(g.counts.limited).toBe(30);
    now += 1000;
    expect(g.check(request('OPTIONS')).action).toBe('pass');
  });
});

describe('stream framing (RFC 3261 §18.3, RFC 5626 §3.5.1)', () => {
  function framer(limits?: { maxHeader: number; maxBody: number }) {
    const seen: string[] = [];
    const f = new StreamFramer({ message: (m) => seen.push(m), ping: () => seen.push('PING'), pong: () => seen.push('PONG'), error: (r) => seen.push(`ERROR ${r}`) }, limits);
    return { f, seen };
  }

  it('splits messages by Content-Length across chunk boundaries, and tells pings from pongs', () => {
    const { f, seen } = framer();
    const a = request('MESSAGE', [], 'héllo');
    const all = Buffer.from(`\r\n\r\n${a}\r\n${a}`);
    for (let i = 0; i < all.length; i += 7) f.push(all.subarray(i, i + 7));
    f.push(Buffer.from('\r\n'));
    f.push(Buffer.from('X'));
    expect(seen.slice(0, 4)).toEqual(['PING', a, 'PONG', a]);
    expect(seen[4]).toBe('PONG');
  });

  it('gives up on a stream without Content-Length or with a huge one, and on endless headers', () => {
    const none = framer();
    none.f.push(Buffer.from('MESSAGE sip:a SIP/2.0\r\nVia: x\r\n\r\nbody'));
    expect(none.seen).toEqual(['ERROR no Content-Length on a stream transport']);
    const huge = framer();
    huge.f.push(Buffer.from('MESSAGE sip:a SIP/2.0\r\nContent-Length: 99999999\r\n\r\n'));
    expect(huge.seen[0]).toMatch(/over the limit/);
    const endless = framer({ maxHeader: 100, maxBody: 100 });
    endless.f.push(Buffer.from(`MESSAGE sip:a SIP/2.0\r\n${'X-A: b\r\n'.repeat(40)}`));
    expect(endless.seen).toEqual(['ERROR header section too large']);
    endless.f.push(Buffer.from('more'));
    expect(endless.seen).toHaveLength(1);
  });
});

describe('Contact rewriting', () => {
  it("puts our address into the Contact only, not into Via or the body", () => {
    const m = 'REGISTER sip:h SIP/2.0\r\nVia: SIP/2.0/UDP x.invalid;branch=z9hG4bK1;rport\r\nContact: <sip:u@x.invalid;transport=udp>;expires=60\r\nContent-Length: 9\r\n\r\nx.invalid';
    const out = withRealContact(m, 'x.invalid', '127.0.0.1:5070');
    expect(out).toContain('Via: SIP/2.0/UDP x.invalid;');
    expect(out).toContain('Contact: <sip:u@127.0.0.1:5070;transport=udp>');
    expect(out.endsWith('\r\n\r\nx.invalid')).toBe(true);
  });
});
