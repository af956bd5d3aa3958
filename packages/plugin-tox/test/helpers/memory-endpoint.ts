/**
 * An in-memory datagram endpoint: what a DHT sends is recorded, what a test delivers goes straight
 * to the DHT's router (synchronously), so unit tests need neither sockets nor sleeps.
 */
import { Emitter } from '@confab/sdk';
import type { Datagram, DatagramEndpoint } from '../../src/dht/transport';
import type { SocketAddress } from '../../src/wire/ip';

export interface Sent {
  readonly data: Uint8Array;
  readonly to: SocketAddress;
}

export class MemoryEndpoint implements DatagramEndpoint {
  readonly sent: Sent[] = [];
  private readonly datagrams = new Emitter<Datagram>();
  readonly onDatagram = this.datagrams.event;
  readonly sendErrors = 0;

  constructor(readonly local: SocketAddress) {}

  send(data: Uint8Array, to: SocketAddress): void {
    this.sent.push({ data: data.slice(), to });
  }

  deliver(data: Uint8Array, from: SocketAddress): void {
    this.datagrams.fire({ data, from });
  }

  take(): Sent[] {
    return this.sent.splice(0);
  }

  async close(): Promise<void> {
    this.datagrams.dispose();
  }
}

/** Wires memory endpoints together: a send to a known address is delivered to that endpoint. */
export class MemoryNetwork {
  private readonly endpoints = new Map<string, MemoryEndpoint>();
  private port = 40000;

  endpoint(): MemoryEndpoint {
    const ep = new MemoryEndpoint({ host: '127.0.0.1', port: this.port++ });
    this.endpoints.set(`${ep.local.host}|${ep.local.port}`, ep);
    return ep;
  }

  /** Delivers everything sent so far, repeatedly, until nothing is left (bounded). Returns packets moved. */
  flush(maxRounds = 50): number {
    let moved = 0;
    for (let round = 0; round < maxRounds; round++) {
      let any = false;
      for (const ep of this.endpoints.values()) {
        for (const s of ep.take()) {
          const dest = this.endpoints.get(`${s.to.host}|${s.to.port}`);
          if (dest === undefined) continue;
          any = true;
          moved++;
          dest.deliver(s.data, ep.local);
        }
      }
      if (!any) break;
    }
    return moved;
  }
}
