/**
 * The baresip fixture in calls (issue 16), before Confab's SIP calls meet it: two baresip 1.0 call
 * each other through kamailio, each playing a tone (alice 440 Hz, bob 1000 Hz) and recording what
 * it decodes; each recording must hold the other's tone (Goertzel per 20 ms frame, toneLevel) and
 * not its own. Over UDP and TCP, with G.711, opus and SDES-SRTP; rejected (486) and cancelled
 * calls, an offer without a common codec (488), hold and resume by re-INVITE, DTMF (RFC 4733),
 * auto-answer. In-dialog requests must pass through kamailio (Record-Route), which the TCP call
 * needs: a TCP client's Contact names the port of its outgoing connection.
 */
import { join } from 'node:path';
import { toneLevel, writeToneWav } from '../fixtures/media/tones';
import { startBaresip, type Baresip, type BaresipCall, type BaresipOptions } from '../fixtures/sip/baresip';
import { startKamailio, type Kamailio } from '../fixtures/sip/kamailio-server';
import { stopAll, tempDir } from '../fixtures/processes';

const USERS = { alice: 'alice-pw', bob: 'bob-pw' };
const ALICE_HZ = 440;
const BOB_HZ = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('baresip ↔ baresip calls through kamailio', () => {
  let k: Kamailio;
  let dir: string;
  let peers: Baresip[] = [];

  beforeAll(async () => {
    k = await startKamailio({ users: USERS, presence: 'none' });
    dir = tempDir('baresip-calls-').path;
    // aufile hangs the call up when its file ends: 30 s outlasts every call here
    writeToneWav(join(dir, 'alice.wav'), ALICE_HZ, 30, 8000);
    writeToneWav(join(dir, 'bob.wav'), BOB_HZ, 30, 8000);
  });
  afterEach(async () => {
    for (const p of peers) await p.stop();
    peers = [];
  });
  afterAll(async () => {
    await k?.stop();
    await stopAll();
  });

  const pair = async (o: Partial<BaresipOptions> = {}, bobOptions: Partial<BaresipOptions> = {}) => {
    const transport = o.transport ?? 'udp';
    const common = { domain: k.domain, proxyPort: transport === 'tcp' ? k.tcpPort : k.udpPort, ...o };
    const alice = await startBaresip({ user: 'alice', password: USERS.alice, play: join(dir, 'alice.wav'), ...common });
    peers.push(alice);
    const bob = await startBaresip({ user: 'bob', password: USERS.bob, play: join(dir, 'bob.wav'), ...common, ...bobOptions });
    peers.push(bob);
    return { alice, bob };
  };

  /** alice dials bob and bob answers; resolves with both ends once established. */
  const connect = async (alice: Baresip, bob: Baresip) => {
    const out = await alice.dial('sip:bob@127.0.0.1');
    const inc = await bob.incomingCall();
    expect(inc.peer).toMatch(/^sip:alice@127\.0\.0\.1/);
    await out.reached('ringing');
    if (!inc.states.includes('established')) await bob.answer();
    await Promise.all([out.reached('established'), inc.reached('established')]);
    return { out, inc };
  };

  /** The recording of `call` (at least `minFrames` of 20 ms) holds the tone `hz` and not `not` (the side's own tone). */
  const hears = async (call: BaresipCall, hz: number, not: number, minFrames = 120) => {
    const wav = await call.recorded();
    const heard = toneLevel(wav, hz);
    const own = toneLevel(wav, not);
    const detail = `${wav}: ${hz} Hz ${JSON.stringify(heard)}, ${not} Hz ${JSON.stringify(own)}`;
    expect({ detail, ok: heard.frames >= minFrames && heard.present > 0.9 && heard.snrDb > 30 }).toEqual({ detail, ok: true });
    expect({ detail, ok: own.present < 0.05 }).toEqual({ detail, ok: true });
    return heard;
  };

  /** The in-dialog requests bob received came through the proxy (kamailio's Record-Route). */
  const viaProxy = (call: BaresipCall, method: string) =>
    call.sip().filter((t) => t.startLine.startsWith(`${method} `)).map((t) => t.fromProxy);

  it('over UDP with G.711: each side hears the other’s tone; BYE ends it on both sides', async () => {
    const { alice, bob } = await pair({ audioCodecs: ['PCMU'] });
    const { out, inc } = await connect(alice, bob);
    await sleep(3000);
    await alice.hangup();
    await Promise.all([out.reached('closed'), inc.reached('closed')]);
    expect(out.states).toEqual(['ringing', 'established', 'closed']);
    expect(inc.states).toEqual(['incoming', 'established', 'closed']);
    expect(inc.closeReason).toBe('Connection reset by peer');
    expect(viaProxy(inc, 'BYE')).toEqual([true]);
    await hears(out, BOB_HZ, ALICE_HZ);
    await hears(inc, ALICE_HZ, BOB_HZ);
  });

  it('a call bob rejects ends 486 for alice; one alice cancels ends for bob by CANCEL', async () => {
    const { alice, bob } = await pair();
    const rejected = await alice.dial('sip:bob@127.0.0.1');
    const ringing = await bob.incomingCall();
    await ringing.reached('incoming');
    await bob.hangup(); // baresip 1.0 rejects with 486 "Rejected"; it cannot answer 603
    await rejected.reached('closed');
    expect(rejected.closeStatus).toBe(486);
    expect(rejected.closeReason).toBe('486 Rejected');
    expect(rejected.states).not.toContain('established');

    const cancelled = await alice.dial('sip:bob@127.0.0.1');
    const missed = await bob.incomingCall();
    await cancelled.reached('ringing');
    await alice.hangup();
    await missed.reached('closed');
    expect(viaProxy(missed, 'CANCEL')).toEqual([true]);
    expect(missed.states).toEqual(['incoming', 'closed']);
  });

  it('an offer without a codec bob takes ends 488 for alice, and bob never rings', async () => {
    const { alice, bob } = await pair({ audioCodecs: ['PCMU'] }, { audioCodecs: ['opus/48000/2'] });
    const call = await alice.dial('sip:bob@127.0.0.1');
    await call.reached('closed');
    expect(call.closeStatus).toBe(488);
    expect(bob.calls()).toEqual([]);
  });

  it('carries DTMF from alice to bob as RFC 4733 events', async () => {
    const { alice, bob } = await pair();
    const { out, inc } = await connect(alice, bob);
    await alice.sendDtmf('1234');
    await alice.sendDtmf('*#');
    await inc.receivedDtmf('1234*#');
    expect(inc.dtmf).toBe('1234*#');
    await bob.hangup();
    await out.reached('closed');
  });

  it('over TCP with opus: tones both ways; hold and resume by re-INVITE through the proxy stop and restart RTP', async () => {
    const { alice, bob } = await pair({ transport: 'tcp', audioCodecs: ['opus/48000/2'] });
    const { out, inc } = await connect(alice, bob);
    await sleep(1500); // what sndfile records: it stops at the hold
    await alice.hold();
    await sleep(300);
    const held = [await alice.rtpCounts(), await bob.rtpCounts()];
    await sleep(500);
    const stillHeld = [await alice.rtpCounts(), await bob.rtpCounts()];
    await alice.resume();
    await sleep(1000);
    const resumed = [await alice.rtpCounts(), await bob.rtpCounts()];
    await bob.hangup();
    await Promise.all([out.reached('closed'), inc.reached('closed')]);
    // bob got two re-INVITEs from the proxy: a=sendonly, then a=sendrecv (RFC 3264 §8.4)
    const reinvites = inc.sip().filter((t) => t.startLine.startsWith('INVITE ')).slice(1);
    expect(reinvites.map((t) => [t.fromProxy, /a=(sendonly|sendrecv|inactive)/.exec(t.body)?.[1]])).toEqual([[true, 'sendonly'], [true, 'sendrecv']]);
    expect(viaProxy(out, 'BYE')).toEqual([true]);
    for (const i of [0, 1]) {
      expect(stillHeld[i]!.received - held[i]!.received).toBeLessThanOrEqual(2); // 50 a second otherwise
      expect(resumed[i]!.received - stillHeld[i]!.received).toBeGreaterThan(30);
    }
    await hears(out, BOB_HZ, ALICE_HZ, 60);
    await hears(inc, ALICE_HZ, BOB_HZ, 60);
  });

  it('SDES-SRTP on both sides (mediaenc=srtp), bob answering automatically and playing a sine', async () => {
    const { alice, bob } = await pair({ mediaenc: 'srtp', audioCodecs: ['PCMA'] }, { answerMode: 'auto', play: { sineHz: BOB_HZ } });
    const { out, inc } = await connect(alice, bob);
    expect(out.srtp).toBe('AES_CM_128_HMAC_SHA1_80');
    expect(inc.srtp).toBe('AES_CM_128_HMAC_SHA1_80');
    expect(out.sip().find((t) => t.startLine.startsWith('INVITE '))?.body).toMatch(/^a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:/m);
    await sleep(3000);
    await alice.hangup();
    await inc.reached('closed');
    await hears(out, BOB_HZ, ALICE_HZ);
    await hears(inc, ALICE_HZ, BOB_HZ);
  });
});
