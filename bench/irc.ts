/**
 * bench/irc — confabd side by side with telepathy-idle on the same IRC server (inspircd, flood limits
 * off), the same load, one after the other in one run. Not a test: it prints figures.
 *
 *   npm run bench -- irc          (needs telepathy-idle: node scripts/setup.js --for bench)
 *
 * 1. sustained: SENDERS raw clients send TOTAL numbered lines into one room as fast as the server
 *    takes them; delivered/s at a D-Bus subscriber (first to last), the best 1-second window, and
 *    lost / corrupted (missing, changed, merged, duplicated) counted by sequence number;
 * 2. latency at 1,000 msg/s for LATENCY_S seconds: send time in the text, receive time at the
 *    subscriber, same process clock: p50 / p99;
 * 3. memory: RSS of the program after joining C rooms that MEMBERS other clients are in
 *    (200 rooms ≈ 10,000 memberships; 1,000 rooms ≈ 50,000), minus its RSS when just connected.
 */
import { readFileSync } from 'node:fs';
import { startBus } from '../test/fixtures/dbus-bus';
import { startInspircd, type Inspircd } from '../test/fixtures/irc/inspircd';
import { stopAll } from '../test/fixtures/processes';
import { connectRawClient, type RawIrcClient } from '../test/fixtures/irc/raw-irc-client';
import { startConfabd } from './peers/confabd';
import type { Subject } from './peers/subject';
import { startTelepathyIdle } from './peers/telepathy-idle';
import { pct, sleep, waitQuiet } from './peers/wait';

const SENDERS = Number(process.env.SENDERS ?? 8);
const TOTAL = Number(process.env.TOTAL ?? 20_000);
const LATENCY_S = Number(process.env.LATENCY_S ?? 10);
const MEMBERS = Number(process.env.MEMBERS ?? 50);
const ROOM_COUNTS = (process.env.ROOMS ?? '200,1000').split(',').map(Number);
const SUBJECTS = (process.env.SUBJECTS ?? 'confabd,telepathy-idle').split(',');

const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

async function clients(irc: Inspircd, prefix: string, n: number): Promise<RawIrcClient[]> {
  const out: RawIrcClient[] = [];
  for (let i = 0; i < n; i++) out.push(await connectRawClient(irc.host, irc.port, `${prefix}${i}`));
  return out;
}

async function joinAll(c: RawIrcClient, rooms: readonly string[]): Promise<void> {
  for (let i = 0; i < rooms.length; i += 200) {
    c.send(rooms.slice(i, i + 200).map((r) => `JOIN ${r}`).join('\r\n'));
    const from = c.lines.length;
    c.send(`PING :j${i}`);
    await c.waitFor((l) => l.command === 'PONG' && l.params[1] === `j${i}`, 60000, from);
  }
}

/** Sends lines from each sender in chunks, each chunk followed by a PING round trip (the server's pace). */
async function pump(senders: RawIrcClient[], linesFor: (k: number) => string[]): Promise<void> {
  await Promise.all(senders.map(async (s, k) => {
    const lines = linesFor(k);
    for (let i = 0; i < lines.length; i += 250) {
      s.send(lines.slice(i, i + 250).join('\r\n'));
      const from = s.lines.length;
      s.send(`PING :p${i}`);
      await s.waitFor((l) => l.command === 'PONG' && l.params[1] === `p${i}`, 60000, from);
    }
  }));
}


/** rooms: [room count, memberships, RSS growth MiB, retained heap growth MiB (after a full GC) or NaN] */
interface Row { subject: string; sustained: number; best: number; lost: number; corrupted: number; p50: number; p99: number; rss0: number; rooms: Array<[number, number, number, number]> }

async function measure(name: string, make: () => Promise<Subject>, irc: Inspircd, senders: RawIrcClient[]): Promise<Row> {
  const subject = await make();
  await subject.joinRooms(['#bench']);
  await sleep(1000);
  const got: Array<[string, number]> = [];
  subject.onText((t) => got.push([t, performance.now()]));

  // 1. sustained
  const expected = new Set<string>();
  const per = Math.ceil(TOTAL / senders.length);
  const linesFor = (k: number) => Array.from({ length: per }, (_, i) => `s${k} ${i} ${'x'.repeat((i * 7) % 50)}`);
  for (let k = 0; k < senders.length; k++) for (const l of linesFor(k)) expected.add(l);
  await pump(senders, (k) => linesFor(k).map((l) => `PRIVMSG #bench :${l}`));
  await waitQuiet(() => got.length, expected.size);
  const texts = got.map((g) => g[0]);
  const distinct = new Set(texts);
  const lost = [...expected].filter((e) => !distinct.has(e)).length;
  const corrupted = texts.filter((t) => !expected.has(t)).length + (texts.length - distinct.size);
  const span = (got[got.length - 1][1] - got[0][1]) / 1000;
  let best = 0;
  for (let i = 0, j = 0; i < got.length; i++) {
    while (got[i][1] - got[j][1] > 1000) j++;
    best = Math.max(best, i - j + 1);
  }

  // 2. latency at 1,000 msg/s
  got.length = 0;
  const perTick = 1000 / 10 / senders.length; // 10 ticks a second
  let carry = 0;
  let seq = 0;
  for (let tick = 0; tick < LATENCY_S * 10; tick++) {
    carry += perTick;
    const n = Math.floor(carry);
    carry -= n;
    for (const s of senders) {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(`PRIVMSG #bench :lat ${seq++} ${performance.now().toFixed(3)}`);
      if (lines.length) s.send(lines.join('\r\n'));
    }
    await sleep(100);
  }
  await waitQuiet(() => got.filter((g) => g[0].startsWith('lat ')).length, seq, 3000);
  const lat = got.filter((g) => g[0].startsWith('lat ')).map(([t, at]) => at - Number(t.split(' ')[2]));

  const rss0 = rss(subject.pid);
  await subject.stop();

  // 3. memory with many rooms and members
  const rooms: Array<[number, number, number, number]> = [];
  for (const count of ROOM_COUNTS) {
    const names = Array.from({ length: count }, (_, i) => `#m${i}`);
    const members = await clients(irc, `m${count}x`, MEMBERS);
    await Promise.all(members.map((c) => joinAll(c, names)));
    const s = await make();
    await sleep(2000);
    const before = rss(s.pid);
    const heapBefore = (await s.retained?.())?.heapUsed ?? NaN;
    await s.joinRooms(names, false);
    await sleep(Math.max(5000, count * 10));
    const after = rss(s.pid);
    const heapAfter = (await s.retained?.())?.heapUsed ?? NaN;
    rooms.push([count, count * (MEMBERS + 1), after - before, (heapAfter - heapBefore) / 1048576]);
    console.log(`  ${name}: ${count} rooms, ${count * (MEMBERS + 1)} memberships: RSS ${after.toFixed(1)} MiB (${before.toFixed(1)} before joining)` +
      (Number.isNaN(heapAfter) ? '' : `; retained heap after a full GC ${(heapAfter / 1048576).toFixed(1)} MiB (${(heapBefore / 1048576).toFixed(1)} before)`));
    await s.stop();
    for (const c of members) c.close();
  }
  return { subject: name, sustained: got.length ? TOTAL / span : 0, best, lost, corrupted, p50: pct(lat, 50), p99: pct(lat, 99), rss0, rooms };
}

async function main(): Promise<void> {
  console.log(`# bench/irc (node ${process.version}; inspircd 3.15, flood limits off; ${SENDERS} senders; command: npm run bench -- irc)`);
  const irc = await startInspircd();
  const bus = await startBus();
  const senders = await clients(irc, 'sender', SENDERS);
  await Promise.all(senders.map((s) => joinAll(s, ['#bench'])));
  const rows: Row[] = [];
  if (SUBJECTS.includes('confabd')) rows.push(await measure('confabd', () => startConfabd(irc.host, irc.port, 'confab'), irc, senders));
  if (SUBJECTS.includes('telepathy-idle')) rows.push(await measure('telepathy-idle', () => startTelepathyIdle(bus.address, irc.host, irc.port, 'idle'), irc, senders));
  console.log('');
  console.log('| | sustained msg/s | best 1 s | lost | corrupted | latency p50 / p99 at 1,000 msg/s | idle RSS | ' + ROOM_COUNTS.map((c) => `+RSS ${c} rooms`).join(' | ') + ' |');
  console.log('|---|---|---|---|---|---|---|' + ROOM_COUNTS.map(() => '---|').join(''));
  for (const r of rows) {
    console.log(`| ${r.subject} | ${Math.round(r.sustained)} | ${r.best} | ${r.lost} | ${r.corrupted} | ${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} ms | ${r.rss0.toFixed(1)} MiB | ` +
      r.rooms.map(([, m, d, h]) => `${d.toFixed(1)} MiB (${((d * 1048576) / m).toFixed(0)} B/m)` + (Number.isNaN(h) ? '' : `; retained ${h.toFixed(1)} MiB (${((h * 1048576) / m).toFixed(0)} B/m)`)).join(' | ') + ' |');
  }
  for (const s of senders) s.close();
  await bus.stop();
  await irc.stop();
  await stopAll();
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
