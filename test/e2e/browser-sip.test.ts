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
import { startBaresip, type Baresip } from '../fixtures/sip/baresip';
import { startKamailio, type Kamailio } from '../fixtures/sip/kamailio-server';
import { startChromium, type Chromium } from '../fixtures/browser/chromium';
import { openSipPhone, startPhoneServer, type SipPhone } from '../fixtures/browser/sip-phone';
import { spkiHash } from '../fixtures/browser/spki';
import type { StaticServer } from '../fixtures/browser/static-server';
import { ADDRESSES, createTestbed, type NatTestbed } from '../fixtures/nat/testbed';
import { readWav, toneLevel } from '../fixtures/media/tones';
import { stopAll, until } from '../fixtures/processes';

const PAGE_HZ = 660;
const BARESIP_HZ = 1000;
const USERS = { page: 'page-pw', baresip: 'baresip-pw' };

let bed: NatTestbed | undefined;
let kamailio: Kamailio | undefined;
let server: StaticServer | undefined;
let chromium: Chromium | undefined;
let baresip: Baresip | undefined;
let phone: SipPhone | undefined;

// cleanup first: whatever fails later, every process and namespace goes
afterAll(async () => {
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

/** baresip's recording holds the page's tone in most frames of its last 1.5 s. */
function baresipHeard(wav: string): void {
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
  baresipHeard(await theirs.recorded());
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
  baresipHeard(await call.recorded());
}, 60000);

// Confab with ICE/DTLS-SRTP on SIP (plugin-sip on confab-media's webrtc transport) has not landed
// yet (no such commit in `git log -- packages/plugin-sip`): these wait for it.
it.todo('the page calls a Confab SIP account with media-encryption dtls-srtp: the page hears Confab, Confab records the page');
it.todo('Confab calls the page: audio verified at both ends');
it.todo('a video call between Confab and the page: frames decoded by Confab (Stats video-frames-decoded)');
