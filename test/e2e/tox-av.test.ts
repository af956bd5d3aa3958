/**
 * ToxAV calls (issue 20) between Confab (plugin-tox's av/: MSI in lossless 69, RTP in lossy 192,
 * media on confab-media's `frames` transport) and c-toxcore 0.2.18's toxav (toxdriver.c av_*): each
 * end sends a different tone and finds the other's in what it received; hang-up from each side; a
 * friend offline → unreachable; reject → declined; a cancelled incoming call is a missed call.
 * Beside it, toxav ↔ toxav in the same run for the set-up figure (invite → first decoded audio).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { toxAccount } from '../fixtures/accounts';
import { v } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { toneLevel } from '../fixtures/media/tones';
import { tempDir, until } from '../fixtures/processes';
import { startToxNetwork, type ToxNetwork, type ToxNode } from '../fixtures/tox/toxcore';

const CALL = 'im.confab.Confab1.Call';
const CONFAB_HZ = 440;
const CTOX_HZ = 1000;
const PASSWORD = 'tox av test';

describe('ToxAV calls between confabd and c-toxcore', () => {
  const { d, use } = withDaemon({ config: JSON.stringify({ secretStore: 'file', logLevel: 'debug', calls: { ringTimeoutMs: 30000 } }) });
  let net: ToxNetwork;
  let ctox: ToxNode;
  let account = '';
  let pk = '';
  const dir = tempDir('tox-av-');
  let n = 0;
  const wav = (who: string) => join(dir.path, `${who}-${++n}.wav`);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const prop = (path: string, name: string) => d.prop(path, CALL, name);
  const callObj = async (path: string) => (await d.object(path)).getInterface(CALL);
  const log = () => d.proc.output().split('\n').filter((l) => /call|tox|media/i.test(l)).slice(-30).join('\n');
  const stateIs = (path: string, state: string, reason?: string, timeoutMs = 15000) =>
    until(async () => {
      const s = await prop(path, 'State');
      if (s === 'ended' && state !== 'ended') throw new Error(`${path} ended ${String(await prop(path, 'EndReason'))}: ${String(await prop(path, 'EndDetail'))}\n${log()}`);
      return s === state && (reason === undefined || (await prop(path, 'EndReason')) === reason);
    }, timeoutMs, `${path} to be ${state} ${reason ?? ''}`);
  const place = async (to: string, speaker?: string) =>
    (await (await d.manager()).StartCall(account, to, { microphone: v('s', `tone:${CONFAB_HZ}`), ...(speaker ? { speaker: v('s', `file:${speaker}`) } : {}) })) as string;
  const seen = new Set<string>();
  const nextIncoming = () => until(async () => {
    const objects = (await (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, Record<string, Record<string, { value: unknown }>>>;
    const found = Object.entries(objects).find(([path, i]) => i[CALL]?.Direction?.value === 'incoming' && !seen.has(path));
    if (found) seen.add(found[0]);
    return found?.[0];
  }, 15000, 'an incoming call');
  const ok = async (node: ToxNode, line: string) => {
    const r = await node.command(line);
    if (r.error) throw new Error(`${line}: ${r.error}`);
    return r;
  };
  const hears = (file: string, hz: number) => {
    const l = toneLevel(file, hz, { fromS: 1 });
    expect({ hz, present: l.present > 0.8, l }).toEqual({ hz, present: true, l });
  };

  beforeAll(async () => {
    net = use(await startToxNetwork(3));
    ctox = net.nodes[0];
    await net.waitOnline(30000);
    const nodes = net.nodes.map((x) => `127.0.0.1:${x.udpPort}:${x.ready.dht_id}`);
    account = await d.createAccount('tox', 'alice', await toxAccount('alice', PASSWORD, nodes, {}));
    await d.waitForStatus(account, 'connected', undefined, 40000);
    const id = String(await d.accountProp(account, 'Identity'));
    pk = id.slice(0, 64);
    const before = ctox.events().length;
    await ctox.addNoRequest(pk);
    await (await d.account(account)).AddContact(ctox.ready.public_key, '');
    await ctox.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', 40000, before);
    await ok(ctox, `av_tone ${CTOX_HZ}`);
  }, 120_000);

  it('Confab calls c-toxcore, it answers: each hears the other\'s tone; Confab hangs up', async () => {
    const mine = wav('confab');
    const theirs = wav('ctox');
    await ok(ctox, `av_record ${theirs}`);
    const before = ctox.events().length;
    const t0 = Date.now();
    const out = await place(ctox.ready.public_key, mine);
    const invite = await ctox.waitFor((e) => (e.event as string) === 'av_call', 15000, before);
    await ok(ctox, `av_answer ${pk} 48`);
    await stateIs(out, 'active');
    await until(() => existsSync(mine), 5000, 'the recording');
    await ctox.waitFor((e) => (e.event as string) === 'av_first_audio', 10000, before);
    await sleep(4000);
    const stats = (await prop(out, 'Stats')) as Record<string, { value: unknown }>;
    await (await callObj(out)).Hangup();
    await stateIs(out, 'ended', 'hangup');
    await ctox.waitFor((e) => (e.event as string) === 'av_call_state' && (e as unknown as { finished: boolean }).finished, 10000, before);
    await ok(ctox, 'av_record_stop');
    const st = await ok(ctox, 'av_stats');
    console.log(`Confab -> c-toxcore: invite seen ${invite.at - t0} ms after StartCall; c-toxcore decoded our first frame ${String(st.first_frame_ms)} ms after its answer; stats ${JSON.stringify(Object.fromEntries(Object.entries(stats).map(([k, x]) => [k, String(x.value)])))}`);
    expect(Number(stats['packets-received']?.value ?? 0)).toBeGreaterThan(50);
    hears(mine, CTOX_HZ);
    hears(theirs, CONFAB_HZ);
  });

  it('c-toxcore calls Confab, Confab answers: each hears the other; c-toxcore hangs up', async () => {
    const mine = wav('confab');
    const theirs = wav('ctox');
    await ok(ctox, `av_record ${theirs}`);
    const before = ctox.events().length;
    const t0 = Date.now();
    await ok(ctox, `av_call ${pk} 48`);
    const inc = await nextIncoming();
    expect(await prop(inc, 'Peer')).toBe(ctox.ready.public_key);
    await (await callObj(inc)).Accept({ microphone: v('s', `tone:${CONFAB_HZ}`), speaker: v('s', `file:${mine}`) });
    await stateIs(inc, 'active');
    const first = await ctox.waitFor((e) => (e.event as string) === 'av_first_audio', 10000, before);
    console.log(`c-toxcore -> Confab: invite -> c-toxcore's first decoded frame of ours ${first.at - t0} ms`);
    await sleep(4000);
    await ok(ctox, `av_hangup ${pk}`);
    await stateIs(inc, 'ended', 'remote-hangup');
    await ok(ctox, 'av_record_stop');
    hears(mine, CTOX_HZ);
    hears(theirs, CONFAB_HZ);
  });

  it('c-toxcore rejects: declined; Confab rejects: declined at c-toxcore', async () => {
    const before = ctox.events().length;
    const out = await place(ctox.ready.public_key);
    await ctox.waitFor((e) => (e.event as string) === 'av_call', 15000, before);
    await ok(ctox, `av_hangup ${pk}`);
    await stateIs(out, 'ended', 'declined');
    const b2 = ctox.events().length;
    await ok(ctox, `av_call ${pk} 48`);
    const inc = await nextIncoming();
    await (await callObj(inc)).Reject('declined');
    await stateIs(inc, 'ended', 'declined');
    await ctox.waitFor((e) => (e.event as string) === 'av_call_state' && (e as unknown as { finished: boolean }).finished, 10000, b2);
  });

  it('c-toxcore gives up before an answer: a missed call (cancelled) in history', async () => {
    await ok(ctox, `av_call ${pk} 48`);
    const inc = await nextIncoming();
    await sleep(500);
    await ok(ctox, `av_hangup ${pk}`);
    await stateIs(inc, 'ended', 'cancelled');
    const channel = await d.channelOf(account, ctox.ready.public_key);
    await until(async () => Number(await d.channelProp(channel, 'UnreadCount')) >= 1, 5000, 'the missed call to be unread');
  });

  it('beside it, toxav <-> toxav: invite -> the callee\'s first decoded frame of the caller', async () => {
    const [a, b] = [net.nodes[1], net.nodes[2]];
    const before = b.events().length;
    await a.addNoRequest(b.ready.public_key);
    await b.addNoRequest(a.ready.public_key);
    await a.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', 40000, 0);
    await b.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', 40000, before);
    await ok(a, 'av_tone 600');
    await ok(b, 'av_tone 800');
    const t0 = Date.now();
    await ok(a, `av_call ${b.ready.public_key} 48`);
    await b.waitFor((e) => (e.event as string) === 'av_call', 15000, before);
    await ok(b, `av_answer ${a.ready.public_key} 48`);
    const first = await b.waitFor((e) => (e.event as string) === 'av_first_audio', 10000, before);
    console.log(`toxav -> toxav: invite -> the callee's first decoded frame of the caller ${first.at - t0} ms`);
    await ok(a, `av_hangup ${b.ready.public_key}`);
  });

  it('a call to a friend that is offline ends unreachable', async () => {
    const other = net.nodes[1];
    await (await d.account(account)).AddContact(other.ready.public_key, ''); // a friend never online for us
    const out = await place(other.ready.public_key);
    await stateIs(out, 'ended', 'unreachable');
  });
});
