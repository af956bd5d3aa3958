/**
 * bench/tox part `tcp` (issue 20): time to reach a friend that has no UDP at all (a c-toxcore user
 * with udp_enabled = false, on a c-toxcore TCP relay of the bench's network), friend request → first
 * message, median and max of FRIENDS, every pair new identities:
 *   - c-toxcore → that friend: the subject (UDP, given the same relay with add_tcp_relay) `add`s; the
 *     friend `add_norequest`s on friend_request; the subject sends on friend_connection_status ≠ none;
 *   - confabd → that friend: an account with `tcp-relays` = the relay; AddContact; the friend accepts;
 *     Channel.SendMessage when the contact is available; to the friend's friend_message.
 * Both subjects have UDP (Confab has no TCP-only mode yet: the onion over relays is left, see
 * packages/plugin-tox/src/tcp/README.md); the friend has none, so every packet between them crosses
 * the relay.
 */
import { startToxcore, type ToxNetwork, type ToxNode } from '../../test/fixtures/tox/toxcore';

/** What a flow measured, ms from the add. */
export interface TcpFlow {
  request: number;
  connected: number;
  message: number;
}

/** The bench's side of confabd (bench/tox.ts Bench), as much as this part needs. */
export interface TcpBenchSubject {
  create(extra: Record<string, string[]>): Promise<string>;
  statusAt(account: string, status: string, since: number): Promise<number>;
  available(account: string, contact: string): Promise<number>;
  addContact(account: string, address: string): Promise<void>;
  send(account: string, peerPk: string, text: string): Promise<void>;
  remove(account: string): Promise<void>;
}

const ONLINE_MS = 60_000;
const FLOW_MS = 120_000;

/** A TCP-only c-toxcore friend on `relay`, online (its self connection through the relay). */
async function tcpOnlyFriend(net: ToxNetwork, relay: ToxNode, label: string): Promise<ToxNode> {
  const f = await startToxcore({ label, udp: false });
  await net.join(f); // onion path nodes: it never sends to them itself
  await f.addTcpRelay('127.0.0.1', relay.ready.tcp_port, relay.ready.dht_id);
  await f.waitFor((e) => e.event === 'self_connection_status' && e.connection !== 'none', ONLINE_MS);
  return f;
}

export async function tcpRelayFlows(net: ToxNetwork, relay: ToxNode, d: TcpBenchSubject, rounds: number): Promise<{ ctox: TcpFlow[]; confabd: TcpFlow[] }> {
  const ctox: TcpFlow[] = [];
  const confabd: TcpFlow[] = [];
  for (let i = 0; i < rounds; i++) {
    // c-toxcore (UDP, and the relay) → the TCP-only friend
    const [subject, friend] = await Promise.all([
      (async () => {
        const s = await startToxcore({ label: `tcp-subject${i}` });
        await net.join(s);
        await s.addTcpRelay('127.0.0.1', relay.ready.tcp_port, relay.ready.dht_id);
        await s.waitFor((e) => e.event === 'self_connection_status' && e.connection !== 'none', ONLINE_MS);
        return s;
      })(),
      tcpOnlyFriend(net, relay, `tcp-only-a${i}`),
    ]);
    try {
      const text = `over the relay ${i}`;
      const t0 = Date.now();
      await subject.add(friend.ready.address, 'bench');
      const req = await friend.waitFor((e) => e.event === 'friend_request', FLOW_MS);
      await friend.addNoRequest(subject.ready.public_key);
      const up = await subject.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', FLOW_MS);
      await subject.send(0, text);
      const got = await friend.waitFor((e) => e.event === 'friend_message' && e.text === text, FLOW_MS);
      ctox.push({ request: req.at - t0, connected: up.at - t0, message: got.at - t0 });
    } finally {
      await Promise.all([subject.stop(), friend.stop()]);
    }

    // confabd (UDP, tcp-relays) → the TCP-only friend
    const t = Date.now();
    const [account, friend2] = await Promise.all([
      d.create({ 'tcp-relays': [`127.0.0.1:${relay.ready.tcp_port}:${relay.ready.dht_id}`] }),
      tcpOnlyFriend(net, relay, `tcp-only-b${i}`),
    ]);
    try {
      await d.statusAt(account, 'connected', t);
      const text = `over the relay ${i}`;
      const available = d.available(account, friend2.ready.public_key);
      available.catch(() => undefined); // awaited below
      const t0 = Date.now();
      await d.addContact(account, friend2.ready.address);
      const req = await friend2.waitFor((e) => e.event === 'friend_request', FLOW_MS);
      await friend2.addNoRequest((req as { public_key: string }).public_key);
      const up = await available;
      await d.send(account, friend2.ready.public_key, text);
      const got = await friend2.waitFor((e) => e.event === 'friend_message' && e.text === text, FLOW_MS);
      confabd.push({ request: req.at - t0, connected: up - t0, message: got.at - t0 });
    } finally {
      await Promise.all([d.remove(account), friend2.stop()]);
    }
  }
  return { ctox, confabd };
}
