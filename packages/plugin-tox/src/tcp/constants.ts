/**
 * Constants of Tox's TCP relay protocol (c-toxcore 0.2.18 TCP_common.h, TCP_client.h,
 * TCP_connection.h).
 * @since 0.2.0
 */
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/keys';

/** Packet ids of the relay protocol; ids from 16 on are routed data (connection id + 16). @since 0.2.0 */
export const TcpPacket = {
  ROUTING_REQUEST: 0,
  ROUTING_RESPONSE: 1,
  CONNECTION_NOTIFICATION: 2,
  DISCONNECT_NOTIFICATION: 3,
  PING: 4,
  PONG: 5,
  OOB_SEND: 6,
  OOB_RECV: 7,
  ONION_REQUEST: 8,
  ONION_RESPONSE: 9,
  FORWARD_REQUEST: 10,
  FORWARDING: 11,
} as const;

/** Packet ids below this are the relay's own; a routed packet's id is its connection id + 16 (NUM_RESERVED_PORTS). @since 0.2.0 */
export const NUM_RESERVED_PORTS = 16;
/** Routed connections one relay connection holds (NUM_CLIENT_CONNECTIONS). @since 0.2.0 */
export const NUM_CLIENT_CONNECTIONS = 256 - NUM_RESERVED_PORTS;
/** Temporary public key + base nonce (TCP_HANDSHAKE_PLAIN_SIZE). @since 0.2.0 */
export const TCP_HANDSHAKE_PLAIN_SIZE = PUBLIC_KEY_SIZE + NONCE_SIZE;
/** The relay's answer: nonce + box of the plain part (TCP_SERVER_HANDSHAKE_SIZE, 96). @since 0.2.0 */
export const TCP_SERVER_HANDSHAKE_SIZE = NONCE_SIZE + TCP_HANDSHAKE_PLAIN_SIZE + MAC_SIZE;
/** Our handshake: our key + the same shape (TCP_CLIENT_HANDSHAKE_SIZE, 128). @since 0.2.0 */
export const TCP_CLIENT_HANDSHAKE_SIZE = PUBLIC_KEY_SIZE + TCP_SERVER_HANDSHAKE_SIZE;
/** The largest encrypted packet, MAC included, after the 2-byte length (MAX_PACKET_SIZE). @since 0.2.0 */
export const MAX_TCP_PACKET_SIZE = 2048;
/** The largest out-of-band payload (TCP_MAX_OOB_DATA_LENGTH). @since 0.2.0 */
export const TCP_MAX_OOB_DATA_LENGTH = 1024;
/** A relay is pinged this often (TCP_PING_FREQUENCY, 30 s)… @since 0.2.0 */
export const TCP_PING_FREQUENCY_MS = 30_000;
/** …and dropped when the pong is this late (TCP_PING_TIMEOUT, 10 s). @since 0.2.0 */
export const TCP_PING_TIMEOUT_MS = 10_000;
/** From connect to the relay's handshake answer, at most (TCP_CONNECTION_TIMEOUT, 10 s). @since 0.2.0 */
export const TCP_CONNECTION_TIMEOUT_MS = 10_000;
/** Relays one peer is routed through at most (MAX_FRIEND_TCP_CONNECTIONS). @since 0.2.0 */
export const MAX_FRIEND_TCP_CONNECTIONS = 6;
