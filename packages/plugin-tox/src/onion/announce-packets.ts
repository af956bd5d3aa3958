/**
 * Announce request 0x83 and response 0x84 (Tox spec § "Announce request", § "Announce response";
 * c-toxcore's create_announce_request, handle_announce_request_common, handle_announce_response):
 *
 *   0x83 [nonce: 24][sender key: 32][box: [ping id: 32][searched key: 32][data key: 32][sendback: 8]]
 *   0x84 [sendback: 8][nonce: 24][box: [is_stored: 1][ping id | data key: 32][packed nodes: 0–4]]
 *
 * The sender key is the client's real long-term key when it announces itself, a per-friend
 * temporary key when it searches; the box is between that key and the announce node's DHT key.
 * is_stored: 0 not stored (take the ping id), 1 the searched key is announced here (its data key
 * follows), 2 you are stored (ping id follows). A 0x84 has no node count: the nodes fill the rest.
 * @since 0.1.0
 */
import { decrypt, encrypt } from '../crypto/box';
import { NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/keys';
import { Malformed, Reader, Writer } from '../wire/bytes';
import { copyBytes } from '../wire/copy';
import { decodeNodes, encodeNodes, type NodeInfo } from '../wire/packed-node';
import { MAX_SENT_NODES } from '../dht/constants';
import { PacketKind } from '../dht/packet-kind';
import {
  ANNOUNCE_REQUEST_PLAIN_SIZE, ANNOUNCE_REQUEST_SIZE, ANNOUNCE_RESPONSE_MAX_SIZE, ANNOUNCE_RESPONSE_MIN_SIZE, PING_ID_SIZE,
  SENDBACK_SIZE,
} from './constants';

/** The plain text of an announce request. @since 0.1.0 */
export interface AnnounceRequest {
  readonly pingId: Uint8Array;
  readonly searchedKey: Uint8Array;
  readonly dataPublicKey: Uint8Array;
  readonly sendback: Uint8Array;
}

/** An announce request to a node whose combined key with `senderKey`'s secret is `sharedKey`. @since 0.1.0 */
export function sealAnnounceRequest(senderKey: Uint8Array, sharedKey: Uint8Array, req: AnnounceRequest, nonce: Uint8Array): Uint8Array {
  const plain = new Writer(ANNOUNCE_REQUEST_PLAIN_SIZE)
    .bytes(req.pingId).bytes(req.searchedKey).bytes(req.dataPublicKey).bytes(req.sendback).finish();
  if (plain.length !== ANNOUNCE_REQUEST_PLAIN_SIZE) throw new RangeError('announce request fields have the wrong sizes');
  return new Writer(ANNOUNCE_REQUEST_SIZE)
    .u8(PacketKind.ANNOUNCE_REQUEST_OLD).bytes(nonce).bytes(senderKey).bytes(encrypt(sharedKey, nonce, plain)).finish();
}

/** The clear part of an announce request (exactly `ANNOUNCE_REQUEST_SIZE` bytes); no crypto. @since 0.1.0 */
export function readAnnounceRequestHeader(request: Uint8Array): { nonce: Uint8Array; senderKey: Uint8Array; box: Uint8Array } {
  const r = new Reader(request);
  if (r.u8('packet kind') !== PacketKind.ANNOUNCE_REQUEST_OLD) throw new Malformed('not an announce request');
  const nonce = r.bytes(NONCE_SIZE, 'nonce');
  const senderKey = r.bytes(PUBLIC_KEY_SIZE, 'sender key');
  const box = r.rest();
  if (request.length !== ANNOUNCE_REQUEST_SIZE) throw new Malformed(`an announce request of ${request.length} bytes`);
  return { nonce, senderKey, box };
}

/** Opens an announce request's box; `undefined` if it does not open. @since 0.1.0 */
export function openAnnounceRequest(sharedKey: Uint8Array, nonce: Uint8Array, box: Uint8Array): AnnounceRequest | undefined {
  const plain = decrypt(sharedKey, nonce, box);
  if (plain === undefined || plain.length !== ANNOUNCE_REQUEST_PLAIN_SIZE) return undefined;
  const r = new Reader(plain);
  return {
    pingId: copyBytes(r.bytes(PING_ID_SIZE, 'ping id')),
    searchedKey: copyBytes(r.bytes(PUBLIC_KEY_SIZE, 'searched key')),
    dataPublicKey: copyBytes(r.bytes(PUBLIC_KEY_SIZE, 'data key')),
    sendback: copyBytes(r.bytes(SENDBACK_SIZE, 'sendback')),
  };
}

/** The plain text of an announce response. @since 0.1.0 */
export interface AnnounceResponse {
  readonly isStored: 0 | 1 | 2;
  /** The ping id (is_stored 0 or 2) or the searched key's data key (1). */
  readonly pingIdOrKey: Uint8Array;
  readonly nodes: readonly NodeInfo[];
}

/** A 0x84 echoing `sendback`. @since 0.1.0 */
export function sealAnnounceResponse(sendback: Uint8Array, sharedKey: Uint8Array, res: AnnounceResponse, nonce: Uint8Array): Uint8Array {
  if (res.nodes.length > MAX_SENT_NODES) throw new RangeError('at most 4 nodes in an announce response');
  const plain = new Writer(1 + PING_ID_SIZE).u8(res.isStored).bytes(res.pingIdOrKey).bytes(encodeNodes(res.nodes)).finish();
  return new Writer(ANNOUNCE_RESPONSE_MAX_SIZE)
    .u8(PacketKind.ANNOUNCE_RESPONSE_OLD).bytes(sendback).bytes(nonce).bytes(encrypt(sharedKey, nonce, plain)).finish();
}

/** Whether a 0x84 has a length c-toxcore accepts (checked before anything else). @since 0.1.0 */
export function announceResponseSizeOk(length: number): boolean {
  return length >= ANNOUNCE_RESPONSE_MIN_SIZE && length <= ANNOUNCE_RESPONSE_MAX_SIZE;
}

/** The clear part of a 0x84; no crypto. @since 0.1.0 */
export function readAnnounceResponseHeader(packet: Uint8Array): { sendback: Uint8Array; nonce: Uint8Array; box: Uint8Array } {
  const r = new Reader(packet);
  r.u8('packet kind');
  const sendback = r.bytes(SENDBACK_SIZE, 'sendback');
  const nonce = r.bytes(NONCE_SIZE, 'nonce');
  return { sendback, nonce, box: r.rest() };
}

/** Opens a 0x84's box; `undefined` if it does not open; throws `Malformed` for a bad is_stored or nodes. @since 0.1.0 */
export function openAnnounceResponse(sharedKey: Uint8Array, nonce: Uint8Array, box: Uint8Array): AnnounceResponse | undefined {
  const plain = decrypt(sharedKey, nonce, box);
  if (plain === undefined) return undefined;
  const r = new Reader(plain);
  const isStored = r.u8('is_stored');
  if (isStored > 2) throw new Malformed(`is_stored ${isStored}`);
  const pingIdOrKey = copyBytes(r.bytes(PING_ID_SIZE, 'ping id'));
  // c-toxcore's handle_announce_response: UDP nodes only, at most 4
  const nodes = decodeNodes(r.rest(), MAX_SENT_NODES, { allowTcp: false });
  return { isStored: isStored as 0 | 1 | 2, pingIdOrKey, nodes };
}
