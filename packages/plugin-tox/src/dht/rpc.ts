/**
 * Plain texts of the DHT RPC services (Tox spec § "RPC Services"): a payload followed by the
 * 8-byte request id. c-toxcore copies the id in host order and only ever echoes it, so here it is
 * an opaque 64-bit number read and written big-endian: the bytes we echo are the bytes we got.
 * @since 0.1.0
 */
import { PUBLIC_KEY_SIZE } from '../crypto/keys';
import { Malformed, Reader, Writer } from '../wire/bytes';
import { PACKED_NODE_SIZE_IP4, PACKED_NODE_SIZE_IP6, readNodes, writeNode, type NodeInfo } from '../wire/packed-node';
import { MAX_SENT_NODES } from './constants';
import { copyBytes } from '../wire/copy';

/** Ping plain text: the response flag then the id (spec § "Ping Service"). */
export const PING_PLAIN_SIZE = 1 + 8;
/** Nodes Request plain text: the searched key then the id (spec § "Nodes Request (0x02)"). */
export const NODES_REQUEST_PLAIN_SIZE = PUBLIC_KEY_SIZE + 8;
/** The smallest and largest Nodes Response plain text (one IPv4 node … four IPv6 nodes). */
export const NODES_RESPONSE_PLAIN_MIN = 1 + PACKED_NODE_SIZE_IP4 + 8;
export const NODES_RESPONSE_PLAIN_MAX = 1 + MAX_SENT_NODES * PACKED_NODE_SIZE_IP6 + 8;

/** @since 0.1.0 */
export interface PingPlain {
  readonly response: boolean;
  readonly requestId: bigint;
}

/** @since 0.1.0 */
export function encodePing(p: PingPlain): Uint8Array {
  // spec § "Ping Service": "Response flag: 0x00 for Request, 0x01 for Response"
  return new Writer(PING_PLAIN_SIZE).u8(p.response ? 1 : 0).u64(p.requestId).finish();
}

/** Throws `Truncated`/`Malformed` for anything but a flag of 0 or 1 and an id. @since 0.1.0 */
export function decodePing(b: Uint8Array): PingPlain {
  const r = new Reader(b);
  const flag = r.u8('ping flag');
  if (flag > 1) throw new Malformed(`ping flag ${flag}`);
  const requestId = r.u64('request id');
  r.done('ping');
  return { response: flag === 1, requestId };
}

/** @since 0.1.0 */
export interface NodesRequestPlain {
  readonly target: Uint8Array;
  readonly requestId: bigint;
}

/** @since 0.1.0 */
export function encodeNodesRequest(p: NodesRequestPlain): Uint8Array {
  // spec § "Nodes Request (0x02)": Requested DHT Public Key, then the request id
  return new Writer(NODES_REQUEST_PLAIN_SIZE).bytes(p.target).u64(p.requestId).finish();
}

/** @since 0.1.0 */
export function decodeNodesRequest(b: Uint8Array): NodesRequestPlain {
  const r = new Reader(b);
  const target = copyBytes(r.bytes(PUBLIC_KEY_SIZE, 'requested key'));
  const requestId = r.u64('request id');
  r.done('nodes request');
  return { target, requestId };
}

/** @since 0.1.0 */
export interface NodesResponsePlain {
  readonly nodes: readonly NodeInfo[];
  readonly requestId: bigint;
}

/** Throws for 0 or more than 4 nodes: c-toxcore drops a response without nodes. @since 0.1.0 */
export function encodeNodesResponse(p: NodesResponsePlain): Uint8Array {
  if (p.nodes.length < 1 || p.nodes.length > MAX_SENT_NODES) throw new RangeError(`1 to ${MAX_SENT_NODES} nodes, not ${p.nodes.length}`);
  const w = new Writer(NODES_RESPONSE_PLAIN_MAX).u8(p.nodes.length); // spec § "Nodes Response (0x04)": number of nodes
  for (const n of p.nodes) writeNode(w, n); // spec: "Nodes in Packed Node Format"
  return w.u64(p.requestId).finish();
}

/** Exactly 1–4 UDP nodes and the id, nothing after. @since 0.1.0 */
export function decodeNodesResponse(b: Uint8Array): NodesResponsePlain {
  const r = new Reader(b);
  const count = r.u8('node count');
  if (count === 0) throw new Malformed('a nodes response without nodes'); // as c-toxcore's handle_sendnodes_core
  // spec § "Nodes Service": only UDP ip types inside the DHT
  const nodes = readNodes(r, count, MAX_SENT_NODES, { allowTcp: false });
  const requestId = r.u64('request id');
  r.done('nodes response');
  return { nodes, requestId };
}
