/**
 * The onion's sizes and timings, as c-toxcore 0.2.18 sets them (onion.h, onion_announce.h,
 * onion_client.h/.c). The spec (§ "Onion") gives the layouts; where its prose and c-toxcore differ,
 * c-toxcore wins, because that is what the network runs.
 * @since 0.1.0
 */
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/keys';

/** An IP_Port in the onion's fixed layout: family, 16 address bytes, port (SIZE_IPPORT). */
export const IP_PORT_SIZE = 1 + 16 + 2;

/** No onion packet is longer (ONION_MAX_PACKET_SIZE). */
export const ONION_MAX_PACKET_SIZE = 1400;

/** The return data each hop appends, nested (spec § "Onion": "Sendback data"; ONION_RETURN_1..3). */
export const ONION_RETURN_1 = NONCE_SIZE + IP_PORT_SIZE + MAC_SIZE;
export const ONION_RETURN_2 = NONCE_SIZE + IP_PORT_SIZE + MAC_SIZE + ONION_RETURN_1;
export const ONION_RETURN_3 = NONCE_SIZE + IP_PORT_SIZE + MAC_SIZE + ONION_RETURN_2;

/** One layer of a request: the next hop's address, the key for it, a tag (ONION_SEND_BASE). */
export const ONION_SEND_BASE = PUBLIC_KEY_SIZE + IP_PORT_SIZE + MAC_SIZE;
export const ONION_SEND_3 = NONCE_SIZE + ONION_SEND_BASE + ONION_RETURN_2;
export const ONION_SEND_2 = NONCE_SIZE + ONION_SEND_BASE * 2 + ONION_RETURN_1;
export const ONION_SEND_1 = NONCE_SIZE + ONION_SEND_BASE * 3;

/** The most data one onion request carries to its destination (ONION_MAX_DATA_SIZE). */
export const ONION_MAX_DATA_SIZE = ONION_MAX_PACKET_SIZE - (ONION_SEND_1 + 1);
/** The most data one onion response carries back (ONION_RESPONSE_MAX_DATA_SIZE). */
export const ONION_RESPONSE_MAX_DATA_SIZE = ONION_MAX_PACKET_SIZE - (1 + ONION_RETURN_3);

/** Hops of a path (ONION_PATH_LENGTH). */
export const ONION_PATH_LENGTH = 3;
/** The relay's return-path key is replaced this often (onion.c KEY_REFRESH_INTERVAL, 2 h). */
export const RETURN_KEY_REFRESH_MS = 2 * 60 * 60 * 1000;

// ---- announce (onion_announce.h) -----------------------------------------------------------

/** Announced keys a node keeps (ONION_ANNOUNCE_MAX_ENTRIES). */
export const ANNOUNCE_MAX_ENTRIES = 160;
/** An announcement lives this long; a ping id is valid for this window and the one before (ONION_ANNOUNCE_TIMEOUT). */
export const ANNOUNCE_TIMEOUT_MS = 300_000;
/** A ping id is a 32-byte timed MAC (ONION_PING_ID_SIZE = TIMED_AUTH_SIZE). */
export const PING_ID_SIZE = 32;
/** Echoed back untouched by the announce node (ONION_ANNOUNCE_SENDBACK_DATA_LENGTH). */
export const SENDBACK_SIZE = 8;
/** The announce request 0x83, exactly (ONION_ANNOUNCE_REQUEST_SIZE). */
export const ANNOUNCE_REQUEST_SIZE = 1 + NONCE_SIZE + PUBLIC_KEY_SIZE + PING_ID_SIZE + PUBLIC_KEY_SIZE * 2 + SENDBACK_SIZE + MAC_SIZE;
/** The plain text of an announce request: ping id, searched key, data key, sendback. */
export const ANNOUNCE_REQUEST_PLAIN_SIZE = PING_ID_SIZE + PUBLIC_KEY_SIZE * 2 + SENDBACK_SIZE;
/** Extra data a 0x87 announce may carry (ONION_MAX_EXTRA_DATA_SIZE), bounding responses too. */
export const ONION_MAX_EXTRA_DATA_SIZE = 136;
/** The announce response 0x84 without nodes, and its bound (ONION_ANNOUNCE_RESPONSE_MIN/MAX_SIZE). */
export const ANNOUNCE_RESPONSE_MIN_SIZE = 2 + SENDBACK_SIZE + NONCE_SIZE + PING_ID_SIZE + MAC_SIZE;
export const ANNOUNCE_RESPONSE_MAX_SIZE = ANNOUNCE_RESPONSE_MIN_SIZE + ONION_MAX_EXTRA_DATA_SIZE * 4;
/** A data request 0x85 without data (ONION_DATA_REQUEST_MIN_SIZE). */
export const DATA_REQUEST_MIN_SIZE = 1 + PUBLIC_KEY_SIZE + NONCE_SIZE + PUBLIC_KEY_SIZE + MAC_SIZE;
/** A data response 0x86 without data (ONION_DATA_RESPONSE_MIN_SIZE). */
export const DATA_RESPONSE_MIN_SIZE = 1 + NONCE_SIZE + PUBLIC_KEY_SIZE + MAC_SIZE;
/** The most a data request's encrypted part may hold (MAX_DATA_REQUEST_SIZE). */
export const MAX_DATA_REQUEST_SIZE = ONION_MAX_DATA_SIZE - DATA_REQUEST_MIN_SIZE;
/** Sender key and tag around onion data (ONION_DATA_IN_RESPONSE_MIN_SIZE). */
export const DATA_IN_RESPONSE_MIN_SIZE = PUBLIC_KEY_SIZE + MAC_SIZE;
/** The most onion data (kind byte included) a client sends (ONION_CLIENT_MAX_DATA_SIZE). */
export const ONION_CLIENT_MAX_DATA_SIZE = MAX_DATA_REQUEST_SIZE - DATA_IN_RESPONSE_MIN_SIZE;

// ---- client (onion_client.h/.c) ------------------------------------------------------------

/** Nodes we announce ourselves to (MAX_ONION_CLIENTS_ANNOUNCE). */
export const MAX_ANNOUNCE_NODES = 12;
/** Nodes kept per searched friend (MAX_ONION_CLIENTS). */
export const MAX_FRIEND_NODES = 8;
/** Paths per purpose (NUMBER_ONION_PATHS). */
export const NUMBER_ONION_PATHS = 6;
/** Path nodes remembered (MAX_PATH_NODES). */
export const MAX_PATH_NODES = 32;
export const ONION_NODE_PING_INTERVAL_MS = 15_000;
export const ONION_NODE_TIMEOUT_MS = ONION_NODE_PING_INTERVAL_MS;
export const ONION_NODE_MAX_PINGS = 3;
export const ONION_PATH_FIRST_TIMEOUT_MS = 4_000;
export const ONION_PATH_TIMEOUT_MS = 10_000;
export const ONION_PATH_MAX_LIFETIME_MS = 1_200_000;
export const ONION_PATH_MAX_NO_RESPONSE_USES = 4;
export const MAX_STORED_PINGED_NODES = 9;
export const MIN_NODE_PING_TIME_MS = 10_000;
export const ANNOUNCE_INTERVAL_NOT_ANNOUNCED_MS = 3_000;
export const ANNOUNCE_INTERVAL_ANNOUNCED_MS = ONION_NODE_PING_INTERVAL_MS;
export const TIME_TO_STABLE_MS = ONION_NODE_PING_INTERVAL_MS * 6;
export const ANNOUNCE_INTERVAL_STABLE_MS = ONION_NODE_PING_INTERVAL_MS * 8;
export const ANNOUNCE_POPULATE_TIMEOUT_MS = 600_000;
export const ANNOUNCE_FRIEND_NEW_INTERVAL_MS = 3_000;
export const ANNOUNCE_FRIEND_RUN_COUNT_BEGINNING = 5;
export const ANNOUNCE_FRIEND_MAX_INTERVAL_MS = 3_600_000;
export const MAX_RUN_COUNT_EXPONENT = 12;
/** We tell friends our DHT key this often, through the onion and through the DHT. */
export const ONION_DHTPK_SEND_INTERVAL_MS = 30_000;
export const DHT_DHTPK_SEND_INTERVAL_MS = 20_000;
/** Announce requests awaiting a response, and how long (ANNOUNCE_ARRAY_SIZE, ANNOUNCE_TIMEOUT). */
export const ANNOUNCE_ARRAY_SIZE = 256;
export const ANNOUNCE_RESPONSE_TIMEOUT_MS = 10_000;
/** Online needs this many consecutive connected seconds (ONION_CONNECTION_SECONDS). */
export const ONION_CONNECTION_SECONDS = 3;
/** Offline after this long without an announce response (ONION_OFFLINE_TIMEOUT). */
export const ONION_OFFLINE_TIMEOUT_MS = ONION_NODE_PING_INTERVAL_MS * (ONION_NODE_MAX_PINGS + 2);
/** The client's periodic work runs once a second, as do_onion_client. */
export const ONION_CLIENT_TICK_MS = 1_000;

// ---- onion data (kinds inside a data packet) -----------------------------------------------

/** Onion data kinds (ONION_DATA_DHTPK = CRYPTO_PACKET_DHTPK, ONION_DATA_FRIEND_REQ = CRYPTO_PACKET_FRIEND_REQ). */
export const OnionDataKind = { FRIEND_REQUEST: 0x20, DHT_PK: 0x9c } as const;
/** [0x9c][no_replay: 8][DHT key: 32], then up to 4 packed nodes (DHTPK_DATA_MIN_LENGTH). */
export const DHTPK_DATA_MIN_SIZE = 1 + 8 + PUBLIC_KEY_SIZE;
/** c-toxcore bounds it by sizeof(Node_format) × 4; 4 packed IPv6 nodes is what fits a real one. */
export const DHTPK_DATA_MAX_SIZE = DHTPK_DATA_MIN_SIZE + 4 * (1 + 16 + 2 + PUBLIC_KEY_SIZE);
