import { precompute } from '../src/crypto/box';
import { newKeyPair, randomBytes } from '../src/crypto/keys';
import { ManualTime } from '../src/dht/clock';
import { Malformed, Reader, Truncated } from '../src/wire/bytes';
import {
  ANNOUNCE_REQUEST_SIZE, IP_PORT_SIZE, ONION_RETURN_1, ONION_RETURN_2, RETURN_KEY_REFRESH_MS,
  decodeDhtPk, decodeFriendRequest, encodeDhtPk, encodeFriendRequest, encodeIpPort, hmacSha512256, openAnnounceRequest,
  openAnnounceResponse, openOuterData, readAnnounceRequestHeader, readAnnounceResponseHeader, readDataResponseHeader,
  readIpPort, ReturnPathKey, sealAnnounceRequest, sealAnnounceResponse, sealDataRequest, sealInnerData, TimedAuth,
  AnnounceStore,
} from '../src/onion';
import { decrypt } from '../src/crypto/box';

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('onion wire formats', () => {
  test('IP_Port: 19 bytes, IPv4 in the first 4 address bytes, port big-endian; other families refused', () => {
    const b = encodeIpPort({ host: '127.0.0.1', port: 33445 });
    expect(b.length).toBe(IP_PORT_SIZE);
    expect(hexOf(b)).toBe(`02${'7f000001'}${'00'.repeat(12)}82a5`);
    expect(readIpPort(new Reader(b))).toEqual({ host: '127.0.0.1', port: 33445 });
    const v6 = encodeIpPort({ host: '2001:db8::1', port: 1 });
    expect(v6[0]).toBe(10);
    expect(readIpPort(new Reader(v6))).toEqual({ host: '2001:db8::1', port: 1 });
    const tcp = b.slice();
    tcp[0] = 130;
    expect(() => readIpPort(new Reader(tcp))).toThrow(Malformed);
    expect(() => readIpPort(new Reader(b.subarray(0, 18)))).toThrow(Truncated);
  });

  test('return data opens only with the key that sealed it, and not after the key changed', () => {
    const time = new ManualTime();
    const key = new ReturnPathKey(time);
    const first = key.seal({ host: '10.0.0.1', port: 7 }, new Uint8Array(0));
    expect(first.length).toBe(ONION_RETURN_1);
    const second = key.seal({ host: '10.0.0.2', port: 8 }, first);
    expect(second.length).toBe(ONION_RETURN_2);
    const opened = key.open(second, ONION_RETURN_1)!;
    expect(opened.address).toEqual({ host: '10.0.0.2', port: 8 });
    expect(hexOf(opened.inner)).toBe(hexOf(first));
    expect(new ReturnPathKey(time).open(second, ONION_RETURN_1)).toBeUndefined();
    expect(key.open(second, 0)).toBeUndefined(); // wrong nesting level
    time.advance(RETURN_KEY_REFRESH_MS + 1);
    expect(key.open(second, ONION_RETURN_1)).toBeUndefined();
  });

  test('HMAC-SHA-512-256 matches RFC 4231 test case 2', () => {
    const mac = hmacSha512256(new TextEncoder().encode('Jefe'), new TextEncoder().encode('what do ya want for nothing?'));
    expect(hexOf(mac)).toBe('164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554');
  });

  test('ping ids are good for their window and the one before, for one key and address only', () => {
    const time = new ManualTime(0);
    const auth = new TimedAuth(time, 300_000);
    const data = randomBytes(51);
    const id = auth.generate(data);
    expect(auth.check(data, id)).toBe(true);
    const other = data.slice();
    other[0] ^= 1;
    expect(auth.check(other, id)).toBe(false);
    time.advance(300_000);
    expect(auth.check(data, id)).toBe(true);
    time.advance(300_000);
    expect(auth.check(data, id)).toBe(false);
  });

  test('announce request and response round trip', () => {
    const client = newKeyPair();
    const node = newKeyPair();
    const shared = precompute(node.publicKey, client.secretKey);
    const req = { pingId: randomBytes(32), searchedKey: randomBytes(32), dataPublicKey: randomBytes(32), sendback: randomBytes(8) };
    const packet = sealAnnounceRequest(client.publicKey, shared, req, randomBytes(24));
    expect(packet.length).toBe(ANNOUNCE_REQUEST_SIZE);
    expect(packet[0]).toBe(0x83);
    const h = readAnnounceRequestHeader(packet);
    expect(hexOf(h.senderKey)).toBe(hexOf(client.publicKey));
    const opened = openAnnounceRequest(precompute(client.publicKey, node.secretKey), h.nonce, h.box)!;
    expect(hexOf(opened.pingId)).toBe(hexOf(req.pingId));
    expect(hexOf(opened.sendback)).toBe(hexOf(req.sendback));
    expect(openAnnounceRequest(precompute(newKeyPair().publicKey, node.secretKey), h.nonce, h.box)).toBeUndefined();

    const nodes = [{ transport: 'udp' as const, address: { host: '127.0.0.1', port: 1 }, publicKey: randomBytes(32) }];
    const res = sealAnnounceResponse(req.sendback, shared, { isStored: 2, pingIdOrKey: req.pingId, nodes }, randomBytes(24));
    expect(res.length).toBe(1 + 8 + 24 + 1 + 32 + 39 + 16);
    const rh = readAnnounceResponseHeader(res);
    expect(hexOf(rh.sendback)).toBe(hexOf(req.sendback));
    const ro = openAnnounceResponse(shared, rh.nonce, rh.box)!;
    expect(ro.isStored).toBe(2);
    expect(ro.nodes).toEqual(nodes);
  });

  test('data request: the receiver opens both layers; the announce node sees only the receiver key', () => {
    const sender = newKeyPair();
    const receiver = newKeyPair();
    const dataKey = newKeyPair();
    const nonce = randomBytes(24);
    const payload = encodeFriendRequest({ nospam: 0xdeadbeef, message: new TextEncoder().encode('hi') });
    const inner = sealInnerData(sender.publicKey, precompute(receiver.publicKey, sender.secretKey), nonce, payload);
    const req = sealDataRequest(receiver.publicKey, dataKey.publicKey, nonce, inner);
    expect(req[0]).toBe(0x85);
    expect(hexOf(req.subarray(1, 33))).toBe(hexOf(receiver.publicKey));
    // what the announce node forwards: 0x86 and the rest
    const response = Uint8Array.from([0x86, ...req.subarray(33)]);
    const h = readDataResponseHeader(response);
    const outer = openOuterData(precompute(h.tempKey, dataKey.secretKey), h.nonce, h.box)!;
    expect(hexOf(outer.sender)).toBe(hexOf(sender.publicKey));
    const plain = decrypt(precompute(outer.sender, receiver.secretKey), h.nonce, outer.box)!;
    expect(decodeFriendRequest(plain)).toEqual({ nospam: 0xdeadbeef, message: new TextEncoder().encode('hi') });
  });

  test('DHT key announcement and friend request payloads', () => {
    const a = { noReplay: 1700000000n, dhtPublicKey: randomBytes(32), nodes: [
      { transport: 'tcp' as const, address: { host: '::1', port: 443 }, publicKey: randomBytes(32) }] };
    const b = encodeDhtPk(a);
    expect(b[0]).toBe(0x9c);
    expect(hexOf(b.subarray(1, 9))).toBe('000000006553f100');
    expect(decodeDhtPk(b)).toEqual(a);
    expect(() => decodeDhtPk(b.subarray(0, b.length - 1))).toThrow();
    expect(() => decodeFriendRequest(Uint8Array.from([0x20, 1, 2, 3, 4]))).toThrow(Malformed);
  });

  test('the announce table keeps 160 entries and lets a closer key replace the furthest', () => {
    const time = new ManualTime();
    const self = new Uint8Array(32);
    const store = new AnnounceStore(self, time);
    const entry = (first: number) => {
      const k = randomBytes(32);
      k[0] = first;
      return { publicKey: k, dataPublicKey: randomBytes(32), returnAddress: { host: '127.0.0.1', port: 1 }, returnData: randomBytes(177) };
    };
    for (let i = 0; i < 160; i++) expect(store.add(entry(0x80))).toBeDefined();
    expect(store.size).toBe(160);
    expect(store.add(entry(0xff))).toBeUndefined(); // further than all
    const close = entry(0x01);
    expect(store.add(close)).toBeDefined();
    expect(store.size).toBe(160);
    expect(store.find(close.publicKey)).toBeDefined();
    time.advance(300_001);
    expect(store.size).toBe(0);
    expect(store.find(close.publicKey)).toBeUndefined();
  });
});
