/**
 * bench/tox — confabd's Tox accounts (packages/plugin-tox, Tox in TypeScript) beside c-toxcore
 * 0.2.18 (test/fixtures/tox/toxdriver.c) on the same local network, in one run. Not a test: it
 * prints figures.
 *
 *   npm run bench -- tox
 *
 * Everything is on 127.0.0.1 with local discovery off: a network of 3 c-toxcore nodes that both
 * subjects bootstrap from (by their DHT keys), and nothing else.
 *
 * 1. start → online, median and max of STARTS, each with a new identity:
 *    - c-toxcore: spawn of a toxdriver (process, tox_new, bootstrap to the 3 nodes) → its
 *      self_connection_status ≠ none;
 *    - confabd: Manager.CreateAccount (new profile, encrypted) → the AccountsChanged signal saying
 *      `connected` (ToxConnection.connect resolves on the DHT's first good node); and
 *      Account.SetEnabled(true) of an existing account (its profile and saved nodes) → `connected`.
 *    The two `online`s are not the same moment: c-toxcore's self connection is its onion client's
 *    (onion_client.c onion_connection_status: announced to half the nodes it announces to, for
 *    ONION_CONNECTION_SECONDS = 3 one-second runs, the first announce no earlier than 3 s after
 *    start), confabd's is the DHT's first good node. So also "reachable": a c-toxcore node already
 *    online (the prober) adds the new Tox ID as soon as it is known (c-toxcore: its ready line;
 *    confabd: Account.Identity, at `connected`); start → the request arrives. The request travels
 *    as onion data to where the subject announced itself: this is when its announce is usable.
 * 2. friend request → first message, median and max of FRIENDS, every pair new identities, both
 *    online first; each side answers the other's event as soon as the bench sees it:
 *    - c-toxcore → c-toxcore: A `add`s B's Tox ID; B `add_norequest`s on friend_request; A sends
 *      when friend_connection_status ≠ none; to B's friend_message;
 *    - confabd → c-toxcore: Account.AddContact(Tox ID); c-toxcore accepts; confabd sends
 *      (Channel.SendMessage) when the contact is `available` (PropertiesChanged of Contacts); to
 *      friend_message;
 *    - c-toxcore → confabd: `add`; AnswerSubscription on SubscriptionRequested; c-toxcore sends on
 *      friend_connection_status ≠ none; to the MessagesReceived signal.
 * 3. idle: one connected account with N online friends (toxdrivers; N from IDLE_FRIENDS, 1 and 10),
 *    over IDLE_S: CPU (utime + stime from /proc/<pid>/stat, % of one core) and VmRSS of the confabd
 *    process (a fresh daemon, one account at a time) and of a toxdriver with the same N friends (each
 *    friend adds both), side by side in the same window, after SETTLE_S of settling; then, for
 *    confabd, RSS and JS heap used after a full GC (bench/gc-hook.js), with the account and before any
 *    was created (when its CPU and RSS over IDLE_S are also taken: the daemon's own share). With
 *    CPU_PROF, confabd's CPU profile of each window (bench/peers/cpu-prof-hook.js); the profiler's
 *    own cost is then in the figures.
 * 4. tcp: friend request → first message to a friend without UDP, through a c-toxcore TCP relay,
 *    c-toxcore beside confabd (bench/peers/tox-tcp.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonFixture, REPO_ROOT, toMsg, v } from '../test/fixtures/confabd';
import { stopAll, until } from '../test/fixtures/processes';
import { freeUdpPort, startToxNetwork, startToxcore, toxDriverBinary, type ToxNetwork, type ToxNode } from '../test/fixtures/tox/toxcore';
import { pct, sleep } from './peers/wait';
import { tcpRelayFlows, type TcpFlow } from './peers/tox-tcp';

const STARTS = Number(process.env.STARTS ?? 5);
const FRIENDS = Number(process.env.FRIENDS ?? 5);
const IDLE_S = Number(process.env.IDLE_S ?? 30);
const SETTLE_S = Number(process.env.SETTLE_S ?? 5);
/** The parts to run: `starts` (start → online/reachable, friend request → first message), `idle`, `tcp` (bench/tox-tcp.ts). */
const PARTS = (process.env.TOX_PART ?? 'starts,idle,tcp').split(',');
const part = (name: string) => PARTS.includes(name);
/** Counts of online friends the idle account and its c-toxcore beside it have, one window each. */
const IDLE_FRIENDS = (process.env.IDLE_FRIENDS ?? '1,10').split(',').map(Number);
/** A folder: confabd's CPU profile of each idle window is written there (bench/peers/cpu-prof-hook.js). */
const CPU_PROF = process.env.CPU_PROF;
const PASSWORD = 'bench password';
const ONLINE_MS = 60_000;
const FLOW_MS = 120_000;

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of a process, in seconds (/proc/<pid>/stat fields 14 and 15, after the `(comm)`). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

const online = (n: ToxNode, from = 0) => n.waitFor((e) => e.event === 'self_connection_status' && e.connection !== 'none', ONLINE_MS, from);
const friendUp = (n: ToxNode, from: number) => n.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', FLOW_MS, from);

/** What the bench saw of confabd's signals, with Date.now() at arrival. */
interface Seen {
  statuses: Array<{ at: number; account: string; status: string }>;
  requests: Array<{ at: number; account: string; contact: string }>;
  messages: Array<{ at: number; account: string; body: string }>;
}

class Bench {
  readonly seen: Seen = { statuses: [], requests: [], messages: [] };
  private serial = 0;

  constructor(readonly d: DaemonFixture, readonly net: ToxNetwork) {}

  /** `gcHook`: bench/gc-hook.js preloaded, for retained(). */
  static async start(net: ToxNetwork, gcHook = false): Promise<Bench> {
    // not `debug` (the fixture's default): every packet would be a log line
    const env: NodeJS.ProcessEnv = { CONFAB_LOG_LEVEL: 'warn' };
    if (gcHook) env.NODE_OPTIONS = `--expose-gc --require ${join(REPO_ROOT, 'bench', 'gc-hook.js')}`;
    if (gcHook && CPU_PROF) {
      env.NODE_OPTIONS += ` --require ${join(REPO_ROOT, 'bench', 'peers', 'cpu-prof-hook.js')}`;
      env.CPU_PROF = CPU_PROF;
    }
    const b = new Bench(await DaemonFixture.start({ env }), net);
    const m = await b.d.manager();
    m.on('AccountsChanged', (rows: Array<[string, string, string, string]>) => {
      const at = Date.now();
      for (const [account, status] of rows) b.seen.statuses.push({ at, account, status });
    });
    m.on('SubscriptionRequested', (account: string, contact: string) => b.seen.requests.push({ at: Date.now(), account, contact }));
    m.on('MessagesReceived', (batch: unknown[][]) => {
      const at = Date.now();
      for (const w of batch.map(toMsg)) b.seen.messages.push({ at, account: w.account, body: w.body });
    });
    return b;
  }

  bootstrapNodes(): string[] {
    return this.net.nodes.map((n) => `127.0.0.1:${n.udpPort}:${n.ready.dht_id}`);
  }

  /** `extra`: more string-list parameters (bench/tox-tcp.ts: tcp-relays). */
  async create(extra: Record<string, string[]> = {}): Promise<string> {
    const name = `bench${++this.serial}`;
    const more = Object.fromEntries(Object.entries(extra).map(([k, x]) => [k, v('as', x)]));
    return (await (await this.d.manager()).CreateAccount('tox', name, {
      'profile-password': v('s', PASSWORD), name: v('s', name), 'bind-address': v('s', '127.0.0.1'), 'udp-port': v('i', await freeUdpPort()),
      'local-discovery': v('b', false), 'bootstrap-nodes': v('as', this.bootstrapNodes()), ...more,
    })) as string;
  }

  /** Date.now() of the first AccountsChanged of `account` to `status` at or after `since`. */
  statusAt(account: string, status: string, since: number): Promise<number> {
    return until(() => this.seen.statuses.find((s) => s.at >= since && s.status === status && same(s.account, account))?.at, ONLINE_MS, `${account} to be ${status}`, 5);
  }

  async toxId(account: string): Promise<string> {
    return String(await this.d.accountProp(account, 'Identity'));
  }

  /** Date.now() when `contact` shows as available in the account's Contacts (PropertiesChanged, no polling). */
  async available(account: string, contact: string): Promise<number> {
    const props = (await this.d.object(account)).getInterface('org.freedesktop.DBus.Properties');
    const isUp = (rows: unknown) => (rows as Array<[string, string, string, string]>).some((c) => c[0] === contact && c[2] === 'available');
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => { props.off('PropertiesChanged', on); reject(new Error(`timed out waiting for ${contact} to be available`)); }, FLOW_MS);
      timer.unref(); // a failed run is not kept alive by it
      const done = () => { clearTimeout(timer); props.off('PropertiesChanged', on); resolve(Date.now()); };
      const on = (_iface: string, changed: Record<string, { value: unknown }>) => { if (changed.Contacts && isUp(changed.Contacts.value)) done(); };
      props.on('PropertiesChanged', on);
      // already available before the subscription took effect
      void this.d.accountProp(account, 'Contacts').then((c) => { if (isUp(c)) done(); }, () => undefined);
    });
  }

  /** RSS and heap used after a full GC (bench/gc-hook.js), in MiB. */
  async retained(): Promise<{ rss: number; heapUsed: number }> {
    const from = this.d.proc.output().length;
    this.d.proc.child.kill('SIGUSR2');
    const line = await until(() => this.d.proc.output().slice(from).split('\n').find((l) => l.startsWith('GCSTAT ')), 10000, 'GC figures');
    const m = JSON.parse(line.slice('GCSTAT '.length)) as { rss: number; heapUsed: number };
    return { rss: m.rss / 2 ** 20, heapUsed: m.heapUsed / 2 ** 20 };
  }

  async remove(account: string): Promise<void> {
    await (await this.d.account(account)).Remove();
  }

  async stop(): Promise<void> {
    await this.d.stop();
  }
}

/** An account named by path or by its id (the last part). */
const same = (a: string, b: string) => a === b || a.split('/').pop() === b.split('/').pop();

/** A toxdriver that bootstraps to the network; resolves with it and Date.now() before the spawn. */
async function freshToxcore(net: ToxNetwork, label: string): Promise<{ node: ToxNode; t0: number }> {
  const t0 = Date.now();
  const node = await startToxcore({ label });
  await net.join(node);
  return { node, t0 };
}

async function onlineNode(net: ToxNetwork, label: string): Promise<ToxNode> {
  const { node } = await freshToxcore(net, label);
  await online(node);
  return node;
}

interface StartFigures {
  online: number[];
  reachable: number[];
}

async function ctoxStarts(net: ToxNetwork, prober: ToxNode): Promise<StartFigures> {
  const out: StartFigures = { online: [], reachable: [] };
  for (let i = 0; i < STARTS; i++) {
    const { node, t0 } = await freshToxcore(net, `start${i}`);
    try {
      await prober.add(node.ready.address, 'probe'); // its Tox ID is known from the ready line on
      const [up, req] = await Promise.all([online(node), node.waitFor((e) => e.event === 'friend_request', FLOW_MS)]);
      out.online.push(up.at - t0);
      out.reachable.push(req.at - t0);
      await prober.delete(node.ready.public_key);
    } finally {
      await node.stop();
    }
  }
  return out;
}

async function confabdStarts(b: Bench, prober: ToxNode): Promise<StartFigures & { reenable: number[] }> {
  const out = { online: [] as number[], reachable: [] as number[], reenable: [] as number[] };
  for (let i = 0; i < STARTS; i++) {
    const t0 = Date.now();
    const account = await b.create();
    try {
      out.online.push((await b.statusAt(account, 'connected', t0)) - t0);
      const id = await b.toxId(account);
      await prober.add(id, 'probe');
      const req = await until(() => b.seen.requests.find((r) => r.at >= t0 && same(r.account, account)), FLOW_MS, 'the probe to reach confabd', 5);
      out.reachable.push(req.at - t0);
      await prober.delete(id.slice(0, 64));
      if (i === 0) {
        // the same account again and again: an existing profile (decrypted) with its saved nodes
        const acc = await b.d.account(account);
        for (let j = 0; j < STARTS; j++) {
          await acc.SetEnabled(false);
          await b.d.waitForStatus(account, 'disconnected');
          const t1 = Date.now();
          await acc.SetEnabled(true);
          out.reenable.push((await b.statusAt(account, 'connected', t1)) - t1);
        }
      }
    } finally {
      await b.remove(account);
    }
  }
  return out;
}

/** One friend request → first message: Date.now() of each step after the add, in ms. */
interface Flow { request: number; connected: number; message: number }

async function ctoxToCtox(net: ToxNetwork): Promise<Flow[]> {
  const times: Flow[] = [];
  for (let i = 0; i < FRIENDS; i++) {
    const [a, bNode] = await Promise.all([onlineNode(net, `a${i}`), onlineNode(net, `b${i}`)]);
    try {
      const [fromA, fromB] = [a.events().length, bNode.events().length];
      const text = `first ${i}`;
      const t0 = Date.now();
      await a.add(bNode.ready.address, 'hello');
      const req = await bNode.waitFor((e) => e.event === 'friend_request', FLOW_MS, fromB);
      await bNode.addNoRequest((req as { public_key: string }).public_key);
      const up = await friendUp(a, fromA);
      await a.send(bNode.ready.public_key, text);
      const got = await bNode.waitFor((e) => e.event === 'friend_message' && e.text === text, FLOW_MS, fromB);
      times.push({ request: req.at - t0, connected: up.at - t0, message: got.at - t0 });
    } finally {
      await Promise.all([a.stop(), bNode.stop()]);
    }
  }
  return times;
}

/** FRIENDS times: a fresh confabd account (connected) and a fresh online c-toxcore peer, both gone after `flow`. */
async function eachPair(b: Bench, flow: (account: string, peer: ToxNode, i: number) => Promise<Flow>): Promise<Flow[]> {
  const times: Flow[] = [];
  for (let i = 0; i < FRIENDS; i++) {
    const t = Date.now();
    const [account, peer] = await Promise.all([b.create(), onlineNode(b.net, `peer${i}`)]);
    try {
      await b.statusAt(account, 'connected', t);
      times.push(await flow(account, peer, i));
    } finally {
      await Promise.all([b.remove(account), peer.stop()]);
    }
  }
  return times;
}

function confabdToCtox(b: Bench): Promise<Flow[]> {
  return eachPair(b, async (account, peer, i) => {
    const acc = await b.d.account(account);
    const channel = await b.d.channel((await acc.OpenDirect(peer.ready.public_key)) as string); // the conversation is open beforehand
    const from = peer.events().length;
    const text = `first ${i}`;
    const available = b.available(account, peer.ready.public_key);
    available.catch(() => undefined); // awaited below
    const t0 = Date.now();
    await acc.AddContact(peer.ready.address, '');
    const req = await peer.waitFor((e) => e.event === 'friend_request', FLOW_MS, from);
    await peer.addNoRequest((req as { public_key: string }).public_key);
    const up = await available;
    await channel.SendMessage(text, 'normal');
    const got = await peer.waitFor((e) => e.event === 'friend_message' && e.text === text, FLOW_MS, from);
    return { request: req.at - t0, connected: up - t0, message: got.at - t0 };
  });
}

function ctoxToConfabd(b: Bench): Promise<Flow[]> {
  return eachPair(b, async (account, peer, i) => {
    const acc = await b.d.account(account);
    const id = await b.toxId(account);
    const from = peer.events().length;
    const text = `first ${i}`;
    const t0 = Date.now();
    await peer.add(id, 'hello');
    const req = await until(() => b.seen.requests.find((r) => r.at >= t0 && same(r.account, account)), FLOW_MS, 'the friend request to reach confabd', 1);
    await acc.AnswerSubscription(req.contact, true);
    const up = await friendUp(peer, from);
    await peer.send(id.slice(0, 64), text);
    const got = await until(() => b.seen.messages.find((m) => m.at >= t0 && m.body === text), FLOW_MS, 'the message at the D-Bus subscriber', 1);
    return { request: req.at - t0, connected: up.at - t0, message: got.at - t0 };
  });
}

interface Idle { cpu: number; rss: number }

/**
 * One connected confabd account (a new one in `b`'s daemon) and a c-toxcore toxdriver beside it, each
 * with the same `n` online friends (toxdrivers that added both bare keys), idle over the same IDLE_S
 * window after SETTLE_S; the account, the subject and the friends are gone afterwards.
 */
async function idleWithFriends(b: Bench, net: ToxNetwork, n: number, others: ToxNode[]): Promise<{ d: Idle; c: Idle; gc: { rss: number; heapUsed: number } }> {
  const t = Date.now();
  const [account, subject, ...friends] = await Promise.all([b.create(), onlineNode(net, `subject${n}`), ...Array.from({ length: n }, (_, i) => onlineNode(net, `f${n}.${i}`))]);
  const mine = [subject, ...friends];
  others.push(...mine);
  try {
    await b.statusAt(account, 'connected', t);
    const id = (await b.toxId(account)).slice(0, 64);
    const acc = await b.d.account(account);
    const from = friends.map((f) => f.events().length);
    for (const f of friends) {
      await acc.AddContact(f.ready.public_key, ''); // no request: each side adds the bare key
      await f.addNoRequest(id);
      await f.addNoRequest(subject.ready.public_key);
      await subject.addNoRequest(f.ready.public_key);
    }
    // each friend sees both subjects connected: its friend_connection_status twice
    await Promise.all(friends.map((f, i) => f.waitFor(() => f.events().slice(from[i]).filter((e) => e.event === 'friend_connection_status' && e.connection !== 'none').length >= 2, FLOW_MS, from[i])));
    await Promise.all(friends.map((f) => b.available(account, f.ready.public_key)));
    await sleep(SETTLE_S * 1000);
    if (CPU_PROF) b.d.proc.child.kill('SIGTTIN');
    const [d, c] = await idleCost([b.d.proc.pid, subject.pid]);
    if (CPU_PROF) {
      const from = b.d.proc.output().length;
      b.d.proc.child.kill('SIGTTOU');
      const lines = () => b.d.proc.output().slice(from).split('\n').filter((l) => l.startsWith('CPUPROF '));
      await until(() => lines().find((l) => l.startsWith('CPUPROF /')), 10000, 'the CPU profile');
      console.log(`${n} friend(s), with the profiler on (its own cost is in the figures below):\n${lines().join('\n')}`);
    }
    const gc = await b.retained(); // after the window: a full GC is no idle work
    return { d, c, gc };
  } finally {
    await b.remove(account);
    await Promise.all(mine.map((x) => x.stop()));
    others.splice(others.length - mine.length, mine.length);
  }
}

/** CPU (% of one core) and RSS of each pid over the same IDLE_S window. */
async function idleCost(pids: readonly number[]): Promise<Idle[]> {
  const c0 = pids.map(cpuSeconds);
  const t0 = performance.now();
  await sleep(IDLE_S * 1000);
  const wall = (performance.now() - t0) / 1000;
  return pids.map((pid, i) => ({ cpu: ((cpuSeconds(pid) - c0[i]) / wall) * 100, rss: rssMiB(pid) }));
}

const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
const medMax = (xs: number[]) => (xs.length ? `${ms(pct(xs, 50))} / ${ms(Math.max(...xs))}` : '—');

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ')).join('\n');
}

async function main(): Promise<void> {
  toxDriverBinary(); // compiled (once per machine) before anything is timed
  const net = await startToxNetwork(3, { label: 'net' });
  let b: Bench | undefined;
  let idle: Bench | undefined;
  const others: ToxNode[] = [];
  try {
    await net.waitOnline(ONLINE_MS);
    const prober = await onlineNode(net, 'prober');
    others.push(prober);
    if (part('starts')) {
      b = await Bench.start(net);

      console.log(`Tox on 127.0.0.1, a network of 3 c-toxcore 0.2.18 nodes, local discovery off; median / max`);
      const cStart = await ctoxStarts(net, prober);
      const dStart = await confabdStarts(b, prober);
      console.log(table([
        [`start (${STARTS} each)`, 'c-toxcore', 'confabd'],
        ['  start → online (c-toxcore: onion announced 3 s; confabd: DHT)', medMax(cStart.online), medMax(dStart.online)],
        ['  start → reachable (a peer\'s friend request arrives)', medMax(cStart.reachable), medMax(dStart.reachable)],
        ['  SetEnabled(true), saved profile → online', '', medMax(dStart.reenable)],
      ]));

      const cc = await ctoxToCtox(net);
      const dc = await confabdToCtox(b);
      const cd = await ctoxToConfabd(b);
      // the steps' medians, from the add: the request arrives, the sender sees the friend connected
      const flow = (xs: Flow[]) => [medMax(xs.map((x) => x.message)), ms(pct(xs.map((x) => x.request), 50)), ms(pct(xs.map((x) => x.connected), 50))];
      console.log(table([
        [`friend request → first message (${FRIENDS} each)`, 'median / max', 'request at', 'connected at'],
        ['  c-toxcore → c-toxcore', ...flow(cc)],
        ['  confabd → c-toxcore', ...flow(dc)],
        ['  c-toxcore → confabd', ...flow(cd)],
      ]));
      await b.stop();
      b = undefined;
    }

    if (part('tcp')) {
      b = await Bench.start(net);
      const bench = b;
      const relay = await startToxcore({ label: 'relay', tcpRelay: true });
      others.push(relay);
      await net.join(relay);
      await online(relay);
      const r = await tcpRelayFlows(net, relay, {
        create: (extra) => bench.create(extra),
        statusAt: (a, s, t) => bench.statusAt(a, s, t),
        available: (a, c) => bench.available(a, c),
        addContact: async (a, address) => { await (await bench.d.account(a)).AddContact(address, ''); },
        send: async (a, pk, text) => { await bench.d.send(a, pk, text); },
        remove: (a) => bench.remove(a),
      }, FRIENDS);
      const flow = (xs: TcpFlow[]) => [medMax(xs.map((x) => x.message)), ms(pct(xs.map((x) => x.request), 50)), ms(pct(xs.map((x) => x.connected), 50))];
      console.log(table([
        [`to a friend without UDP, through a c-toxcore TCP relay (${FRIENDS} each)`, 'median / max', 'request at', 'connected at'],
        ['  c-toxcore (+ add_tcp_relay) → it', ...flow(r.ctox)],
        ['  confabd (tcp-relays) → it', ...flow(r.confabd)],
      ]));
      await b.stop();
      b = undefined;
    }

    if (part('idle')) {
      // a fresh daemon, idle before any account (its own share), then per count of friends
      idle = await Bench.start(net, true);
      await sleep(SETTLE_S * 1000);
      const [emptyIdle] = await idleCost([idle.d.proc.pid]);
      const empty = await idle.retained();
      const rows: string[][] = [[`idle, 1 account, N friends online, ${IDLE_S} s`, 'CPU (% core)', 'RSS', 'after a full GC: RSS, JS heap']];
      rows.push(['  confabd before any account', `${emptyIdle.cpu.toFixed(2)} %`, `${emptyIdle.rss.toFixed(1)} MiB`, `${empty.rss.toFixed(1)} MiB, ${empty.heapUsed.toFixed(1)} MiB`]);
      for (const n of IDLE_FRIENDS) {
        const r = await idleWithFriends(idle, net, n, others);
        rows.push(
          [`  ${n} friend${n === 1 ? '' : 's'}: c-toxcore (toxdriver)`, `${r.c.cpu.toFixed(2)} %`, `${r.c.rss.toFixed(1)} MiB`, ''],
          [`  ${n} friend${n === 1 ? '' : 's'}: confabd (whole daemon)`, `${r.d.cpu.toFixed(2)} %`, `${r.d.rss.toFixed(1)} MiB`, `${r.gc.rss.toFixed(1)} MiB, ${r.gc.heapUsed.toFixed(1)} MiB`],
        );
      }
      console.log(table(rows));
    }
  } finally {
    await b?.stop();
    await idle?.stop();
    await Promise.all(others.map((n) => n.stop()));
    await net.stop();
    await stopAll();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
