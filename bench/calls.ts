/**
 * bench/calls — a SIP audio call through confabd beside baresip 1.0 on the same kamailio (issue 16).
 * Not a test: it prints figures. PCMU (G.711 µ-law, 20 ms) everywhere: the callee accepts only it,
 * so both callers end up on it; each end plays a tone (confab-media `tone:440`, baresip ausine).
 *
 *   npm run bench -- calls
 *
 * 1. set-up: from the INVITE being asked for (Manager.StartCall over D-Bus; baresip: its `dial`
 *    command) to the callee's first RTP packet, CALL_RTPESTAB of the auto-answering baresip (its
 *    stream's first packet, before its jitter buffer and decoder: the same point for both callers;
 *    `audio_debug`'s counts would need polling a command). Stamped on arrival (a 1 ms poll of the
 *    fixture's events). Median and max of CALLS, the two callers alternating; beside them each
 *    caller's own view (StartCall → State `active`; baresip: dial → CALL_ESTABLISHED), and the
 *    daemon's first call apart (it starts confab-media).
 * 2. CPU (% of one core, utime + stime from /proc over CALL_S) and RSS in a call: confab-media,
 *    confabd and the baresip at the other end; beside them baresip → baresip (each one's share).
 *    confab-media idle: after the calls of part 1 ended, and fresh (part 3's, before any session).
 *    Loss: the Call's Stats (packets-received, packets-lost) against the callee's counts.
 * 3. mouth-to-ear on a loopback call, clicks every 640 ms: two sessions of one confab-media
 *    (peers/latency-confab.ts: one process, one clock, times from its GStreamer log) beside
 *    baresip → baresip (peers/latency-baresip.ts: sndfile's dumps stamped by their log lines).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sipAccount } from '../test/fixtures/accounts';
import { DaemonFixture, v } from '../test/fixtures/confabd';
import { startBaresip, type Baresip, type BaresipCall } from '../test/fixtures/sip/baresip';
import { startKamailio, type Kamailio } from '../test/fixtures/sip/kamailio-server';
import { stopAll, until } from '../test/fixtures/processes';
import { summary } from './peers/clicks';
import { baresipLoopback } from './peers/latency-baresip';
import { confabLoopback } from './peers/latency-confab';
import { cpuOver, usage } from './peers/proc-usage';
import { stamp, type Stamps } from './peers/stamps';
import { pct, sleep } from './peers/wait';

const CALLS = Number(process.env.CALLS ?? 10);
const CALL_S = Number(process.env.CALL_S ?? 10);
const LATENCY_S = Number(process.env.LATENCY_S ?? 8);
const CODEC = 'PCMU';
const CALL = 'im.confab.Confab1.Call';
const USERS: Record<string, string> = { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw', dave: 'dave-pw', erin: 'erin-pw' };

interface Rig {
  readonly d: DaemonFixture;
  readonly k: Kamailio;
  readonly alice: string;
  /** The callee of every call in parts 1 and 2: auto-answers, PCMU only. */
  readonly bob: Baresip;
  /** The baresip caller. */
  readonly carol: Baresip;
  readonly bobStamps: Stamps;
  readonly carolStamps: Stamps;
}

interface Placed {
  readonly theirs: BaresipCall;
  /** To the callee's first RTP packet, ms. */
  readonly rtpMs: number;
  /** To the caller's own "answered" (State active / CALL_ESTABLISHED), ms. */
  readonly ownMs: number;
  hangup(): Promise<void>;
}

async function stateAt(d: DaemonFixture, path: string, state: string): Promise<number> {
  for (const deadline = Date.now() + 15000; Date.now() < deadline; await sleep(2)) {
    const s = await d.prop(path, CALL, 'State');
    if (s === state) return performance.now();
    if (s === 'ended') throw new Error(`${path} ended ${String(await d.prop(path, CALL, 'EndReason'))} before ${state}`);
  }
  throw new Error(`${path} not ${state} after 15 s`);
}

const rtpOf = (r: Rig, theirs: BaresipCall) => until(() => r.bobStamps.eventAt('CALL_RTPESTAB', theirs.id), 10000, 'the callee\'s CALL_RTPESTAB', 5);

async function confabCall(r: Rig): Promise<Placed & { path: string }> {
  const t0 = performance.now();
  const path = (await (await r.d.manager()).StartCall(r.alice, 'bob@127.0.0.1', { microphone: v('s', 'tone:440') })) as string;
  const active = stateAt(r.d, path, 'active');
  const theirs = await r.bob.incomingCall();
  const rtp = await rtpOf(r, theirs);
  return {
    path, theirs, rtpMs: rtp - t0, ownMs: (await active) - t0,
    hangup: async () => {
      await (await r.d.object(path)).getInterface(CALL).Hangup();
      await theirs.reached('closed');
    },
  };
}

async function baresipCall(r: Rig): Promise<Placed> {
  const t0 = performance.now();
  const call = await r.carol.dial('sip:bob@127.0.0.1');
  const theirs = await r.bob.incomingCall();
  const rtp = await rtpOf(r, theirs);
  const est = await until(() => r.carolStamps.eventAt('CALL_ESTABLISHED', call.id), 10000, 'the caller\'s CALL_ESTABLISHED', 5);
  return {
    theirs, rtpMs: rtp - t0, ownMs: est - t0,
    hangup: async () => {
      await r.carol.hangup();
      await theirs.reached('closed');
      await call.reached('closed');
    },
  };
}

const f = (xs: number[]) => `median ${pct(xs, 50).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;

async function setUp(r: Rig): Promise<void> {
  const first = await confabCall(r);
  await first.hangup();
  const ours: Placed[] = [];
  const theirs: Placed[] = [];
  for (let i = 0; i < CALLS; i++) {
    const c = await confabCall(r);
    await c.hangup();
    ours.push(c);
    const b = await baresipCall(r);
    await b.hangup();
    theirs.push(b);
  }
  console.log(`1. call set-up, ${CODEC}, INVITE asked for → the callee's first RTP packet (baresip's CALL_RTPESTAB), ${CALLS} calls each, alternating:`);
  console.log(`  confabd → baresip     ${f(ours.map((c) => c.rtpMs))}   (its own view, StartCall → State active: ${f(ours.map((c) => c.ownMs))})`);
  console.log(`  baresip → baresip     ${f(theirs.map((c) => c.rtpMs))}   (its own view, dial → CALL_ESTABLISHED: ${f(theirs.map((c) => c.ownMs))})`);
  console.log(`  confabd's first call (starts confab-media): ${first.rtpMs.toFixed(1)} ms, active at ${first.ownMs.toFixed(1)} ms`);
}

async function mediaPid(d: DaemonFixture): Promise<number> {
  const b = (await d.client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
  return Number(await b.GetConnectionUnixProcessID('im.confab.Media1'));
}

/**
 * The Call's next Stats (PropertiesChanged, every 2 s) and the baresip callee's counts read at once
 * after it, so that what it sent and what Confab received are compared at about the same moment.
 */
async function statsBeside(d: DaemonFixture, path: string, bob: Baresip): Promise<{ st: Record<string, number>; bob: { sent: number; received: number } }> {
  const props = (await d.object(path)).getInterface('org.freedesktop.DBus.Properties');
  let onChange: ((iface: string, changed: Record<string, { value: unknown }>) => void) | undefined;
  const raw = await new Promise<Record<string, { value: unknown }>>((resolve) => {
    onChange = (iface, changed) => { if (iface === CALL && changed.Stats) resolve(changed.Stats.value as Record<string, { value: unknown }>); };
    props.on('PropertiesChanged', onChange);
  });
  const counts = await bob.rtpCounts();
  props.off('PropertiesChanged', onChange!);
  return { st: Object.fromEntries(Object.entries(raw).map(([key, x]) => [key, Number(x.value)])), bob: counts };
}

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
const cores = (xs: number[]) => xs.map((x) => `${x.toFixed(1)} %`);

async function resources(r: Rig): Promise<void> {
  const media = await mediaPid(r.d);
  const [idleMedia, idleDaemon] = cores(await cpuOver([media, r.d.proc.pid], 3));
  const idleRss = usage(media).rssKb;
  const c = await confabCall(r);
  await sleep(1000);
  const [cm, cd, cb] = cores(await cpuOver([media, r.d.proc.pid, r.bob.proc.pid], CALL_S));
  const rss = [usage(media).rssKb, usage(r.d.proc.pid).rssKb, usage(r.bob.proc.pid).rssKb];
  const { st, bob: bobCounts } = await statsBeside(r.d, c.path, r.bob);
  await c.hangup();
  const b = await baresipCall(r);
  await sleep(1000);
  const [bc, bb] = cores(await cpuOver([r.carol.proc.pid, r.bob.proc.pid], CALL_S));
  const bRss = [usage(r.carol.proc.pid).rssKb, usage(r.bob.proc.pid).rssKb];
  const bCounts = await r.bob.rtpCounts();
  await b.hangup();
  const lost = st['packets-lost'] ?? 0;
  const received = st['packets-received'] ?? 0;
  console.log(`\n2. CPU (% of one core over ${CALL_S} s) and RSS in one ${CODEC} call:`);
  console.log(`  confabd → baresip     confab-media ${cm} (idle ${idleMedia}), confabd ${cd} (idle ${idleDaemon}), the baresip callee ${cb}`);
  console.log(`                        RSS confab-media ${mb(rss[0]!)} (idle after the calls above ${mb(idleRss)}), confabd ${mb(rss[1]!)}, baresip ${mb(rss[2]!)}`);
  console.log(`                        confab's Stats: packets-sent ${st['packets-sent']}, packets-received ${received}, packets-lost ${lost} (${((100 * lost) / Math.max(1, received + lost)).toFixed(1)} %);`);
  console.log(`                        baresip at that moment: sent ${bobCounts.sent} (${(100 - (100 * received) / Math.max(1, bobCounts.sent)).toFixed(1)} % of them not received by Confab), received ${bobCounts.received}`);
  console.log(`  baresip → baresip     caller ${bc}, callee ${bb}; RSS ${mb(bRss[0]!)}, ${mb(bRss[1]!)}; callee sent ${bCounts.sent}, received ${bCounts.received}`);
}

async function mouthToEar(k: Kamailio): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-calls-'));
  try {
    const ours = await confabLoopback(dir, LATENCY_S, CODEC);
    const theirs = await baresipLoopback(dir, LATENCY_S, k, USERS, CODEC);
    console.log(`\n3. mouth-to-ear, ${CODEC} loopback call on 127.0.0.1, a 10 ms burst every 640 ms for ${LATENCY_S} s (aim ≤ 50 ms):`);
    console.log(`  confab-media ↔ confab-media (one process, both directions): ${summary(ours.ms)}`);
    const rtp = ours.stats.map((s) => `${s['packets-received']} received, ${s['packets-lost']} lost`).join('; ');
    console.log(`    RTP ${rtp}; confab-media fresh (before any session) RSS ${mb(ours.freshRssKb)}`);
    console.log(`  baresip → baresip (through kamailio): ${summary(theirs.ms)}`);
    console.log('  (source buffer released → decoded audio out: both exclude the packet-filling wait of a live microphone');
    console.log('   and device buffers; confab-media\'s also excludes the 60 ms its jitter buffer adds before a syncing sink)');
    for (const p of [...ours.problems, ...theirs.problems]) console.log(`  ! ${p}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const k = await startKamailio({ users: USERS, presence: 'none' });
  const d = await DaemonFixture.start({ env: { CONFAB_LOG_LEVEL: 'warn' } });
  try {
    const alice = await d.createAccount('sip', 'alice', sipAccount('alice', USERS.alice!, k.udpPort, 'udp'), { connected: true });
    const common = { domain: k.domain, proxyPort: k.udpPort, audioCodecs: [CODEC] };
    const bob = await startBaresip({ user: 'bob', password: USERS.bob!, play: { sineHz: 1000 }, answerMode: 'auto', ...common });
    const carol = await startBaresip({ user: 'carol', password: USERS.carol!, play: { sineHz: 440 }, ...common });
    const r: Rig = { d, k, alice, bob, carol, bobStamps: stamp(bob), carolStamps: stamp(carol) };
    try {
      await setUp(r);
      await resources(r);
    } finally {
      r.bobStamps.stop();
      r.carolStamps.stop();
      await bob.stop();
      await carol.stop();
    }
    await mouthToEar(k);
  } finally {
    await d.stop();
    await k.stop();
    await stopAll();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
