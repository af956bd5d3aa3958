/**
 * SIP calls on the plugin alone (issue 16): two SipConnections registered at a real kamailio call each
 * other through it, their media in one real confab-media on a private bus. Each side's microphone is
 * a tone (440 Hz calling, 1000 Hz called) and its speaker a WAV recording, so the recordings prove that
 * audio went both ways. States and end reasons as a frontend sees them: answered and hung up on either
 * side, hold/resume by re-INVITE, DTMF, busy, declined, cancelled, unreachable, SRTP, disconnect.
 * Video on test pictures (no camera here: `default` is the test picture): frames decoded at each end
 * as confab-media counts them, an audio-only answer to a video call, video added and removed by re-INVITE.
 *
 * jest cannot load sip.js (an ES module) through its own loader; Node 20 can require it, so sip.js is
 * handed to jest from Node's loader (`Module._load`).
 */
jest.mock('sip.js', () => (require('node:module') as { _load(request: string, parent: null, isMain: boolean): unknown })._load(require.resolve('sip.js'), null, false));

import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type CallChange, type CallsFacet, type IncomingCall } from '@confab/sdk';
import { SipConnection } from '../../packages/plugin-sip/src/sip-connection';
import { startMedia, type MediaProcess } from '../../packages/media/test/helpers/media-process';
import { toneShareDb } from '../../packages/media/test/helpers/measure';
import { readWav } from '../../packages/media/test/helpers/wav';
import { startKamailio, type Kamailio } from '../fixtures/sip/kamailio-server';
import { stopAll, until } from '../fixtures/processes';

jest.setTimeout(90_000);

const USERS = { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' };

/** One account, what its calls said, and its connection. */
interface Side {
  readonly conn: SipConnection;
  readonly calls: CallsFacet;
  readonly changes: CallChange[];
  readonly incoming: IncomingCall[];
  readonly dtmf: string[];
}

let kam: Kamailio;
let mp: MediaProcess;
let dir: string;
const sides: Side[] = [];

async function account(user: keyof typeof USERS, extra: Record<string, string | number> = {}): Promise<Side> {
  const conn = new SipConnection(
    { id: `${user}-${sides.length}`, protocol: 'sip', params: { uri: `${user}@127.0.0.1`, password: USERS[user], server: '127.0.0.1', port: kam.udpPort, transport: 'udp', ...extra } },
    silentLogger,
    { ensure: async () => undefined }, // confab-media runs already (the daemon would start it here)
  );
  const calls = conn.calls!;
  const side: Side = { conn, calls, changes: [], incoming: [], dtmf: [] };
  calls.onCallChanged((c) => side.changes.push(c));
  calls.onIncoming((i) => side.incoming.push(i));
  calls.onDtmf!((d) => side.dtmf.push(d.digit));
  await conn.connect();
  sides.push(side);
  return side;
}

const videoOf = (s: Side, id: string) => s.changes.filter((c) => c.id === id && c.video !== undefined).map((c) => c.video);
const statesOf = (s: Side, id: string) => s.changes.filter((c) => c.id === id).map((c) => c.state);
const endOf = (s: Side, id: string) => s.changes.find((c) => c.id === id && c.state === 'ended');

async function stateReached(s: Side, id: string, state: string, ms = 15_000): Promise<void> {
  await until(() => statesOf(s, id).includes(state as CallChange['state']), ms, `${state} on ${id} (${statesOf(s, id).join(' → ')})`);
}

async function ring(caller: Side, callee: Side, options: { mic?: string; rec?: string; video?: boolean } = {}): Promise<{ out: string; inc: IncomingCall }> {
  const before = callee.incoming.length;
  const video = options.video ?? false;
  const out = await caller.calls.start('bob', { audio: true, video, ...(video ? { camera: 'test' } : {}), microphone: options.mic ?? 'tone:440', speaker: options.rec ?? 'none' });
  const inc = await until(() => callee.incoming[before], 15_000, 'the incoming call');
  return { out, inc };
}

/** An INVITE to bob from a raw UDP socket through kamailio; the status codes of the responses, up to the final one. */
function rawInvite(sdp: string, extra: string[] = []): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const statuses: number[] = [];
    const t = setTimeout(() => { sock.close(); reject(new Error(`no final response (${statuses.join(', ')})`)); }, 10_000);
    sock.on('message', (m) => {
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(m.toString())?.[1]);
      statuses.push(status);
      if (status >= 200) {
        clearTimeout(t);
        sock.close();
        resolve(statuses);
      }
    });
    sock.bind(0, '127.0.0.1', () => {
      const port = sock.address().port;
      const id = Math.random().toString(36).slice(2);
      const body = sdp.replace(/\r?\n/g, '\r\n');
      const msg = [`INVITE sip:bob@127.0.0.1 SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${id};rport`, 'Max-Forwards: 70',
        'From: <sip:mallory@127.0.0.1>;tag=m1', 'To: <sip:bob@127.0.0.1>', `Call-ID: raw-${id}`, 'CSeq: 1 INVITE', `Contact: <sip:mallory@127.0.0.1:${port}>`,
        ...extra, 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
      sock.send(msg, kam.udpPort, '127.0.0.1');
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'confab-sip-calls-'));
  kam = await startKamailio({ users: USERS, presence: 'none' });
  mp = await startMedia();
  process.env.DBUS_SESSION_BUS_ADDRESS = mp.address; // MediaClient.connect() takes the session bus from here
});

afterAll(async () => {
  for (const s of sides) {
    await s.conn.disconnect().catch(() => undefined);
    s.conn.dispose();
  }
  await mp?.stop();
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('two accounts calling each other through kamailio', () => {
  let alice: Side;
  let bob: Side;
  beforeAll(async () => {
    alice = await account('alice');
    bob = await account('bob');
  });

  it('rings, is answered, carries each side\'s tone to the other, holds, resumes, sends DTMF and hangs up', async () => {
    const aRec = join(dir, 'alice-hears.wav');
    const bRec = join(dir, 'bob-hears.wav');
    const { out, inc } = await ring(alice, bob, { mic: 'tone:440', rec: `file:${aRec}` });
    expect(inc).toMatchObject({ peer: 'alice@127.0.0.1', audio: true, video: false });
    await stateReached(alice, out, 'ringing');
    expect(statesOf(alice, out)[0]).toBe('ringing'); // nothing before start() resolved, and no `dialing` repeated

    await bob.calls.accept(inc.id, { audio: true, video: false, microphone: 'tone:1000', speaker: `file:${bRec}` });
    await stateReached(bob, inc.id, 'active');
    await stateReached(alice, out, 'active');

    await new Promise((r) => setTimeout(r, 2500));
    const aStats = await alice.calls.stats(out);
    const bStats = await bob.calls.stats(inc.id);
    expect(aStats.packetsReceived).toBeGreaterThan(50);
    expect(bStats.packetsReceived).toBeGreaterThan(50);
    expect(aStats.codec).toBe('opus');

    // hold by re-INVITE (RFC 3264 §8.4): held on both sides, then active again
    await alice.calls.hold(out, true);
    expect(statesOf(alice, out).at(-1)).toBe('held');
    await stateReached(bob, inc.id, 'held');
    await alice.calls.hold(out, false);
    expect(statesOf(alice, out).at(-1)).toBe('active');
    await until(() => statesOf(bob, inc.id).at(-1) === 'active', 10_000, 'bob active again');

    // RFC 4733 telephone-events in the RTP stream, detected by bob's media
    await alice.calls.sendDtmf!(out, '5#');
    await until(() => bob.dtmf.join('').includes('5#'), 10_000, `DTMF at bob (${bob.dtmf.join('')})`);

    await new Promise((r) => setTimeout(r, 1000));
    await bob.calls.hangup(inc.id);
    await stateReached(alice, out, 'ended');
    expect(endOf(bob, inc.id)).toMatchObject({ reason: 'hangup' });
    expect(endOf(alice, out)).toMatchObject({ reason: 'remote-hangup' });
    await expect(alice.calls.stats(out)).rejects.toMatchObject({ code: 'NotFound' });

    // the recordings: each side heard the other's tone (Goertzel share of the power)
    await until(() => existsSync(aRec) && existsSync(bRec), 5000, 'both recordings');
    await new Promise((r) => setTimeout(r, 500));
    const heardByAlice = readWav(aRec);
    const heardByBob = readWav(bRec);
    const secs = (p: { samples: Float64Array; rate: number }) => p.samples.length / p.rate;
    expect(secs(heardByAlice)).toBeGreaterThan(2);
    expect(secs(heardByBob)).toBeGreaterThan(2);
    expect(toneShareDb(heardByAlice, 1000, 0.5, 2.5)).toBeGreaterThan(-3);
    expect(toneShareDb(heardByAlice, 440, 0.5, 2.5)).toBeLessThan(-20);
    expect(toneShareDb(heardByBob, 440, 0.5, 2.5)).toBeGreaterThan(-3);
    expect(toneShareDb(heardByBob, 1000, 0.5, 2.5)).toBeLessThan(-20);
  });

  it('the caller hangs up an answered call: hangup here, remote-hangup there', async () => {
    const { out, inc } = await ring(alice, bob);
    await bob.calls.accept(inc.id, { audio: true, video: false, microphone: 'tone:1000', speaker: 'none' });
    await stateReached(alice, out, 'active');
    await alice.calls.hangup(out);
    await stateReached(bob, inc.id, 'ended');
    expect(endOf(alice, out)).toMatchObject({ reason: 'hangup' });
    expect(endOf(bob, inc.id)).toMatchObject({ reason: 'remote-hangup' });
  });

  it.each([['busy', '486 Busy Here'], ['declined', '603 Decline']] as const)('a call refused %s ends %s on both sides', async (reason, detail) => {
    const { out, inc } = await ring(alice, bob);
    await bob.calls.reject(inc.id, reason);
    await stateReached(alice, out, 'ended');
    expect(endOf(alice, out)).toMatchObject({ reason, detail });
    expect(endOf(bob, inc.id)).toMatchObject({ reason });
  });

  it('the caller gives up before the answer: CANCEL, cancelled on both sides', async () => {
    const { out, inc } = await ring(alice, bob);
    await stateReached(alice, out, 'ringing');
    await alice.calls.hangup(out);
    expect(endOf(alice, out)).toMatchObject({ reason: 'cancelled' });
    await stateReached(bob, inc.id, 'ended');
    expect(endOf(bob, inc.id)).toMatchObject({ reason: 'cancelled' });
    await expect(bob.calls.accept(inc.id, { audio: true, video: false })).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('an offer without a codec in common is refused 488 and never rings; malformed SDP 400', async () => {
    const before = bob.incoming.length;
    const g729 = 'v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 18 101\na=rtpmap:18 G729/8000\na=rtpmap:101 telephone-event/8000\n';
    const refused = await rawInvite(g729);
    expect(refused.at(-1)).toBe(488);
    expect(refused).not.toContain(180);
    expect(await rawInvite('v=0\nnot sdp at all\n')).toContain(400);
    expect(await rawInvite(g729.replace('18 101', '0 101'), ['Require: 100rel'])).toContain(420); // RFC 3262: no reliable provisionals here
    await new Promise((r) => setTimeout(r, 200));
    expect(bob.incoming.length).toBe(before);
  });

  it('a user who is not registered is unreachable (kamailio: 480)', async () => {
    const out = await alice.calls.start('carol', { audio: true, video: false, microphone: 'silence', speaker: 'none' });
    await stateReached(alice, out, 'ended');
    expect(endOf(alice, out)).toMatchObject({ reason: 'unreachable', detail: '480 Temporarily Unavailable' });
  });

  it('an SRTP offer (media-encryption srtp) is answered with SRTP and carries audio', async () => {
    const srtpAlice = await account('alice', { 'media-encryption': 'srtp' });
    const rec = join(dir, 'srtp-bob-hears.wav');
    const before = bob.incoming.length;
    const out = await srtpAlice.calls.start('bob', { audio: true, video: false, microphone: 'tone:440', speaker: 'none' });
    const inc = await until(() => bob.incoming[before], 15_000, 'the SRTP call');
    await bob.calls.accept(inc.id, { audio: true, video: false, microphone: 'tone:1000', speaker: `file:${rec}` });
    await stateReached(srtpAlice, out, 'active');
    await new Promise((r) => setTimeout(r, 2000));
    expect((await bob.calls.stats(inc.id)).packetsReceived).toBeGreaterThan(40);
    await srtpAlice.calls.hangup(out);
    await stateReached(bob, inc.id, 'ended');
    await until(() => existsSync(rec), 5000, 'the recording');
    await new Promise((r) => setTimeout(r, 500));
    expect(toneShareDb(readWav(rec), 440, 0.5, 1.5)).toBeGreaterThan(-3);
    await srtpAlice.conn.disconnect();
  });

  it('a video call on test pictures: each side decodes the other\'s frames, and the tones still pass', async () => {
    const aRec = join(dir, 'video-alice-hears.wav');
    const bRec = join(dir, 'video-bob-hears.wav');
    const { out, inc } = await ring(alice, bob, { mic: 'tone:440', rec: `file:${aRec}`, video: true });
    expect(inc).toMatchObject({ audio: true, video: true });
    // bob's camera: `default`, the test picture on a machine without one
    await bob.calls.accept(inc.id, { audio: true, video: true, microphone: 'tone:1000', speaker: `file:${bRec}` });
    await stateReached(alice, out, 'active');
    await new Promise((r) => setTimeout(r, 3000));
    const aStats = await alice.calls.stats(out);
    const bStats = await bob.calls.stats(inc.id);
    expect(aStats.videoFramesDecoded).toBeGreaterThan(25);
    expect(bStats.videoFramesDecoded).toBeGreaterThan(25);
    expect(aStats.videoFramesSent).toBeGreaterThan(25);
    expect(videoOf(alice, out)).toEqual([]); // video as asked and as rung: nothing changed
    expect(videoOf(bob, inc.id)).toEqual([]);
    await alice.calls.hangup(out);
    await stateReached(bob, inc.id, 'ended');
    await until(() => existsSync(aRec) && existsSync(bRec), 5000, 'both recordings');
    await new Promise((r) => setTimeout(r, 500));
    expect(toneShareDb(readWav(aRec), 1000, 0.5, 2.5)).toBeGreaterThan(-3);
    expect(toneShareDb(readWav(bRec), 440, 0.5, 2.5)).toBeGreaterThan(-3);
  });

  it('a video call accepted audio-only: the video refused (port 0), the call goes on with audio', async () => {
    const { out, inc } = await ring(alice, bob, { video: true });
    expect(inc.video).toBe(true);
    await bob.calls.accept(inc.id, { audio: true, video: false, microphone: 'tone:1000', speaker: 'none' });
    await stateReached(alice, out, 'active');
    expect(videoOf(alice, out)).toEqual([false]);
    expect(videoOf(bob, inc.id)).toEqual([false]);
    await new Promise((r) => setTimeout(r, 1000));
    const aStats = await alice.calls.stats(out);
    expect(aStats.packetsReceived).toBeGreaterThan(20);
    expect(aStats.videoFramesSent).toBeUndefined(); // no video: no video figures
    await alice.calls.hold(out, true); // a later re-offer keeps the refused m=video with port 0 and stays audio-only
    await stateReached(bob, inc.id, 'held');
    expect(videoOf(bob, inc.id)).toEqual([false]);
    await bob.calls.hangup(inc.id);
    await stateReached(alice, out, 'ended');
  });

  it('video added to an audio call by setVideo (re-INVITE), taken by the peer, then removed again', async () => {
    const { out, inc } = await ring(alice, bob);
    await bob.calls.accept(inc.id, { audio: true, video: false, microphone: 'tone:1000', speaker: 'none' });
    await stateReached(alice, out, 'active');
    await alice.calls.setVideo!(out, true);
    expect(videoOf(alice, out)).toEqual([true]);
    expect(videoOf(bob, inc.id)).toEqual([true]); // a peer's re-INVITE that adds video is accepted
    await new Promise((r) => setTimeout(r, 2000));
    const aStats = await alice.calls.stats(out);
    const bStats = await bob.calls.stats(inc.id);
    expect(aStats.videoFramesDecoded).toBeGreaterThan(10);
    expect(bStats.videoFramesDecoded).toBeGreaterThan(10);
    await alice.calls.setVideo!(out, false);
    expect(videoOf(alice, out)).toEqual([true, false]);
    expect(videoOf(bob, inc.id)).toEqual([true, false]);
    expect((await bob.calls.stats(inc.id)).videoFramesDecoded).toBeUndefined();
    expect(statesOf(bob, inc.id).at(-1)).toBe('active');
    await alice.calls.hangup(out);
    await stateReached(bob, inc.id, 'ended');
  });

  it('disconnecting ends every call: network-error here, a BYE to the peer', async () => {
    const carol = await account('carol');
    const before = bob.incoming.length;
    const out = await carol.calls.start('bob', { audio: true, video: false, microphone: 'silence', speaker: 'none' });
    const inc = await until(() => bob.incoming[before], 15_000, 'the incoming call');
    await bob.calls.accept(inc.id, { audio: true, video: false, microphone: 'silence', speaker: 'none' });
    await stateReached(carol, out, 'active');
    await carol.conn.disconnect();
    expect(endOf(carol, out)).toMatchObject({ reason: 'network-error' });
    await stateReached(bob, inc.id, 'ended');
    expect(endOf(bob, inc.id)).toMatchObject({ reason: 'remote-hangup' });
    const diag = await mp.client.diagnostics();
    await until(async () => Number((await mp.client.diagnostics()).sessions) === 0, 5000, `no media session left (${JSON.stringify(diag)})`);
  });
});
