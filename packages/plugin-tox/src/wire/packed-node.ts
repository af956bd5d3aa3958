/**
 * The packed node format (Tox spec, "Node Info" § "Node Info (packed node format)"):
 *
 *   [ip type: 1][address: 4 | 16][port: 2, big-endian][public key: 32]
 *
 * The ip type's high bit is the transport (TCP = 1), the low 7 bits the address family as Linux
 * numbers it (2 = IPv4, 10 = IPv6): 2, 10, 130, 138, as c-toxcore 0.2.18's pack_ip_port writes
 * them (TOX_AF_INET, TOX_AF_INET6, TOX_TCP_INET, TOX_TCP_INET6). A node is 39 bytes over IPv4 and
 * 51 over IPv6. Lists are nodes back to back, their count carried elsewhere and always bounded.
 * @since 0.1.0
 */
import { PUBLIC_KEY_SIZE } from '../crypto/keys';
import { Malformed, Reader, Writer } from './bytes';
import { bytesToIp, ipFamily, ipToBytes, type SocketAddress } from './ip';
import { copyBytes } from './copy';

/** Transport Protocol (spec § "Transport Protocol"). @since 0.1.0 */
export type Transport = 'udp' | 'tcp';

/** A node: how to reach it and its DHT public key (or, for a TCP relay, its long-term key). @since 0.1.0 */
export interface NodeInfo {
  readonly transport: Transport;
  readonly address: SocketAddress;
  readonly publicKey: Uint8Array;
}

/** IP types of the packed node format (spec § "Node Info", the informative table). @since 0.1.0 */
export const IpType = { UDP_IPV4: 2, UDP_IPV6: 10, TCP_IPV4: 130, TCP_IPV6: 138 } as const;

/** Sizes of one packed node (c-toxcore PACKED_NODE_SIZE_IP4/IP6). @since 0.1.0 */
export const PACKED_NODE_SIZE_IP4 = 1 + 4 + 2 + PUBLIC_KEY_SIZE;
export const PACKED_NODE_SIZE_IP6 = 1 + 16 + 2 + PUBLIC_KEY_SIZE;

/** @since 0.1.0 */
export interface DecodeNodeOptions {
  /** Accept TCP ip types (130, 138): false inside the DHT, which is UDP only (spec § "Nodes Service"). */
  readonly allowTcp: boolean;
}

/** Writes one packed node. Throws `Malformed` for a host that is no IP literal or a bad port. @since 0.1.0 */
export function writeNode(w: Writer, node: NodeInfo): Writer {
  const ip = ipToBytes(node.address.host);
  if (!Number.isInteger(node.address.port) || node.address.port < 0 || node.address.port > 0xffff) {
    throw new Malformed(`bad port ${node.address.port}`);
  }
  if (node.publicKey.length !== PUBLIC_KEY_SIZE) throw new Malformed('a public key is 32 bytes');
  const v4 = ip.length === 4;
  const type = node.transport === 'udp' ? (v4 ? IpType.UDP_IPV4 : IpType.UDP_IPV6) : v4 ? IpType.TCP_IPV4 : IpType.TCP_IPV6;
  return w.u8(type).bytes(ip).u16(node.address.port).bytes(node.publicKey);
}

/** Reads one packed node; the public key is copied out of the packet. @since 0.1.0 */
export function readNode(r: Reader, opts: DecodeNodeOptions): NodeInfo {
  const type = r.u8('ip type');
  let transport: Transport;
  let size: number;
  switch (type) {
    case IpType.UDP_IPV4: transport = 'udp'; size = 4; break;
    case IpType.UDP_IPV6: transport = 'udp'; size = 16; break;
    case IpType.TCP_IPV4: transport = 'tcp'; size = 4; break;
    case IpType.TCP_IPV6: transport = 'tcp'; size = 16; break;
    default: throw new Malformed(`unknown ip type ${type}`);
  }
  if (transport === 'tcp' && !opts.allowTcp) throw new Malformed('a TCP node where only UDP nodes are allowed');
  const host = bytesToIp(r.bytes(size, 'ip address'));
  const port = r.u16('port');
  const publicKey = copyBytes(r.bytes(PUBLIC_KEY_SIZE, 'node public key'));
  return { transport, address: { host, port }, publicKey };
}

/** Packs nodes back to back. @since 0.1.0 */
export function encodeNodes(nodes: readonly NodeInfo[]): Uint8Array {
  const w = new Writer(nodes.length * PACKED_NODE_SIZE_IP6);
  for (const n of nodes) writeNode(w, n);
  return w.finish();
}

/**
 * Reads exactly `count` nodes, refusing a count over `max` before reading anything (a count byte
 * from the wire never sizes an allocation or a loop beyond the bound).
 * @since 0.1.0
 */
export function readNodes(r: Reader, count: number, max: number, opts: DecodeNodeOptions): NodeInfo[] {
  if (!Number.isInteger(count) || count < 0 || count > max) throw new Malformed(`node count ${count} over ${max}`);
  const out: NodeInfo[] = [];
  for (let i = 0; i < count; i++) out.push(readNode(r, opts));
  return out;
}

/** Decodes a whole buffer of packed nodes (at most `max`); trailing bytes are `Malformed`. @since 0.1.0 */
export function decodeNodes(b: Uint8Array, max: number, opts: DecodeNodeOptions): NodeInfo[] {
  const r = new Reader(b);
  const out: NodeInfo[] = [];
  while (r.remaining > 0) {
    if (out.length === max) throw new Malformed(`more than ${max} nodes`);
    out.push(readNode(r, opts));
  }
  return out;
}

/** The family of a node's address, for the per-family slots of the DHT lists. @since 0.1.0 */
export function nodeFamily(n: NodeInfo): 4 | 6 {
  return ipFamily(n.address.host);
}
