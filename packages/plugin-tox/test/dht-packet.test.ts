import { precompute } from '../src/crypto/box';
import { newKeyPair, toHex } from '../src/crypto/keys';
import { DHT_PACKET_OVERHEAD, openDhtPacket, readDhtHeader, sealDhtPacket } from '../src/dht/dht-packet';
import { openDhtRequest, readDhtRequestHeader, sealDhtRequest, dhtRequestSizeOk } from '../src/dht/dht-request';
import { PacketKind } from '../src/dht/packet-kind';
import {
  decodeNodesRequest, decodeNodesResponse, decodePing, encodeNodesRequest, encodeNodesResponse, encodePing,
} from '../src/dht/rpc';
import { Malformed, Truncated } from '../src/wire/bytes';
import type { NodeInfo } from '../src/wire/packed-node';

const alice = newKeyPair();
const bob = newKeyPair();
const aliceToBob = precompute(bob.publicKey, alice.secretKey);
const bobFromAlice = precompute(alice.publicKey, bob.secretKey);

function roundTrip(kind: number, plain: Uint8Array): Uint8Array {
  const packet = sealDhtPacket(kind, alice.publicKey, aliceToBob, plain);
  expect(packet).toHaveLength(DHT_PACKET_OVERHEAD + plain.length);
  const h = readDhtHeader(packet);
  expect(h.kind).toBe(kind);
  expect(toHex(h.senderPublicKey)).toBe(toHex(alice.publicKey));
  const opened = openDhtPacket(h, bobFromAlice);
  expect(opened).toBeDefined();
  return opened!;
}

describe('DHT packet (Tox spec § "DHT Packet")', () => {
  test('ping request and response: 1 + 32 + 24 + 9 + 16 = 82 bytes', () => {
    const id = 0x0123456789abcdefn;
    const req = roundTrip(PacketKind.PING_REQUEST, encodePing({ response: false, requestId: id }));
    expect(decodePing(req)).toEqual({ response: false, requestId: id });
    const res = roundTrip(PacketKind.PING_RESPONSE, encodePing({ response: true, requestId: id }));
    expect(decodePing(res)).toEqual({ response: true, requestId: id });
    expect(sealDhtPacket(0, alice.publicKey, aliceToBob, encodePing({ response: false, requestId: 1n }))).toHaveLength(82);
  });

  test('the request id keeps all 64 bits, so echoing it gives back the same bytes', () => {
    const id = 0xffffffffffffffffn;
    expect(decodePing(encodePing({ response: false, requestId: id })).requestId).toBe(id);
  });

  test('nodes request: searched key and id', () => {
    const target = newKeyPair().publicKey;
    const p = decodeNodesRequest(roundTrip(PacketKind.NODES_REQUEST, encodeNodesRequest({ target, requestId: 7n })));
    expect(toHex(p.target)).toBe(toHex(target));
    expect(p.requestId).toBe(7n);
  });

  test('nodes response: 1 to 4 nodes and the id', () => {
    const nodes: NodeInfo[] = [
      { transport: 'udp', address: { host: '127.0.0.1', port: 33445 }, publicKey: newKeyPair().publicKey },
      { transport: 'udp', address: { host: '::1', port: 33446 }, publicKey: newKeyPair().publicKey },
    ];
    const p = decodeNodesResponse(roundTrip(PacketKind.NODES_RESPONSE, encodeNodesResponse({ nodes, requestId: 9n })));
    expect(p.nodes).toEqual(nodes);
    expect(p.requestId).toBe(9n);
  });

  test('refuses 0 or 5 nodes (c-toxcore drops a response without nodes)', () => {
    expect(() => encodeNodesResponse({ nodes: [], requestId: 1n })).toThrow(RangeError);
    expect(() => decodeNodesResponse(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1]))).toThrow(Malformed);
    const plain = Uint8Array.from([5, ...new Array<number>(5 * 39 + 8).fill(0)]);
    expect(() => decodeNodesResponse(plain)).toThrow(Malformed);
  });

  test('refuses a ping with a bad flag, trailing bytes or missing bytes', () => {
    expect(() => decodePing(Uint8Array.from([2, 0, 0, 0, 0, 0, 0, 0, 1]))).toThrow(Malformed);
    expect(() => decodePing(new Uint8Array(10))).toThrow(Malformed);
    expect(() => decodePing(new Uint8Array(8))).toThrow(Truncated);
  });

  test('another key does not open it', () => {
    const packet = sealDhtPacket(0, alice.publicKey, aliceToBob, encodePing({ response: false, requestId: 1n }));
    expect(openDhtPacket(readDhtHeader(packet), precompute(alice.publicKey, newKeyPair().secretKey))).toBeUndefined();
  });

  test('a header too short is Truncated', () => {
    expect(() => readDhtHeader(new Uint8Array(40))).toThrow(Truncated);
  });
});

describe('DHT Request packet (Tox spec § "DHT Request Packets")', () => {
  test('round trip: addressee, sender, request id, data', () => {
    const data = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const packet = sealDhtRequest(bob.publicKey, alice.publicKey, aliceToBob, 0xfe, data);
    expect(packet[0]).toBe(0x20);
    expect(dhtRequestSizeOk(packet.length)).toBe(true);
    const h = readDhtRequestHeader(packet);
    expect(toHex(h.addressee)).toBe(toHex(bob.publicKey));
    expect(toHex(h.sender)).toBe(toHex(alice.publicKey));
    expect(openDhtRequest(h, bobFromAlice)).toEqual({ id: 0xfe, data });
  });

  test('sizes out of bounds', () => {
    expect(dhtRequestSizeOk(1 + 32 + 32 + 24 + 16 + 1)).toBe(false);
    expect(dhtRequestSizeOk(1025)).toBe(false);
    expect(() => sealDhtRequest(bob.publicKey, alice.publicKey, aliceToBob, 1, new Uint8Array(1000))).toThrow(RangeError);
  });
});
