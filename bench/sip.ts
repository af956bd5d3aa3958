/**
 * bench/sip — confabd's SIP accounts beside baresip on the same kamailio, in one run. Not a test:
 * it prints figures.
 *
 *   npm run bench -- sip
 *
 * 1. register: from Account.SetEnabled(true) to Status `connected` (REGISTER, 401, REGISTER with
 *    digest, 200), median of REGISTERS per transport (UDP, TCP, WebSocket); beside it sipp (C++)
 *    doing the same exchange (bench/peers/sipp-register.xml), mean per registration, UDP and TCP.
 * 2. throughput: one account sends TOTAL MESSAGEs (Channel.SendMessage, WINDOW in flight) to another
 *    on the same daemon through kamailio; delivered/s at a D-Bus subscriber of MessagesReceived,
 *    lost and duplicated counted by sequence number.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DaemonFixture, toMsg, v } from '../test/fixtures/confabd';
import { startKamailio, type Kamailio } from '../test/fixtures/sip/kamailio-server';
import { stopAll, until } from '../test/fixtures/processes';
import { pct } from './peers/wait';

const REGISTERS = Number(process.env.REGISTERS ?? 10);
const TOTAL = Number(process.env.TOTAL ?? 5000);
const WINDOW = Number(process.env.WINDOW ?? 50);

async function registerTimes(d: DaemonFixture, k: Kamailio, user: string, transport: string, port: number): Promise<number[]> {
  const m = await d.manager();
  const account = (await m.CreateAccount('sip', `${user} ${transport}`, {
    uri: v('s', `${user}@127.0.0.1`), password: v('s', `${user}-pw`), server: v('s', '127.0.0.1'), port: v('i', port), transport: v('s', transport),
  })) as string;
  await d.waitForStatus(account, 'connected');
  const acc = await d.account(account);
  const times: number[] = [];
  for (let i = 0; i < REGISTERS; i++) {
    await acc.SetEnabled(false);
    await d.waitForStatus(account, 'disconnected').catch(async (err: Error) => {
      const status = [await d.accountProp(account, 'Status'), await d.accountProp(account, 'StatusReason'), await d.accountProp(account, 'Enabled')];
      throw new Error(`${err.message} (now ${JSON.stringify(status)})\n${d.proc.output().split('\n').filter((l) => !l.includes(' debug ')).slice(-20).join('\n')}`);
    });
    const t0 = performance.now();
    await acc.SetEnabled(true);
    await until(async () => (await d.accountProp(account, 'Status')) === 'connected', 20000, 'connected', 2);
    times.push(performance.now() - t0);
  }
  void k;
  return times;
}

/** Wall time of sipp registering `count` times in a row (bench/peers/sipp-register.xml). */
function sippRegisters(count: number, transport: 'u1' | 't1', port: number): number {
  const t0 = performance.now();
  execFileSync('sipp', ['-sf', join(__dirname, '..', '..', 'peers', 'sipp-register.xml'), '-s', 'p', '-au', 'p', '-ap', 'p-pw', '-m', String(count), '-l', '1', '-r', '1000',
    '-t', transport, '-i', '127.0.0.1', '-nostdin', '-timeout', '30', `127.0.0.1:${port}`], { stdio: 'ignore' });
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const users = Object.fromEntries(['u', 't', 'w', 'a', 'b', 'p', 'q'].map((u) => [u, `${u}-pw`]));
  const k = await startKamailio({ users });
  const d = await DaemonFixture.start();
  try {
    const f = (xs: number[]) => `median ${pct(xs, 50).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
    console.log(`register (${REGISTERS} each), confabd:`);
    console.log(`  UDP        ${f(await registerTimes(d, k, 'u', 'udp', k.udpPort))}`);
    console.log(`  TCP        ${f(await registerTimes(d, k, 't', 'tcp', k.tcpPort))}`);
    console.log(`  WebSocket  ${f(await registerTimes(d, k, 'w', 'ws', k.wsPort))}`);
    for (const [flag, name, port] of [['u1', 'UDP', k.udpPort], ['t1', 'TCP', k.tcpPort]] as const) {
      // sipp's process start is taken out: (N+1 registrations − 1 registration) / N
      const one = sippRegisters(1, flag, port);
      const many = sippRegisters(REGISTERS + 1, flag, port);
      console.log(`  sipp ${name}${' '.repeat(7 - name.length)}mean ${((many - one) / REGISTERS).toFixed(1)} ms (one after another)`);
    }

    const m = await d.manager();
    const mk = async (u: string) => (await m.CreateAccount('sip', u, { uri: v('s', `${u}@127.0.0.1`), password: v('s', `${u}-pw`), server: v('s', '127.0.0.1'), port: v('i', k.udpPort), transport: v('s', 'udp') })) as string;
    const [a, b] = [await mk('a'), await mk('b')];
    await d.waitForStatus(a, 'connected');
    await d.waitForStatus(b, 'connected');
    const seen = new Map<number, number>();
    let last = 0;
    m.on('MessagesReceived', (batch: unknown[][]) => {
      for (const w of batch.map(toMsg)) {
        if (w.account !== b) continue;
        const n = Number(/^seq (\d+)$/.exec(w.body)?.[1] ?? -1);
        seen.set(n, (seen.get(n) ?? 0) + 1);
        last = performance.now();
      }
    });
    const channel = await d.channel((await (await d.account(a)).OpenDirect('b@127.0.0.1')) as string);
    const t0 = performance.now();
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < TOTAL; i++) {
      const p: Promise<unknown> = channel.SendMessage(`seq ${i}`, 'normal').finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= WINDOW) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    await until(() => seen.size >= TOTAL, 120000, 'every message', 50).catch(() => undefined);
    const dup = [...seen.values()].filter((c) => c > 1).length;
    console.log(`throughput: ${TOTAL} MESSAGEs account→kamailio→account (UDP), to a D-Bus subscriber: ${(seen.size / ((last - t0) / 1000)).toFixed(0)} msg/s; lost ${TOTAL - seen.size}, duplicated ${dup}`);
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
