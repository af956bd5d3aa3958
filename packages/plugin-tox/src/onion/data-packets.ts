/**
 * Onion data: data request 0x85, data response 0x86 and what they carry (Tox spec § "Data
 * request", § "Data response", § "Onion data"; c-toxcore's create_data_request,
 * handle_data_request, send_onion_data, handle_data_response):
 *
 *   0x85 [receiver real key: 32][nonce: 24][temp key: 32][box₁]   → the announce node strips the
 *   0x86 [nonce: 24][temp key: 32][box₁]                             receiver key, sends it back
 *   box₁ = box(temp secret, receiver's data key): [sender real key: 32][box₂]
 *   box₂ = box(sender real secret, receiver real key), same nonce: [data kind: 1][data]
 *
 * The temp key pair is fresh for every packet. Data kinds: DHT public key (0x9c) and friend
 * request (0x20):
 *
 *   0x9c [no_replay: u64 BE][sender DHT key: 32][packed nodes: 0–4 (UDP or TCP)]
 *   0x20 [nospam: 4][message: 1 or more bytes]
 * @since 0.1.0
 */
import { decrypt, encrypt, precompute } from '../crypto/box';
import { newKeyPair, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/keys';
import { Malformed, Reader, Writer } from '../wire/bytes';
import { copyBytes } from '../wire/copy';
import { decodeNodes, encodeNodes, type NodeInfo } from '../wire/packed-node';
import { MAX_SENT_NODES } from '../dht/constants';
import { PacketKind } from '../dht/packet-kind';
import {
  DATA_IN_RESPONSE_MIN_SIZE, DATA_REQUEST_MIN_SIZE, DATA_RESPONSE_MIN_SIZE, DHTPK_DATA_MIN_SIZE, MAX_DATA_REQUEST_SIZE,
  ONION_CLIENT_MAX_DATA_SIZE, ONION_MAX_DATA_SIZE, OnionDataKind,
} from './constants';

/** A 0x85 to `receiver` through the node where it announced `dataKey`; `inner` is `sealInnerData`'s. @since 0.1.0 */
export function sealDataRequest(receiver: Uint8Array, dataKey: Uint8Array, nonce: Uint8Array, inner: Uint8Array): Uint8Array {
  if (DATA_REQUEST_MIN_SIZE + inner.length > ONION_MAX_DATA_SIZE) throw new RangeError('onion data too long');
  const temp = newKeyPair();
  const box = encrypt(precompute(dataKey, temp.secretKey), nonce, inner);
  temp.secretKey.fill(0);
  return new Writer(DATA_REQUEST_MIN_SIZE + inner.length)
    .u8(PacketKind.ONION_DATA_REQUEST).bytes(receiver).bytes(nonce).bytes(temp.publicKey).bytes(box).finish();
}

/** `[sender real key][box₂]` for `receiver`; `sharedKey` is ours with the receiver's real key. @since 0.1.0 */
export function sealInnerData(senderKey: Uint8Array, sharedKey: Uint8Array, nonce: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length === 0 || data.length > ONION_CLIENT_MAX_DATA_SIZE) throw new RangeError(`onion data of ${data.length} bytes`);
  return new Writer(DATA_IN_RESPONSE_MIN_SIZE + data.length).bytes(senderKey).bytes(encrypt(sharedKey, nonce, data)).finish();
}

/** Whether a 0x86 has a length c-toxcore accepts (before any crypto). @since 0.1.0 */
export function dataResponseSizeOk(length: number): boolean {
  return length > DATA_RESPONSE_MIN_SIZE + DATA_IN_RESPONSE_MIN_SIZE && length <= MAX_DATA_REQUEST_SIZE;
}

/** The clear part of a 0x86. @since 0.1.0 */
export function readDataResponseHeader(packet: Uint8Array): { nonce: Uint8Array; tempKey: Uint8Array; box: Uint8Array } {
  const r = new Reader(packet);
  r.u8('packet kind');
  const nonce = r.bytes(NONCE_SIZE, 'nonce');
  const tempKey = r.bytes(PUBLIC_KEY_SIZE, 'temp key');
  return { nonce, tempKey, box: r.rest() };
}

/** Opens box₁ into the sender's real key and box₂; `undefined` if it does not open. @since 0.1.0 */
export function openOuterData(sharedKey: Uint8Array, nonce: Uint8Array, box: Uint8Array): { sender: Uint8Array; box: Uint8Array } | undefined {
  const plain = decrypt(sharedKey, nonce, box);
  if (plain === undefined || plain.length <= DATA_IN_RESPONSE_MIN_SIZE) return undefined;
  return { sender: copyBytes(plain.subarray(0, PUBLIC_KEY_SIZE)), box: plain.subarray(PUBLIC_KEY_SIZE) };
}

/** A DHT public key announcement (c-toxcore's send_dhtpk_announce). @since 0.1.0 */
export interface DhtPkAnnounce {
  readonly noReplay: bigint;
  readonly dhtPublicKey: Uint8Array;
  readonly nodes: readonly NodeInfo[];
}

/** @since 0.1.0 */
export function encodeDhtPk(a: DhtPkAnnounce): Uint8Array {
  if (a.nodes.length > MAX_SENT_NODES) throw new RangeError('at most 4 nodes in a DHT public key announcement');
  return new Writer(DHTPK_DATA_MIN_SIZE).u8(OnionDataKind.DHT_PK).u64(a.noReplay).bytes(a.dhtPublicKey)
    .bytes(encodeNodes(a.nodes)).finish();
}

/** Decodes a 0x9c payload (kind byte included); nodes may be UDP or TCP, at most 4. @since 0.1.0 */
export function decodeDhtPk(data: Uint8Array): DhtPkAnnounce {
  const r = new Reader(data);
  if (r.u8('data kind') !== OnionDataKind.DHT_PK) throw new Malformed('not a DHT public key announcement');
  const noReplay = r.u64('no_replay');
  const dhtPublicKey = copyBytes(r.bytes(PUBLIC_KEY_SIZE, 'DHT key'));
  const nodes = decodeNodes(r.rest(), MAX_SENT_NODES, { allowTcp: true });
  return { noReplay, dhtPublicKey, nodes };
}

/** A friend request's payload (c-toxcore's send_friend_request_packet). @since 0.1.0 */
export interface FriendRequestData {
  /** The nospam of the Tox ID it was sent to, as a big-endian u32 (as `ToxId.nospam`). */
  readonly nospam: number;
  readonly message: Uint8Array;
}

/** @since 0.1.0 */
export function encodeFriendRequest(f: FriendRequestData): Uint8Array {
  if (f.message.length === 0) throw new RangeError('a friend request needs a message'); // as c-toxcore
  const out = new Writer(5 + f.message.length).u8(OnionDataKind.FRIEND_REQUEST).u32(f.nospam).bytes(f.message).finish();
  if (out.length > ONION_CLIENT_MAX_DATA_SIZE) throw new RangeError('friend request message too long');
  return out;
}

/** c-toxcore's friendreq_handlepacket: more than kind + nospam, at most what onion data holds. @since 0.1.0 */
export function decodeFriendRequest(data: Uint8Array): FriendRequestData {
  if (data.length <= 1 + 4) throw new Malformed('a friend request without a message');
  if (data.length > ONION_CLIENT_MAX_DATA_SIZE) throw new Malformed('friend request too long');
  const r = new Reader(data);
  if (r.u8('data kind') !== OnionDataKind.FRIEND_REQUEST) throw new Malformed('not a friend request');
  const nospam = r.u32('nospam');
  return { nospam, message: copyBytes(r.rest()) };
}
