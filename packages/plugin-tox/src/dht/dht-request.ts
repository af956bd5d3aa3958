/**
 * The DHT Request packet, kind 0x20 (Tox spec § "DHT Request Packets"; c-toxcore's
 * create_request / handle_request):
 *
 *   [0x20][addressee DHT public key: 32][sender public key: 32][nonce: 24][box: [request id: 1][data]]
 *
 * A node that is not the addressee forwards it unaltered to the addressee if that node is in its
 * close list (spec § "Handling DHT Request packets"). Request ids: NAT ping (0xfe), DHT public key
 * (0x9c, the onion layer's), friend request (0x20).
 * @since 0.1.0
 */
import { decrypt, encrypt } from '../crypto/box';
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/keys';
import { randomNonce } from '../crypto/nonce';
import { Reader, Writer } from '../wire/bytes';
import { MAX_DHT_REQUEST_SIZE } from './constants';
import { PacketKind } from './packet-kind';
import { copyBytes } from '../wire/copy';

/** Kind, addressee, sender, nonce. @since 0.1.0 */
export const DHT_REQUEST_HEADER_SIZE = 1 + PUBLIC_KEY_SIZE * 2 + NONCE_SIZE;
/** A request id and at least one byte: c-toxcore refuses an empty request. */
export const DHT_REQUEST_MIN_SIZE = DHT_REQUEST_HEADER_SIZE + MAC_SIZE + 2;

/** @since 0.1.0 */
export interface DhtRequestHeader {
  readonly addressee: Uint8Array;
  readonly sender: Uint8Array;
  readonly nonce: Uint8Array;
  readonly box: Uint8Array;
}

/** Size checks and the clear header; no crypto. @since 0.1.0 */
export function readDhtRequestHeader(packet: Uint8Array): DhtRequestHeader {
  const r = new Reader(packet);
  r.u8('packet kind');
  const addressee = r.bytes(PUBLIC_KEY_SIZE, 'addressee');
  const sender = r.bytes(PUBLIC_KEY_SIZE, 'sender');
  const nonce = r.bytes(NONCE_SIZE, 'nonce');
  const box = r.rest();
  return { addressee, sender, nonce, box };
}

/** Whether a packet's length is one a DHT request may have (checked before anything else). */
export function dhtRequestSizeOk(length: number): boolean {
  return length >= DHT_REQUEST_MIN_SIZE && length <= MAX_DHT_REQUEST_SIZE;
}

/** The request id and data, or `undefined` if the box does not open. @since 0.1.0 */
export function openDhtRequest(h: DhtRequestHeader, sharedKey: Uint8Array): { id: number; data: Uint8Array } | undefined {
  const plain = decrypt(sharedKey, h.nonce, h.box);
  if (plain === undefined || plain.length < 2) return undefined;
  const r = new Reader(plain);
  const id = r.u8('request id');
  return { id, data: copyBytes(r.rest()) };
}

/** A DHT request to `addressee` (`sharedKey` is ours with the addressee). @since 0.1.0 */
export function sealDhtRequest(addressee: Uint8Array, sender: Uint8Array, sharedKey: Uint8Array, id: number,
  data: Uint8Array, nonce: Uint8Array = randomNonce()): Uint8Array {
  const plain = new Writer(1 + data.length).u8(id).bytes(data).finish();
  const box = encrypt(sharedKey, nonce, plain);
  const packet = new Writer(DHT_REQUEST_HEADER_SIZE + box.length)
    .u8(PacketKind.DHT_REQUEST).bytes(addressee).bytes(sender).bytes(nonce).bytes(box).finish();
  if (!dhtRequestSizeOk(packet.length)) throw new RangeError(`a DHT request of ${packet.length} bytes`);
  return packet;
}
