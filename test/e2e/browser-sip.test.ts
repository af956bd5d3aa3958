/**
 * A browser peer (issue 18): headless Chromium running sip.js 0.21 in a page (test/fixtures/browser/
 * sip-phone.html) over secure WebSocket to kamailio, with the browser's own WebRTC (ICE, DTLS-SRTP,
 * Opus, rtcp-mux), calling and called by baresip 1.0 with its ice, dtls_srtp and opus modules over
 * UDP. Each end finds the other's tone: the page with a WebAudio AnalyserNode on the remote stream,
 * baresip in its recording of what it decoded.
 *
 * Where: the NAT test bed's namespaces in its no-NAT case (docs/nat-testbed.md), because baresip's ICE
 * skips loopback addresses (shared/notes/real-peers.md): Chromium in `left` (198.18.1.2, the page
 * served into that namespace by socat), baresip in `right` (198.18.2.2), kamailio in the public one
 * (198.18.0.2: UDP 5060, WSS 8443 with a self-signed certificate Chromium trusts by its key's hash).
 * Chromium resolves nothing but 127.0.0.1 and kamailio's address; the page has no STUN server.
 */
import { join } from 'node:path';
import { startBaresip, type Baresip } from '../fixtures/sip/baresip';
import { ConfabCalls, recorded } from '../fixtures/browser/confab-call';
import { DaemonFixture } from '../fixtures/confabd';
import { startKamailio, type Kamailio } from '../fixtures/sip/kamailio-server';
import { startChromium, type Chromium } from '../fixtures/browser/chromium';
import { openSipPhone, startPhoneServer, type SipPhone } from '../fixtures/browser/sip-phone';
import { spkiHash } from '../fixtures/browser/spki';
import type { StaticServer } from '../fixtures/browser/static-server';
import { ADDRESSES, createTestbed, type NatTestbed } from '../fixtures/nat/testbed';
import { readWav, toneLevel } from '../fixtures/media/tones';
import { stopAll, tempDir, until } from '../fixtures/processes';

const PAGE_HZ = 660;
const BARESIP_HZ = 1000;
const CONFAB_HZ = 880;
const USERS = { page: 'page-pw', baresip: 'baresip-pw', confab: 'confab-pw' };
const CONFIG = JSON.stringify({ secretStore: 'file', logLevel: 'debug', calls: { ringTimeoutMs: 30000 } });

let bed: NatTestbed | undefined;
let kamailio: Kamailio | undefined;
let server: StaticServer | undefined;
let chromium: Chromium | undefined;
let baresip: Baresip | undefined;
let phone: SipPhone | undefined;
let daemon: DaemonFixture | undefined;
let confab: ConfabCalls | undefined;
const dir = tempDir('browser-sip-');
let n = 0;
const wavPath = () => join(dir.path, `confab-${++n}.wav`);

// cleanup first: whatever fails later, every process and namespace goes
afterAll(async () => {
  await daemon?.stop().catch(() => undefined);
  await baresip?.stop();
  await chromium?.stop();
  await server?.stop();
  await stopAll();
  await bed?.destroy();
});

beforeAll(async () => {
  bed = createTestbed();
  kamailio = await startKamailio({
    users: USERS, presence: 'none', natAlias: true, address: ADDRESSES.sip, netns: bed.ns.pub, ports: { udp: 5060, tcp: 5060, ws: 8080, tls: 5061, wss: 8443 },
  });
  server = await startPhoneServer();
  await server.exposeIn(bed.ns.left);
  chromium = await startChromium({ netns: bed.ns.left, loopbackIce: false, hosts: ['127.0.0.1', ADDRESSES.sip], trustSpki: [spkiHash(kamailio.caFile)] });
  baresip = await startBaresip({
    user: 'baresip', password: USERS.baresip, domain: ADDRESSES.sip, proxyPort: kamailio.udpPort, address: ADDRESSES.right, netns: bed.ns.right,
    medianat: 'ice', mediaenc: 'dtls_srtp', rtcpMux: true, audioCodecs: ['opus/48000/2'], play: { sineHz: BARESIP_HZ }, verbose: true,
  });
  // confabd (and the confab-media it starts) in the right namespace too, beside baresip
  daemon = await DaemonFixture.start({ netns: bed.ns.right, config: CONFIG });
  const account = await daemon.createAccount('sip', 'confab', {
    uri: `confab@${ADDRESSES.sip}`, password: USERS.confab, server: ADDRESSES.sip, port: kamailio.udpPort, transport: 'udp', 'media-encryption': 'dtls-srtp',
  }, { connected: true });
  confab = new ConfabCalls(daemon, account);
  phone = await openSipPhone(chromium, server.origin, {
    server: `wss://${ADDRESSES.sip}:${kamailio.wssPort}`, domain: ADDRESSES.sip, user: 'page', password: USERS.page, toneHz: PAGE_HZ,
  });
}, 60000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the page's call is connected (ICE + DTLS), has audio packets, and hears `hz` well above its floor: the times from `t0`. */
async function pageHears(hz: number, t0: number): Promise<string> {
  const times: Record<string, number> = {};
  await until(async () => {
    const s = await phone!.stats();
    if (s?.connectionState === 'connected') times.connected ??= Date.now() - t0;
    if ((s?.audio.packetsReceived ?? 0) > 0) times.firstAudio ??= Date.now() - t0;
    return times.firstAudio !== undefined;
  }, 20000, 'audio packets in the page', 20);
  await until(async () => (await phone!.level(hz, 200)).snrDb > 20, 20000, `the page to hear ${hz} Hz`, 20);
  return `connected ${times.connected ?? '?'} ms, first audio packet ${times.firstAudio} ms, tone heard ${Date.now() - t0} ms`;
}

/** A recording (baresip's, Confab's) holds the page's tone in most frames of its last 1.5 s. */
function heardInRecording(wav: string): void {
  const { rate, samples } = readWav(wav);
  const l = toneLevel(wav, PAGE_HZ, { fromS: Math.max(0.5, samples.length / rate - 1.5) });
  expect({ present: l.present > 0.9, snr: l.snrDb > 25, l }).toEqual({ present: true, snr: true, l });
}

/** The page's view of the call: ICE host pair between the two namespaces, DTLS connected, Opus both ways. */
async function pageCallIsWebrtc(): Promise<string> {
  const s = await phone!.stats();
  expect(s).toMatchObject({ connectionState: 'connected', dtlsState: 'connected', audio: { codecIn: 'audio/opus/48000/2', codecOut: 'audio/opus/48000/2' } });
  expect([s!.pair?.local?.address, s!.pair?.remote?.address]).toEqual([ADDRESSES.left, ADDRESSES.right]);
  return `${s!.pair!.local!.type} ${s!.pair!.local!.address}:${s!.pair!.local!.port} ↔ ${s!.pair!.remote!.type} ${s!.pair!.remote!.address}:${s!.pair!.remote!.port}, ${s!.srtpCipher ?? '?'}`;
}

it('the page calls baresip: each hears the other', async () => {
  await baresip!.setAnswerMode('auto');
  const mark = phone!.mark();
  const t0 = Date.now();
  await phone!.call(`sip:baresip@${ADDRESSES.sip}`);
  const theirs = await baresip!.incomingCall();
  await phone!.session('Established', mark);
  const established = Date.now() - t0;
  const heard = await pageHears(BARESIP_HZ, t0);
  const pair = await pageCallIsWebrtc();
  console.log(`page → baresip: INVITE → established ${established} ms, ${heard}; ${pair}`);
  await sleep(2000);
  const level = await phone!.level(BARESIP_HZ);
  expect(level.snrDb).toBeGreaterThan(20);
  await phone!.hangup();
  await phone!.session('Terminated', mark);
  heardInRecording(await theirs.recorded());
}, 60000);

it('baresip calls the page: each hears the other', async () => {
  await baresip!.setAnswerMode('manual');
  const mark = phone!.mark();
  const t0 = Date.now();
  const call = await baresip!.dial(`sip:page@${ADDRESSES.sip}`);
  await phone!.incoming(mark);
  await phone!.answer();
  await call.reached('established', 15000);
  const established = Date.now() - t0;
  const heard = await pageHears(BARESIP_HZ, t0);
  const pair = await pageCallIsWebrtc();
  console.log(`baresip → page: INVITE → established ${established} ms (answered at once), ${heard}; ${pair}`);
  await sleep(2000);
  await baresip!.hangup();
  await phone!.session('Terminated', mark);
  heardInRecording(await call.recorded());
}, 60000);

describe('Confab (media-encryption dtls-srtp, on confab-media\'s webrtc transport) and the browser', () => {
  it('the page calls Confab: each hears the other, DTLS-SRTP', async () => {
    const mark = phone!.mark();
    const t0 = Date.now();
    await phone!.call(`sip:confab@${ADDRESSES.sip}`);
    const path = await confab!.nextIncoming();
    const wav = wavPath();
    await confab!.accept(path, CONFAB_HZ, wav);
    await phone!.session('Established', mark);
    const established = Date.now() - t0;
    const heard = await pageHears(CONFAB_HZ, t0);
    const pair = await pageCallIsWebrtc();
    const stats = await confab!.stats(path, (x) => Number(x['packets-received'] ?? 0) > 50, 'Confab receiving audio');
    console.log(`page → Confab: INVITE → established ${established} ms (incl. the D-Bus Accept), ${heard}; ${pair}; Confab: ${String(stats.encryption)} ${String(stats.codec)}`);
    expect(stats.encryption).toBe('dtls-srtp');
    await sleep(2000);
    await phone!.hangup();
    await confab!.stateIs(path, 'ended', 'remote-hangup');
    await recorded(wav, PAGE_HZ);
    heardInRecording(wav);
  }, 60000);

  it('Confab calls the page: each hears the other', async () => {
    const mark = phone!.mark();
    const wav = wavPath();
    const t0 = Date.now();
    const path = await confab!.place(`page@${ADDRESSES.sip}`, CONFAB_HZ, wav);
    await phone!.incoming(mark);
    await phone!.answer();
    await confab!.stateIs(path, 'active');
    const established = Date.now() - t0;
    const heard = await pageHears(CONFAB_HZ, t0);
    const pair = await pageCallIsWebrtc();
    console.log(`Confab → page: StartCall → active ${established} ms (answered at once), ${heard}; ${pair}`);
    await sleep(2000);
    await (await confab!.call(path)).Hangup();
    await phone!.session('Terminated', mark);
    await recorded(wav, PAGE_HZ);
    heardInRecording(wav);
  }, 60000);

  // plugin-sip answers a video line with port 0 on ICE/DTLS-SRTP calls for now ("video is not carried
  // on this transport by SIP yet", webrtc-sdh.ts; RFC 3264 § 6), though confab-media's webrtc
  // transport carries VP8: what holds today is that the browser's video offer leaves an audio call.
  it('a video call from the page: Confab refuses the video (m=video port 0) and the audio goes on both ways', async () => {
    const mark = phone!.mark();
    await phone!.call(`sip:confab@${ADDRESSES.sip}`, { video: true });
    const path = await confab!.nextIncoming();
    const wav = wavPath();
    await confab!.accept(path, CONFAB_HZ, wav, true);
    await phone!.session('Established', mark);
    expect(await phone!.remoteSdp()).toMatch(/\r\nm=video 0 /);
    expect(await confab!.prop(path, 'Video')).toBe(false);
    await pageHears(CONFAB_HZ, Date.now());
    await sleep(2000);
    await phone!.hangup();
    await confab!.stateIs(path, 'ended', 'remote-hangup');
    await recorded(wav, PAGE_HZ);
    heardInRecording(wav);
  }, 60000);

  it.todo('a video call with the page: Confab decodes the browser\'s VP8 frames (Stats video-frames-decoded) and the page decodes Confab\'s — once plugin-sip carries video on the webrtc transport');
});
