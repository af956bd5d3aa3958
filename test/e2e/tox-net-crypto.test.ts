/**
 * net_crypto, friend_connection and the messenger of packages/plugin-tox against c-toxcore 0.2.18 on
 * 127.0.0.1 (issue 6). A TS node (DHT + net_crypto + friend_connection + messenger, with its own
 * identity key pair) and one c-toxcore node bootstrap to each other; c-toxcore adds our real key
 * without a request, we add theirs and learn their DHT key from the fixture (the onion layer will
 * provide it later). Our DHT search finds their address and we connect. c-toxcore must see us
 * online over UDP, keep us past its 32 s timeout (our keep-alives), exchange messages with read
 * receipts, names, status messages, user status and typing, then see us go offline when we stop.
 * Times are logged, never asserted.
 */
import { newKeyPair, toHex } from '../../packages/plugin-tox/src/crypto/keys';
import { Dht, UdpEndpoint } from '../../packages/plugin-tox/src/dht';
import { NetCrypto } from '../../packages/plugin-tox/src/net-crypto';
import { FriendConnections } from '../../packages/plugin-tox/src/friend-connection';
import { Messenger, type MessengerEvent } from '../../packages/plugin-tox/src/messenger';
import { stopAll, until } from '../fixtures/processes';
import { startToxcore, type ToxEventAt } from '../fixtures/toxcore';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const times: Record<string, number | string> = {};

interface TsNode {
  endpoint: UdpEndpoint; dht: Dht; net: NetCrypto; fc: FriendConnections; messenger: Messenger; events: MessengerEvent[];
  dispose(): Promise<void>;
}

let ts: TsNode | undefined;

async function tsNode(): Promise<TsNode> {
  const endpoint = await UdpEndpoint.bind({ host: '127.0.0.1', port: 0 });
  const dht = new Dht({ endpoint });
  const net = new NetCrypto({ dht, keyPair: newKeyPair() });
  const fc = new FriendConnections({ dht, netCrypto: net });
  const messenger = new Messenger({ friendConnections: fc });
  const events: MessengerEvent[] = [];
  messenger.onEvent((e) => events.push(e));
  dht.start(); net.start(); fc.start();
  let disposed = false;
  return {
    endpoint, dht, net, fc, messenger, events,
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

    // more than 32 s: our keep-alives keep c-toxcore's friend connection up
    const upSince = Date.now();
    await new Promise((r) => setTimeout(r, 36000));
    expect(tox.events().some((e) => e.event === 'friend_connection_status' && e.connection === 'none' && e.at > upSince)).toBe(false);
    expect(friend.online).toBe(true);
    times['friend pings received by us'] = friend.connection.counters.pingsReceived;
    times['rtt (ms)'] = friend.connection.connection?.rtt ?? 'none';

    expect(node.dht.stats.dropped['handler-error']).toBe(0);
    times['net_crypto stats'] = JSON.stringify(node.net.stats);

    // we stop: c-toxcore sees us offline (kill packet)
    const stopAt = Date.now();
    const before = tox.events().length;
    await node.dispose();
    await tox.waitFor((e) => e.event === 'friend_connection_status' && e.connection === 'none', 15000, before);
    times['dispose → c-toxcore sees us offline'] = Date.now() - stopAt;
  }, 150000);
});
