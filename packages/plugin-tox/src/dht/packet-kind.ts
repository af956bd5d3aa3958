/**
 * Top-level packet kinds (Tox spec, "Protocol Packet" § "Packet Kind"), as c-toxcore 0.2.18
 * numbers them in network.h (which adds forwarding and DHT announcement kinds the spec lacks).
 * @since 0.1.0
 */
export const PacketKind = {
  PING_REQUEST: 0x00,
  PING_RESPONSE: 0x01,
  NODES_REQUEST: 0x02,
  NODES_RESPONSE: 0x04,
  COOKIE_REQUEST: 0x18,
  COOKIE_RESPONSE: 0x19,
  CRYPTO_HANDSHAKE: 0x1a,
  CRYPTO_DATA: 0x1b,
  DHT_REQUEST: 0x20,
  LAN_DISCOVERY: 0x21,
  ONION_REQUEST_0: 0x80,
  ONION_REQUEST_1: 0x81,
  ONION_REQUEST_2: 0x82,
  ANNOUNCE_REQUEST_OLD: 0x83,
  ANNOUNCE_RESPONSE_OLD: 0x84,
  ONION_DATA_REQUEST: 0x85,
  ONION_DATA_RESPONSE: 0x86,
  ANNOUNCE_REQUEST: 0x87,
  ANNOUNCE_RESPONSE: 0x88,
  ONION_RESPONSE_3: 0x8c,
  ONION_RESPONSE_2: 0x8d,
  ONION_RESPONSE_1: 0x8e,
  FORWARD_REQUEST: 0x90,
  FORWARDING: 0x91,
  FORWARD_REPLY: 0x92,
  DATA_SEARCH_REQUEST: 0x93,
  DATA_SEARCH_RESPONSE: 0x94,
  DATA_RETRIEVE_REQUEST: 0x95,
  DATA_RETRIEVE_RESPONSE: 0x96,
  STORE_ANNOUNCE_REQUEST: 0x97,
  STORE_ANNOUNCE_RESPONSE: 0x98,
  BOOTSTRAP_INFO: 0xf0,
} as const;

export type PacketKind = (typeof PacketKind)[keyof typeof PacketKind];

/** Request ids inside a DHT Request packet (0x20) (c-toxcore DHT.h CRYPTO_PACKET_*). @since 0.1.0 */
export const DhtRequestId = {
  FRIEND_REQUEST: 32,
  DHT_PK: 156,
  NAT_PING: 254,
} as const;
