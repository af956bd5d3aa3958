/**
 * SIP calls through confabd against a real phone (issue 16): baresip 1.0, registered on kamailio
 * like the Confab accounts, calls and is called; audio is found by frequency in what each end
 * recorded (Goertzel, test/fixtures/media/tones.ts): Confab plays 440 Hz, baresip 1000 Hz. Then what
 * a user meets: hold and resume, hang-up from each side, busy, declined, unreachable, cancelled and
 * unanswered calls with their end reasons (a missed one unread in the inbox), DTMF both ways, TCP,
 * SRTP (SDES) with no key in the log, media bound only on the account's address, a video call between
 * two Confab accounts, a call that outlives the loss of its account's TCP connection, and kill -9 of
 * confab-media and of confabd in a call.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sipAccount } from '../fixtures/accounts';
import { type PlainParams, v } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { toneLevel } from '../fixtures/media/tones';
import { startBaresip, type Baresip, type BaresipCall, type BaresipOptions } from '../fixtures/sip/baresip';
import { startKamailio, type Kamailio } from '../fixtures/sip/kamailio-server';
import { tempDir, until } from '../fixtures/processes';

const CALL = 'im.confab.Confab1.Call';
const MEDIA = 'im.confab.Media1';
const USERS = { alice: 'alice-pw', bob: 'bob-pw', tina: 'tina-pw', tom: 'tom-pw', sam: 'sam-pw', sue: 'sue-pw', vic: 'vic-pw', rita: 'rita-pw', ray: 'ray-pw' };
const OURS = 440;
const THEIRS = 1000;
const RING_MS = 6000;

describe('SIP calls between confabd and baresip through kamailio', () => {
  const { d, use } = withDaemon({
    config: JSON.stringify({ reconnect: { initialDelayMs: 200, maxDelayMs: 2000 }, secretStore: 'file', logLevel: 'debug', calls: { ringTimeoutMs: RING_MS } }),
  });
  let k: Kamailio;
  let bob: Baresip;
  let alice: string;
  const dir = tempDir('sip-calls-');
  let n = 0;
  const recording = () => join(dir.path, `confab-${++n}.wav`);

  const account = (user: keyof typeof USERS, transport: 'udp' | 'tcp', extra: PlainParams = {}) =>
    d.createAccount('sip', user, sipAccount(user, USERS[user], transport === 'udp' ? k.udpPort : k.tcpPort, transport, extra), { connected: true });
  const baresip = async (user: keyof typeof USERS, o: Partial<BaresipOptions> = {}) =>
    use(await startBaresip({ user, password: USERS[user], domain: k.domain, proxyPort: k.udpPort, play: { sineHz: THEIRS }, ...o }));
  const prop = (path: string, name: string) => d.prop(path, CALL, name);
  const callObj = async (path: string) => (await d.object(path)).getInterface(CALL);
  const stateIs = (path: string, state: string, reason?: string, timeoutMs = 15000) =>
    until(async () => {
      const s = await prop(path, 'State');
      if (s === 'ended' && state !== 'ended') throw new Error(`${path} ended ${String(await prop(path, 'EndReason'))}: ${String(await prop(path, 'EndDetail'))}`);
      return s === state && (reason === undefined || (await prop(path, 'EndReason')) === reason);
    }, timeoutMs, `${path} to be ${state} ${reason ?? ''}`);
  const place = async (from: string, to: string, speaker?: string, extra: Record<string, ReturnType<typeof v>> = {}) =>
    (await (await d.manager()).StartCall(from, to, {
      microphone: v('s', `tone:${OURS}`), ...(speaker ? { speaker: v('s', `file:${speaker}`) } : {}), ...extra,
    })) as string;
  const seenIncoming = new Set<string>();
  /** The next incoming Call object on the bus (read from the ObjectManager, so a signal missed by a late match rule cannot lose it). */
  const nextIncoming = () => until(async () => {
    const objects = (await (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, Record<string, Record<string, { value: unknown }>>>;
    const found = Object.entries(objects).find(([path, ifaces]) => ifaces[CALL]?.Direction?.value === 'incoming' && !seenIncoming.has(path));
    if (found) seenIncoming.add(found[0]);
    return found?.[0];
  }, 15000, 'an incoming call');
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** The tone is in most of the recording's frames after its first half second, far above the noise. */
  const hears = (wav: string, hz: number, toS?: number) => {
    const l = toneLevel(wav, hz, { fromS: 0.5, toS });
    expect({ hz, present: l.present > 0.9, snr: l.snrDb > 25, l }).toEqual({ hz, present: true, snr: true, l });
  };
  /** …and not its own tone beyond a trace (a frame or two at the start: no loop-back, no echo left). */
  const notHears = (wav: string, hz: number) => {
    expect({ hz, present: toneLevel(wav, hz, { fromS: 0.5 }).present < 0.03 }).toEqual({ hz, present: true });
  };
  /** Confab's recording once its session wrote the file's end. */
  const written = (wav: string) => until(() => {
    try {
      return existsSync(wav) && toneLevel(wav, THEIRS).frames > 25; // half a second at least
    } catch {
      return false;
    }
  }, 10000, `${wav} to be written`).catch((e: Error) => {
    throw new Error(`${e.message} (${existsSync(wav) ? `${statSync(wav).size} bytes` : 'no file'})\n${d.proc.output().split('\n').filter((l) => /confab-media|calls\]|session/i.test(l)).slice(-30).join('\n')}`);
  });
  const mediaPid = async (): Promise<number> => {
    const b = (await d.client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    return Number(await b.GetConnectionUnixProcessID(MEDIA));
  };

  beforeAll(async () => {
    k = use(await startKamailio({ users: USERS, presence: 'none' }));
    alice = await account('alice', 'udp');
    bob = await baresip('bob', { answerMode: 'auto' });
  });
  afterAll(() => dir.remove());

  it('Confab calls baresip over UDP: each hears the other\'s tone; hold stops baresip\'s audio, resume brings it back; Confab hangs up', async () => {
    const wav = recording();
    const path = await place(alice, 'bob@127.0.0.1', wav);
    await stateIs(path, 'active');
    const theirs = await bob.incomingCall();
    await theirs.reached('established');
    await sleep(2500);

    await (await callObj(path)).Hold();
    await stateIs(path, 'held');
    await sleep(500); // the re-INVITE's answer is in effect at both ends
    const before = (await bob.rtpCounts()).sent;
    await sleep(1500);
    expect((await bob.rtpCounts()).sent - before).toBeLessThanOrEqual(2); // RFC 3264 §8.4: recvonly sends nothing
    await (await callObj(path)).Resume();
    await stateIs(path, 'active');
    const resumed = (await bob.rtpCounts()).sent;
    await until(async () => (await bob.rtpCounts()).sent > resumed + 25, 5000, 'baresip to send again after resume');

    await (await callObj(path)).Hangup();
    await stateIs(path, 'ended', 'hangup');
    await theirs.reached('closed');
    await written(wav);
    hears(wav, THEIRS, 2.5); // before the hold
    notHears(wav, OURS);
    const heard = await theirs.recorded();
    hears(heard, OURS);
    notHears(heard, THEIRS);
  });

  it('baresip calls Confab: IncomingCall, Accept; DTMF both ways; baresip hangs up (remote-hangup)', async () => {
    await bob.setAnswerMode('manual');
    const theirs = await bob.dial('sip:alice@127.0.0.1');
    const path = await nextIncoming();
    expect(await prop(path, 'Direction')).toBe('incoming');
    expect(await prop(path, 'Peer')).toBe('bob@127.0.0.1');
    expect(await prop(path, 'State')).toBe('ringing');
    await theirs.reached('ringing');
    const wav = recording();
    await (await callObj(path)).Accept({ microphone: v('s', `tone:${OURS}`), speaker: v('s', `file:${wav}`) });
    await stateIs(path, 'active');
    await theirs.reached('established');

    const digits: string[] = [];
    (await callObj(path)).on('DtmfReceived', (digit: string) => digits.push(digit));
    await (await callObj(path)).SendDtmf('19#');
    await theirs.receivedDtmf('19#');
    await bob.sendDtmf('*7');
    await until(() => digits.join('') === '*7', 10000, `the digits *7 (got '${digits.join('')}')`);

    await sleep(1500);
    await bob.hangup();
    await stateIs(path, 'ended', 'remote-hangup');
    await written(wav);
    hears(wav, THEIRS);
    hears(await theirs.recorded(), OURS);
  });

  it('ends with the reason the far end gave: busy, declined, unreachable, cancelled both ways, no answer; a missed call is unread', async () => {
    // busy: baresip refuses (486)
    let path = await place(alice, 'bob@127.0.0.1');
    let theirs: BaresipCall = await bob.incomingCall();
    await stateIs(path, 'ringing');
    await bob.hangup();
    await stateIs(path, 'ended', 'busy');
    expect(String(await prop(path, 'EndDetail'))).toMatch(/^486\b/);

    // unreachable: nobody registered as carol
    path = await place(alice, 'carol@127.0.0.1');
    await stateIs(path, 'ended', 'unreachable');

    // cancelled by us before an answer: a CANCEL, which baresip sees
    path = await place(alice, 'bob@127.0.0.1');
    theirs = await bob.incomingCall();
    await stateIs(path, 'ringing');
    await (await callObj(path)).Hangup();
    await stateIs(path, 'ended', 'cancelled');
    await theirs.reached('closed');

    // declined and busy by us: 603 and 486 to baresip
    theirs = await bob.dial('sip:alice@127.0.0.1');
    path = await nextIncoming();
    await (await callObj(path)).Reject('declined');
    await stateIs(path, 'ended', 'declined');
    await theirs.reached('closed');
    expect(theirs.closeStatus).toBe(603);
    theirs = await bob.dial('sip:alice@127.0.0.1');
    path = await nextIncoming();
    await (await callObj(path)).Reject('busy');
    await theirs.reached('closed');
    expect(theirs.closeStatus).toBe(486);

    // cancelled by the caller: a missed call, unread in the inbox until acknowledged
    theirs = await bob.dial('sip:alice@127.0.0.1');
    path = await nextIncoming();
    await stateIs(path, 'ringing');
    await bob.hangup();
    await stateIs(path, 'ended', 'cancelled');
    const channel = String(await prop(path, 'Channel'));
    await until(async () => Number(await d.channelProp(channel, 'UnreadCount')) >= 1, 5000, 'the missed call to be unread');

    // nobody answers: our ring timer ends it no-answer, and baresip is told (480)
    theirs = await bob.dial('sip:alice@127.0.0.1');
    path = await nextIncoming();
    await stateIs(path, 'ended', 'no-answer', RING_MS + 10000);
    await theirs.reached('closed');
    expect(theirs.closeStatus).toBe(480);
  });

  it('calls over TCP both ways', async () => {
    const tina = await account('tina', 'tcp');
    const tom = await baresip('tom', { transport: 'tcp', proxyPort: k.tcpPort, answerMode: 'auto' });
    const wav = recording();
    const path = await place(tina, 'tom@127.0.0.1', wav);
    await stateIs(path, 'active');
    const theirs = await tom.incomingCall();
    await sleep(2000);
    await (await callObj(path)).Hangup();
    await theirs.reached('closed');
    await written(wav);
    hears(wav, THEIRS);
    hears(await theirs.recorded(), OURS);

    const back = await tom.dial('sip:tina@127.0.0.1');
    const inc = await nextIncoming();
    await (await callObj(inc)).Accept({ microphone: v('s', `tone:${OURS}`) });
    await back.reached('established');
    await sleep(2000);
    await tom.hangup();
    await stateIs(inc, 'ended', 'remote-hangup');
    hears(await back.recorded(), OURS);
  });

  it('an SRTP call (SDES, RFC 4568) with baresip carries both tones; neither key is in the log or on D-Bus; media is bound on the account\'s address only', async () => {
    const sam = await account('sam', 'udp', { 'media-encryption': 'srtp' });
    const sue = await baresip('sue', { mediaenc: 'srtp-mand', answerMode: 'auto' });
    const wav = recording();
    const path = await place(sam, 'sue@127.0.0.1', wav);
    await stateIs(path, 'active');
    const theirs = await sue.incomingCall();
    await theirs.reached('established');
    expect(theirs.srtp).toMatch(/AES_CM_128_HMAC_SHA1/);

    const pid = await mediaPid();
    const sockets = execFileSync('ss', ['-H', '-u', '-a', '-n', '-p'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`pid=${pid},`));
    expect(sockets.length).toBeGreaterThanOrEqual(1);
    for (const l of sockets) expect(l.split(/\s+/)[3]).toMatch(/^127\.0\.0\.1:\d+$/);

    await sleep(2000);
    const keys = theirs.sip().flatMap((m) => [...m.body.matchAll(/a=crypto:\d+ \S+ inline:([A-Za-z0-9+/=]+)/g)].map((x) => x[1]!));
    expect(keys.length).toBeGreaterThanOrEqual(2); // our offer's and baresip's answer's
    const props = JSON.stringify(await d.client.getProxyObject('im.confab.Confab1', path).then((o) => o.getInterface('org.freedesktop.DBus.Properties').GetAll(CALL)), (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
    for (const key of keys) {
      expect(d.proc.output()).not.toContain(key);
      expect(props).not.toContain(key);
    }
    await (await callObj(path)).Hangup();
    await theirs.reached('closed');
    await written(wav);
    hears(wav, THEIRS);
    hears(await theirs.recorded(), OURS);
  });

  it('a call outlives a TCP reconnect of its account: the flow is cut (ss -K), re-opened, the peer told our new address; audio goes on both ways and its BYE reaches us', async () => {
    const flows = () => execFileSync('ss', ['-H', '-t', '-n', '-p', 'state', 'established', 'dst', '127.0.0.1', 'dport', '=', `:${k.tcpPort}`], { encoding: 'utf8' })
      .split('\n').filter((l) => l.includes(`pid=${d.proc.pid},`)).map((l) => /127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:\d+/.exec(l)?.[1]).filter((x): x is string => !!x);
    const before = new Set(flows());
    const rita = await account('rita', 'tcp');
    const ours = flows().filter((f) => !before.has(f));
    expect(ours).toHaveLength(1); // rita's flow to kamailio
    const ray = await baresip('ray', { answerMode: 'auto' }); // on UDP: only our side's flow breaks
    const wav = recording();
    const path = await place(rita, 'ray@127.0.0.1', wav);
    await stateIs(path, 'active');
    const theirs = await ray.incomingCall();
    await theirs.reached('established');
    await sleep(1500);

    // RST both ways, as a NAT or a server restart would: confabd sees ECONNABORTED on rita's flow.
    execFileSync('ss', ['-K', '-t', 'src', '127.0.0.1', 'sport', '=', `:${ours[0]!}`, 'dst', '127.0.0.1', 'dport', '=', `:${k.tcpPort}`]);
    const cutAt = 1.5;
    await until(() => flows().some((f) => !before.has(f) && f !== ours[0]), 10000, 'a new flow from confabd to kamailio');
    await until(() => d.proc.output().includes('SIP flow re-opened; 1 call(s) go on'), 10000, 'the target refresh to be answered');
    expect(await prop(path, 'State')).toBe('active');
    expect(await d.accountProp(rita, 'Status')).toBe('connected');
    await sleep(2500);
    await ray.hangup(); // its BYE goes to our new Contact: the target refresh reached baresip
    await stateIs(path, 'ended', 'remote-hangup');
    await written(wav);
    const after = toneLevel(wav, THEIRS, { fromS: cutAt + 1 });
    expect({ present: after.present > 0.9, snr: after.snrDb > 25, after }).toEqual({ present: true, snr: true, after });
    const heard = toneLevel(await theirs.recorded(), OURS, { fromS: cutAt + 1 });
    expect({ present: heard.present > 0.9, snr: heard.snrDb > 25, heard }).toEqual({ present: true, snr: true, heard });
  });

  it('a video call between two Confab accounts on test pictures: frames decoded at each end (Stats); RemoveVideo and AddVideo in the call', async () => {
    const vic = await account('vic', 'udp');
    const path = await place(alice, 'vic@127.0.0.1', undefined, { video: v('b', true), camera: v('s', 'default') });
    const inc = await nextIncoming();
    expect(await prop(inc, 'Video')).toBe(true);
    await (await callObj(inc)).Accept({ video: v('b', true), microphone: v('s', 'tone:1000') });
    await stateIs(path, 'active');
    const frames = async (call: string) => Number(((await prop(call, 'Stats')) as Record<string, { value: bigint } | undefined>)['video-frames-decoded']?.value ?? 0n);
    await until(async () => (await frames(path)) > 20 && (await frames(inc)) > 20, 15000, 'decoded video frames at both ends');
    await (await callObj(path)).RemoveVideo();
    await until(async () => (await prop(path, 'Video')) === false && (await prop(inc, 'Video')) === false, 10000, 'video removed at both ends');
    const before = await frames(inc);
    await (await callObj(path)).AddVideo();
    await until(async () => (await prop(path, 'Video')) === true && (await prop(inc, 'Video')) === true, 10000, 'video added again');
    await until(async () => { const f = await frames(inc); return f !== before && f > 10; }, 15000, 'frames decoded again after AddVideo');
    await (await callObj(inc)).Hangup();
    await stateIs(path, 'ended', 'remote-hangup');
    expect(vic).toBeTruthy();
  });

  it('kill -9 of confab-media in a call: it ends media-failed, baresip gets a BYE, a message meanwhile arrives, the next call works', async () => {
    await bob.setAnswerMode('auto');
    const path = await place(alice, 'bob@127.0.0.1');
    await stateIs(path, 'active');
    const theirs = await bob.incomingCall();
    await theirs.reached('established');
    process.kill(await mediaPid(), 'SIGKILL');
    await stateIs(path, 'ended', 'media-failed');
    await theirs.reached('closed');
    await d.send(alice, 'bob@127.0.0.1', 'still talking');
    await until(() => bob.received().some(([, text]) => text === 'still talking'), 10000, 'baresip to get the MESSAGE');

    const wav = recording();
    const next = await place(alice, 'bob@127.0.0.1', wav);
    await stateIs(next, 'active');
    const again = await bob.incomingCall();
    await sleep(3000); // a confab-media just started takes longer to play the first packets
    await (await callObj(next)).Hangup();
    await again.reached('closed');
    await written(wav);
    hears(wav, THEIRS);
  });

  it('kill -9 of confabd in a call: after the restart the call is history, ended network-error', async () => {
    const path = await place(alice, 'bob@127.0.0.1');
    await stateIs(path, 'active');
    const theirs = await bob.incomingCall();
    const id = BigInt(path.split('/').pop()!);
    await d.kill();
    await d.restart();
    await d.waitForStatus(alice, 'connected');
    const m = await d.manager();
    const history = (await (await d.channel(await d.channelOf(alice, 'bob@127.0.0.1'))).GetHistory(0n, 50)) as unknown[][];
    const entries = history.map((e) => e[0] as bigint);
    const calls = (await m.GetCalls(entries)) as unknown[][];
    const row = calls.find((c) => c[1] === path);
    expect(row).toBeDefined();
    expect([row![5], row![6]]).toEqual(['ended', 'network-error']);
    expect(id).toBeGreaterThan(0n);
    await bob.hangup().catch(() => undefined); // its call lost its far end with the old confabd
    await theirs.reached('closed').catch(() => undefined);
  });
});
