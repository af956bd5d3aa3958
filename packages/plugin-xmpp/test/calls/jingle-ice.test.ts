jest.mock('@xmpp/client', () => ({ xml: require('ltx').createElement }));
import type { LocalDescription } from '@confab/media';
import { answerContents, asParsedSdp, offerContents, peerTransportOf, readContents, transportKindOf } from '../../src/calls/jingle-contents';
import { iceServersOf } from '../../src/calls/external-services';
import { readIceUdp, MAX_ICE_CANDIDATES } from '../../src/calls/ice-udp';
import { MalformedJingle } from '../../src/calls/rtp-description';
import { MAX_REMOTE_CANDIDATES, MAX_WAIT_MS, QUIET_MS, RemoteCandidates } from '../../src/calls/trickle';
import { webrtcAnswer } from '../../src/calls/webrtc-negotiation';
import { stanza } from '../stanzas';

const FP = Array.from({ length: 32 }, (_, i) => (i * 7 % 256).toString(16).padStart(2, '0').toUpperCase()).join(':');
const host = (port: number) => ({ foundation: '1', component: 1, protocol: 'udp', priority: 2130706431, address: '127.0.0.1', port, type: 'host' as const });
const LOCAL: LocalDescription = {
  transport: 'webrtc', address: '127.0.0.1', port: 40000, rtcpPort: 40000, rtcpMux: true,
  codecs: [{ name: 'opus', pt: 111, clockRate: 48000, channels: 2, fmtp: 'useinbandfec=1' }],
  ice: { ufrag: 'abcd', pwd: 'abcdefghijklmnopqrstuvwx', candidates: [host(40000)] },
  dtls: { fingerprint: { hash: 'sha-256', value: FP }, setup: 'actpass' },
};
const ids = (m: string, n: number) => `c${m}${n}`;
const ICE = "xmlns='urn:xmpp:jingle:transports:ice-udp:1'";
const transport = (inner: string, attrs = "ufrag='wxyz' pwd='0123456789012345678901'") => stanza(`<transport ${ICE} ${attrs}>${inner}</transport>`);
const cand = (port: string, extra = '') => `<candidate component='1' foundation='f1' generation='0' id='x' ip='127.0.0.1' network='0' port='${port}' priority='2122260223' protocol='udp' type='host'${extra}/>`;

describe('XEP-0176 ICE-UDP and XEP-0320 DTLS in Jingle contents', () => {
  it('writes our offer with credentials, candidates and the fingerprint, and reads it back as the webrtc transport', () => {
    const contents = offerContents(LOCAL, 'sendrecv', 'initiator', ids);
    const text = contents.map(String).join('');
    expect(text).toContain(`<transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="abcd" pwd="abcdefghijklmnopqrstuvwx"><fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256" setup="actpass">${FP}</fingerprint>`);
    expect(text).toContain('<candidate component="1" foundation="1" generation="0" id="caudio1" ip="127.0.0.1" network="0" port="40000" priority="2130706431" protocol="udp" type="host"/>');
    const read = readContents(stanza(`<jingle xmlns='urn:xmpp:jingle:1'>${text}</jingle>`));
    expect(transportKindOf(read)).toBe('webrtc');
    expect(peerTransportOf(read)).toEqual({ ice: { ufrag: 'abcd', pwd: 'abcdefghijklmnopqrstuvwx', candidates: [host(40000)] }, dtls: LOCAL.dtls, complete: false });
  });

  it('answers a browser-like offer (no candidates yet, telephone-event, rtcp-fb/hdrext) with Opus only and the trickled candidates', () => {
    const offer = readContents(stanza(`<jingle xmlns='urn:xmpp:jingle:1'><content creator='initiator' name='0'>
      <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='111' name='opus' clockrate='48000' channels='2'><parameter name='minptime' value='10'/>
        <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='transport-cc'/></payload-type><payload-type id='126' name='telephone-event' clockrate='8000'/>
        <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='1' uri='urn:ietf:params:rtp-hdrext:ssrc-audio-level'/><rtcp-mux/></description>
      <transport ${ICE} ufrag='wxyz' pwd='0123456789012345678901'><fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='actpass'>${FP.toLowerCase()}</fingerprint></transport></content>
      <group xmlns='urn:xmpp:jingle:apps:grouping:0' semantics='BUNDLE'><content name='0'/></group></jingle>`));
    const peer = peerTransportOf(offer)!;
    expect(peer.dtls).toEqual({ fingerprint: { hash: 'sha-256', value: FP }, setup: 'actpass' });
    const parsed = asParsedSdp(offer, 'initiator', 's');
    expect(parsed.audio).toMatchObject({ address: '0.0.0.0', port: 9 });
    const answer = webrtcAnswer(parsed, '127.0.0.1', false, peer, [host(5000)]);
    expect(answer.remote).toMatchObject({ rtcpMux: true, codecs: [{ name: 'opus', pt: 111 }], ice: { ufrag: 'wxyz', candidates: [host(5000)] }, dtls: { setup: 'actpass' } });
    expect(answer.choice.codecs.map((c) => c.name)).toEqual(['opus']);
    const local = { ...LOCAL, dtls: { ...LOCAL.dtls!, setup: 'active' as const } };
    const text = answerContents(offer, local, answer.choice, ids).map(String).join('');
    expect(text).toMatch(/^<content creator="initiator" name="0" senders="both">.*setup="active"/);
  });

  it('skips TCP and mDNS candidates, refuses malformed and oversized transports (bad-request)', () => {
    const t = readIceUdp(transport(cand('5000') + cand('5001', " protocol='tcp'").replace("protocol='udp' ", '') + cand('5002').replace("ip='127.0.0.1'", "ip='abc.local'") + '<gathering-complete/>'));
    expect(t.candidates.map((c) => c.port)).toEqual([5000]);
    expect(t.complete).toBe(true);
    expect(() => readIceUdp(transport(cand('70000')))).toThrow(MalformedJingle);
    expect(() => readIceUdp(transport(cand('5000', " type='magic'").replace("type='host'", '')))).toThrow(MalformedJingle);
    expect(() => readIceUdp(transport(cand('5000'), "ufrag='a b' pwd='x'"))).toThrow(MalformedJingle);
    expect(() => readIceUdp(transport(Array.from({ length: MAX_ICE_CANDIDATES + 1 }, (_, i) => cand(String(5000 + i))).join('')))).toThrow(MalformedJingle);
    expect(() => readIceUdp(transport("<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='actpass'>AB:CD</fingerprint>"))).toThrow(MalformedJingle);
    expect(() => readIceUdp(transport(`<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='sideways'>${FP}</fingerprint>`))).toThrow(MalformedJingle);
  });
});

describe('trickled candidates (XEP-0176 §5.3) collected for the description', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('applies a description that has candidates at once; later ones are late', async () => {
    const r = new RemoteCandidates();
    await expect(r.settle([host(1)])).resolves.toEqual([host(1)]);
    expect(r.add([host(2)])).toBe('late');
  });

  it('waits for the trickle: QUIET_MS after the last candidate, or gathering-complete, at most MAX_WAIT_MS', async () => {
    const r = new RemoteCandidates();
    r.add([host(1)]);
    const p = r.settle([]);
    jest.advanceTimersByTime(QUIET_MS - 10);
    r.add([host(2)]);
    jest.advanceTimersByTime(QUIET_MS + 10);
    await expect(p).resolves.toEqual([host(1), host(2)]);

    const c = new RemoteCandidates();
    const q = c.settle([]);
    c.add([host(3)], true);
    await expect(q).resolves.toEqual([host(3)]);

    const none = new RemoteCandidates();
    const n = none.settle([]);
    jest.advanceTimersByTime(MAX_WAIT_MS + 1);
    await expect(n).resolves.toEqual([]); // the peer's checks make peer-reflexive candidates (RFC 8445 §7.3.1.3)
  });

  it('bounds a session\'s candidates', () => {
    const r = new RemoteCandidates();
    expect(r.add(Array.from({ length: MAX_REMOTE_CANDIDATES }, (_, i) => host(1000 + i)))).toBe('taken');
    expect(r.add([host(9)])).toBe('too-many');
  });
});

describe('XEP-0215 external services → ICE servers', () => {
  it('maps stun/turn/turns with credentials and the first expiry; skips what it cannot use', () => {
    const s = stanza(`<services xmlns='urn:xmpp:extdisco:2'>
      <service type='stun' host='127.0.0.1' port='3478' transport='udp'/>
      <service type='turn' host='turn.example.org' port='3478' transport='udp' username='u' password='p' expires='2030-01-01T00:00:00Z'/>
      <service type='turns' host='::1' port='5349' transport='tcp' username='u' password='p'/>
      <service type='turn' host='nocreds.example.org' port='3478'/>
      <service type='ftp' host='x'/><service type='stun' host='bad host'/></services>`);
    const { servers, expires } = iceServersOf(s, 0);
    expect(servers).toEqual([
      { urls: ['stun:127.0.0.1:3478'] },
      { urls: ['turn:turn.example.org:3478?transport=udp'], username: 'u', credential: 'p' },
      { urls: ['turns:[::1]:5349?transport=tcp'], username: 'u', credential: 'p' },
    ]);
    expect(expires).toBe(Date.parse('2030-01-01T00:00:00Z'));
    expect(iceServersOf(undefined).servers).toEqual([]);
  });
});
