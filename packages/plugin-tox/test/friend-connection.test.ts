/**
 * friend_connection and the messenger between two TypeScript peers on a memory network, with
 * ManualTime (Tox spec § "friend_connection", § "Messenger"): the DHT search finds the friend,
 * net_crypto connects, keep-alives hold the connection, their absence closes it after 32 s, and the
 * messenger's packets (online, name, status message, user status, typing, messages and actions with
 * read receipts) cross.
 */
import { FriendConnections, type FriendStatusEvent } from '../src/friend-connection/friend-connections';
import { Messenger, type MessengerEvent } from '../src/messenger/messenger';
import { PacketKind } from '../src/dht/packet-kind';
import { Peers, type Peer } from './helpers/crypto-peers';
import { stack, type Stack } from './helpers/messenger-stack';


describe('friend_connection and messenger', () => {
  let peers: Peers;
  let a: Stack;
  let b: Stack;
  beforeEach(() => {
    peers = new Peers();
    a = stack(peers);
    b = stack(peers);
    a.m.setName('alice');
    b.m.setName('bob');
    b.m.setStatusMessage('here');
    // they meet in the DHT; each knows the other's DHT key (the onion's job, later)
    a.peer.dht.bootstrap({ address: b.peer.endpoint.local, publicKey: b.peer.dht.publicKey });
    const ab = a.m.addFriend(b.peer.keyPair.publicKey);
    const ba = b.m.addFriend(a.peer.keyPair.publicKey);
    ab.connection.setDhtPk(b.peer.dht.publicKey);
    ba.connection.setDhtPk(a.peer.dht.publicKey);
  });
  afterEach(() => {
    a.m.dispose(); b.m.dispose(); a.fc.dispose(); b.fc.dispose(); peers.dispose();
  });

  test('the DHT search finds the friend, both go online, fields and messages cross with receipts', () => {
    peers.run(8000, 50);
    const ab = a.m.friend(b.peer.keyPair.publicKey)!;
    const ba = b.m.friend(a.peer.keyPair.publicKey)!;
    expect(ab.connection.address).toEqual(b.peer.endpoint.local);
    expect(ab.online).toBe(true);
    expect(ba.online).toBe(true);
    expect(ab.name).toBe('bob');
    expect(ab.statusMessage).toBe('here');
    expect(ba.name).toBe('alice');

    const id = ab.sendMessage('hi bob')!;
    const act = ab.sendMessage('waves', 'action')!;
    ab.setTyping(true);
    a.m.setUserStatus('busy');
    peers.run(1500, 50);
    expect(b.events.filter((e) => e.kind === 'message').map((e) => e.kind === 'message' && `${e.type}:${e.text}`)).toEqual(['normal:hi bob', 'action:waves']);
    expect(ba.typing).toBe(true);
    expect(ba.userStatus).toBe('busy');
    expect(a.events.filter((e) => e.kind === 'read-receipt').map((e) => e.kind === 'read-receipt' && e.messageId)).toEqual([id, act]);
    expect(ab.sendMessage('')).toBeUndefined();
    expect(ab.sendMessage('x'.repeat(1373))).toBeUndefined();
  });

  test('keep-alives hold the connection; without them it closes after 32 s', () => {
    peers.run(8000, 50);
    const fa = a.fc.get(b.peer.keyPair.publicKey)!;
    expect(fa.online).toBe(true);
    peers.run(60_000, 200);
    expect(fa.online).toBe(true);
    expect(fa.counters.pingsReceived).toBeGreaterThanOrEqual(6);
    const statuses: FriendStatusEvent[] = [];
    fa.onStatus((e) => statuses.push(e));
    // b's packets stop reaching a
    peers.policy = (s, from) => (from.port === b.peer.endpoint.local.port && s.data[0] === PacketKind.CRYPTO_DATA ? 'drop' : 'deliver');
    // the last keep-alive came at most 8 s ago: the 32 s run out between 24 and 33 s from now
    peers.run(23_000, 200);
    expect(statuses).toEqual([]);
    peers.run(11_000, 200);
    expect(statuses[0]).toEqual({ online: false, reason: 'timeout' });
    expect(a.events.some((e) => e.kind === 'status' && !e.online)).toBe(true);
  });

  test('removing a friend kills the connection: the friend sees it at once', () => {
    peers.run(8000, 50);
    const fb = b.fc.get(a.peer.keyPair.publicKey)!;
    const statuses: FriendStatusEvent[] = [];
    fb.onStatus((e) => statuses.push(e));
    a.m.removeFriend(b.peer.keyPair.publicKey);
    peers.pump();
    expect(statuses).toEqual([{ online: false, reason: 'killed-by-peer' }]);
  });
});
