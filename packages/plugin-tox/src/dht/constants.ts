/**
 * The DHT's numbers, as c-toxcore 0.2.18 sets them (DHT.h, DHT.c, ping.c, ping_array.c). The spec
 * states most of them in prose; where c-toxcore differs from the spec's prose, c-toxcore wins,
 * because that is what the network runs.
 * @since 0.1.0
 */

/** Bucket size k (Tox spec § "K-buckets": "The default bucket size is 8"; LCLIENT_NODES). */
export const BUCKET_SIZE = 8;
/**
 * Number of buckets. The spec has 256 (§ "Bucket Index"); c-toxcore keeps 128 (LCLIENT_LENGTH)
 * and puts every node with an index of 127 or more into the last one.
 */
export const BUCKET_COUNT = 128;
/** Nodes per search entry (spec § "DHT Search Entry": "set to 8"; MAX_FRIEND_CLIENTS). */
export const SEARCH_ENTRY_SIZE = 8;
/** Nodes in a Nodes Response (spec § "Nodes Service": "up to 4"; MAX_SENT_NODES). */
export const MAX_SENT_NODES = 4;
/** Nodes of the close list waiting for a Nodes Request after a response named them (MAX_CLOSE_TO_BOOTSTRAP_NODES). */
export const MAX_CLOSE_TO_BOOTSTRAP = 8;
/** Random search entries added at start (spec § "DHT Initialisation": "2 empty search entries"; DHT_FAKE_FRIEND_NUMBER). */
export const FAKE_SEARCH_ENTRIES = 2;

/** Each node is checked with a Nodes Request this often (spec § "Periodic sending…": 60 s; PING_INTERVAL). */
export const PING_INTERVAL_MS = 60_000;
/** A random node of each list is asked for nodes this often (spec: "every 20 seconds"; GET_NODE_INTERVAL). */
export const GET_NODE_INTERVAL_MS = 20_000;
/** Requests in quick succession when a list first fills (spec: "we send 5"; MAX_BOOTSTRAP_TIMES). */
export const MAX_BOOTSTRAP_TIMES = 5;
/** Silent this long, a node is Bad (spec: "122 seconds"; BAD_NODE_TIMEOUT = 60 + 1 × (60 + 2)). */
export const BAD_NODE_TIMEOUT_MS = 122_000;
/** Silent this long, a node is not even checked (spec: "182 seconds"; KILL_NODE_TIMEOUT). */
export const KILL_NODE_TIMEOUT_MS = BAD_NODE_TIMEOUT_MS + PING_INTERVAL_MS;

/** A reply is accepted this long after its request (PING_TIMEOUT; the spec's "60 seconds" is not what c-toxcore does). */
export const REQUEST_TIMEOUT_MS = 5_000;
/** Requests awaiting a reply, per kind (DHT_PING_ARRAY_SIZE, PING_NUM_MAX). */
export const REQUEST_ARRAY_SIZE = 512;
/** Newly heard-of nodes pinged per round (spec § "Sending Ping Requests": "at most 32 every 2 seconds"). */
export const MAX_TO_PING = 32;
export const TIME_TO_PING_MS = 2_000;

/** c-toxcore drops a UDP packet larger than this (MAX_UDP_PACKET_SIZE). */
export const MAX_UDP_PACKET_SIZE = 2048;
/** A DHT Request packet is at most this long (MAX_CRYPTO_REQUEST_SIZE). */
export const MAX_DHT_REQUEST_SIZE = 1024;

/** How often the DHT does its periodic work; c-toxcore's do_dht acts once per second. */
export const DHT_TICK_MS = 1_000;
