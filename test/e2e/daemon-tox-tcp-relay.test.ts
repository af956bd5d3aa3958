/**
 * A Tox account in confabd with the `tcp-relays` parameter (issue 20): it befriends a c-toxcore user
 * that has no UDP at all (udp_enabled = false) and reaches the network only through a c-toxcore TCP
 * relay — our friend request, the friend online over TCP, messages both ways on D-Bus. The relay is
 * also a DHT node (the account bootstraps from it over UDP). Times are logged, never asserted.
 */
import { toxAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { until } from '../fixtures/processes';
import { startToxcore, type ToxNode } from '../fixtures/tox/toxcore';

describe('confabd with a Tox account given a TCP relay', () => {
  const { d, received, use } = withDaemon();
  let relay: ToxNode;
  let friend: ToxNode;

  beforeAll(async () => {
    relay = use(await startToxcore({ label: 'relay', tcpRelay: true }));
    friend = use(await startToxcore({ label: 'tcp-only', udp: false }));
    await friend.bootstrap('127.0.0.1', relay.udpPort, relay.ready.dht_id);
    await friend.addTcpRelay('127.0.0.1', relay.ready.tcp_port, relay.ready.dht_id);
  });

  it('adds a friend without UDP and talks with it through the relay', async () => {
    const t0 = Date.now();
    const acc = await d.createAccount('tox', 'relayed', await toxAccount('relayed', 'pw pw pw pw', [`127.0.0.1:${relay.udpPort}:${relay.ready.dht_id}`], {
      'tcp-relays': [`127.0.0.1:${relay.ready.tcp_port}:${relay.ready.dht_id}`],
    }));
    await d.waitForStatus(acc, 'connected', undefined, 40_000);
    await friend.waitOnline(40_000);
    const myId = String(await d.accountProp(acc, 'Identity'));
    await (await d.account(acc)).AddContact(friend.ready.address, 'tcp-only');
    const req = await friend.waitFor((e) => e.event === 'friend_request', 60_000);
    expect(req).toMatchObject({ public_key: myId.slice(0, 64) });
    await friend.addNoRequest(myId.slice(0, 64));
    await friend.waitFor((e) => e.event === 'friend_connection_status' && e.connection === 'tcp', 60_000);
    const tOnline = Date.now() - t0;
    await until(async () => ((await d.accountProp(acc, 'Contacts')) as Array<[string, string, string]>).find((c) => c[0] === friend.ready.public_key)?.[2] === 'available', 20_000, 'the friend available');
    await d.send(acc, friend.ready.public_key, 'through the relay');
    await friend.waitFor((e) => e.event === 'friend_message' && e.text === 'through the relay', 20_000);
    await friend.send(myId.slice(0, 64), 'and back through it');
    const m = await until(() => received.find((r) => r.body === 'and back through it'), 20_000, 'the answer');
    expect(m.sender).toBe(friend.ready.public_key);
    console.log(`account created → friend online over TCP: ${tOnline} ms`);
  }, 120_000);
});
