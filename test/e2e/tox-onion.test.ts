/**
 * The TypeScript onion (packages/plugin-tox/src/onion) against c-toxcore 0.2.18 nodes on
 * 127.0.0.1 (issue 6). (a) Our node relays onion packets and serves announces for c-toxcore
 * clients that know no other node: they come online, find each other, become friends, talk.
 * (b) Our onion client announces itself among c-toxcore nodes: a c-toxcore user's friend request
 * reaches it through the onion, and it learns that user's DHT key. Times are logged, not asserted.
 */
import { keysEqual, newKeyPair, toHex, type KeyPair } from '../../packages/plugin-tox/src/crypto/keys';
import { Dht, UdpEndpoint } from '../../packages/plugin-tox/src/dht';
import { Onion, type DhtPublicKeyEvent, type FriendRequestEvent } from '../../packages/plugin-tox/src/onion';
import { ToxId } from '../../packages/plugin-tox/src/tox-id';
import { stopAll, until } from '../fixtures/processes';
import { startToxcore, type ToxNode } from '../fixtures/tox/toxcore';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const times: Record<string, number | string> = {};

interface TsNode { endpoint: UdpEndpoint; dht: Dht; onion: Onion }
let ts: TsNode | undefined;

async function tsNode(realKeyPair?: KeyPair): Promise<TsNode> {
  const endpoint = await UdpEndpoint.bind({ host: '127.0.0.1', port: 0 });
  const dht = new Dht({ endpoint });
  const onion = new Onion({ dht, realKeyPair });
  dht.start();
  onion.start();
  ts = { endpoint, dht, onion };
  return ts;
}

afterEach(async () => {
  ts?.onion.dispose();
  ts?.dht.dispose();
  await ts?.endpoint.close();
  ts = undefined;
  await stopAll();
});
afterAll(() => console.log(`TS onion vs c-toxcore timings (ms): ${JSON.stringify(times, null, 1)}`));

const dhtKeyOf = (n: TsNode) => toHex(n.dht.publicKey).toUpperCase();

describe('TS onion with c-toxcore 0.2.18', () => {
  it('relays and serves announces: two c-toxcore nodes bootstrapped only from us come online, befriend and talk', async () => {
    const node = await tsNode();
    const [a, b] = await Promise.all([startToxcore({ label: 'ctoxA' }), startToxcore({ label: 'ctoxB' })]);
    const t0 = Date.now();
    for (const t of [a, b]) await t.bootstrap('127.0.0.1', node.endpoint.local.port, dhtKeyOf(node));
    try {
      await Promise.all([a.waitOnline(40000), b.waitOnline(40000)]);
    } finally {
      times['(a) stats at online'] = JSON.stringify({ relay: node.onion.relay.counters.snapshot(), announce: node.onion.announce.counters.snapshot(), entries: node.onion.announce.store.size });
    }
    times['(a) both c-toxcore online through us'] = Date.now() - t0;

    const t1 = Date.now();
    await a.add(b.ready.address, 'hello from A');
    const req = await b.waitFor((e) => e.event === 'friend_request', 40000);
    times['(a) friend request A→B arrives'] = Date.now() - t1;
    expect(req.event === 'friend_request' && req.public_key).toBe(a.ready.public_key);
    await b.addNoRequest(a.ready.public_key);
    await Promise.all([
      a.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', 40000),
      b.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', 40000),
    ]);
    times['(a) friends connected after request'] = Date.now() - t1;
    await a.send(b.ready.public_key, 'a message through a network of one TS node');
    const msg = await b.waitFor((e) => e.event === 'friend_message', 20000);
    expect(msg.event === 'friend_message' && msg.text).toBe('a message through a network of one TS node');
    times['(a) message arrives after request'] = Date.now() - t1;

    const relay = node.onion.relay.counters.snapshot();
    const announce = node.onion.announce.counters.snapshot();
    times['(a) relay counters'] = JSON.stringify(relay);
    times['(a) announce counters'] = JSON.stringify(announce);
    expect(relay.handled[0x80]).toBeGreaterThan(0);
    expect(announce.handled[0x83]).toBeGreaterThan(0);
    expect(node.dht.stats.dropped['handler-error']).toBe(0);
  });

  it('our onion client announces among c-toxcore nodes: a friend request reaches it and it learns the sender\'s DHT key', async () => {
    const real = newKeyPair();
    const nospam = 0x1234abcd;
    const node = await tsNode(real);
    const client = node.onion.client!;
    const requests: (FriendRequestEvent & { at: number })[] = [];
    const dhtKeys: (DhtPublicKeyEvent & { at: number })[] = [];
    client.onFriendRequest((e) => requests.push({ ...e, at: Date.now() }));
    client.onDhtPublicKey((e) => dhtKeys.push({ ...e, at: Date.now() }));
    let onlineAt = 0;
    client.onConnectionChanged((c) => { if (c && onlineAt === 0) onlineAt = Date.now(); });

    const tox = await Promise.all([0, 1, 2].map((i) => startToxcore({ label: `ctox${i}` })));
    const t0 = Date.now();
    for (const x of tox) for (const y of tox) if (x !== y) await x.bootstrapTo(y);
    for (const t of tox) {
      await t.bootstrap('127.0.0.1', node.endpoint.local.port, dhtKeyOf(node));
      node.dht.bootstrap({ address: { host: '127.0.0.1', port: t.udpPort }, publicKey: hex(t.ready.dht_id) });
    }
    try {
      await until(() => client.isConnected, 40000, 'our onion client announced');
    } finally {
      times['(b) client stats at online'] = JSON.stringify(client.stats);
    }
    times['(b) our client online (announced)'] = onlineAt - t0;

    const [a] = tox as [ToxNode, ToxNode, ToxNode];
    const ourId = ToxId.from(real.publicKey, nospam).toString();
    const t1 = Date.now();
    await a.add(ourId, 'hello TS client');
    try {
      await until(() => requests.length > 0, 40000, 'the friend request through the onion');
    } finally {
      times['(b) client stats after request'] = JSON.stringify(client.stats);
    }
    times['(b) friend request c-toxcore → TS arrives'] = requests[0].at - t1;
    expect(keysEqual(requests[0].realPublicKey, hex(a.ready.public_key))).toBe(true);
    expect(requests[0].nospam).toBe(nospam);
    expect(Buffer.from(requests[0].message).toString('utf8')).toBe('hello TS client');

    // accepting: the friend_connection layer would add the friend; its DHT key then comes through the onion (or the DHT)
    const t2 = Date.now();
    client.addFriend(requests[0].realPublicKey);
    try {
      await until(() => dhtKeys.length > 0, 40000, "the c-toxcore friend's DHT key");
    } finally {
      times['(b) client stats after DHT key'] = JSON.stringify(client.stats);
    }
    times['(b) DHT key of the friend learned after addFriend'] = `${dhtKeys[0].at - t2} (via ${dhtKeys[0].via})`;
    expect(keysEqual(dhtKeys[0].dhtPublicKey, hex(a.ready.dht_id))).toBe(true);
    expect(keysEqual(dhtKeys[0].realPublicKey, hex(a.ready.public_key))).toBe(true);
    // and our client finds where the friend is announced (its search), so it can send onion data too
    await until(() => client.friendAnnouncedAt(hex(a.ready.public_key)) > 0, 40000, 'the friend found by our search');
    times['(b) friend found by our search after addFriend'] = Date.now() - t2;

    // the other way: our client finds another c-toxcore user through its search and its friend request arrives
    const b = tox[1];
    const bKey = hex(b.ready.public_key);
    const t3 = Date.now();
    client.addFriend(bKey);
    await until(() => client.friendAnnouncedAt(bKey) > 0, 40000, 'c-toxcore user B found by our search');
    times['(b) B found by our search'] = Date.now() - t3;
    await until(() => client.sendFriendRequest(bKey, parseInt(b.ready.nospam, 16), new TextEncoder().encode('hello from TS')) > 0,
      10000, 'a friend request sent');
    const got = await b.waitFor((e) => e.event === 'friend_request', 20000);
    times['(b) friend request TS → c-toxcore arrives after search began'] = Date.now() - t3;
    expect(got.event === 'friend_request' && got.public_key).toBe(toHex(real.publicKey).toUpperCase());
    expect(got.event === 'friend_request' && got.message).toBe('hello from TS');

    // c-toxcore also routes its DHT key through the DHT (request 0x9c, every 20 s once it knows ours)
    const viaDht = await until(() => dhtKeys.find((e) => e.via === 'dht'), 30000, 'a DHT-routed key announcement');
    times['(b) DHT-routed 0x9c from A after addFriend'] = viaDht.at - t2;
    expect(keysEqual(viaDht.dhtPublicKey, hex(a.ready.dht_id))).toBe(true);
    expect(node.dht.stats.dropped['handler-error']).toBe(0);
  });
});
