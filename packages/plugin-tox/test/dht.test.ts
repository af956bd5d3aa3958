import { keysEqual, newKeyPair, toHex } from '../src/crypto/keys';
import { precompute } from '../src/crypto/box';
import { ManualTime } from '../src/dht/clock';
import { Dht } from '../src/dht/dht';
import { openDhtPacket, readDhtHeader, sealDhtPacket } from '../src/dht/dht-packet';
import { PacketKind } from '../src/dht/packet-kind';
import { decodePing, encodeNodesRequest, encodeNodesResponse, encodePing } from '../src/dht/rpc';
import { sealDhtRequest } from '../src/dht/dht-request';
import { MemoryEndpoint, MemoryNetwork } from './helpers/memory-endpoint';

function makeNet(n: number) {
  const time = new ManualTime();
  const net = new MemoryNetwork();
  const nodes = Array.from({ length: n }, () => new Dht({ endpoint: net.endpoint(), clock: time, scheduler: time }));
  for (const d of nodes) d.start();
  /** Moves time by 1 s steps, delivering packets after each tick. */
  const run = (seconds: number) => {
    for (let i = 0; i < seconds; i++) {
      time.advance(1000);
      net.flush();
    }
  };
  return { time, net, nodes, run };
}

const knows = (a: Dht, b: Dht) => a.closeListView().some((v) => v.good && keysEqual(v.publicKey, b.publicKey));

describe('DHT over an in-memory network', () => {
  test('nodes that bootstrapped from one node find each other through it', () => {
    const { nodes, run, net } = makeNet(8);
    for (const d of nodes.slice(1)) d.bootstrap({ address: nodes[0].local, publicKey: nodes[0].publicKey });
    net.flush();
    run(10);
    for (const a of nodes) for (const b of nodes) if (a !== b) expect(knows(a, b)).toBe(true);
    for (const d of nodes) {
      expect(d.isConnected).toBe(true);
      expect(d.stats.dropped['handler-error']).toBe(0);
    }
  });

  test('a node that goes silent turns Bad after 122 s and is replaced', () => {
    const { nodes, run, net } = makeNet(3);
    nodes[1].bootstrap({ address: nodes[0].local, publicKey: nodes[0].publicKey });
    nodes[2].bootstrap({ address: nodes[0].local, publicKey: nodes[0].publicKey });
    net.flush();
    run(5);
    expect(knows(nodes[0], nodes[2])).toBe(true);
    nodes[2].dispose(); // silent from now on
    run(121);
    expect(knows(nodes[0], nodes[1])).toBe(true);
    run(2);
    expect(knows(nodes[0], nodes[2])).toBe(false);
    expect(knows(nodes[0], nodes[1])).toBe(true);
  });

  test('reports connection changes and the nodes of every response', () => {
    const { nodes, net, run } = makeNet(3);
    const changes: boolean[] = [];
    nodes[2].onConnectionChanged((c) => changes.push(c));
    const named: string[] = [];
    nodes[2].onNodesResponse((e) => named.push(toHex(e.node.publicKey)));
    nodes[1].bootstrap({ address: nodes[0].local, publicKey: nodes[0].publicKey });
    net.flush();
    nodes[2].bootstrap({ address: nodes[0].local, publicKey: nodes[0].publicKey });
    net.flush();
    run(3);
    expect(changes).toEqual([true]);
    expect(named).toContain(toHex(nodes[1].publicKey));
  });

  test('a search finds the searched node and reports its address', () => {
    const { nodes, net, run } = makeNet(6);
    for (const d of nodes.slice(1)) d.bootstrap({ address: nodes[0].local, publicKey: nodes[0].publicKey });
    net.flush();
    const found: string[] = [];
    const search = nodes[5].addSearch(nodes[3].publicKey, (e) => found.push(`${e.address.host}:${e.address.port}`));
    run(5);
    expect(found[0]).toBe(`${nodes[3].local.host}:${nodes[3].local.port}`);
    expect(nodes[5].searchedAddress(nodes[3].publicKey)).toEqual(nodes[3].local);
    search.dispose();
    expect(nodes[5].searchedAddress(nodes[3].publicKey)).toBeUndefined();
  });
});

describe('DHT packet handling, one node and a scripted peer', () => {
  function setup() {
    const time = new ManualTime();
    const ep = new MemoryEndpoint({ host: '127.0.0.1', port: 33445 });
    const dht = new Dht({ endpoint: ep, clock: time, scheduler: time });
    const peer = newKeyPair();
    const shared = precompute(dht.publicKey, peer.secretKey);
    const from = { host: '127.0.0.1', port: 40001 };
    return { time, ep, dht, peer, shared, from };
  }

  test('answers a ping from the socket it came to, with the same request id', () => {
    const { ep, dht, peer, shared, from } = setup();
    const packet = sealDhtPacket(PacketKind.PING_REQUEST, peer.publicKey, shared, encodePing({ response: false, requestId: 0xabcdefn }));
    expect(dht.router.dispatch(packet, { from, via: ep })).toBe('handled');
    const [reply] = ep.take();
    expect(reply.to).toEqual(from);
    const h = readDhtHeader(reply.data);
    expect(h.kind).toBe(PacketKind.PING_RESPONSE);
    expect(decodePing(openDhtPacket(h, shared)!)).toEqual({ response: true, requestId: 0xabcdefn });
  });

  test('sends no Nodes Response while it knows no node (c-toxcore drops an empty one)', () => {
    const { ep, dht, peer, shared, from } = setup();
    const packet = sealDhtPacket(PacketKind.NODES_REQUEST, peer.publicKey, shared, encodeNodesRequest({ target: peer.publicKey, requestId: 5n }));
    expect(dht.router.dispatch(packet, { from, via: ep })).toBe('handled');
    expect(ep.take().filter((s) => s.data[0] === PacketKind.NODES_RESPONSE)).toHaveLength(0);
  });

  test('pings a requester that would fit at the next round; an answer from another port is refused and uses up the id', () => {
    const { time, ep, dht, peer, shared, from } = setup();
    dht.start();
    dht.router.dispatch(sealDhtPacket(PacketKind.PING_REQUEST, peer.publicKey, shared, encodePing({ response: false, requestId: 1n })), { from, via: ep });
    ep.take();
    time.advance(1000);
    const pings = ep.take().filter((s) => s.data[0] === PacketKind.PING_REQUEST);
    expect(pings).toHaveLength(1);
    const ping = decodePing(openDhtPacket(readDhtHeader(pings[0].data), shared)!);
    const answer = sealDhtPacket(PacketKind.PING_RESPONSE, peer.publicKey, shared, encodePing({ response: true, requestId: ping.requestId }));
    // from another port: refused; from the right one: accepted, once
    expect(dht.router.dispatch(answer, { from: { ...from, port: 1 }, via: ep })).toBe('unexpected-reply');
    const fresh = sealDhtPacket(PacketKind.PING_RESPONSE, peer.publicKey, shared, encodePing({ response: true, requestId: ping.requestId }));
    expect(dht.router.dispatch(fresh, { from, via: ep })).toBe('unexpected-reply'); // the id was used up by the wrong-port try
    expect(dht.isConnected).toBe(false);
  });

  test('a nodes response with a live id from the right address adds the node; a replay is refused', () => {
    const { ep, dht, peer, shared, from } = setup();
    dht.bootstrap({ address: from, publicKey: peer.publicKey });
    const [req] = ep.take();
    expect(req.data[0]).toBe(PacketKind.NODES_REQUEST);
    const h = readDhtHeader(req.data);
    const plain = openDhtPacket(h, shared)!;
    const requestId = new DataView(plain.buffer, plain.byteOffset + 32, 8).getBigUint64(0);
    const other = newKeyPair().publicKey;
    const res = sealDhtPacket(PacketKind.NODES_RESPONSE, peer.publicKey, shared,
      encodeNodesResponse({ nodes: [{ transport: 'udp', address: { host: '127.0.0.1', port: 40002 }, publicKey: other }], requestId }));
    expect(dht.router.dispatch(res, { from, via: ep })).toBe('handled');
    expect(dht.isConnected).toBe(true);
    expect(dht.router.dispatch(res, { from, via: ep })).toBe('unexpected-reply');
    expect(dht.closeListView().map((v) => toHex(v.publicKey))).toEqual([toHex(peer.publicKey)]);
  });

  test('a DHT request to a close node is forwarded unaltered; to an unknown key it is dropped', () => {
    const { ep, dht, peer, shared, from } = setup();
    dht.closeList.add(peer.publicKey, from, 0 + 1_000_000);
    const sender = newKeyPair();
    const packet = sealDhtRequest(peer.publicKey, sender.publicKey, precompute(peer.publicKey, sender.secretKey), 0x9c, new Uint8Array(40));
    expect(dht.router.dispatch(packet, { from: { host: '127.0.0.1', port: 9 }, via: ep })).toBe('handled');
    const [fwd] = ep.take();
    expect(fwd.to).toEqual(from);
    expect(fwd.data).toEqual(packet);
    const lost = sealDhtRequest(newKeyPair().publicKey, sender.publicKey, shared, 0x9c, new Uint8Array(40));
    expect(dht.router.dispatch(lost, { from, via: ep })).toBe('no-route');
  });

  test('a DHT request to us goes to the handler of its id', () => {
    const { ep, dht, peer, shared, from } = setup();
    const got: number[] = [];
    dht.registerDhtRequest(0x9c, (sender, data) => {
      expect(keysEqual(sender, peer.publicKey)).toBe(true);
      got.push(data.length);
      return 'handled';
    });
    expect(() => dht.registerDhtRequest(0x9c, () => 'handled')).toThrow();
    const packet = sealDhtRequest(dht.publicKey, peer.publicKey, shared, 0x9c, new Uint8Array(40));
    expect(dht.router.dispatch(packet, { from, via: ep })).toBe('handled');
    expect(got).toEqual([40]);
    const unknown = sealDhtRequest(dht.publicKey, peer.publicKey, shared, 0x42, new Uint8Array(4));
    expect(dht.router.dispatch(unknown, { from, via: ep })).toBe('unknown-request');
  });

  test('later layers register packet kinds; a kind has one owner', () => {
    const { ep, dht, from } = setup();
    expect(dht.router.dispatch(Uint8Array.from([0x80, 1, 2]), { from, via: ep })).toBe('unknown-kind');
    const seen: number[] = [];
    const reg = dht.router.register(0x80, (p) => { seen.push(p.length); return 'handled'; });
    expect(() => dht.router.register(0x80, () => 'handled')).toThrow();
    expect(dht.router.dispatch(Uint8Array.from([0x80, 1, 2]), { from, via: ep })).toBe('handled');
    reg.dispose();
    expect(dht.router.dispatch(Uint8Array.from([0x80, 1, 2]), { from, via: ep })).toBe('unknown-kind');
    expect(seen).toEqual([3]);
    expect(dht.stats.handledByKind[0x80]).toBe(1);
    expect(dht.stats.unknownByKind[0x80]).toBe(2);
  });

  test('LAN discovery is off by default, and bootstraps from a LAN sender when on', () => {
    const { ep, dht, peer, from } = setup();
    const lan = Uint8Array.from([0x21, ...peer.publicKey]);
    expect(dht.router.dispatch(lan, { from, via: ep })).toBe('disabled');
    const time = new ManualTime();
    const ep2 = new MemoryEndpoint({ host: '127.0.0.1', port: 1 });
    const on = new Dht({ endpoint: ep2, clock: time, scheduler: time, lanDiscovery: true });
    expect(on.router.dispatch(lan, { from, via: ep2 })).toBe('handled');
    expect(ep2.take()[0].data[0]).toBe(PacketKind.NODES_REQUEST);
    expect(on.router.dispatch(lan, { from: { host: '8.8.8.8', port: 1 }, via: ep2 })).toBe('disabled');
  });
});
