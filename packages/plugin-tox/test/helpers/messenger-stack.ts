/** A peer of crypto-peers.ts with friend_connection and the messenger on top, on the peers' manual time. */
import { FriendConnections } from '../../src/friend-connection';
import { Messenger, type MessengerEvent } from '../../src/messenger';
import type { Peer, Peers } from './crypto-peers';

export interface Stack { peer: Peer; fc: FriendConnections; m: Messenger; events: MessengerEvent[] }

export function stack(peers: Peers): Stack {
  const peer = peers.add();
  peer.dht.start();
  const fc = new FriendConnections({ dht: peer.dht, netCrypto: peer.net, clock: peers.time, scheduler: peers.time });
  fc.start();
  const m = new Messenger({ friendConnections: fc, scheduler: peers.time });
  const events: MessengerEvent[] = [];
  m.onEvent((e) => events.push(e));
  return { peer, fc, m, events };
}
