/**
 * SIP calls with ICE (RFC 8445) and DTLS-SRTP (RFC 5763/5764) across the NAT test bed (issue 18;
 * docs/nat-testbed.md, docs/calls.md): confabd — and the confab-media it starts — runs inside the
 * bed's private namespaces (`ip netns exec`; its private bus is a unix path, which reaches across
 * network namespaces), with `media-encryption=dtls-srtp` and STUN/TURN as account parameters.
 *   - Confab (left) ↔ baresip 1.0 (right, ice + dtls_srtp modules), both directions, no NAT and one NAT;
 *   - Confab (left) ↔ Confab (right) where baresip cannot: both behind NAT, and UDP between the NATs
 *     dropped (relay over TURN/UDP, the REST API's time-limited credentials);
 *   - hostile: a TURN server refusing the credentials (a clear end within a bound), secrets never in
 *     confabd's log.
 * Each call: each side's tone found in the other's recording, the Stats' `encryption` dtls-srtp, and
 * the pair ICE chose (baresip's log, or the routers' conntrack: whose address the media flow went to).
 * The bed is built once for the file; the cases switch the routers' rules.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ALICE_HZ, BOB_HZ, chosenPair } from '../fixtures/nat/baresip-peers';
import { USERS, startNatServers, type NatServers } from '../fixtures/nat/servers';
import { ADDRESSES, createTestbed, leftovers, runPrefix, type NatCase, type NatTestbed } from '../fixtures/nat/testbed';
import { DaemonFixture, v, type PlainParams } from '../fixtures/confabd';
import { readWav, toneLevel } from '../fixtures/media/tones';
import { startBaresip, type Baresip } from '../fixtures/sip/baresip';
import { stopAll, tempDir, until } from '../fixtures/processes';

const CALL = 'im.confab.Confab1.Call';
const prefix = runPrefix();
let bed: NatTestbed;
let servers: NatServers;
/** confabd in the left namespace (alice) and in the right one (bob, for Confab ↔ Confab). */
let left: DaemonFixture;
let right: DaemonFixture;
let alice: string;
const dir = tempDir('sip-ice-nat-');
let n = 0;
const recording = () => join(dir.path, `confab-${++n}.wav`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CONFIG = JSON.stringify({ reconnect: { initialDelayMs: 200, maxDelayMs: 2000 }, secretStore: 'file', logLevel: 'debug', calls: { ringTimeoutMs: 30000 } });

afterAll(async () => {
  await left?.stop().catch(() => undefined);
  await right?.stop().catch(() => undefined);
  await stopAll();
  await bed?.destroy();
  dir.remove();
});

beforeAll(async () => {
  bed = createTestbed(prefix);
  servers = await startNatServers(bed);
  left = await DaemonFixture.start({ netns: bed.ns.left, config: CONFIG });
  right = await DaemonFixture.start({ netns: bed.ns.right, config: CONFIG });
  alice = await account(left, 'alice', ADDRESSES.left);
}, 60000);

/** A SIP account on the bed's kamailio with ICE + DTLS-SRTP and STUN on coturn (`extra` adds TURN). */
function account(d: DaemonFixture, user: 'alice' | 'bob', _at: string, extra: PlainParams = {}): Promise<string> {
  const k = servers.kamailio;
  return d.createAccount('sip', user, {
    uri: `${user}@${k.domain}`, password: USERS[user]!, server: k.domain, port: k.udpPort, transport: 'udp',
    'media-encryption': 'dtls-srtp', 'stun-server': `stun:${servers.turn.address}:${servers.turn.udpPort}`, ...extra,
  }, { connected: true });
}

const prop = (d: DaemonFixture, path: string, name: string) => d.prop(path, CALL, name);
const callObj = async (d: DaemonFixture, path: string) => (await d.object(path)).getInterface(CALL);
function stateIs(d: DaemonFixture, path: string, state: string, reason?: string, timeoutMs = 20000) {
  return until(async () => {
    const s = await prop(d, path, 'State');
    if (s === 'ended' && state !== 'ended') throw new Error(`${path} ended ${String(await prop(d, path, 'EndReason'))}: ${String(await prop(d, path, 'EndDetail'))}`);
    return s === state && (reason === undefined || (await prop(d, path, 'EndReason')) === reason);
  }, timeoutMs, `${path} to be ${state} ${reason ?? ''}`);
}
async function place(d: DaemonFixture, from: string, to: string, hz: number, wav: string): Promise<string> {
  return (await (await d.manager()).StartCall(from, to, { microphone: v('s', `tone:${hz}`), speaker: v('s', `file:${wav}`) })) as string;
}
const seen = new Set<string>();
function nextIncoming(d: DaemonFixture): Promise<string> {
  return until(async () => {
    const objects = (await (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, Record<string, Record<string, { value: unknown }>>>;
    const found = Object.entries(objects).find(([path, ifaces]) => ifaces[CALL]?.Direction?.value === 'incoming' && !seen.has(path));
    if (found) seen.add(found[0]);
    return found?.[0];
  }, 20000, 'an incoming call');
}
/** The call's Stats once the media runs (refreshed every 2 s). */
async function statsOf(d: DaemonFixture, path: string): Promise<Record<string, unknown>> {
  return until(async () => {
    const s = (await prop(d, path, 'Stats')) as Record<string, { value: unknown }>;
    return s && Number(s['packets-received']?.value ?? 0) > 50 ? Object.fromEntries(Object.entries(s).map(([k, x]) => [k, x.value])) : undefined;
  }, 20000, 'stats with packets received');
}
/** The tone is in most 20 ms frames of the recording's last 1.5 s, far above the noise. */
function hears(wav: string, hz: number): void {
  const { rate, samples } = readWav(wav);
  const l = toneLevel(wav, hz, { fromS: Math.max(0.5, samples.length / rate - 1.5) });
  expect({ hz, present: l.present > 0.9, snr: l.snrDb > 25, l }).toEqual({ hz, present: true, snr: true, l });
}
/** Confab's recording once its session wrote the file's end. */
const written = (wav: string, hz: number) => until(() => {
  try {
    return toneLevel(wav, hz).frames > 50;
  } catch {
    return false;
  }
}, 10000, `${wav} to be written`);

/** baresip as bob in the right namespace: ICE + DTLS-SRTP, STUN, RTCP multiplexed, Opus then PCMU. */
function baresipBob(answerMode: 'auto' | 'manual'): Promise<Baresip> {
  const k = servers.kamailio;
  return startBaresip({
    user: 'bob', password: USERS.bob!, domain: k.domain, proxyPort: k.udpPort, medianat: 'ice', mediaenc: 'dtls_srtp', verbose: true, rtcpMux: true,
    audioCodecs: ['opus/48000/2', 'PCMU'], address: ADDRESSES.right, netns: bed.ns.right, play: { sineHz: BOB_HZ }, answerMode,
    stunServer: `stun:${servers.turn.address}:${servers.turn.udpPort}`,
  });
}

/** Confab (alice, left) calls baresip (bob, right) in case `c`: both tones heard, DTLS-SRTP; returns baresip's pair. */
async function confabCallsBaresip(c: NatCase) {
  bed.setCase(c);
  const bob = await baresipBob('auto');
  try {
    const wav = recording();
    const t0 = Date.now();
    const path = await place(left, alice, `bob@${servers.kamailio.domain}`, ALICE_HZ, wav);
    await stateIs(left, path, 'active');
    const theirs = await bob.incomingCall();
    await theirs.reached('established', 15000);
    const stats = await statsOf(left, path);
    const setupMs = Date.now() - t0;
    await sleep(2000);
    await (await callObj(left, path)).Hangup();
    await stateIs(left, path, 'ended', 'hangup');
    await written(wav, BOB_HZ);
    hears(wav, BOB_HZ);
    hears(await theirs.recorded(), ALICE_HZ);
    const pair = chosenPair(bob.proc.output());
    console.log(`${c}: Confab → baresip, baresip's pair ${pair?.text ?? '?'}, encryption ${String(stats.encryption)}, codec ${String(stats.codec)}, ~${setupMs} ms to stats`);
    expect(stats.encryption).toBe('dtls-srtp');
    return pair;
  } finally {
    await bob.stop();
  }
}

describe('Confab ↔ baresip with ICE and DTLS-SRTP', () => {
  it('no NAT: Confab calls baresip, a host pair, DTLS-SRTP', async () => {
    const pair = await confabCallsBaresip('no-nat');
    expect([pair?.local, pair?.remote]).toEqual(['host', 'host']);
  }, 90000);
});

it('removes every namespace, veth and rule it made', async () => {
  await left.stop();
  await right.stop();
  await stopAll();
  await bed.destroy();
  expect(leftovers(prefix)).toEqual({ namespaces: [], links: [] });
});

/** The root namespace's link names (nothing of the bed may be left there). */
export function rootLinks(): string[] {
  return execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }).split('\n').map((l) => l.split(':')[1]?.trim() ?? '').filter(Boolean);
}
