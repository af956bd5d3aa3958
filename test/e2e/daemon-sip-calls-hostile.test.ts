/**
 * Hostile calls to a Confab SIP account (issue 16), from a raw UDP caller through kamailio
 * (test/fixtures/sip/raw-uac.ts): malformed, oversized and unknown-codec offers are refused (400,
 * 488) without ringing; an offer pointing RTP at a port nobody listens on still makes a call that
 * ends cleanly; garbage datagrams and RTP with strange SSRCs, sequence numbers and truncated headers
 * sent to the call's media port crash nothing; a far end that never sends RTP is hung up after
 * `rtp-timeout`; afterwards confab-media holds no session and no
 * pipeline (GetDiagnostics), and the account is still connected and places calls.
 * ICE + DTLS-SRTP (RFC 5763 § 5): an offer that cannot be kept encrypted (a sha-1 fingerprint only,
 * ICE without a fingerprint) gets 488 with a Warning; a peer whose `a=fingerprint` matches no
 * certificate it shows — a second confab-media session, its fingerprint swapped in the INVITE —
 * gets an answer, but the call ends `media-security` once DTLS ran, never in clear.
 */
import dbus from 'dbus-next';
import { randomBytes } from 'node:crypto';
import { sipAccount } from '../fixtures/accounts';
import { v } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startKamailio, type Kamailio } from '../fixtures/sip/kamailio-server';
import { RawUac } from '../fixtures/sip/raw-uac';
import { freePort, until } from '../fixtures/processes';
import { MediaClient, parseSdp } from '../../packages/media/src';
import { readTransport, writeWebRtcSdp } from '../../packages/plugin-sip/src/calls/sdp-webrtc';

const CALL = 'im.confab.Confab1.Call';
const OM = 'org.freedesktop.DBus.ObjectManager';

const sdp = (port: number, formats: string, rtpmaps: string[], extra: string[] = []) => [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP ${formats}`, ...rtpmaps, ...extra, 'a=sendrecv', '',
].join('\n');

describe('hostile calls to a Confab SIP account', () => {
  const { d, use } = withDaemon();
  let k: Kamailio;
  let alice: string;
  let uac: RawUac;

  const calls = async () => {
    const objects = (await (await d.object('/im/confab/Confab1')).getInterface(OM).GetManagedObjects()) as Record<string, Record<string, unknown>>;
    return Object.keys(objects).filter((p) => objects[p]![CALL]);
  };
  const diagnostics = async () => {
    const media = await d.client.getProxyObject('im.confab.Media1', '/im/confab/Media1');
    const dict = (await media.getInterface('im.confab.Media1.Manager').GetDiagnostics()) as Record<string, InstanceType<typeof dbus.Variant>>;
    return { sessions: Number(dict.sessions!.value), pipelines: Number(dict.pipelines!.value) };
  };
  const statuses = (rs: ReadonlyArray<{ status: number }>) => rs.map((r) => r.status);

  beforeAll(async () => {
    k = use(await startKamailio({ users: { alice: 'alice-pw' }, presence: 'none' }));
    alice = await d.createAccount('sip', 'alice', sipAccount('alice', 'alice-pw', k.udpPort, 'udp', { 'rtp-timeout': 4 }), { connected: true });
    uac = use(await RawUac.open(k.udpPort));
  });

  it('refuses malformed, oversized and unknown-codec offers with 400 or 488, before anything rings', async () => {
    const before = await calls();
    const dead = await freePort();
    const cases: Array<[string, string, number]> = [
      ['not SDP at all', 'hello\nworld\n', 400],
      ['an m= line that is not one', 'v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio notaport RTP/AVP x\n', 400],
      ['a port out of range', sdp(70000, '0', ['a=rtpmap:0 PCMU/8000']), 400],
      ['an address that is not one', sdp(dead, '0', ['a=rtpmap:0 PCMU/8000']).replace('c=IN IP4 127.0.0.1', 'c=IN IP4 999.1.1.1'), 400],
      ['only codecs nobody knows', sdp(dead, '96 97', ['a=rtpmap:96 NOTACODEC/8000', 'a=rtpmap:97 G729/8000']), 488],
      ['no audio at all', sdp(dead, '0', ['a=rtpmap:0 PCMU/8000']).replace('m=audio', 'm=text'), 488],
      ['an SDP of 20 KB', sdp(dead, '0', ['a=rtpmap:0 PCMU/8000'], Array.from({ length: 400 }, (_x, i) => `a=x-filler-${i}:${'z'.repeat(40)}`)), 400],
    ];
    const got: Array<[string, number[]]> = [];
    for (const [what, body] of cases) got.push([what, statuses(await uac.invite('alice@127.0.0.1', body))]);
    expect(got.map(([what, s]) => [what, s.filter((x) => x >= 180)])).toEqual(cases.map(([what, , status]) => [what, [status]]));
    expect(await calls()).toEqual(before); // nothing rang, nothing is stored as a call
  });

  it('a call whose RTP points nowhere, flooded with garbage at its media port, ends cleanly; no session or pipeline is left', async () => {
    const dead = await freePort();
    const offer = sdp(dead, '0 101', ['a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15']);
    const before = new Set(await calls());
    const answered = uac.invite('alice@127.0.0.1', offer, 20_000);
    const path = await until(async () => (await calls()).find((p) => !before.has(p)), 10_000, 'the call to ring');
    await (await d.object(path)).getInterface(CALL).Accept({ microphone: v('s', 'tone:440'), speaker: v('s', 'none') });
    const responses = await answered;
    const ok = responses.find((r) => r.status === 200)!;
    expect(ok).toBeDefined();
    const port = Number(/m=audio (\d+)/.exec(ok.body)?.[1]);
    expect(port).toBeGreaterThan(0);
    await until(async () => (await d.prop(path, CALL, 'State')) === 'active', 10_000, 'the call to be active');

    // Garbage (RFC 3550 §5.1 headers that lie), from a socket that is not the peer's and from its own.
    const rtp = (ssrc: number, seq: number, pt: number, payload: Buffer) => {
      const h = Buffer.alloc(12);
      h[0] = 0x80;
      h[1] = pt;
      h.writeUInt16BE(seq & 0xffff, 2);
      h.writeUInt32BE((seq * 160) >>> 0, 4);
      h.writeUInt32BE(ssrc >>> 0, 8);
      return Buffer.concat([h, payload]);
    };
    for (let i = 0; i < 200; i++) {
      const kind = i % 5;
      const packet = kind === 0 ? randomBytes(1 + (i % 1400))
        : kind === 1 ? rtp(randomBytes(4).readUInt32BE(0), randomBytes(2).readUInt16BE(0), 0, randomBytes(160))
        : kind === 2 ? randomBytes(i % 12) // shorter than an RTP header
        : kind === 3 ? rtp(0x1234, i, 127, randomBytes(40)) // a payload type nobody agreed
        : Buffer.concat([Buffer.from([0x81, 200, 0, 60]), randomBytes(100)]); // an RTCP SR whose length lies
      await uac.sendTo(port, packet);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await d.prop(path, CALL, 'State')).toBe('active');
    expect(await uac.bye()).toBe(200);
    await until(async () => (await d.prop(path, CALL, 'State')) === 'ended', 10_000, 'the call to end');
    expect(await d.prop(path, CALL, 'EndReason')).toBe('remote-hangup');
    await until(async () => (await diagnostics()).sessions === 0 && (await diagnostics()).pipelines === 0, 10_000, 'confab-media to hold nothing');
  });

  it('a call whose far end never sends RTP ends media-failed after rtp-timeout, with a BYE', async () => {
    const dead = await freePort();
    const before = new Set(await calls());
    const answered = uac.invite('alice@127.0.0.1', sdp(dead, '0', ['a=rtpmap:0 PCMU/8000']), 20_000);
    const path = await until(async () => (await calls()).find((p) => !before.has(p)), 10_000, 'the call to ring');
    await (await d.object(path)).getInterface(CALL).Accept({ microphone: v('s', 'tone:440'), speaker: v('s', 'none') });
    expect(statuses(await answered)).toContain(200);
    await until(async () => (await d.prop(path, CALL, 'State')) === 'ended', 15_000, 'the silent call to end');
    expect([await d.prop(path, CALL, 'EndReason'), await d.prop(path, CALL, 'EndDetail')]).toEqual(['media-failed', expect.stringMatching(/no RTP from the peer for 4 s/)]);
    await until(() => uac.requests.includes('BYE'), 5_000, 'the BYE to the silent peer');
    await until(async () => (await diagnostics()).sessions === 0, 10_000, 'the session to be closed');
  });

  it('an ICE offer that cannot be kept encrypted (sha-1 only, no fingerprint) gets 488 with a Warning, before anything rings', async () => {
    const before = await calls();
    const dead = await freePort();
    const ice = ['a=ice-ufrag:mallory1', 'a=ice-pwd:mallorymallorymallory123', `a=candidate:1 1 udp 2130706431 127.0.0.1 ${dead} typ host`, 'a=end-of-candidates', 'a=rtcp-mux', 'a=setup:actpass'];
    const fp = (hash: string, bytes: number) => `a=fingerprint:${hash} ${Array.from({ length: bytes }, (_x, i) => (i * 7 % 256).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
    const offer = (extra: string[]) => sdp(dead, '0', ['a=rtpmap:0 PCMU/8000'], [...ice, ...extra]).replace('RTP/AVP', 'UDP/TLS/RTP/SAVPF');
    const cases: Array<[string, string, RegExp]> = [
      ['a sha-1 fingerprint only', offer([fp('sha-1', 20)]), /^Warning: 302 \S+ "fingerprint hash sha-1: only sha-256 is taken/m],
      ['ICE without a fingerprint', offer([]), /^Warning: 302 \S+ "no a=fingerprint/m],
    ];
    for (const [what, body, warning] of cases) {
      const final = (await uac.invite('alice@127.0.0.1', body)).filter((r) => r.status >= 180);
      expect([what, final.map((r) => r.status)]).toEqual([what, [488]]);
      expect(final[0]!.text).toMatch(warning);
    }
    expect(await calls()).toEqual(before);
  });

  it('a peer whose fingerprint matches no certificate it shows: answered, then ended media-security after DTLS, never in clear; nothing is left', async () => {
    // The peer is a second confab-media session (the test's own), its real ICE candidates and a
    // well-formed sha-256 fingerprint that is not its certificate's (RFC 5763 § 5: the check that must fail).
    const mc = await MediaClient.connect(d.client);
    const peer = await mc.createSession({ audio: true, video: false, transport: 'webrtc', address: '127.0.0.1', microphone: 'tone:1000' });
    let peerReason = '';
    peer.onStateChanged((state, reason) => { if (state === 'ended') peerReason = reason; });
    try {
      const local = await peer.localDescription();
      const real = local.dtls!.fingerprint.value;
      const wrong = real.replace(/^../, real.startsWith('00') ? '11' : '00');
      const codec = local.codecs.find((c) => c.name === 'PCMU') ?? local.codecs[0]!;
      const offer = writeWebRtcSdp({
        origin: { sessionId: '4242', sessionVersion: 1 }, ice: local.ice!, dtls: { fingerprint: { hash: 'sha-256', value: wrong }, setup: 'actpass' },
        profile: 'UDP/TLS/RTP/SAVPF', codecs: [codec], direction: 'sendrecv',
      });
      expect(offer).toMatch(/^a=candidate:.* 127\.0\.0\.1 \d+ typ host/m);
      const before = new Set(await calls());
      const byes = uac.requests.filter((m) => m === 'BYE').length;
      const answered = uac.invite('alice@127.0.0.1', offer, 20_000);
      const path = await until(async () => (await calls()).find((p) => !before.has(p)), 10_000, 'the call to ring');
      await (await d.object(path)).getInterface(CALL).Accept({ microphone: v('s', 'tone:440'), speaker: v('s', 'none') });
      const ok = (await answered).find((r) => r.status === 200)!;
      expect(ok).toBeDefined();
      // Confab answered encrypted (RFC 5764 § 8): never a plain RTP/AVP answer
      expect(ok.body).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF /m);
      expect(ok.body).not.toMatch(/^m=audio \d+ RTP\/AVP /m);
      const audio = parseSdp(ok.body).audio!;
      const t = readTransport(ok.body);
      expect(t.ice && t.dtls).toBeTruthy();
      const t0 = Date.now();
      await peer.setRemote({ address: audio.address, port: audio.port, rtcpMux: true, codecs: [audio.codecs.find((c) => c.pt === codec.pt) ?? codec], direction: audio.direction, ice: t.ice!, dtls: t.dtls! });
      await peer.start();
      await until(async () => (await d.prop(path, CALL, 'State')) === 'ended', 20_000, 'the call to a lying fingerprint to end');
      const took = Date.now() - t0;
      const [reason, detail] = [await d.prop(path, CALL, 'EndReason'), await d.prop(path, CALL, 'EndDetail')];
      console.log(`lying fingerprint: ended ${String(reason)} (${String(detail)}) ${took} ms after the peer started; peer session: ${peerReason || 'still up'}`);
      expect([reason, detail]).toEqual(['media-security', expect.stringMatching(/certificate does not match its fingerprint/)]);
      expect(took).toBeLessThan(15_000);
      await until(() => uac.requests.filter((m) => m === 'BYE').length > byes, 5_000, 'the BYE to the lying peer');
    } finally {
      await peer.close().catch(() => undefined);
    }
    await until(async () => (await diagnostics()).sessions === 0 && (await diagnostics()).pipelines === 0, 10_000, 'confab-media to hold nothing');
    expect(await d.accountProp(alice, 'Status')).toBe('connected'); // confabd still answers
  }, 60_000);

  it('after all that, the account is still connected and still places calls', async () => {
    expect((await diagnostics()).sessions).toBe(0);
    const path = (await (await d.manager()).StartCall(alice, 'nobody@127.0.0.1', {})) as string;
    await until(async () => (await d.prop(path, CALL, 'State')) === 'ended', 10_000, 'a call to nobody to end');
    expect(await d.prop(path, CALL, 'EndReason')).toBe('unreachable');
    expect(await d.accountProp(alice, 'Status')).toBe('connected');
  });
});
