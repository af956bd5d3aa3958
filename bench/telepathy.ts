/**
 * bench/telepathy — confabd's Telepathy adapter beside Mission Control + telepathy-idle (activated on
 * a private bus of their own, IDLE_HTFU=1), on the same inspircd (flood limits off), the same clients,
 * one after the other in one run. Not a test: it prints figures.
 *
 *   npm run bench -- telepathy
 *
 * 1. connect: an account on ngircd (inspircd took ~1 s to let any client in here: its DNS lookup times out after 1 s) made with
 *    `mc-tool add idle/irc …` and enabled; from spawning `mc-tool request ACCOUNT available` to the
 *    Account's ConnectionStatus 0 (AccountPropertyChanged), then `request … offline` back to 2, CONNECTS
 *    times: the first (Mission Control activates idle then), median and max of the rest;
 * 2. throughput, on inspircd: SENDERS raw clients send TOTAL numbered lines into a room that a telepathy-glib client
 *    (test/fixtures/telepathy/tp-flood.py, acknowledging as it goes) joined through the Connection;
 *    messages/s at the client (first to last) and lost / duplicated / merged by sequence number;
 * 3. latency at RATE msg/s for LATENCY_S seconds: the sender's CLOCK_MONOTONIC in the text, the client's
 *    on arrival (the same clock: Node's hrtime, Python's monotonic_ns): p50 / p99;
 * 4. memory: RSS of Mission Control and idle after the run; confabd's RSS with one IRC account connected
 *    in one room and no client, fresh, with the adapter on and with `"telepathy": {"enabled": false}`.
 */
import { readFileSync } from 'node:fs';
import { DaemonFixture } from '../test/fixtures/confabd';
import { floodBody, sendFlood } from '../test/fixtures/irc/flood';
import { startInspircd, type Inspircd } from '../test/fixtures/irc/inspircd';
import { startNgircd, type Ngircd } from '../test/fixtures/irc/ngircd';
import { connectRawClient, type RawIrcClient } from '../test/fixtures/irc/raw-irc-client';
import { stopAll } from '../test/fixtures/processes';
import { judgeFlood, startFloodClient, waitReceived } from '../test/fixtures/telepathy/flood-client';
import { startMissionControlBus } from '../test/fixtures/telepathy/mission-control';
import { mcToolIn, tpPath, watchAccount } from '../test/fixtures/telepathy/tp-account';
import { pct, sleep } from './peers/wait';

const CONNECTS = Number(process.env.CONNECTS ?? 6);
const SENDERS = Number(process.env.SENDERS ?? 4);
const TOTAL = Number(process.env.TOTAL ?? 20_000);
const RATE = Number(process.env.RATE ?? 500);
const LATENCY_S = Number(process.env.LATENCY_S ?? 5);
const ROOM = '#bench';

const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

interface Row { subject: string; first: number; connect: number[]; rate: number; lost: number; duplicated: number; merged: number; p50: number; p99: number; rss: string }

/** Resolves once `nick` is no longer on the server (ISON), so that the next connection does not find its nick in use. */
async function gone(watcher: RawIrcClient, nick: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const from = watcher.lines.length;
    watcher.send(`ISON ${nick}`);
    const reply = await watcher.waitFor((l) => l.command === '303', 5000, from); // RPL_ISON
    if (!(reply.params[1] ?? '').trim()) return;
    await sleep(100);
  }
  throw new Error(`${nick} stays on the server`);
}

/**
 * Run 1: an account on ngircd (no DNS or ident lookups to wait for) requested available and offline
 * CONNECTS times; before each request, the last connection's nick has left the server (else both
 * stacks meet "nick in use": idle gives up with AlreadyConnected, confabd retries after ~2 s).
 */
async function connectTimes(env: NodeJS.ProcessEnv, server: { host: string; port: number }, watcher: RawIrcClient, nick: string): Promise<number[]> {
  const name = (await mcToolIn(env, 'add', 'idle/irc', 'Connect', `string:account=${nick}`, `string:server=${server.host}`, `uint:port=${server.port}`)).trim();
  await mcToolIn(env, 'enable', name);
  const watch = await watchAccount(env.DBUS_SESSION_BUS_ADDRESS!, tpPath(name));
  const times: number[] = [];
  try {
    for (let i = 0; i < CONNECTS; i++) {
      const t0 = nowMs();
      await mcToolIn(env, 'request', name, 'available');
      times.push((await watch.waitStatus(0)) - t0);
      await mcToolIn(env, 'request', name, 'offline');
      await watch.waitStatus(2);
      await gone(watcher, nick);
    }
  } finally {
    watch.close();
  }
  return times;
}

/** Runs 1–3 on the bus of `env`; `rssOf` reads the subject's memory afterwards. */
async function measure(subject: string, env: NodeJS.ProcessEnv, ngircd: { server: Ngircd; watcher: RawIrcClient }, irc: Inspircd, senders: RawIrcClient[], nick: string, rssOf: () => Promise<string>): Promise<Row> {
  const times = await connectTimes(env, ngircd.server, ngircd.watcher, `${nick}c`);
  const name = (await mcToolIn(env, 'add', 'idle/irc', 'Bench', `string:account=${nick}`, `string:server=${irc.host}`, `uint:port=${irc.port}`)).trim();
  await mcToolIn(env, 'enable', name);
  const watch = await watchAccount(env.DBUS_SESSION_BUS_ADDRESS!, tpPath(name));
  await mcToolIn(env, 'request', name, 'available');
  await watch.waitStatus(0);
  watch.close();

  const client = startFloodClient(env, tpPath(name), ROOM, 600);
  await client.joined;
  await sleep(1000);
  const per = Math.ceil(TOTAL / senders.length);
  await Promise.all(senders.map((s, k) => sendFlood(s, ROOM, per, 250, k * per)));
  await waitReceived(client, per * senders.length, 30000, 300000);
  const flood = await client.report();
  const verdict = judgeFlood(flood, per * senders.length);

  let seq = 0;
  const perTick = RATE / 10 / senders.length;
  let carry = 0;
  for (let tick = 0; tick < LATENCY_S * 10; tick++) {
    carry += perTick;
    const n = Math.floor(carry);
    carry -= n;
    for (const s of senders) {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(`PRIVMSG ${ROOM} :lat ${seq++} ${process.hrtime.bigint()}`);
      if (lines.length) s.send(lines.join('\r\n'));
    }
    await sleep(100);
  }
  await waitReceived(client, seq, 5000, 60000);
  const lat = (await client.report()).lat_ms;
  const memory = await rssOf();
  await client.quit();
  const rest = times.slice(1);
  console.log(`  ${subject}: connect ${times.map((t) => t.toFixed(0)).join(', ')} ms; flood ${JSON.stringify(verdict)}; ${lat.length}/${seq} latency samples`);
  if (flood.samples.length) console.log(`  ${subject}: bodies not as sent, e.g. ${JSON.stringify(flood.samples.slice(0, 2))}`);
  return {
    subject, first: times[0], connect: rest, rate: (flood.seqs.length * 1e9) / Math.max(1, flood.last_ns - flood.first_ns),
    lost: verdict.missing, duplicated: verdict.duplicated, merged: verdict.merged, p50: lat.length ? pct(lat, 50) : NaN, p99: lat.length ? pct(lat, 99) : NaN, rss: memory,
  };
}

/** confabd's RSS, fresh, with one IRC account connected in one room and no client, after 5 s of quiet. */
async function confabdRss(irc: Inspircd, telepathy: boolean): Promise<number> {
  const config = JSON.stringify({ reconnect: { initialDelayMs: 200, maxDelayMs: 2000 }, secretStore: 'file', telepathy: { enabled: telepathy } });
  const d = await DaemonFixture.start({ config, env: { CONFAB_LOG_LEVEL: 'warn' } });
  try {
    const account = await d.createAccount('irc', 'Mem', { server: irc.host, port: irc.port, nickname: telepathy ? 'memon' : 'memoff' }, { connected: true });
    await (await d.account(account)).JoinRoom(ROOM, '');
    await sleep(5000);
    return rss(d.proc.pid);
  } finally {
    await d.stop();
  }
}

async function main(): Promise<void> {
  console.log(`# bench/telepathy (node ${process.version}; connect on ngircd 26, traffic on inspircd 3 with flood limits off; Mission Control 5.16 + telepathy-idle 0.2 with IDLE_HTFU=1; ` +
    `${SENDERS} senders; command: npm run bench -- telepathy)`);
  const irc = await startInspircd();
  const server = await startNgircd();
  const ngircd = { server, watcher: await connectRawClient(server.host, server.port, 'watcher') };
  const senders: RawIrcClient[] = [];
  for (let k = 0; k < SENDERS; k++) {
    const s = await connectRawClient(irc.host, irc.port, `sender${k}`);
    s.join(ROOM);
    await s.waitFor((l) => l.command === '366', 5000);
    senders.push(s);
  }
  const rows: Row[] = [];

  const d = await DaemonFixture.start({ env: { CONFAB_LOG_LEVEL: 'warn' } });
  try {
    rows.push(await measure('confabd (Telepathy adapter)', d.env(), ngircd, irc, senders, 'tpconfab', async () => `${rss(d.proc.pid).toFixed(1)} MiB`));
  } finally {
    await d.stop();
  }
  const mc = await startMissionControlBus();
  try {
    rows.push(await measure('Mission Control + telepathy-idle', mc.env(), ngircd, irc, senders, 'tpidle', async () => {
      const { missionControl, idle } = await mc.peerPids();
      const [a, b] = [missionControl ? rss(missionControl) : NaN, idle ? rss(idle) : NaN];
      return `${(a + b).toFixed(1)} MiB (MC ${a.toFixed(1)} + idle ${b.toFixed(1)})`;
    }));
  } finally {
    await mc.stop();
  }
  const on = await confabdRss(irc, true);
  const off = await confabdRss(irc, false);

  console.log('');
  console.log(`| | request → connected: first / median / max of ${CONNECTS - 1} | msg/s to the client | missing | duplicated | merged | latency p50 / p99 at ${RATE} msg/s | RSS after |`);
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.subject} | ${r.first.toFixed(0)} / ${pct(r.connect, 50).toFixed(0)} / ${Math.max(...r.connect).toFixed(0)} ms | ${Math.round(r.rate)} | ${r.lost} | ${r.duplicated} | ${r.merged} | ` +
      `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} ms | ${r.rss} |`);
  }
  console.log('');
  console.log(`confabd RSS, one IRC account in one room, no client: adapter on ${on.toFixed(1)} MiB, off ${off.toFixed(1)} MiB (${(on - off).toFixed(1)} MiB for the adapter)`);
  console.log(`(${TOTAL} lines as floodBody: ${JSON.stringify(floodBody(1))} …; missing: numbers never at the start of a delivered message; merged: bodies holding two lines)`);
  for (const s of senders) s.close();
  await irc.stop();
  ngircd.watcher.close();
  await ngircd.server.stop();
  await stopAll();
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
