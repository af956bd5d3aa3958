/**
 * Jingle calls between two Confab accounts on prosody (issue 19, first step): XEP-0353 Jingle
 * Message Initiation, then XEP-0166/0167 RTP sessions over XEP-0177 raw UDP, with confab-media's
 * `rtp` transport. alice calls bob (both accounts in one confabd, as a frontend sees them); bob has a
 * second device — a plain @xmpp/client session (peers/jingle-resource.mjs) — which rings with the
 * propose and sees the carbon of bob's answer. Each side plays its own tone and records the other's
 * (Goertzel, test/fixtures/media/tones.ts). Then what a user meets: hang-up from each side, reject,
 * cancel (a missed call), a video call with frames decoded, and hostile Jingle: IQ errors, no crash,
 * no leaked media sessions.
 */
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
  const hears = (wav: string, hz: number) => {
    const l = toneLevel(wav, hz, { fromS: 0.5 });
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
    const out = await place(alice, 'bob@localhost', ALICE_HZ, aliceWav);
    const inc = await nextIncoming();
    expect(await prop(inc, 'Peer')).toBe('alice@localhost');
    expect(await prop(inc, 'State')).toBe('ringing');
    await stateIs(out, 'ringing');
    const propose = await phoneSaw({ jmi: 'propose' }, 'the propose on bob\'s phone');
    expect(propose.from).toMatch(/^alice@localhost\//);

    await (await callObj(inc)).Accept({ microphone: v('s', `tone:${BOB_HZ}`), speaker: v('s', `file:${bobWav}`) });
    await stateIs(inc, 'active');
    await stateIs(out, 'active');
    await phoneSaw({ carbon: 'sent', jmi: 'proceed', id: propose.id }, 'the carbon of bob\'s proceed on his phone');
    await phoneSaw({ jmi: 'accept', id: propose.id }, 'bob\'s accept to his own bare JID');
    await sleep(3000);
    const stats = (await prop(out, 'Stats')) as Record<string, { value: unknown }>;
    expect(String(stats.codec?.value)).toBe('opus');

    await (await callObj(out)).Hangup();
    await stateIs(out, 'ended', 'hangup');
    await stateIs(inc, 'ended', 'remote-hangup');
    await written(aliceWav, BOB_HZ);
    await written(bobWav, ALICE_HZ);
    hears(aliceWav, BOB_HZ);
    notHears(aliceWav, ALICE_HZ);
    hears(bobWav, ALICE_HZ);
    notHears(bobWav, BOB_HZ);
    await until(async () => (await mediaSessions()) === 0, 5000, 'no media session left');
  });
});
