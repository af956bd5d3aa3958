/**
 * The `tcp-relays` parameter as nodes a ToxNode connects to: names resolved (IPv4, as bootstrap
 * nodes are), a relay whose name does not resolve skipped and reported.
 * @since 0.2.0
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { NodeInfo } from '../wire/packed-node';
import type { BootstrapNode } from './tox-settings';

/** @since 0.2.0 */
export async function resolveRelays(relays: readonly BootstrapNode[], unresolved: (host: string) => void): Promise<NodeInfo[]> {
  const out: NodeInfo[] = [];
  for (const r of relays) {
    let host = r.host;
    if (!isIP(host)) {
      try {
        host = (await lookup(host, { family: 4 })).address;
      } catch {
        unresolved(r.host);
        continue;
      }
    }
    out.push({ transport: 'tcp', address: { host, port: r.port }, publicKey: Uint8Array.from(Buffer.from(r.publicKey, 'hex')) });
  }
  return out;
}
