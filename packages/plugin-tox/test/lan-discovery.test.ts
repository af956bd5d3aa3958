/**
 * Sending LAN discovery packets (Tox spec § "LAN discovery"; c-toxcore friend_connection.c
 * `lan_discovery`), checked on memory endpoints with made-up interfaces: no test may send a real
 * broadcast, so nothing here touches a socket or the machine's interfaces.
 */
import type { NetworkInterfaceInfo } from 'node:os';
import { ManualTime } from '../src/dht/clock';
import { Dht } from '../src/dht/dht';
import { broadcastAddresses, LanDiscoverySender, TOX_PORTRANGE_TO } from '../src/dht/lan-discovery';
import { PacketKind } from '../src/dht/packet-kind';
import { MemoryEndpoint, type Sent } from './helpers/memory-endpoint';

function iface(address: string, netmask: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo {
  const common = { address, netmask, mac: '00:00:00:00:00:00', internal, cidr: null };
  return family === 'IPv4' ? { ...common, family } : { ...common, family, scopeid: 0 };
}

const INTERFACES = {
  lo: [iface('127.0.0.1', '255.0.0.0', 'IPv4', true), iface('::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'IPv6', true)],
  eth0: [iface('192.168.1.23', '255.255.255.0', 'IPv4'), iface('fe80::1', 'ffff:ffff:ffff:ffff::', 'IPv6')],
  wlan0: [iface('10.1.2.3', '255.255.0.0', 'IPv4')],
  tun0: [iface('100.64.0.7', '255.255.255.255', 'IPv4')], // point-to-point: no broadcast address
  docker0: [iface('172.17.0.1', '255.255.0.0', 'IPv4')],
};

const lanPackets = (sent: Sent[]) => sent.filter((s) => s.data[0] === PacketKind.LAN_DISCOVERY);

describe('LAN discovery, sending', () => {
  test('broadcast addresses are computed from address and netmask; loopback and /32 are left out', () => {
    expect(broadcastAddresses(INTERFACES)).toEqual(['192.168.1.255', '10.1.255.255', '172.17.255.255']);
    expect(broadcastAddresses(INTERFACES, '10.1.2.3')).toEqual(['10.1.255.255']);
    expect(broadcastAddresses(INTERFACES, '0.0.0.0')).toHaveLength(3);
    expect(broadcastAddresses({ lo: INTERFACES.lo })).toEqual([]);
  });

  test('every 10 s, our DHT key to each broadcast address and 255.255.255.255, on 33445 and the next 10 ports', () => {
    const time = new ManualTime();
    const ep = new MemoryEndpoint({ host: '0.0.0.0', port: 33445 });
    const dht = new Dht({ endpoint: ep, clock: time, scheduler: time, lanDiscovery: true, interfaces: () => INTERFACES });
    dht.start();
    time.advance(1000);
    const first = lanPackets(ep.take());
    const hosts = ['192.168.1.255', '10.1.255.255', '172.17.255.255', '255.255.255.255'];
    const ports = [33445, ...Array.from({ length: 10 }, (_, i) => 33446 + i)];
    expect(first.map((s) => `${s.to.host}:${s.to.port}`)).toEqual(ports.flatMap((p) => hosts.map((h) => `${h}:${p}`)));
    for (const s of first) expect([...s.data]).toEqual([PacketKind.LAN_DISCOVERY, ...dht.publicKey]);

    time.advance(9000); // 10 s after the first round is not yet here
    expect(lanPackets(ep.take())).toEqual([]);
    time.advance(1000);
    const second = lanPackets(ep.take());
    expect([...new Set(second.map((s) => s.to.port))]).toEqual([33445, ...Array.from({ length: 10 }, (_, i) => 33456 + i)]);
    expect(dht.stats.lanDiscovery).toEqual({ rounds: 2, sent: 88, skipped: 0 });
    dht.dispose();
  });

  test('an IPv6 socket also sends to ff02::1', () => {
    const ep = new MemoryEndpoint({ host: '::', port: 33445 });
    new LanDiscoverySender({ endpoint: ep, publicKey: new Uint8Array(32), interfaces: () => INTERFACES }).tick(0);
    const hosts = [...new Set(ep.take().map((s) => s.to.host))];
    expect(hosts).toEqual(['192.168.1.255', '10.1.255.255', '172.17.255.255', 'ff02::1', '255.255.255.255']);
  });

  test('the ports run through 33446–33544 and start again, as c-toxcore (33545 is never tried)', () => {
    const ep = new MemoryEndpoint({ host: '0.0.0.0', port: 1 });
    const s = new LanDiscoverySender({ endpoint: ep, publicKey: new Uint8Array(32), interfaces: () => ({}) });
    const seen = new Set<number>();
    for (let round = 0; round < 10; round++) {
      s.tick(round * 10_000);
      for (const x of ep.take()) seen.add(x.to.port);
    }
    expect(seen.size).toBe(100);
    expect(seen.has(TOX_PORTRANGE_TO)).toBe(false);
    s.tick(100_000);
    expect([...new Set(ep.take().map((x) => x.to.port))].slice(0, 2)).toEqual([33445, 33446]);
  });

  test('off by default; an endpoint bound to loopback sends nothing even when on', () => {
    const time = new ManualTime();
    const off = new MemoryEndpoint({ host: '0.0.0.0', port: 33445 });
    const dht = new Dht({ endpoint: off, clock: time, scheduler: time, interfaces: () => INTERFACES });
    dht.start();
    time.advance(30_000);
    expect(lanPackets(off.take())).toEqual([]);
    expect(dht.stats.lanDiscovery).toBeUndefined();
    dht.dispose();

    const lo = new MemoryEndpoint({ host: '127.0.0.1', port: 33445 });
    const on = new Dht({ endpoint: lo, clock: time, scheduler: time, lanDiscovery: true, interfaces: () => INTERFACES });
    on.start();
    time.advance(30_000);
    expect(lanPackets(lo.take())).toEqual([]);
    expect(on.stats.lanDiscovery).toEqual({ rounds: 0, sent: 0, skipped: 3 });
    on.dispose();
  });
});
