/**
 * The packets inside the relay protocol's frames (c-toxcore TCP_client.c send_* for ours,
 * handle_TCP_client_packet for the relay's). Decoding is bounded and total: a packet the relay may
 * not send comes back as `{kind: 'bad'}` with a reason, never a throw.
 * @since 0.2.0
 */
import { PUBLIC_KEY_SIZE } from '../crypto/keys';
import { copyBytes } from '../wire/copy';
import { NUM_RESERVED_PORTS, TCP_MAX_OOB_DATA_LENGTH, TcpPacket } from './constants';

/** What a relay sends us. @since 0.2.0 */
export type RelayPacket =
  /** TCP_PACKET_ROUTING_RESPONSE: `connectionId` 0 when the relay refused. */
  | { readonly kind: 'routing-response'; readonly connectionId: number; readonly publicKey: Uint8Array }
  | { readonly kind: 'connection-notification'; readonly connectionId: number }
  | { readonly kind: 'disconnect-notification'; readonly connectionId: number }
  | { readonly kind: 'ping'; readonly pingId: Uint8Array }
  | { readonly kind: 'pong'; readonly pingId: Uint8Array }
  | { readonly kind: 'oob-recv'; readonly publicKey: Uint8Array; readonly data: Uint8Array }
  | { readonly kind: 'onion-response'; readonly data: Uint8Array }
  | { readonly kind: 'forwarding'; readonly data: Uint8Array }
  | { readonly kind: 'data'; readonly connectionId: number; readonly data: Uint8Array }
  | { readonly kind: 'bad'; readonly reason: string };

const bad = (reason: string): RelayPacket => ({ kind: 'bad', reason });

/** c-toxcore's handle_TCP_client_packet, as a decoder. @since 0.2.0 */
export function decodeRelayPacket(p: Uint8Array): RelayPacket {
  if (p.length <= 1) return bad('empty');
  const id = p[0];
  switch (id) {
    case TcpPacket.ROUTING_RESPONSE:
      if (p.length !== 2 + PUBLIC_KEY_SIZE) return bad('routing response size');
      return { kind: 'routing-response', connectionId: p[1], publicKey: copyBytes(p.subarray(2)) };
    case TcpPacket.CONNECTION_NOTIFICATION:
    case TcpPacket.DISCONNECT_NOTIFICATION:
      if (p.length !== 2) return bad('notification size');
      if (p[1] < NUM_RESERVED_PORTS) return bad('notification of a reserved id');
      return { kind: id === TcpPacket.CONNECTION_NOTIFICATION ? 'connection-notification' : 'disconnect-notification', connectionId: p[1] };
    case TcpPacket.PING:
    case TcpPacket.PONG:
      if (p.length !== 9) return bad('ping size');
      return { kind: id === TcpPacket.PING ? 'ping' : 'pong', pingId: copyBytes(p.subarray(1)) };
    case TcpPacket.OOB_RECV:
      if (p.length <= 1 + PUBLIC_KEY_SIZE) return bad('oob size');
      return { kind: 'oob-recv', publicKey: copyBytes(p.subarray(1, 1 + PUBLIC_KEY_SIZE)), data: copyBytes(p.subarray(1 + PUBLIC_KEY_SIZE)) };
    case TcpPacket.ONION_RESPONSE:
      return { kind: 'onion-response', data: copyBytes(p.subarray(1)) };
    case TcpPacket.FORWARDING:
      return { kind: 'forwarding', data: copyBytes(p.subarray(1)) };
    default:
      if (id < NUM_RESERVED_PORTS) return bad(`packet ${id} is not for clients`);
      return { kind: 'data', connectionId: id, data: copyBytes(p.subarray(1)) };
  }
}

/** [0][public key]: route us to whoever has this key (send_routing_request). @since 0.2.0 */
export function encodeRoutingRequest(publicKey: Uint8Array): Uint8Array {
  const p = new Uint8Array(1 + PUBLIC_KEY_SIZE);
  p[0] = TcpPacket.ROUTING_REQUEST;
  p.set(publicKey, 1);
  return p;
}

/** [3][connection id] (client_send_disconnect_notification). @since 0.2.0 */
export function encodeDisconnect(connectionId: number): Uint8Array {
  return Uint8Array.of(TcpPacket.DISCONNECT_NOTIFICATION, connectionId);
}

/** [4 or 5][ping id 8] (tcp_send_ping_request / tcp_send_ping_response). @since 0.2.0 */
export function encodePing(kind: 'ping' | 'pong', pingId: Uint8Array): Uint8Array {
  const p = new Uint8Array(9);
  p[0] = kind === 'ping' ? TcpPacket.PING : TcpPacket.PONG;
  p.set(pingId, 1);
  return p;
}

/** [6][public key][data], data 1–1024 bytes (send_oob_packet). @since 0.2.0 */
export function encodeOob(publicKey: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length === 0 || data.length > TCP_MAX_OOB_DATA_LENGTH) throw new RangeError('out-of-band data is 1 to 1024 bytes');
  const p = new Uint8Array(1 + PUBLIC_KEY_SIZE + data.length);
  p[0] = TcpPacket.OOB_SEND;
  p.set(publicKey, 1);
  p.set(data, 1 + PUBLIC_KEY_SIZE);
  return p;
}

/** [connection id][data]: to the peer routed as this id (send_data). @since 0.2.0 */
export function encodeRouted(connectionId: number, data: Uint8Array): Uint8Array {
  const p = new Uint8Array(1 + data.length);
  p[0] = connectionId;
  p.set(data, 1);
  return p;
}

/** [8][onion packet for the second hop] (send_onion_request; see onion.c create_onion_packet_tcp). @since 0.2.0 */
export function encodeOnionRequest(data: Uint8Array): Uint8Array {
  const p = new Uint8Array(1 + data.length);
  p[0] = TcpPacket.ONION_REQUEST;
  p.set(data, 1);
  return p;
}
