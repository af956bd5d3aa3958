import { Malformed, Reader, Truncated } from '../src/wire/bytes';
import { bytesToIp, ipToBytes, isLan, normalizeHost } from '../src/wire/ip';
import { decodeNodes, encodeNodes, readNodes, type NodeInfo } from '../src/wire/packed-node';

const key = (i: number) => Uint8Array.from({ length: 32 }, (_, j) => i * 32 + j);

// The four families as c-toxcore 0.2.18's pack_nodes wrote them (a throwaway C program linked with
// libtoxcore.a): UDP IPv4 (2), UDP IPv6 (10), TCP IPv4 (130), TCP IPv6 (138).
const NODES: NodeInfo[] = [
  { transport: 'udp', address: { host: '127.0.0.1', port: 33445 }, publicKey: key(0) },
  { transport: 'udp', address: { host: '2001:db8::1', port: 1 }, publicKey: key(1) },
  { transport: 'tcp', address: { host: '192.168.1.2', port: 443 }, publicKey: key(2) },
  { transport: 'tcp', address: { host: 'fe80::abcd:1', port: 65535 }, publicKey: key(3) },
];
const PACKED = '027f00000182a5000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'
  + '0a20010db80000000000000000000000010001202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f'
  + '82c0a8010201bb404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f'
  + '8afe8000000000000000000000abcd0001ffff606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f';

describe('packed node format (Tox spec § "Node Info (packed node format)")', () => {
  test('encodes as c-toxcore does', () => {
    expect(Buffer.from(encodeNodes(NODES)).toString('hex')).toBe(PACKED);
  });

  test('decodes c-toxcore\'s bytes', () => {
    expect(decodeNodes(Buffer.from(PACKED, 'hex'), 4, { allowTcp: true })).toEqual(NODES);
  });

  test('sizes: 39 bytes for IPv4, 51 for IPv6', () => {
    expect(encodeNodes([NODES[0]])).toHaveLength(39);
    expect(encodeNodes([NODES[1]])).toHaveLength(51);
  });

  test('TCP nodes are refused where only UDP is allowed (the DHT)', () => {
    expect(() => decodeNodes(encodeNodes([NODES[2]]), 4, { allowTcp: false })).toThrow(Malformed);
  });

  test('an unknown ip type, a truncated node, too many nodes', () => {
    const b = encodeNodes([NODES[0]]);
    b[0] = 3;
    expect(() => decodeNodes(b, 4, { allowTcp: true })).toThrow(Malformed);
    expect(() => decodeNodes(encodeNodes([NODES[1]]).subarray(0, 50), 4, { allowTcp: true })).toThrow(Truncated);
    expect(() => decodeNodes(encodeNodes([NODES[0], NODES[0]]), 1, { allowTcp: true })).toThrow(Malformed);
    expect(() => readNodes(new Reader(encodeNodes(NODES)), 5, 4, { allowTcp: true })).toThrow(Malformed);
  });

  test('refuses to encode what is not an address', () => {
    expect(() => encodeNodes([{ ...NODES[0], address: { host: 'localhost', port: 1 } }])).toThrow(Malformed);
    expect(() => encodeNodes([{ ...NODES[0], address: { host: '1.2.3.4', port: 70000 } }])).toThrow(Malformed);
  });
});

describe('IP text', () => {
  test.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['fe80::1:0:0:1', 'fe80::1:0:0:1'],
  ])('%s → %s', (from, to) => {
    expect(normalizeHost(from)).toBe(to);
    expect(bytesToIp(ipToBytes(to))).toBe(to);
  });

  test('LAN addresses, as c-toxcore\'s ip_is_lan', () => {
    for (const h of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.0.1', '169.254.1.1', '100.64.0.1', '::1', 'fe80::1', 'fd00::1']) {
      expect(isLan(h)).toBe(true);
    }
    for (const h of ['8.8.8.8', '172.32.0.1', '2001:db8::1']) expect(isLan(h)).toBe(false);
  });
});
