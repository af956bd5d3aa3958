/**
 * Sending LAN discovery packets (Tox spec § "LAN discovery"; c-toxcore 0.2.18 LAN_discovery.c and
 * friend_connection.c `lan_discovery`). The packet is `[0x21][our DHT public key]`; a peer that
 * receives it from a LAN address asks us for nodes, which proves the key (the receiving side is
 * `Dht.onLanDiscovery`).
 *
 * What goes where, every 10 s (LAN_DISCOVERY_INTERVAL), as c-toxcore does it:
 * - ports: the default port 33445 every round, plus the next 10 of 33446–33544 in turn
 *   (PORTS_PER_DISCOVERY; c-toxcore's loop stops below TOX_PORTRANGE_TO, so 33545 is never tried);
 * - addresses, for each port: the broadcast address of every IPv4 interface (c-toxcore reads them
 *   with SIOCGIFBRDADDR; we compute `address | ~netmask` from `os.networkInterfaces()`), then the
 *   IPv6 all-nodes multicast ff02::1 when the socket is IPv6, then 255.255.255.255.
 *
 * Our own choices, for safety: loopback interfaces are never used (they have no broadcast address in
 * c-toxcore either), nor /31 and /32 ones (point-to-point: nobody to discover); an endpoint bound to
 * a loopback address sends nothing at all (nothing could leave it; it is how tests run); an endpoint
 * bound to one address uses only the interface holding it. The sends go through the
 * `DatagramEndpoint`, so a test on a memory endpoint sees exactly what would leave; the real
 * `UdpEndpoint` needs SO_BROADCAST (`UdpEndpoint.bind(…, {broadcast: true})`).
 * @since 0.1.0
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { ipFamily, ipToBytes, normalizeHost, bytesToIp, type SocketAddress } from '../wire/ip';
import { PacketKind } from './packet-kind';
import type { DatagramEndpoint } from './transport';

/** spec § "LAN discovery": "sent every 10 seconds" (LAN_DISCOVERY_INTERVAL). @since 0.1.0 */
export const LAN_DISCOVERY_INTERVAL_MS = 10_000;
/** Extra ports tried each round (friend_connection.c PORTS_PER_DISCOVERY). @since 0.1.0 */
export const PORTS_PER_DISCOVERY = 10;
/** c-toxcore's TOX_PORT_DEFAULT and TOX_PORTRANGE_FROM/TO. @since 0.1.0 */
export const TOX_PORT_DEFAULT = 33445;
export const TOX_PORTRANGE_FROM = 33445;
export const TOX_PORTRANGE_TO = 33545;
/** IPv4 limited broadcast and the IPv6 all-nodes link-local multicast group (LAN_discovery.c broadcast_ip). */
export const IPV4_BROADCAST = '255.255.255.255';
export const IPV6_ALL_NODES = 'ff02::1';

/** The machine's interfaces, as `os.networkInterfaces()` gives them (injectable for tests). @since 0.1.0 */
export type InterfaceSource = () => NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * The IPv4 broadcast addresses of the interfaces (`address | ~netmask`), without loopback, /31 and
 * /32 interfaces; only the interface holding `boundTo` when that is not the unspecified address.
 * @since 0.1.0
 */
export function broadcastAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>, boundTo?: string): string[] {
  const out = new Set<string>();
  const only = boundTo === undefined || boundTo === '0.0.0.0' || boundTo === '::' ? undefined : normalizeHost(boundTo);
  for (const infos of Object.values(interfaces)) {
    for (const i of infos ?? []) {
      if (i.family !== 'IPv4' || i.internal) continue;
      if (only !== undefined && normalizeHost(i.address) !== only) continue;
      let addr: Uint8Array;
      let mask: Uint8Array;
      try {
        addr = ipToBytes(i.address);
        mask = ipToBytes(i.netmask);
      } catch {
        continue; // an address the OS reports oddly is not one to broadcast on
      }
      if (addr.length !== 4 || mask.length !== 4 || addr[0] === 127) continue;
      if (mask[3] === 0xff || mask[3] === 0xfe) continue; // /32 and /31: no broadcast address
      out.add(bytesToIp(addr.map((b, k) => b | (~mask[k] & 0xff))));
    }
  }
  return [...out];
}

/** The LAN discovery packet: `[0x21][DHT public key]` (spec § "LAN discovery"). @since 0.1.0 */
export function lanDiscoveryPacket(dhtPublicKey: Uint8Array): Uint8Array {
  const p = new Uint8Array(1 + dhtPublicKey.length);
  p[0] = PacketKind.LAN_DISCOVERY;
  p.set(dhtPublicKey, 1);
  return p;
}

/** @since 0.1.0 */
export interface LanDiscoveryOptions {
  readonly endpoint: DatagramEndpoint;
  readonly publicKey: Uint8Array;
  /** Default `os.networkInterfaces`, read again each round (interfaces come and go). */
  readonly interfaces?: InterfaceSource;
}

/** Sends our LAN discovery packets when due; the DHT calls `tick` from its periodic work. @since 0.1.0 */
export class LanDiscoverySender {
  private readonly endpoint: DatagramEndpoint;
  private readonly packet: Uint8Array;
  private readonly interfaces: InterfaceSource;
  private lastAt = -Infinity;
  /** friend_connection.c starts at TOX_PORTRANGE_FROM + 1: the default port is sent anyway. */
  private nextPort = TOX_PORTRANGE_FROM + 1;
  /** Rounds run, packets handed to the endpoint, rounds skipped (loopback-bound endpoint). */
  readonly counters = { rounds: 0, sent: 0, skipped: 0 };

  constructor(opts: LanDiscoveryOptions) {
    this.endpoint = opts.endpoint;
    this.packet = lanDiscoveryPacket(opts.publicKey);
    this.interfaces = opts.interfaces ?? networkInterfaces;
  }

  /** Sends a round if 10 s passed since the last one (the first at once, as c-toxcore). Returns packets sent. */
  tick(now: number): number {
    if (now - this.lastAt < LAN_DISCOVERY_INTERVAL_MS) return 0;
    this.lastAt = now;
    const ports = this.nextPorts();
    const local = normalizeHost(this.endpoint.local.host);
    if (isLoopback(local)) {
      this.counters.skipped++;
      return 0;
    }
    const hosts = [...broadcastAddresses(this.interfaces(), local)];
    if (ipFamily(local) === 6) hosts.push(IPV6_ALL_NODES); // only an IPv6 socket can reach it
    hosts.push(IPV4_BROADCAST); // the endpoint maps it to ::ffff:255.255.255.255 on an IPv6 socket
    let n = 0;
    for (const port of ports) {
      for (const host of hosts) {
        const to: SocketAddress = { host, port };
        this.endpoint.send(this.packet, to);
        n++;
      }
    }
    this.counters.rounds++;
    this.counters.sent += n;
    return n;
  }

  /** friend_connection.c `lan_discovery`: the default port, then [next, next + 10) capped below 33545. */
  private nextPorts(): number[] {
    const first = this.nextPort;
    const last = Math.min(first + PORTS_PER_DISCOVERY, TOX_PORTRANGE_TO);
    const ports = [TOX_PORT_DEFAULT];
    for (let p = first; p < last; p++) ports.push(p);
    this.nextPort = last !== TOX_PORTRANGE_TO ? last : TOX_PORTRANGE_FROM + 1;
    return ports;
  }
}

function isLoopback(host: string): boolean {
  const b = ipToBytes(host);
  return b.length === 4 ? b[0] === 127 : b.every((x, i) => x === (i === 15 ? 1 : 0));
}
