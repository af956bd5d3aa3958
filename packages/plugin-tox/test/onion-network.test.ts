import { precompute } from '../src/crypto/box';
import { keysEqual, newKeyPair, randomBytes } from '../src/crypto/keys';
import { ManualTime } from '../src/dht/clock';
import { Dht } from '../src/dht/dht';
import { PacketKind } from '../src/dht/packet-kind';
import {
  createOnionPacket, createOnionPath, decodeFriendRequest, encodeFriendRequest, Onion, openAnnounceResponse,
  openOuterData, readAnnounceResponseHeader, readDataResponseHeader, sealAnnounceRequest, sealDataRequest, sealInnerData,
  type DhtPublicKeyEvent, type FriendRequestEvent,
} from '../src/onion';
import { decrypt } from '../src/crypto/box';
import type { NodeInfo } from '../src/wire/packed-node';
import { MemoryNetwork } from './helpers/memory-endpoint';

function makeNet(n: number, clients: number) {
  const time = new ManualTime();
  const net = new MemoryNetwork();
  const nodes = Array.from({ length: n }, (_, i) => {
    const dht = new Dht({ endpoint: net.endpoint(), clock: time, scheduler: time });
    const real = i >= n - clients ? newKeyPair() : undefined;
    const onion = new Onion({ dht, realKeyPair: real, clock: time, scheduler: time });
    return { dht, onion, real };
  });
  const run = (seconds: number, until?: () => boolean) => {
    for (let i = 0; i < seconds; i++) {
      time.advance(1000);
      net.flush();
      if (until?.()) return i + 1;
    }
    return seconds;
  };
  return { time, net, nodes, run };
}

const info = (d: Dht): NodeInfo => ({ transport: 'udp', address: d.local, publicKey: d.publicKey });

describe('onion over an in-memory network', () => {
  test('an announce and a data request cross three TS relays and come back down the return path', () => {
    const { nodes, net } = makeNet(5, 0);
    const [a, b, c, d, e] = nodes.map((x) => x.dht);
    const captured: Uint8Array[] = [];
    e.router.register(PacketKind.ANNOUNCE_RESPONSE_OLD, (p) => { captured.push(p.slice()); return 'handled'; });
    e.router.register(PacketKind.ONION_DATA_RESPONSE, (p) => { captured.push(p.slice()); return 'handled'; });
    const real = newKeyPair();
    const dataKey = newKeyPair();
    const path = createOnionPath([info(a), info(b), info(c)], e.publicKey, e.sharedKeys.get(a.publicKey));
    const shared = precompute(d.publicKey, real.secretKey);
    const announce = (pingId: Uint8Array) => {
      const req = sealAnnounceRequest(real.publicKey, shared,
        { pingId, searchedKey: real.publicKey, dataPublicKey: dataKey.publicKey, sendback: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) }, randomBytes(24));
      e.send(createOnionPacket(path, d.local, req, randomBytes(24)), a.local);
      net.flush();
      const res = captured.pop()!;
      expect(res[0]).toBe(0x84);
      const h = readAnnounceResponseHeader(res);
      expect([...h.sendback]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      return openAnnounceResponse(shared, h.nonce, h.box)!;
    };
    const first = announce(new Uint8Array(32));
    expect(first.isStored).toBe(0);
    const second = announce(first.pingIdOrKey);
    expect(second.isStored).toBe(2);
    expect(nodes[3].onion.announce.store.size).toBe(1);

    // someone sends us data through D: it arrives as 0x86 down our return path
    const sender = newKeyPair();
    const nonce = randomBytes(24);
    const inner = sealInnerData(sender.publicKey, precompute(real.publicKey, sender.secretKey), nonce,
      encodeFriendRequest({ nospam: 7, message: Uint8Array.of(0x68, 0x69) }));
    const otherPath = createOnionPath([info(c), info(b), info(a)], d.publicKey, d.sharedKeys.get(c.publicKey));
    d.send(createOnionPacket(otherPath, d.local, sealDataRequest(real.publicKey, dataKey.publicKey, nonce, inner), randomBytes(24)), c.local);
    net.flush();
    const data = captured.pop()!;
    expect(data[0]).toBe(0x86);
    const h = readDataResponseHeader(data);
    const outer = openOuterData(precompute(h.tempKey, dataKey.secretKey), h.nonce, h.box)!;
    const plain = decrypt(precompute(outer.sender, real.secretKey), h.nonce, outer.box)!;
    expect(decodeFriendRequest(plain)).toEqual({ nospam: 7, message: Uint8Array.of(0x68, 0x69) });

    const relayed = (i: number) => nodes[i].onion.relay.counters.snapshot().handled;
    expect(relayed(0)[0x80]).toBe(2);
    expect(relayed(0)[0x8e]).toBe(3); // two announce responses and the data response, all down E's path
    expect(relayed(0)[0x82]).toBe(1); // A was the third hop of D's path
    expect(relayed(1)[0x81]).toBe(3);
    expect(relayed(2)[0x82]).toBe(2);
    expect(relayed(2)[0x8c]).toBe(3);
    expect(nodes[3].onion.announce.counters.snapshot().handled[0x85]).toBe(1);
    for (const x of nodes) expect(x.dht.stats.dropped['handler-error']).toBe(0);
  });

  test('two TS clients announce, find each other by real key, exchange DHT keys and a friend request', () => {
    const { nodes, net, run } = makeNet(6, 2);
    for (const x of nodes.slice(1)) x.dht.bootstrap({ address: nodes[0].dht.local, publicKey: nodes[0].dht.publicKey });
    for (const x of nodes) x.dht.start();
    net.flush();
    run(5);
    const [x, y] = nodes.slice(4);
    const cx = x.onion.client!;
    const cy = y.onion.client!;
    const keys: DhtPublicKeyEvent[] = [];
    const requests: FriendRequestEvent[] = [];
    cx.onDhtPublicKey((e) => keys.push(e));
    cy.onDhtPublicKey((e) => keys.push(e));
    cy.onFriendRequest((e) => requests.push(e));
    x.onion.start();
    y.onion.start();
    const online = run(60, () => cx.isConnected && cy.isConnected);
    expect(cx.isConnected && cy.isConnected).toBe(true);
    expect(online).toBeLessThan(30);

    cx.addFriend(y.real!.publicKey);
    cy.addFriend(x.real!.publicKey);
    run(40, () => keys.length >= 2 && cx.friendAnnouncedAt(y.real!.publicKey) > 0);
    const got = (to: Dht) => keys.find((k) => keysEqual(k.dhtPublicKey, to.publicKey));
    expect(got(y.dht)?.realPublicKey).toEqual(y.real!.publicKey);
    expect(got(x.dht)?.realPublicKey).toEqual(x.real!.publicKey);

    expect(cx.sendFriendRequest(y.real!.publicKey, 0x01020304, Uint8Array.of(0x6f, 0x6b))).toBeGreaterThan(0);
    net.flush();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests[0]).toEqual({ realPublicKey: x.real!.publicKey, nospam: 0x01020304, message: Uint8Array.of(0x6f, 0x6b) });
    for (const n of nodes) expect(n.dht.stats.dropped['handler-error']).toBe(0);
  });
});
