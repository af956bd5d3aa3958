/**
 * bench/xmpp — confabd beside a direct @xmpp/client receiver on the same prosody, the same load, one
 * after the other in one run. Not a test: it prints figures.
 *
 *   npm run bench -- xmpp
 *
 * 1. login: from "go" to connected, median of LOGINS — confabd (Account.SetEnabled(true) → the
 *    AccountsChanged signal saying `connected`: STARTTLS, SCRAM with Node's crypto, bind, stream
 *    management) and @xmpp/client as it comes (its own SCRAM-SHA-1 in JavaScript);
 * 2. sustained: SENDERS @xmpp/client sessions send TOTAL numbered chat messages as fast as prosody
 *    takes them; delivered/s at the receiver (for confabd: a D-Bus subscriber of MessagesReceived),
 *    lost and duplicated counted by sequence number;
 * 3. latency at RATE msg/s for LATENCY_S seconds: send time in the text, receive time at the
 *    subscriber, same clock: p50 / p99.
 */
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { client, xml, type Element, type XmppClient } from '@xmpp/client';
import { trustOnUpgrade } from '@confab/plugin-xmpp';
import { DaemonFixture, toMsg, v } from '../test/fixtures/confabd';
import { startProsody, type Prosody } from '../test/fixtures/xmpp/prosody';
import { stopAll, until } from '../test/fixtures/processes';
import { pct, sleep, waitQuiet } from './peers/wait';

const SENDERS = Number(process.env.SENDERS ?? 4);
const TOTAL = Number(process.env.TOTAL ?? 20_000);
const LATENCY_S = Number(process.env.LATENCY_S ?? 5);
const RATE = Number(process.env.RATE ?? 500);
const LOGINS = Number(process.env.LOGINS ?? 10);

const median = (xs: number[]) => pct(xs, 50);

interface Receiver {
  name: string;
  onText(cb: (text: string) => void): void;
  stop(): Promise<void>;
}

async function session(x: Prosody, user: string, resource: string): Promise<XmppClient> {
  const c = client({ service: `xmpp://127.0.0.1:${x.port}`, domain: 'localhost', resource, username: user, password: `${user}-pw` });
  c.reconnect.stop();
  c.on('error', () => undefined);
  const ca = readFileSync(x.caFile);
  c.on('connect', () => trustOnUpgrade(c.socket as Socket, ca)); // the run's self-signed CA, for STARTTLS
  await c.start();
  return c;
}

async function directLogins(x: Prosody): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < LOGINS; i++) {
    const t0 = performance.now();
    const c = await session(x, 'direct', `login${i}`);
    times.push(performance.now() - t0);
    await c.stop();
  }
  return times;
}

async function confabdLogins(d: DaemonFixture, account: string): Promise<number[]> {
  const m = await d.manager();
  const acc = await d.account(account);
  let connectedAt = 0;
  m.on('AccountsChanged', (batch: string[][]) => {
    for (const [path, status] of batch) if (path === account && status === 'connected') connectedAt = performance.now();
  });
  const times: number[] = [];
  for (let i = 0; i < LOGINS; i++) {
    await acc.SetEnabled(false);
    await d.waitForStatus(account, 'disconnected');
    connectedAt = 0;
    const t0 = performance.now();
    await acc.SetEnabled(true);
    await until(() => connectedAt > 0, 20000, 'connected');
    times.push(connectedAt - t0);
  }
  return times;
}

/** Sends `count` numbered messages from each sender to `to`, paced by an IQ round trip every 200. */
async function pump(senders: XmppClient[], to: string, count: number, tag: string): Promise<void> {
  await Promise.all(senders.map(async (s, k) => {
    for (let i = 0; i < count; i += 200) {
      const batch = [];
      for (let j = i; j < Math.min(count, i + 200); j++) batch.push(xml('message', { to, type: 'chat' }, xml('body', {}, `${tag} ${k} ${j}`)));
      await s.sendMany(batch);
      await s.iqCaller.request(xml('iq', { type: 'get', to: 'localhost' }, xml('ping', { xmlns: 'urn:xmpp:ping' })), 60000);
    }
  }));
}


interface Row { name: string; login: number[]; sustained: number; lost: number; duplicated: number; p50: number; p99: number }

async function measure(r: Receiver, to: string, login: number[], senders: XmppClient[]): Promise<Row> {
  // sustained
  const seen = new Set<string>();
  let duplicated = 0;
  let first = 0;
  let last = 0;
  let latencies: number[] | undefined;
  r.onText((text) => {
    if (text.startsWith('lat ')) {
      latencies?.push(performance.now() - Number(text.split(' ')[3]));
      return;
    }
    if (!text.startsWith('sus ')) return;
    const now = performance.now();
    if (first === 0) first = now;
    last = now;
    if (seen.has(text)) duplicated++;
    seen.add(text);
  });
  const per = Math.floor(TOTAL / senders.length);
  await pump(senders, to, per, 'sus');
  await waitQuiet(() => seen.size, per * senders.length);
  const sustained = seen.size / ((last - first) / 1000);
  const lost = per * senders.length - seen.size;

  // latency at RATE msg/s
  latencies = [];
  const s = senders[0];
  const n = RATE * LATENCY_S;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    void s.send(xml('message', { to, type: 'chat' }, xml('body', {}, `lat 0 ${i} ${performance.now()}`)));
  }
  await waitQuiet(() => latencies!.length, n, 3000);
  return { name: r.name, login, sustained, lost, duplicated, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

async function main(): Promise<void> {
  const x = await startProsody({ memoryArchive: true });
  for (const u of ['confab', 'direct', ...Array.from({ length: SENDERS }, (_, i) => `sender${i}`)]) x.register(u, `${u}-pw`);
  const senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => session(x, `sender${i}`, 'bench')));
  console.log(`# bench/xmpp (node ${process.version}; prosody 0.12; ${SENDERS} senders, ${TOTAL} messages; latency at ${RATE} msg/s for ${LATENCY_S} s; command: npm run bench -- xmpp)`);
  const rows: Row[] = [];
  try {
    // confabd
    const d = await DaemonFixture.start({ env: { CONFAB_LOG_LEVEL: 'warn' } });
    const m = await d.manager();
    const account = (await m.CreateAccount('xmpp', 'Bench', {
      jid: v('s', 'confab@localhost'), server: v('s', '127.0.0.1'), port: v('i', x.port), 'tls-ca': v('s', x.caFile), password: v('s', 'confab-pw'),
    })) as string;
    await d.waitForStatus(account, 'connected');
    const login = await confabdLogins(d, account);
    console.log(`  confabd: login median ${median(login).toFixed(0)} ms`);
    const listeners: Array<(t: string) => void> = [];
    m.on('MessagesReceived', (batch: unknown[][]) => {
      const msgs = batch.map(toMsg);
      for (const msg of msgs) for (const l of listeners) l(msg.body);
      m.Acknowledge(msgs.map((msg) => BigInt(msg.id))).catch(() => undefined);
    });
    rows.push(await measure({ name: 'confabd', onText: (cb) => listeners.push(cb), stop: () => d.stop() }, 'confab@localhost', login, senders));
    await d.stop();

    // a direct @xmpp/client receiver
    const dLogin = await directLogins(x);
    console.log(`  @xmpp/client: login median ${median(dLogin).toFixed(0)} ms`);
    const direct = await session(x, 'direct', 'bench');
    const dl: Array<(t: string) => void> = [];
    direct.on('stanza', (st: Element) => {
      if (st.is('message')) {
        const b = st.getChildText('body');
        if (b !== null) for (const l of dl) l(b);
      }
    });
    await direct.send(xml('presence'));
    rows.push(await measure({ name: '@xmpp/client (direct)', onText: (cb) => dl.push(cb), stop: () => direct.stop() }, 'direct@localhost', dLogin, senders));
    await direct.stop();
  } finally {
    for (const s of senders) await s.stop().catch(() => undefined);
    await x.stop();
    await stopAll();
  }
  console.log('\n| | login median (min–max) | sustained msg/s | lost | duplicated | latency p50 / p99 at ' + RATE + ' msg/s |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${median(r.login).toFixed(0)} ms (${Math.min(...r.login).toFixed(0)}–${Math.max(...r.login).toFixed(0)}) | ${r.sustained.toFixed(0)} | ${r.lost} | ${r.duplicated} | ${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} ms |`);
  }
}

main().catch((e) => {
  console.error(e);
  void stopAll().finally(() => process.exit(1));
});
