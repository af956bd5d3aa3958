/**
 * Two (or more) Tox peers for unit tests: each a DHT on a memory endpoint plus net_crypto, on one
 * ManualTime. `step` moves time and then carries the datagrams through a `Link`, which may lose,
 * reorder or record them.
 */
import { newKeyPair, type KeyPair } from '../../src/crypto/keys';
import { ManualTime } from '../../src/dht/clock';
import { Dht } from '../../src/dht/dht';
import { NetCrypto } from '../../src/net-crypto/net-crypto';
import type { SocketAddress } from '../../src/wire/ip';
import { MemoryEndpoint, MemoryNetwork, type Sent } from './memory-endpoint';

export interface Peer {
  readonly endpoint: MemoryEndpoint;
  readonly dht: Dht;
  readonly net: NetCrypto;
  readonly keyPair: KeyPair;
}

/** Decides the fate of each datagram: deliver now, drop, or hold back for a later step. */
export type LinkPolicy = (s: Sent, from: SocketAddress) => 'deliver' | 'drop' | 'hold';

export class Peers {
  readonly time = new ManualTime();
  readonly network = new MemoryNetwork();
  readonly peers: Peer[] = [];
  private held: Array<{ s: Sent; from: MemoryEndpoint }> = [];
  policy: LinkPolicy = () => 'deliver';
  delivered = 0;
  dropped = 0;

  add(tickMs = 20): Peer {
    const endpoint = this.network.endpoint();
    const dht = new Dht({ endpoint, clock: this.time, scheduler: this.time });
    const keyPair = newKeyPair();
    const net = new NetCrypto({ dht, keyPair, clock: this.time, scheduler: this.time, tickMs });
    net.start();
    const p = { endpoint, dht, net, keyPair };
    this.peers.push(p);
    return p;
  }

  /** Carries what was sent (and what was held before) through the policy, until quiet (bounded). */
  pump(maxRounds = 20): void {
    for (let round = 0; round < maxRounds; round++) {
      const batch = [...this.held];
      this.held = [];
      for (const p of this.peers) for (const s of p.endpoint.take()) batch.push({ s, from: p.endpoint });
      if (batch.length === 0) return;
      let moved = false;
      for (const { s, from } of batch) {
        const dest = this.peers.find((p) => p.endpoint.local.port === s.to.port)?.endpoint;
        if (dest === undefined) continue;
        const fate = this.policy(s, from.local);
        if (fate === 'drop') { this.dropped++; continue; }
        if (fate === 'hold') { this.held.push({ s, from }); continue; }
        moved = true;
        this.delivered++;
        dest.deliver(s.data, from.local);
      }
      if (!moved) return;
    }
  }

  /** Advances time in `tickMs` steps, pumping after each. */
  run(ms: number, tickMs = 20): void {
    for (let t = 0; t < ms; t += tickMs) {
      this.time.advance(tickMs);
      this.pump();
    }
  }

  dispose(): void {
    for (const p of this.peers) {
      p.net.dispose();
      p.dht.dispose();
    }
  }
}
