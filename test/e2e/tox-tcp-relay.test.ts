/**
 * Tox TCP relays (issue 20) against c-toxcore 0.2.18 on 127.0.0.1: a c-toxcore node runs its TCP
 * relay server (toxdriver --tcp-port); a c-toxcore friend without UDP (udp_enabled = false) reaches
 * the network through that relay only. Our node (packages/plugin-tox ToxNode) is given the relay
 * (`tcpRelays`): friend request, friend online and messages both ways must all go through the relay,
 * since the friend has no UDP socket at all. Times are logged, never asserted.
 */
import { keysEqual, newKeyPair } from '../../packages/plugin-tox/src/crypto/keys';
import type { MessengerEvent } from '../../packages/plugin-tox/src/messenger';
import { ToxNode } from '../../packages/plugin-tox/src/tox-node';
import { stopAll, until } from '../fixtures/processes';
import { startToxcore, type ToxNode as CToxNode } from '../fixtures/tox/toxcore';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
jest.setTimeout(120_000);

describe('Tox over a TCP relay (c-toxcore 0.2.18)', () => {
  let relay: CToxNode;
  let friend: CToxNode;
  let us: ToxNode | undefined;

  afterAll(async () => {
    await us?.dispose();
    await stopAll();
  });

  test('a c-toxcore friend without UDP and we befriend and talk through a c-toxcore relay', async () => {
    relay = await startToxcore({ label: 'relay', tcpRelay: true });
    expect(relay.ready.tcp_port).toBeGreaterThan(0);
    friend = await startToxcore({ label: 'tcp-only', udp: false });
    expect(friend.ready.udp_port).toBe(0);
    const relayNode = { transport: 'tcp' as const, address: { host: '127.0.0.1', port: relay.ready.tcp_port }, publicKey: hex(relay.ready.dht_id) };
    us = await ToxNode.start({ keyPair: newKeyPair(), nospam: 0x12345678, bind: { host: '127.0.0.1', port: 0 }, tcpRelays: [relayNode] });
    const events: MessengerEvent[] = [];
    us.messenger.onEvent((e) => events.push(e));
    const t0 = Date.now();
    us.bootstrap({ address: { host: '127.0.0.1', port: relay.udpPort }, publicKey: hex(relay.ready.dht_id) });
    await relay.bootstrap('127.0.0.1', us.endpoint.local.port, Buffer.from(us.dht.publicKey).toString('hex'));
    // the friend: onion path nodes from bootstrap (no UDP: it never sends to them itself), the relay as its way in
    await friend.bootstrap('127.0.0.1', relay.udpPort, relay.ready.dht_id);
    await friend.addTcpRelay('127.0.0.1', relay.ready.tcp_port, relay.ready.dht_id);
    await until(() => us!.relays.connected().length === 1, 10_000, 'our relay connection');
    const tRelay = Date.now() - t0;
    await friend.waitOnline(40_000);
    const requests: Uint8Array[] = [];
    us.onFriendRequest((r) => requests.push(r.publicKey));
    await friend.add(us.toxId.toString(), 'over TCP');
    await until(() => requests.length > 0, 60_000, 'the friend request through the relay');
    expect(keysEqual(requests[0], hex(friend.ready.public_key))).toBe(true);
    const f = us.addFriend(requests[0]);
    await until(() => f.online, 60_000, 'the friend online through the relay');
    const tOnline = Date.now() - t0;
    await friend.waitFor((e) => e.event === 'friend_connection_status' && e.connection === 'tcp', 20_000);
    expect(f.connection.connection?.directlyConnected).toBe(false);
    f.sendMessage('hello over a relay');
    await friend.waitFor((e) => e.event === 'friend_message' && e.text === 'hello over a relay', 20_000);
    await friend.send(0, 'and back');
    await until(() => events.some((e) => e.kind === 'message' && e.text === 'and back'), 20_000, 'the answer');
    console.log(`relay connected ${tRelay} ms, friend online ${tOnline} ms; relays`, JSON.stringify(us.relays.stats));
  });
});
