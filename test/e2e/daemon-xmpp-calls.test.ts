/**
 * Jingle calls between two Confab accounts on prosody (issue 19): XEP-0353 Jingle Message
 * Initiation, then XEP-0166/0167 RTP sessions over XEP-0176 ICE-UDP with XEP-0320 DTLS-SRTP and
 * XEP-0338 BUNDLE, on confab-media's `webrtc` transport (what Confab offers); a peer that offers
 * XEP-0177 raw UDP is answered on the `rtp` transport. alice calls bob (both accounts in one confabd, as a frontend sees them); bob has a
 * second device — a plain @xmpp/client session (peers/jingle-resource.mjs) — which rings with the
 * propose and sees the carbon of bob's answer. Each side plays its own tone and records the other's
 * (Goertzel, test/fixtures/media/tones.ts). Then what a user meets: hang-up from each side, reject,
 * cancel (a missed call), a video call with frames decoded, and hostile Jingle: IQ errors, no crash,
 * no leaked media sessions.
 */
import { createSocket } from 'node:dgram';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { xmppAccount } from '../fixtures/accounts';
import { REPO_ROOT, v } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { toneLevel } from '../fixtures/media/tones';
import { startProsody, type Prosody } from '../fixtures/xmpp/prosody';
import { start, tempDir, until, type Started } from '../fixtures/processes';

const CALL = 'im.confab.Confab1.Call';
const ALICE_HZ = 440;
const BOB_HZ = 1000;
const RESOURCE = join(REPO_ROOT, 'test', 'fixtures', 'xmpp', 'peers', 'jingle-resource.mjs');

describe('Jingle calls between two Confab accounts on prosody', () => {
  const { d, use } = withDaemon({
    config: JSON.stringify({ reconnect: { initialDelayMs: 200, maxDelayMs: 2000 }, secretStore: 'file', logLevel: 'debug', calls: { ringTimeoutMs: 30000 } }),
  });
  let xmpp: Prosody;
  let alice: string;
  let bob: string;
  let phone: Started;
  const dir = tempDir('xmpp-calls-');
  let n = 0;
  const recording = () => join(dir.path, `rec-${++n}.wav`);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const prop = (path: string, name: string) => d.prop(path, CALL, name);
  const callObj = async (path: string) => (await d.object(path)).getInterface(CALL);
  const stateIs = (path: string, state: string, reason?: string, timeoutMs = 15000) =>
    until(async () => {
      const s = await prop(path, 'State');
      if (s === 'ended' && state !== 'ended') throw new Error(`${path} ended ${String(await prop(path, 'EndReason'))}: ${String(await prop(path, 'EndDetail'))}\n${log()}`);
      return s === state && (reason === undefined || (await prop(path, 'EndReason')) === reason);
    }, timeoutMs, `${path} to be ${state} ${reason ?? ''}`);
  const log = () => d.proc.output().split('\n').filter((l) => /calls|jingle|media|session/i.test(l)).slice(-30).join('\n');
  const place = async (from: string, to: string, hz: number, speaker?: string, extra: Record<string, ReturnType<typeof v>> = {}) =>
    (await (await d.manager()).StartCall(from, to, { microphone: v('s', `tone:${hz}`), ...(speaker ? { speaker: v('s', `file:${speaker}`) } : {}), ...extra })) as string;
  const seenIncoming = new Set<string>();
  const nextIncoming = () => until(async () => {
    const objects = (await (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, Record<string, Record<string, { value: unknown }>>>;
    const found = Object.entries(objects).find(([path, ifaces]) => ifaces[CALL]?.Direction?.value === 'incoming' && !seenIncoming.has(path));
    if (found) seenIncoming.add(found[0]);
    return found?.[0];
  }, 15000, 'an incoming call');
  /** Where the far end's audio starts in a recording: the webrtc pipeline records from its creation (the caller's before the answer), and ICE + DTLS come first. */
  const onset = (wav: string, hz: number) => {
    for (let s = 0; s < 30; s += 0.25) {
      const w = toneLevel(wav, hz, { fromS: s, toS: s + 0.25 });
      if (w.frames === 0) break;
      if (w.present > 0.5) return s;
    }
    return 0;
  };
  const hears = (wav: string, hz: number) => {
    const l = toneLevel(wav, hz, { fromS: onset(wav, hz) + 0.5 });
    expect({ hz, present: l.present > 0.9, snr: l.snrDb > 25, l }).toEqual({ hz, present: true, snr: true, l });
  };
  const notHears = (wav: string, hz: number) => {
    expect({ hz, present: toneLevel(wav, hz, { fromS: 0.5 }).present < 0.03 }).toEqual({ hz, present: true });
  };
  const written = (wav: string, hz: number) => until(() => {
    try {
      return existsSync(wav) && toneLevel(wav, hz).frames > 25;
    } catch {
      return false;
    }
  }, 10000, `${wav} to be written`).catch((e: Error) => {
    throw new Error(`${e.message} (${existsSync(wav) ? `${statSync(wav).size} bytes` : 'no file'})\n${log()}`);
  });
  const lines = (p: Started) => p.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, string>);
  const phoneSaw = (match: Record<string, string>, what: string) =>
    until(() => lines(phone).find((l) => Object.entries(match).every(([k, val]) => l[k] === val)), 10000, what);
  const proposes = () => lines(phone).filter((l) => l.jmi === 'propose');
  /** The propose of the call placed after `before` proposes were seen on bob's phone. */
  const nextPropose = (before: number) => until(() => proposes()[before], 10000, 'the propose on bob\'s phone');
  /** confab-media's sessions now (none may be left after a call ends). */
  const mediaSessions = async () => {
    const sessions = await d.client.getProxyObject('im.confab.Media1', '/im/confab/Media1/sessions');
    return (sessions as unknown as { nodes: string[] }).nodes.length;
  };

  beforeAll(async () => {
    xmpp = use(await startProsody());
    xmpp.register('alice', 'alice-pw');
    xmpp.register('bob', 'bob-pw');
    alice = await d.createAccount('xmpp', 'alice', xmppAccount('alice@localhost', 'alice-pw', xmpp), { connected: true });
    bob = await d.createAccount('xmpp', 'bob', xmppAccount('bob@localhost', 'bob-pw', xmpp), { connected: true });
    phone = use(start(process.execPath, [RESOURCE, 'bob', 'bob-pw', String(xmpp.port), 'phone'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_EXTRA_CA_CERTS: xmpp.caFile } }));
    await until(() => phone.output().includes('"online":true'), 15000, 'bob/phone to log in');
    await sleep(1500); // both accounts' presence is out (after their archive catch-up): a propose to the bare JID reaches them
  });
  afterAll(() => dir.remove());

  it('alice calls bob: JMI propose rings bob and his phone, bob accepts (the phone sees the carbon), each hears the other; alice hangs up', async () => {
    const aliceWav = recording();
    const bobWav = recording();
    const placed = Date.now();
    const out = await place(alice, 'bob@localhost', ALICE_HZ, aliceWav);
    const inc = await nextIncoming();
    expect(await prop(inc, 'Peer')).toBe('alice@localhost');
    expect(await prop(inc, 'State')).toBe('ringing');
    await stateIs(out, 'ringing');
    const propose = await phoneSaw({ jmi: 'propose' }, 'the propose on bob\'s phone');
    expect(propose.from).toMatch(/^alice@localhost\//);

    const accepted = Date.now();
    await (await callObj(inc)).Accept({ microphone: v('s', `tone:${BOB_HZ}`), speaker: v('s', `file:${bobWav}`) });
    await stateIs(inc, 'active');
    await stateIs(out, 'active');
    await phoneSaw({ carbon: 'sent', jmi: 'proceed', id: propose.id }, 'the carbon of bob\'s proceed on his phone');
    await phoneSaw({ jmi: 'accept', id: propose.id }, 'bob\'s accept to his own bare JID');
    await sleep(3000);
    const stats = (await prop(out, 'Stats')) as Record<string, { value: unknown }>;
    expect(String(stats.codec?.value)).toBe('opus');
    expect(String(stats.encryption?.value)).toBe('dtls-srtp'); // XEP-0320: the DTLS handshake keyed SRTP
    expect(String(((await prop(inc, 'Stats')) as Record<string, { value: unknown }>).encryption?.value)).toBe('dtls-srtp');

    await (await callObj(out)).Hangup();
    await stateIs(out, 'ended', 'hangup');
    await stateIs(inc, 'ended', 'remote-hangup');
    await written(aliceWav, BOB_HZ);
    await written(bobWav, ALICE_HZ);
    hears(aliceWav, BOB_HZ);
    notHears(aliceWav, ALICE_HZ);
    hears(bobWav, ALICE_HZ);
    notHears(bobWav, BOB_HZ);
    // a figure, not asserted: StartCall (gathering, then the propose) → bob's recording holds alice's tone (0.25 s steps, its start ≈ the Accept)
    console.log(`Confab <-> Confab over ICE/DTLS: StartCall -> callee hears the caller ~${accepted - placed + Math.round(onset(bobWav, ALICE_HZ) * 1000)} ms (ring ${accepted - placed} ms)`);
    await until(async () => (await mediaSessions()) === 0, 5000, 'no media session left');
  });

  it('bob calls alice, alice answers; bob holds and resumes (content-modify senders); alice hangs up (hangup here, remote-hangup there)', async () => {
    const out = await place(bob, 'alice@localhost', BOB_HZ);
    const inc = await nextIncoming();
    expect(await prop(inc, 'Peer')).toBe('bob@localhost');
    await (await callObj(inc)).Accept({ microphone: v('s', `tone:${ALICE_HZ}`) });
    await stateIs(out, 'active');
    await stateIs(inc, 'active');
    expect(await mediaSessions()).toBe(2);
    await (await callObj(out)).Hold();
    await stateIs(out, 'held');
    await stateIs(inc, 'held');
    await (await callObj(out)).Resume();
    await stateIs(out, 'active');
    await stateIs(inc, 'active');
    await (await callObj(inc)).Hangup();
    await stateIs(inc, 'ended', 'hangup');
    await stateIs(out, 'ended', 'remote-hangup');
    await until(async () => (await mediaSessions()) === 0, 5000, 'no media session left');
  });

  it('bob rejects: declined at both ends, his phone sees the carbon of the reject', async () => {
    const before = proposes().length;
    const out = await place(alice, 'bob@localhost', ALICE_HZ);
    const inc = await nextIncoming();
    await stateIs(out, 'ringing');
    const propose = await nextPropose(before);
    await (await callObj(inc)).Reject('declined');
    await stateIs(inc, 'ended', 'declined');
    await stateIs(out, 'ended', 'declined');
    await phoneSaw({ carbon: 'sent', jmi: 'reject', id: propose.id }, 'the carbon of the reject');
    await until(async () => (await mediaSessions()) === 0, 5000, 'no media session left');
  });

  it('alice gives up before an answer: a retract, and a missed call (cancelled, unread) for bob', async () => {
    const out = await place(alice, 'bob@localhost', ALICE_HZ);
    const inc = await nextIncoming();
    await stateIs(out, 'ringing');
    await (await callObj(out)).Hangup();
    await stateIs(out, 'ended', 'cancelled');
    await stateIs(inc, 'ended', 'cancelled');
    await phoneSaw({ jmi: 'retract' }, 'the retract on bob\'s phone');
    const channel = String(await prop(inc, 'Channel'));
    await until(async () => Number(await d.channelProp(channel, 'UnreadCount')) >= 1, 5000, 'the missed call to be unread');
  });

  it('a video call on test pictures: frames decoded at each end (Stats)', async () => {
    const out = await place(alice, 'bob@localhost', ALICE_HZ, undefined, { video: v('b', true), camera: v('s', 'default') });
    const inc = await nextIncoming();
    expect(await prop(inc, 'Video')).toBe(true);
    await (await callObj(inc)).Accept({ video: v('b', true), microphone: v('s', `tone:${BOB_HZ}`) });
    await stateIs(out, 'active');
    const frames = async (call: string) => Number(((await prop(call, 'Stats')) as Record<string, { value: bigint } | undefined>)['video-frames-decoded']?.value ?? 0n);
    await until(async () => (await frames(out)) > 20 && (await frames(inc)) > 20, 20000, 'decoded video frames at both ends');
    await (await callObj(inc)).Hangup();
    await stateIs(out, 'ended', 'remote-hangup');
    await until(async () => (await mediaSessions()) === 0, 5000, 'no media session left');
  });

  it('hostile Jingle gets XEP-0166 §8 errors: unknown sid, forged from, unknown action, absurd payload count; the call goes on, nothing leaks', async () => {
    const before = proposes().length;
    const out = await place(alice, 'bob@localhost', ALICE_HZ);
    const inc = await nextIncoming();
    await (await callObj(inc)).Accept({ microphone: v('s', `tone:${BOB_HZ}`) });
    await stateIs(out, 'active');
    const { id: sid, from: aliceJid } = await nextPropose(before);
    let k = 0;
    const ask = async (jingle: string) => {
      const id = `hostile-${++k}`;
      phone.child.stdin!.write(`<iq type='set' to='${aliceJid}' id='${id}'>${jingle}</iq>\n`);
      return until(() => lines(phone).find((l) => l.iq === id), 10000, `the answer to ${id}`);
    };
    const J = "xmlns='urn:xmpp:jingle:1'";
    expect(await ask(`<jingle ${J} action='session-accept' sid='no-such-session'/>`)).toMatchObject({ type: 'error', condition: 'item-not-found', jingle: 'unknown-session' });
    // bob's phone is not the device in the call: for it the session does not exist
    expect(await ask(`<jingle ${J} action='session-terminate' sid='${sid}'><reason><success/></reason></jingle>`)).toMatchObject({ type: 'error', condition: 'item-not-found', jingle: 'unknown-session' });
    expect(await ask(`<jingle ${J} action='session-dance' sid='${sid}'/>`)).toMatchObject({ type: 'error', condition: 'bad-request' });
    const pts = Array.from({ length: 500 }, (_, i) => `<payload-type id='${i % 128}' name='opus' clockrate='48000'/>`).join('');
    expect(await ask(`<jingle ${J} action='session-initiate' sid='flood-1' initiator='bob@localhost/phone'><content creator='initiator' name='a'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>${pts}</description><transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'><candidate component='1' generation='0' id='c' ip='127.0.0.1' port='9'/></transport></content></jingle>`))
      .toMatchObject({ type: 'error', condition: 'bad-request' });
    expect(await ask(`<jingle ${J} action='transport-info' sid='never'/>`)).toMatchObject({ type: 'error', condition: 'item-not-found' });
    await sleep(500);
    expect(await prop(out, 'State')).toBe('active');
    expect(await prop(inc, 'State')).toBe('active');
    expect(await mediaSessions()).toBe(2); // the flood made no session
    expect(await d.accountProp(alice, 'Status')).toBe('connected');
    await (await callObj(out)).Hangup();
    await stateIs(inc, 'ended', 'remote-hangup');
    await until(async () => (await mediaSessions()) === 0, 5000, 'no media session left');
  });

  it('a peer that offers raw UDP (XEP-0177) is answered with raw UDP; it hangs up', async () => {
    const aliceJid = proposes()[0]!.from!;
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const port = sock.address().port;
    try {
      const pt = "<payload-type id='111' name='opus' clockrate='48000' channels='2'/>";
      phone.child.stdin!.write(`<iq type='set' to='${aliceJid}' id='raw-init'><jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='raw-1' initiator='bob@localhost/phone'><content creator='initiator' name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>${pt}<rtcp-mux/></description><transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'><candidate component='1' generation='0' id='c1' ip='127.0.0.1' port='${port}'/></transport></content></jingle></iq>\n`);
      const inc = await nextIncoming();
      await (await callObj(inc)).Accept({ microphone: v('s', `tone:${ALICE_HZ}`) });
      const accept = await phoneSaw({ jingle: 'session-accept', sid: 'raw-1' }, 'alice\'s session-accept');
      expect(accept.transport).toBe('urn:xmpp:jingle:transports:raw-udp:1');
      await stateIs(inc, 'active');
      await until(() => new Promise<boolean>((r) => { sock.once('message', () => r(true)); setTimeout(() => r(false), 1000); }), 5000, 'alice\'s RTP at the raw-UDP candidate');
      phone.child.stdin!.write(`<iq type='set' to='${aliceJid}' id='raw-term'><jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='raw-1'><reason><success/></reason></jingle></iq>\n`);
      await stateIs(inc, 'ended', 'remote-hangup');
      await until(async () => (await mediaSessions()) === 0, 5000, 'no media session left');
    } finally {
      sock.close();
    }
  });

  it('hostile ICE: malformed or oversized transport-info (XEP-0176) gets bad-request, the call still rings, nothing leaks', async () => {
    const aliceJid = proposes()[0]!.from!;
    const FP = Array.from({ length: 32 }, () => 'AB').join(':');
    let k = 0;
    const ask = async (jingle: string) => {
      const id = `ice-hostile-${++k}`;
      phone.child.stdin!.write(`<iq type='set' to='${aliceJid}' id='${id}'>${jingle}</iq>\n`);
      return until(() => lines(phone).find((l) => l.iq === id), 10000, `the answer to ${id}`);
    };
    const J = "xmlns='urn:xmpp:jingle:1'";
    const T = "xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='hostile' pwd='hostilehostilehostile1'";
    const cand = (p: number, extra = '') => `<candidate component='1' foundation='1' generation='0' id='h${p}' ip='127.0.0.1' network='0' port='${p}' priority='2122260223' protocol='udp' type='host'${extra}/>`;
    const info = (cands: string) => `<jingle ${J} action='transport-info' sid='ice-1'><content creator='initiator' name='audio'><transport ${T}>${cands}</transport></content></jingle>`;
    expect(await ask(`<jingle ${J} action='session-initiate' sid='ice-1' initiator='bob@localhost/phone'><content creator='initiator' name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='111' name='opus' clockrate='48000' channels='2'/><rtcp-mux/></description><transport ${T}><fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='actpass'>${FP}</fingerprint></transport></content></jingle>`)).toMatchObject({ type: 'result' });
    const inc = await nextIncoming();
    expect(await ask(info(cand(5000)))).toMatchObject({ type: 'result' });
    expect(await ask(info(cand(70000)))).toMatchObject({ type: 'error', condition: 'bad-request' });
    expect(await ask(info("<candidate component='x'/>"))).toMatchObject({ type: 'error', condition: 'bad-request' });
    expect(await ask(info(Array.from({ length: 33 }, (_, i) => cand(6000 + i)).join('')))).toMatchObject({ type: 'error', condition: 'bad-request' });
    expect(await ask(info(Array.from({ length: 30 }, (_, i) => cand(7000 + i)).join('')))).toMatchObject({ type: 'result' });
    expect(await ask(info(Array.from({ length: 30 }, (_, i) => cand(8000 + i)).join('')))).toMatchObject({ type: 'result' });
    expect(await ask(info(Array.from({ length: 30 }, (_, i) => cand(9000 + i)).join('')))).toMatchObject({ type: 'error', condition: 'bad-request' }); // more than 64 for the session
    expect(await ask(`<jingle ${J} action='transport-info' sid='ice-1'><content creator='initiator' name='nope'><transport ${T}>${cand(5001)}</transport></content></jingle>`)).toMatchObject({ type: 'error', condition: 'bad-request' });
    expect(await prop(inc, 'State')).toBe('ringing');
    expect(await mediaSessions()).toBe(0); // nothing is opened before the answer
    expect(await ask(`<jingle ${J} action='session-terminate' sid='ice-1'><reason><cancel/></reason></jingle>`)).toMatchObject({ type: 'result' });
    await stateIs(inc, 'ended');
    expect(await d.accountProp(alice, 'Status')).toBe('connected');
  });
});
