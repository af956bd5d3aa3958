/**
 * Packed nodes, as the savedata stores DHT nodes, TCP relays and onion path nodes: the DHT's node
 * format (Tox spec, "Node Info (packed node format)"), read and written by ../wire/packed-node.ts.
 * The DHT and path node sections take only the UDP families (c-toxcore 0.2.18 reads them with
 * `unpack_nodes(…, tcp_enabled = false)`), the TCP relay section all four.
 */
import { Malformed, type Writer } from '../wire/bytes';
import { decodeNodes, writeNode } from '../wire/packed-node';

/** A node as the savedata keeps it. @since 0.1.0 */
export interface SavedNode {
  readonly publicKey: Uint8Array;
  /** Dotted IPv4 or RFC 5952 IPv6 text (an IPv4-mapped IPv6 address reads as IPv4, as c-toxcore keeps it). */
  readonly host: string;
  readonly port: number;
  /** A TCP family (130/138) rather than UDP (2/10). */
  readonly tcp: boolean;
}

/**
 * All nodes in `data`; more than `max` is `Malformed` (c-toxcore stops reading at its array size),
 * as is a family not allowed here, `Truncated` a node cut short.
 */
export function readNodes(data: Uint8Array, opts: { tcpAllowed: boolean; max: number; what: string }): SavedNode[] {
  try {
    return decodeNodes(data, opts.max, { allowTcp: opts.tcpAllowed }).map((n) => ({
      publicKey: n.publicKey, host: n.address.host, port: n.address.port, tcp: n.transport === 'tcp',
    }));
  } catch (err) {
    if (err instanceof Malformed) throw new Malformed(`${opts.what}: ${err.message}`);
    throw err;
  }
}

export function writeNodes(w: Writer, nodes: readonly SavedNode[], what: string): void {
  for (const n of nodes) {
    try {
      writeNode(w, { transport: n.tcp ? 'tcp' : 'udp', address: { host: n.host, port: n.port }, publicKey: n.publicKey });
    } catch (err) {
      if (err instanceof Malformed) throw new Malformed(`${what}: ${err.message}`);
      throw err;
    }
  }
}

