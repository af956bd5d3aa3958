/**
 * bench/startup — how fast confabd is ready and how much memory it holds when idle.
 *
 *   npm run bench -- startup
 *
 * - start-up: from spawning `node packages/daemon/dist/main.js` to `im.confab.Confab1` being owned on
 *   the bus (NameOwnerChanged seen by a client), over RUNS fresh starts, each with an empty data folder;
 * - idle RSS (VmRSS of the process) with 0 accounts, and with 4 IRC accounts connected to a local
 *   ngircd, each in one channel, after SETTLE_MS of quiet.
 * Not a test: it prints figures, asserts nothing.
 */
import dbus from 'dbus-next';
import { readFileSync } from 'node:fs';
import { DaemonFixture, v } from '../test/fixtures/confabd';
import { startNgircd } from '../test/fixtures/irc/ngircd';
import { stopAll } from '../test/fixtures/processes';

const RUNS = Number(process.env.RUNS ?? 10);
const SETTLE_MS = 3000;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startupTimes(): Promise<{ cold: number[]; warm: number[] }> {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Cold: an empty data folder (migrations run); warm: the same daemon restarted on its database.
    const d = await DaemonFixture.start({ env: { CONFAB_LOG_LEVEL: 'warn' } });
    cold.push(d.lastLaunchMs);
    await d.proc.stop();
    await d.restart();
    warm.push(d.lastLaunchMs);
    if (!(await d.nameHasOwner())) throw new Error('the name was not owned');
    await d.stop();
  }
  return { cold, warm };
}

async function main(): Promise<void> {
  console.log(`# bench/startup  (node ${process.version}, ${RUNS} runs; command: npm run bench -- startup)`);
  const { cold, warm } = await startupTimes();
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  console.log(`start-up, spawn to bus name owned: empty data folder ${fmt(cold)}; existing database ${fmt(warm)}`);

  const d = await DaemonFixture.start({ env: { CONFAB_LOG_LEVEL: 'warn' } });
  await sleep(SETTLE_MS);
  const idle0 = rssMiB(d.proc.pid);
  const irc = await startNgircd();
  const m = await d.manager();
  for (let i = 0; i < 4; i++) {
    const path = (await m.CreateAccount('irc', `bench${i}`, { server: v('s', irc.host), port: v('i', irc.port), nickname: v('s', `bench${i}`) })) as string;
    await d.waitForStatus(path, 'connected');
    await (await d.account(path)).JoinRoom(`#bench${i}`, '');
  }
  await sleep(SETTLE_MS);
  const idle4 = rssMiB(d.proc.pid);
  console.log(`idle RSS: ${idle0.toFixed(1)} MiB with 0 accounts, ${idle4.toFixed(1)} MiB with 4 IRC accounts (each in one channel)`);
  const bare = await import('node:child_process').then(({ execFileSync }) =>
    Number(execFileSync(process.execPath, ['-e', "setTimeout(()=>{console.log(require('fs').readFileSync('/proc/self/status','utf8').match(/VmRSS:\\s+(\\d+)/)[1])},500)"]).toString()) / 1024);
  console.log(`for scale: a bare node ${process.version} process: ${bare.toFixed(1)} MiB`);
  await d.stop();
  await irc.stop();
  await stopAll();
  void dbus;
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
