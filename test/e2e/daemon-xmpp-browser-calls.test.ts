/**
 * A browser XMPP client (issue 19): StanzaJS 12 in a page of headless Chromium
 * (test/fixtures/browser/stanza/xmpp-phone.html), over WebSocket (RFC 7395, prosody's mod_websocket)
 * to prosody on 127.0.0.1, calling and called by Confab: XEP-0353 Jingle Message Initiation, then
 * XEP-0166/0167 with XEP-0176 ICE-UDP (StanzaJS trickles its candidates; Confab gathers fully),
 * XEP-0320 DTLS-SRTP, XEP-0338 BUNDLE, Opus, on Chromium's WebRTC and confab-media's webrtc transport.
 * Each end finds the other's tone: the page with a WebAudio AnalyserNode on the remote stream, Confab
 * in its `speaker: file:` recording. Hang-up from each side, reject from each side, and a page that
 * signals a fingerprint its certificate does not have (Confab ends the call media-security).
 * Figures (printed, in test/artifacts/xmpp-browser-calls.json): propose → the page hears Confab.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { xmppAccount } from '../fixtures/accounts';
import { ConfabCalls, recorded } from '../fixtures/browser/confab-call';
import { startChromium, type Chromium } from '../fixtures/browser/chromium';
import type { StaticServer } from '../fixtures/browser/static-server';
import { openXmppPhone, startXmppPhoneServer, type XmppPhone } from '../fixtures/browser/stanza/xmpp-phone';
import { REPO_ROOT } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { toneLevel } from '../fixtures/media/tones';
import { tempDir, until } from '../fixtures/processes';
import { startProsody, type Prosody } from '../fixtures/xmpp/prosody';

const CONFAB_HZ = 440;
const PAGE_HZ = 1000;

describe('Jingle calls between Confab and StanzaJS in headless Chromium', () => {
  const { d, use } = withDaemon({ config: JSON.stringify({ secretStore: 'file', logLevel: 'debug', calls: { ringTimeoutMs: 30000 } }) });
  let xmpp: Prosody;
  let chromium: Chromium;
  let server: StaticServer;
  let phone: XmppPhone;
  let confab: ConfabCalls;
  const dir = tempDir('xmpp-browser-');
  let n = 0;
  const wavPath = () => join(dir.path, `confab-${++n}.wav`);
  const figures: Record<string, number> = {};
  const mediaSessions = async () => ((await d.client.getProxyObject('im.confab.Media1', '/im/confab/Media1/sessions')) as unknown as { nodes: string[] }).nodes.length;
  /** When the page first hears `hz` (200 ms windows), as Date.now(). */
  const pageHears = (hz: number) => until(async () => ((await phone.level(hz, 200)).snrDb > 20 ? Date.now() : undefined), 15000, `the page to hear ${hz} Hz`);
  const confabHeard = async (wav: string, hz: number) => {
    await recorded(wav, hz);
    let from = 0;
    for (; from < 20; from += 0.25) if (toneLevel(wav, hz, { fromS: from, toS: from + 0.25 }).present > 0.5) break; // ICE + DTLS first
    const l = toneLevel(wav, hz, { fromS: from + 0.5 });
    expect({ present: l.present > 0.9, snr: l.snrDb > 25, l }).toEqual({ present: true, snr: true, l });
  };
  const pageStatsOk = async () => {
    const s = await phone.stats();
    expect(s).toMatchObject({ connectionState: 'connected', dtlsState: 'connected', audio: { codecIn: 'audio/opus/48000/2', codecOut: 'audio/opus/48000/2' } });
    expect(s?.pair?.remote?.address).toBe('127.0.0.1'); // confab-media's one candidate (its session's address); the page's own may be any of this machine's
  };

  beforeAll(async () => {
    xmpp = use(await startProsody({ websocket: true }));
    xmpp.register('alice', 'alice-pw');
    xmpp.register('carol', 'carol-pw');
    const alice = await d.createAccount('xmpp', 'alice', xmppAccount('alice@localhost', 'alice-pw', xmpp), { connected: true });
    confab = new ConfabCalls(d, alice);
    server = use(await startXmppPhoneServer());
    chromium = use(await startChromium());
    phone = await openXmppPhone(chromium, server.origin, { websocketUrl: xmpp.websocketUrl!, jid: 'carol@localhost', password: 'carol-pw', toneHz: PAGE_HZ });
    await new Promise((r) => setTimeout(r, 1500)); // presences out: proposes to the bare JIDs reach both
  });
  afterAll(() => {
    mkdirSync(join(REPO_ROOT, 'test', 'artifacts'), { recursive: true });
    writeFileSync(join(REPO_ROOT, 'test', 'artifacts', 'xmpp-browser-calls.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`xmpp-browser-calls figures (ms): ${JSON.stringify(figures)}`);
    dir.remove();
  });

  it('Confab calls the page: JMI propose, the page proceeds, Jingle over ICE + DTLS-SRTP with Opus; each hears the other; Confab hangs up', async () => {
    const wav = wavPath();
    const mark = phone.mark();
    const out = await confab.place('carol@localhost', CONFAB_HZ, wav);
    const incoming = await phone.next(mark, (r) => r.event === 'incoming', 'the propose in the page');
    expect(incoming.from).toMatch(/^alice@localhost\//);
    await confab.stateIs(out, 'ringing');
    await phone.answer();
    await confab.stateIs(out, 'active');
    figures['confab-to-page: propose -> page hears Confab'] = (await pageHears(CONFAB_HZ)) - incoming.at;
    await pageStatsOk();
    const stats = await confab.stats(out, (s) => s.encryption === 'dtls-srtp', 'Stats with DTLS-SRTP');
    expect(stats.codec).toBe('opus');
    await new Promise((r) => setTimeout(r, 2000));
    const m2 = phone.mark();
    await (await confab.call(out)).Hangup();
    await confab.stateIs(out, 'ended', 'hangup');
    await phone.next(m2, (r) => r.event === 'session' && r.state === 'terminated', 'the page to see the terminate');
    await confabHeard(wav, PAGE_HZ);
    await until(async () => (await mediaSessions()) === 0, 5000, 'no media session left');
  });

  it('the page calls Confab: Confab rings and answers (proceed, then StanzaJS\'s trickled ICE); each hears the other; the page hangs up', async () => {
    const wav = wavPath();
    const mark = phone.mark();
    await phone.call('alice@localhost');
    const proposed = await phone.next(mark, (r) => r.event === 'proposed', 'the propose');
    const inc = await confab.nextIncoming();
    expect(await confab.prop(inc, 'Peer')).toBe('carol@localhost');
    await confab.accept(inc, CONFAB_HZ, wav);
    await confab.stateIs(inc, 'active');
    figures['page-to-confab: propose -> page hears Confab'] = (await pageHears(CONFAB_HZ)) - proposed.at;
    await pageStatsOk();
    await confab.stats(inc, (s) => s.encryption === 'dtls-srtp', 'Stats with DTLS-SRTP');
    await new Promise((r) => setTimeout(r, 2000));
    await phone.hangup();
    await confab.stateIs(inc, 'ended', 'remote-hangup');
    await confabHeard(wav, PAGE_HZ);
    await until(async () => (await mediaSessions()) === 0, 5000, 'no media session left');
  });

  it('rejects from each side: the page rejects Confab\'s call (declined), Confab rejects the page\'s (the page sees the JMI reject)', async () => {
    let mark = phone.mark();
    const out = await confab.place('carol@localhost', CONFAB_HZ, wavPath());
    await phone.next(mark, (r) => r.event === 'incoming', 'the propose in the page');
    await phone.reject();
    await confab.stateIs(out, 'ended', 'declined');

    mark = phone.mark();
    const sid = await phone.call('alice@localhost');
    const inc = await confab.nextIncoming();
    await (await confab.call(inc)).Reject('declined');
    await confab.stateIs(inc, 'ended', 'declined');
    await phone.next(mark, (r) => r.event === 'jmi' && r.kind === 'reject' && r.sid === sid, 'the reject in the page');
    await until(async () => (await mediaSessions()) === 0, 5000, 'no media session left');
  });

  it('a page that signals a fingerprint its certificate does not have (XEP-0320): Confab ends the call media-security, nothing is played', async () => {
    const mark = phone.mark();
    await phone.call('alice@localhost', { badFingerprint: true });
    const inc = await confab.nextIncoming();
    await confab.accept(inc, CONFAB_HZ, wavPath());
    await confab.stateIs(inc, 'ended', 'media-security', 20000);
    const end = await phone.next(mark, (r) => r.event === 'session' && r.state === 'terminated', 'the page to see the terminate');
    expect(end.reason).toBe('security-error');
    await until(async () => (await mediaSessions()) === 0, 5000, 'no media session left');
    expect(await d.accountProp(confab.account, 'Status')).toBe('connected');
  });
});
