/**
 * An onion path and the onion request built on it (Tox spec § "Onion"; c-toxcore's
 * create_onion_path, create_onion_packet). The first hop sees our DHT key (it must be able to
 * answer us), the second and third a fresh key each, made when the path is made:
 *
 *   0x80 [nonce][our DHT key][box(A): [IP_Port B][key₂][box(B): [IP_Port C][key₃][box(C): [IP_Port D][data]]]]
 *
 * with one nonce for every layer.
 * @since 0.1.0
 */
import { encrypt, precompute } from '../crypto/box';
import { newKeyPair, NONCE_SIZE } from '../crypto/keys';
import { Writer } from '../wire/bytes';
import type { SocketAddress } from '../wire/ip';
import type { NodeInfo } from '../wire/packed-node';
import { PacketKind } from '../dht/packet-kind';
import { IP_PORT_SIZE, ONION_MAX_DATA_SIZE, ONION_SEND_BASE } from './constants';
import { writeIpPort } from './ip-port';

/** Three hops, the key each hop sees, and our combined key with each. @since 0.1.0 */
export interface OnionPath {
  readonly nodes: readonly [NodeInfo, NodeInfo, NodeInfo];
  readonly keys: readonly [Uint8Array, Uint8Array, Uint8Array];
  readonly sharedKeys: readonly [Uint8Array, Uint8Array, Uint8Array];
}

/**
 * A path over `nodes`; `firstShared` is our DHT key's combined key with the first node (from the
 * DHT's cache), `dhtKey` our DHT public key.
 * @since 0.1.0
 */
export function createOnionPath(nodes: readonly [NodeInfo, NodeInfo, NodeInfo], dhtKey: Uint8Array, firstShared: Uint8Array): OnionPath {
  const k2 = newKeyPair();
  const k3 = newKeyPair();
  const path: OnionPath = {
    nodes,
    keys: [dhtKey, k2.publicKey, k3.publicKey],
    sharedKeys: [firstShared, precompute(nodes[1].publicKey, k2.secretKey), precompute(nodes[2].publicKey, k3.secretKey)],
  };
  k2.secretKey.fill(0);
  k3.secretKey.fill(0);
  return path;
}

/** The 0x80 carrying `data` to `dest` over `path`; send it to `path.nodes[0]`. @since 0.1.0 */
export function createOnionPacket(path: OnionPath, dest: SocketAddress, data: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (data.length === 0 || data.length > ONION_MAX_DATA_SIZE) throw new RangeError(`onion data of ${data.length} bytes`);
  if (nonce.length !== NONCE_SIZE) throw new RangeError('a nonce is 24 bytes');
  const step1 = writeIpPort(new Writer(IP_PORT_SIZE + data.length), dest).bytes(data).finish();
  const step2 = writeIpPort(new Writer(ONION_SEND_BASE + step1.length), path.nodes[2].address)
    .bytes(path.keys[2]).bytes(encrypt(path.sharedKeys[2], nonce, step1)).finish();
  const step3 = writeIpPort(new Writer(ONION_SEND_BASE + step2.length), path.nodes[1].address)
    .bytes(path.keys[1]).bytes(encrypt(path.sharedKeys[1], nonce, step2)).finish();
  const box = encrypt(path.sharedKeys[0], nonce, step3);
  return new Writer(1 + NONCE_SIZE + 32 + box.length).u8(PacketKind.ONION_REQUEST_0).bytes(nonce).bytes(path.keys[0]).bytes(box).finish();
}
