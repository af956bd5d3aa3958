/**
 * net_crypto, friend_connection and the messenger of packages/plugin-tox against c-toxcore 0.2.18 on
 * 127.0.0.1 (issue 6). A TS node (DHT + net_crypto + friend_connection + messenger, with its own
 * identity key pair) and one c-toxcore node bootstrap to each other; c-toxcore adds our real key
 * without a request, we add theirs and learn their DHT key from the fixture (the onion layer will
 * provide it later). Our DHT search finds their address and we connect. c-toxcore must see us
 * online over UDP, exchange messages with read receipts, names, status messages, user status and
 * typing, keep us past its 32 s timeout (our keep-alives), drop us after it when our keep-alives
 * stop (the control), take us back, then see us go offline when we stop.
 *
 * The timeouts run on virtual time on both sides: the TS node's layers share a `SteppedTime` (real
 * time plus an offset), c-toxcore's monotonic clock is moved by the driver's `advance` command
 * (toxdriver.c). Both are moved 1 s at a time, and after each step the test waits for what that
 * step caused to have been handled — c-toxcore ran at the new time, we handled a packet it sent
 * after that, and it acknowledged every lossless packet (keep-alives included) we sent — never for
 * a fixed time. Real times are logged, never asserted.
 */
import { newKeyPair, toHex } from '../../packages/plugin-tox/src/crypto/keys';
import { Dht, UdpEndpoint } from '../../packages/plugin-tox/src/dht';
import type { Clock, Scheduler } from '../../packages/plugin-tox/src/dht/clock';
import { NetCrypto } from '../../packages/plugin-tox/src/net-crypto';
import { FriendConnections } from '../../packages/plugin-tox/src/friend-connection';
import { Messenger, type MessengerEvent } from '../../packages/plugin-tox/src/messenger';
import { stopAll, until } from '../fixtures/processes';
import { startToxcore, type ToxEventAt } from '../fixtures/tox/toxcore';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const times: Record<string, number | string> = {};

/**
 * The TS node's clock and scheduler: real time plus an offset. Timers run on Node's timers as real
 * time passes; `advance(ms)` moves the offset and at once runs every timer the jump made due, each
 * once, in due order (a periodic one is next due a period after now, as Node's timers skip missed
 * ticks). While a timer name is held (`hold`), its timers keep their schedule but do not run.
 */
interface SteppedTimer { due: number; every?: number; fn: () => void; name: string; real?: NodeJS.Timeout }

class SteppedTime implements Clock, Scheduler {
  private offset = 0;
  private seq = 0;
  private readonly timers = new Map<number, SteppedTimer>();
  private readonly held = new Set<string>();

  now(): number {
    return performance.now() + this.offset;
  }

  /** The total advance so far, ms. */
  get advanced(): number {
    return this.offset;
  }

  every(ms: number, fn: () => void, name = 'timer'): { dispose(): void } {
    return this.add(Math.max(ms, 1), fn, name, true);
  }

  after(ms: number, fn: () => void, name = 'timer'): { dispose(): void } {
    return this.add(Math.max(ms, 0), fn, name, false);
  }

  advance(ms: number): void {
    this.offset += ms;
    const now = this.now();
    const due = [...this.timers].filter(([, t]) => t.due <= now).sort((a, b) => a[1].due - b[1].due);
    for (const [id] of due) this.fire(id);
    for (const [id, t] of this.timers) this.arm(id, t); // the others are due sooner in real time now
  }

  /** Holds (`true`) or releases the timers scheduled under `name`. */
  hold(name: string, held: boolean): void {
    if (held) this.held.add(name);
    else this.held.delete(name);
  }

  private add(ms: number, fn: () => void, name: string, periodic: boolean): { dispose(): void } {
    const id = this.seq++;
    const t: SteppedTimer = { due: this.now() + ms, every: periodic ? ms : undefined, fn, name };
    this.timers.set(id, t);
    this.arm(id, t);
    return { dispose: () => { clearTimeout(t.real); this.timers.delete(id); } };
  }

  private arm(id: number, t: SteppedTimer): void {
    clearTimeout(t.real);
    t.real = setTimeout(() => this.fire(id), Math.max(0, t.due - this.now()));
  }

  private fire(id: number): void {
    const t = this.timers.get(id);
    if (t === undefined) return; // disposed by an earlier callback
    if (t.every !== undefined) {
      t.due = this.now() + t.every;
      this.arm(id, t);
    } else {
      clearTimeout(t.real);
      this.timers.delete(id);
    }
    if (!this.held.has(t.name)) t.fn(); // the layers' callbacks are contained: they do not throw
  }
}

interface TsNode {
  endpoint: UdpEndpoint; dht: Dht; net: NetCrypto; fc: FriendConnections; messenger: Messenger; events: MessengerEvent[];
  time: SteppedTime;
  dispose(): Promise<void>;
}

let ts: TsNode | undefined;

async function tsNode(): Promise<TsNode> {
  const time = new SteppedTime();
  const endpoint = await UdpEndpoint.bind({ host: '127.0.0.1', port: 0 });
  const dht = new Dht({ endpoint, clock: time, scheduler: time });
  const net = new NetCrypto({ dht, keyPair: newKeyPair(), clock: time, scheduler: time });
  const fc = new FriendConnections({ dht, netCrypto: net, clock: time, scheduler: time });
  const messenger = new Messenger({ friendConnections: fc, scheduler: time });
  const events: MessengerEvent[] = [];
  messenger.onEvent((e) => events.push(e));
  dht.start(); net.start(); fc.start();
  let disposed = false;
  return {
    endpoint, dht, net, fc, messenger, events, time,
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      messenger.dispose(); fc.dispose(); net.dispose(); dht.dispose();
      // the kill packets are queued in the socket: let them go before it closes
      await new Promise((r) => setTimeout(r, 50));
      await endpoint.close();
    },
  };
}

afterEach(async () => {
  await ts?.dispose();
  ts = undefined;
  await stopAll();
});
afterAll(() => console.log(`TS net_crypto vs c-toxcore timings (ms): ${JSON.stringify(times)}`));

describe('TS net_crypto + friend_connection + messenger with c-toxcore 0.2.18', () => {
  it('connects over UDP, stays up past 32 s, messages and receipts cross both ways, and offline is seen', async () => {
    const node = (ts = await tsNode());
    const tox = await startToxcore({ label: 'ctox' });
    const info = await tox.info();
    node.messenger.setName('confab');
    node.messenger.setStatusMessage('testing net_crypto');
    await tox.setName('toxcore');
    await tox.setStatusMessage('reference');

    await tox.bootstrap('127.0.0.1', node.dht.local.port, toHex(node.dht.publicKey).toUpperCase());
    node.dht.bootstrap({ address: { host: '127.0.0.1', port: tox.udpPort }, publicKey: hex(info.dht_id) });
    const ourPk = toHex(node.net.publicKey).toUpperCase();
    await tox.addNoRequest(ourPk);

    const t0 = Date.now();
    const friend = node.messenger.addFriend(hex(info.public_key));
    friend.connection.setDhtPk(hex(info.dht_id));
    await until(() => friend.connection.address !== undefined, 20000, 'the DHT search finds their address');
    times['DHT search → address'] = Date.now() - t0;
    await until(() => friend.connection.connection?.state === 'established', 20000, 'crypto connection established');
    times['→ net_crypto established'] = Date.now() - t0;
    const up = await tox.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', 20000);
    times['→ c-toxcore sees us online'] = up.at - t0;
    expect((up as ToxEventAt & { connection: string }).connection).toBe('udp');
    await until(() => friend.online, 10000, 'c-toxcore online for our messenger');

    // names and status messages cross both ways
    await tox.waitFor((e) => e.event === 'friend_name' && e.name === 'confab', 10000);
    await tox.waitFor((e) => e.event === 'friend_status_message' && e.status_message === 'testing net_crypto', 10000);
    await until(() => friend.name === 'toxcore' && friend.statusMessage === 'reference', 10000, 'their name and status message');

    // messages both ways, read receipts both ways
    const fromThem = await tox.send(ourPk, 'hello from c-toxcore');
    await until(() => node.events.some((e) => e.kind === 'message' && e.text === 'hello from c-toxcore'), 10000, 'their message');
    await tox.waitFor((e) => e.event === 'friend_read_receipt' && e.message_id === fromThem, 10000);
    const sentAt = Date.now();
    const id = friend.sendMessage('hello from confab');
    expect(id).toBeDefined();
    const action = friend.sendMessage('waves', 'action');
    await tox.waitFor((e) => e.event === 'friend_message' && e.text === 'hello from confab' && e.type === 'normal', 10000);
    await tox.waitFor((e) => e.event === 'friend_message' && e.text === 'waves' && e.type === 'action', 10000);
    await until(() => node.events.some((e) => e.kind === 'read-receipt' && e.messageId === action), 10000, 'our read receipt');
    times['our message → read receipt'] = Date.now() - sentAt;

    // user status and typing both ways
    node.messenger.setUserStatus('away');
    friend.setTyping(true);
    await tox.waitFor((e) => e.event === 'friend_status' && e.status === 'away', 10000);
    await tox.waitFor((e) => e.event === 'friend_typing' && e.typing, 10000);
    await tox.setStatus('busy');
    await tox.setTyping(ourPk, true);
    await until(() => friend.userStatus === 'busy' && friend.typing, 10000, 'their user status and typing');

    // lossless throughput: 300 messages of 1 KB, all received by c-toxcore in order
    const burstAt = Date.now();
    const n = 300;
    const from = tox.events().length;
    for (let i = 0; i < n; i++) expect(friend.sendMessage(`${String(i).padStart(4, '0')} ${'x'.repeat(1000)}`)).toBeDefined();
    await tox.waitFor((e) => e.event === 'friend_message' && e.text.startsWith(String(n - 1).padStart(4, '0')), 30000, from);
    const burstMs = Date.now() - burstAt;
    const got = tox.events().slice(from).filter((e) => e.event === 'friend_message').map((e) => (e as { text: string }).text.slice(0, 4));
    expect(got).toEqual(Array.from({ length: n }, (_, i) => String(i).padStart(4, '0')));
    times[`${n} × 1 KB messages → c-toxcore`] = burstMs;

    // One step of virtual time on both sides, then until it has been handled: c-toxcore ran at the
    // new time (its `advance` reply), we handled a data packet it sent after that (every virtual
    // second it sends at least a request packet), and it acknowledged every lossless packet we
    // sent (our keep-alives are lossless: acknowledged = its friend_connection has seen them).
    // Should a packet still be on its way, real time keeps both clocks running and the next
    // request packet, within a real second, settles it. A step in which c-toxcore dropped us (the
    // control below) has nothing more to wait for.
    const noneSince = (i: number) => tox.events().slice(i).some((e) => e.event === 'friend_connection_status' && e.connection === 'none');
    let lastPingAt = node.time.now(); // when our last keep-alive went out, our virtual time
    const step = async (): Promise<void> => {
      const sent = friend.connection.counters.pingsSent;
      node.time.advance(1000);
      if (friend.connection.counters.pingsSent > sent) lastPingAt = node.time.now();
      await new Promise((r) => setImmediate(r)); // the datagrams of our timers leave (dgram sends on a later tick) before c-toxcore runs
      const handled = node.net.stats.handled.data;
      const from = tox.events().length;
      await tox.advance(1000);
      if (noneSince(from)) return;
      await until(() => node.net.stats.handled.data > handled && (friend.connection.connection?.sendQueue ?? 0) === 0,
        10000, `step at +${node.time.advanced} ms handled`, 5);
    };

    // 40 virtual seconds, past c-toxcore's 32 s timeout: our keep-alives keep its friend connection up
    const upFrom = tox.events().length;
    const keepAt = Date.now();
    const pingsSent = friend.connection.counters.pingsSent;
    const pingsReceived = friend.connection.counters.pingsReceived;
    for (let i = 0; i < 40; i++) {
      await step();
      expect(noneSince(upFrom)).toBe(false);
    }
    times['40 virtual s with keep-alives'] = Date.now() - keepAt;
    expect(friend.online).toBe(true);
    expect((await tox.friends()).find((f) => f.public_key === ourPk)?.connection).toBe('udp');
    // 8 s apart ours, 9 s apart c-toxcore's (it compares whole seconds): 5 and 4 in 40 s
    expect(friend.connection.counters.pingsSent - pingsSent).toBeGreaterThanOrEqual(4);
    expect(friend.connection.counters.pingsReceived - pingsReceived).toBeGreaterThanOrEqual(3);
    times['friend pings sent / received by us in 40 virtual s'] =
      `${friend.connection.counters.pingsSent - pingsSent} / ${friend.connection.counters.pingsReceived - pingsReceived}`;
    times['rtt (ms)'] = friend.connection.connection?.rtt ?? 'none';

    expect(node.dht.stats.dropped['handler-error']).toBe(0);
    times['net_crypto stats'] = JSON.stringify(node.net.stats);

    // the control: the same steps with our friend_connection timer held (no keep-alives; net_crypto
    // still runs and acknowledges): c-toxcore drops us, and not before its 32 s since our last one
    const controlAt = Date.now();
    const controlFrom = tox.events().length;
    node.time.hold('friend-connections', true);
    let dropAfter: number | undefined;
    for (let i = 0; i < 45 && dropAfter === undefined; i++) {
      await step();
      if (noneSince(controlFrom)) dropAfter = node.time.now() - lastPingAt;
    }
    node.time.hold('friend-connections', false);
    times['control: c-toxcore drops us after, virtual ms since our last keep-alive'] = dropAfter !== undefined ? Math.round(dropAfter) : 'never';
    times['control (real ms)'] = Date.now() - controlAt;
    // c-toxcore compares whole seconds: it drops us more than 32 s (at most about 34 s) after it
    // received our last keep-alive. Counted from its sending to the reply that reported the drop,
    // on a clock stepped with c-toxcore's, this interval can only be longer.
    expect(dropAfter).toBeDefined();
    expect(dropAfter!).toBeGreaterThan(32000);
    expect(dropAfter!).toBeLessThan(36000);

    // c-toxcore's kill packet takes us offline; with our timer running again we connect anew
    await until(() => !friend.online, 10000, 'our friend offline after c-toxcore killed the connection');
    const backAt = Date.now();
    await tox.waitFor((e) => e.event === 'friend_connection_status' && e.connection === 'udp', 20000, controlFrom);
    await until(() => friend.online, 10000, 'our friend online again');
    times['control → connected again'] = Date.now() - backAt;

    // we stop: c-toxcore sees us offline (kill packet)
    const stopAt = Date.now();
    const before = tox.events().length;
    await node.dispose();
    await tox.waitFor((e) => e.event === 'friend_connection_status' && e.connection === 'none', 15000, before);
    times['dispose → c-toxcore sees us offline'] = Date.now() - stopAt;
  }, 150000);
});
