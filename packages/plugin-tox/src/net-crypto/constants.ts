/**
 * net_crypto's numbers, as c-toxcore 0.2.18 sets them (net_crypto.h, net_crypto.c). The Tox spec
 * (§ "Net crypto") states the formats; the timings and bounds are c-toxcore's, because that is
 * what the network runs.
 * @since 0.1.0
 */
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/keys';

/** Cookie lifetime in seconds (COOKIE_TIMEOUT; spec § "Cookie": "valid for 15 seconds"). */
export const COOKIE_TIMEOUT_S = 15;
/** Inside a cookie: the requester's real and DHT public keys (COOKIE_DATA_LENGTH). */
export const COOKIE_DATA_LENGTH = PUBLIC_KEY_SIZE * 2;
/** Inside a cookie: a 64-bit time then the keys (COOKIE_CONTENTS_LENGTH). */
export const COOKIE_CONTENTS_LENGTH = 8 + COOKIE_DATA_LENGTH;
/** A cookie on the wire: nonce, box (spec § "Cookie": 112 bytes). */
export const COOKIE_LENGTH = NONCE_SIZE + COOKIE_CONTENTS_LENGTH + MAC_SIZE;
/** Cookie request plain text: real public key, 32 bytes of padding, echo id (spec § "Cookie request"). */
export const COOKIE_REQUEST_PLAIN_LENGTH = COOKIE_DATA_LENGTH + 8;
/** 145 bytes. */
export const COOKIE_REQUEST_LENGTH = 1 + PUBLIC_KEY_SIZE + NONCE_SIZE + COOKIE_REQUEST_PLAIN_LENGTH + MAC_SIZE;
/** Cookie response plain text: the cookie and the echo id. */
export const COOKIE_RESPONSE_PLAIN_LENGTH = COOKIE_LENGTH + 8;
/** 161 bytes. */
export const COOKIE_RESPONSE_LENGTH = 1 + NONCE_SIZE + COOKIE_RESPONSE_PLAIN_LENGTH + MAC_SIZE;
/** SHA-512 of the cookie, inside the handshake. */
export const SHA512_SIZE = 64;
/** Handshake plain text: base nonce, session public key, SHA-512 of the cookie, the other cookie. */
export const HANDSHAKE_PLAIN_LENGTH = NONCE_SIZE + PUBLIC_KEY_SIZE + SHA512_SIZE + COOKIE_LENGTH;
/** 385 bytes (spec § "Handshake"). */
export const HANDSHAKE_PACKET_LENGTH = 1 + COOKIE_LENGTH + NONCE_SIZE + HANDSHAKE_PLAIN_LENGTH + MAC_SIZE;

/** The largest net_crypto packet (MAX_CRYPTO_PACKET_SIZE). */
export const MAX_CRYPTO_PACKET_SIZE = 1400;
/** Packet kind, nonce tail, box overhead: the bytes around the plain text of a data packet. */
export const DATA_PACKET_OVERHEAD = 1 + 2 + MAC_SIZE;
/** The shortest data packet: overhead plus buffer start and packet number (CRYPTO_DATA_PACKET_MIN_SIZE). */
export const CRYPTO_DATA_PACKET_MIN_SIZE = DATA_PACKET_OVERHEAD + 4 + 4;
/** The longest payload of a data packet: 1373 bytes (MAX_CRYPTO_DATA_SIZE). */
export const MAX_CRYPTO_DATA_SIZE = MAX_CRYPTO_PACKET_SIZE - CRYPTO_DATA_PACKET_MIN_SIZE;
/** Padding keeps payload lengths in steps of 8 (CRYPTO_MAX_PADDING). */
export const CRYPTO_MAX_PADDING = 8;
/** The receiver's window of nonce tails (DATA_NUM_THRESHOLD; spec § "Data packet"). */
export const DATA_NUM_THRESHOLD = 21845;

/** Packets held in each of the send and receive buffers, a power of 2 (CRYPTO_PACKET_BUFFER_SIZE). */
export const CRYPTO_PACKET_BUFFER_SIZE = 32768;

/** Packet ids inside data packets (net_crypto.h PACKET_ID_*; spec § "Data packet"). */
export const PacketId = {
  PADDING: 0,
  REQUEST: 1,
  KILL: 2,
  LOSSLESS_START: 16,
  LOSSLESS_END: 191,
  LOSSY_START: 192,
  LOSSY_END: 254,
} as const;

/** Cookie requests and handshakes are resent this often, and request packets sent at least this often (CRYPTO_SEND_PACKET_INTERVAL). */
export const CRYPTO_SEND_PACKET_INTERVAL_MS = 1000;
/** A connection that is not established is killed after this many sends of its cookie request or handshake (MAX_NUM_SENDPACKET_TRIES). */
export const MAX_NUM_SENDPACKET_TRIES = 8;
/** A connection is "directly connected" while a packet came in the last 8 s (UDP_DIRECT_TIMEOUT). */
export const UDP_DIRECT_TIMEOUT_MS = 8000;

/**
 * The longest wait between two runs of the periodic work (Messenger.c messenger_run_interval:
 * MIN_RUN_INTERVAL, the cap on net_crypto's current_sleep_time, which an idle connection leaves at
 * CRYPTO_SEND_PACKET_INTERVAL).
 */
export const MIN_RUN_INTERVAL_MS = 50;

/** Congestion control (c-toxcore's send_crypto_packets). */
export const CRYPTO_PACKET_MIN_RATE = 4.0;
export const CRYPTO_MIN_QUEUE_LENGTH = 64;
export const PACKET_COUNTER_AVERAGE_INTERVAL_MS = 50;
export const REQUEST_PACKETS_COMPARE_CONSTANT = 0.125 * 100.0;
export const CONGESTION_EVENT_TIMEOUT_MS = 1000;
export const SEND_QUEUE_RATIO = 2.0;
export const CONGESTION_QUEUE_ARRAY_SIZE = 12;
export const CONGESTION_LAST_SENT_ARRAY_SIZE = CONGESTION_QUEUE_ARRAY_SIZE * 2;
/** The round-trip time assumed until one is measured (DEFAULT_PING_CONNECTION). */
export const DEFAULT_PING_CONNECTION_MS = 1000;
