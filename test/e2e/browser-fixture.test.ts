/**
 * The headless Chromium fixture (test/fixtures/browser/chromium.ts) on its own: a page driven over
 * the DevTools pipe (script evaluated, promises awaited, CONFAB console reports read), fake capture
 * devices granted without asking, and two peer connections in the page connecting over loopback ICE
 * with DTLS (the flags that make WebRTC work offline), with no STUN server and no host names.
 */
import { startChromium, type Chromium } from '../fixtures/browser/chromium';
import { startStaticServer, type StaticServer } from '../fixtures/browser/static-server';
import { stopAll } from '../fixtures/processes';

let chromium: Chromium | undefined;
let server: StaticServer | undefined;

afterAll(async () => {
  await chromium?.stop();
  await server?.stop();
  await stopAll();
});

beforeAll(async () => {
  server = await startStaticServer({ roots: {}, pages: { '/blank.html': '<!doctype html><title>fixture</title>' } });
  chromium = await startChromium();
}, 30000);

const LOOPBACK_CALL = `(async () => {
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  for (const t of media.getTracks()) a.addTrack(t, media);
  const started = performance.now();
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  while (a.connectionState !== 'connected' || b.connectionState !== 'connected') {
    if (performance.now() - started > 10000) throw new Error('not connected: ' + a.connectionState);
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = Math.round(performance.now() - started);
  console.log('CONFAB ' + JSON.stringify({ event: 'connected', ms, sdp: a.localDescription.sdp }));
  a.close(); b.close();
  return ms;
})()`;

it('runs script in a page, reads its reports, and connects two peer connections over loopback', async () => {
  const page = await chromium!.open(`${server!.origin}/blank.html`);
  expect(await page.evaluate('document.title')).toBe('fixture');
  expect(await page.call('Math.max', 3, 7)).toBe(7);
  await expect(page.evaluate('Promise.reject(new Error("nope"))')).rejects.toThrow(/nope/);
  // nothing but the hosts named is reached: an address elsewhere fails at once (it resolves to nothing)
  await expect(page.evaluate("fetch('http://192.0.2.1/').then(() => 'reached')", 5000)).rejects.toThrow(/Failed to fetch/);
  expect(page.errors().join('\n')).toMatch(/ERR_NAME_NOT_RESOLVED/);
  const ms = await page.evaluate<number>(LOOPBACK_CALL);
  const r = await page.waitForReport<{ event: string; sdp: string }>((x) => x.event === 'connected', 1000, 'the connection');
  expect(r.sdp).toMatch(/a=fingerprint:sha-256/);
  expect(r.sdp).not.toMatch(/\.local /); // real addresses, no mDNS names
  console.log(`two peer connections in one page: ICE + DTLS connected in ${ms} ms`);
  await page.close();
  expect(server!.requests()).toContain('/blank.html');
}, 30000);
