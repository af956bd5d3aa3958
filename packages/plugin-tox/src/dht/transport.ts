/**
 * Datagram endpoints: what the protocol layers send through and receive from. `UdpEndpoint` is
 * Node's dgram bound to a given address and port; tests may use any other implementation.
 * @since 0.1.0
 */
import { createSocket, type Socket } from 'node:dgram';
import { Emitter, type Event } from '@confab/sdk';
import { ipFamily, normalizeHost, type SocketAddress } from '../wire/ip';

/** A datagram as received; `from` is normalised (IPv4-mapped IPv6 arrives as IPv4). @since 0.1.0 */
export interface Datagram {
  readonly data: Uint8Array;
  readonly from: SocketAddress;
}

/** @since 0.1.0 */
export interface DatagramEndpoint {
  /** The address this endpoint is bound to. */
  readonly local: SocketAddress;
  /** Sends without waiting; a failure is counted in `sendErrors`, never thrown. */
  send(data: Uint8Array, to: SocketAddress): void;
  readonly onDatagram: Event<Datagram>;
  readonly sendErrors: number;
  close(): Promise<void>;
}

/** A UDP socket (udp4 for an IPv4 address, udp6 dual-stack otherwise). @since 0.1.0 */
export class UdpEndpoint implements DatagramEndpoint {
  private readonly datagrams = new Emitter<Datagram>();
  readonly onDatagram = this.datagrams.event;
  private errors = 0;
  private closed = false;

  private constructor(private readonly socket: Socket, readonly local: SocketAddress, private readonly v6: boolean) {
    socket.on('message', (msg, rinfo) => {
      let from: SocketAddress;
      try {
        from = { host: normalizeHost(rinfo.address), port: rinfo.port };
      } catch {
        return; // a scoped IPv6 address (fe80::1%eth0) is not one the DHT can name: not ours to handle
      }
      this.datagrams.fire({ data: new Uint8Array(msg.buffer, msg.byteOffset, msg.length), from });
    });
    // an ICMP error on a UDP socket surfaces here; counted, the socket stays usable
    socket.on('error', () => { this.errors++; });
  }

  /**
   * Binds to `address` (port 0 picks a free port). `broadcast` sets SO_BROADCAST, which sending to
   * a broadcast address needs (LAN discovery, spec § "LAN discovery"; c-toxcore sets it on every
   * socket in new_networking_ex).
   * @since 0.1.0
   */
  static bind(address: SocketAddress, opts: { readonly broadcast?: boolean } = {}): Promise<UdpEndpoint> {
    const v6 = ipFamily(address.host) === 6;
    const socket = createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: false });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(address.port, address.host, () => {
        socket.off('error', reject);
        if (opts.broadcast === true) socket.setBroadcast(true); // only possible once bound
        const a = socket.address();
        resolve(new UdpEndpoint(socket, { host: normalizeHost(a.address), port: a.port }, v6));
      });
    });
  }

  get sendErrors(): number {
    return this.errors;
  }

  send(data: Uint8Array, to: SocketAddress): void {
    if (this.closed) return;
    let host = to.host;
    if (ipFamily(host) === 4 && this.v6) host = `::ffff:${host}`;
    else if (ipFamily(host) === 6 && !this.v6) {
      this.errors++;
      return;
    }
    this.socket.send(data, to.port, host, (err) => {
      if (err) this.errors++;
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.datagrams.dispose();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
