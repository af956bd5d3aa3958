/** Two and three TS DHT nodes on real UDP sockets on 127.0.0.1, with the real clock. */
import { keysEqual } from '../src/crypto/keys';
import { Dht } from '../src/dht/dht';
import { UdpEndpoint } from '../src/dht/transport';

const nodes: Dht[] = [];
const endpoints: UdpEndpoint[] = [];

async function node(): Promise<Dht> {
  const ep = await UdpEndpoint.bind({ host: '127.0.0.1', port: 0 });
  endpoints.push(ep);
  // a short tick keeps the test quick; every protocol interval (2 s pings, 20 s get-nodes) is unchanged
  const d = new Dht({ endpoint: ep, tickMs: 100 });
  nodes.push(d);
  d.start();
  return d;
}

afterEach(async () => {
  for (const d of nodes.splice(0)) d.dispose();
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

const knows = (a: Dht, b: Dht) => a.closeListView().some((v) => v.good && keysEqual(v.publicKey, b.publicKey));

async function until(what: string, cond: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

test('two nodes find each other when one bootstraps from the other', async () => {
  const a = await node();
  const b = await node();
  expect(a.local.host).toBe('127.0.0.1');
  a.bootstrap({ address: b.local, publicKey: b.publicKey });
  await until('each in the other\'s close list', () => knows(a, b) && knows(b, a), 10_000);
  expect(a.stats.dropped['handler-error']).toBe(0);
});

test('a third node learns the first through the second', async () => {
  const a = await node();
  const b = await node();
  const c = await node();
  a.bootstrap({ address: b.local, publicKey: b.publicKey });
  await until('a and b', () => knows(a, b) && knows(b, a), 10_000);
  c.bootstrap({ address: b.local, publicKey: b.publicKey });
  await until('c knows a and a knows c', () => knows(c, a) && knows(a, c), 10_000);
});
