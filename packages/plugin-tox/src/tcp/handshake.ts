/**
 * The relay handshake (Tox spec § "TCP server"; c-toxcore TCP_client.c generate_handshake /
 * handle_handshake, TCP_server.c handle_TCP_handshake). Its own crypto, apart from net_crypto's:
 *
 *   client → relay (128 B): [our DHT public key 32][nonce 24][box(K, nonce, [temp pk 32][base nonce 24])]
 *   relay → client  (96 B): [nonce 24][box(K, nonce, [relay temp pk 32][relay base nonce 24])]
 *
 * where K combines our DHT secret key with the relay's long-term key. The session key combines the
 * two temporary keys; each side's packets use its own base nonce, incremented after every packet.
 * Pure functions: randomness is passed in, so tests can use fixed vectors.
 * @since 0.2.0
 */
import { decrypt, encrypt, precompute } from '../crypto/box';
import { NONCE_SIZE, PUBLIC_KEY_SIZE, type KeyPair } from '../crypto/keys';
import { copyBytes } from '../wire/copy';
import { TCP_CLIENT_HANDSHAKE_SIZE, TCP_HANDSHAKE_PLAIN_SIZE, TCP_SERVER_HANDSHAKE_SIZE } from './constants';

/** What our side keeps between sending its handshake and reading the relay's. @since 0.2.0 */
export interface PendingHandshake {
  /** Our handshake, to write first. */
  readonly packet: Uint8Array;
  /** Combined key of our DHT secret and the relay's long-term key (opens the relay's answer). */
  readonly longTermShared: Uint8Array;
  readonly temp: KeyPair;
  /** Our first send nonce. */
  readonly sendNonce: Uint8Array;
}

/** A session both sides agreed on. @since 0.2.0 */
export interface TcpSession {
  readonly sharedKey: Uint8Array;
  readonly sendNonce: Uint8Array;
  readonly recvNonce: Uint8Array;
}

/** c-toxcore's new_TCP_connection + generate_handshake. @since 0.2.0 */
export function makeClientHandshake(self: KeyPair, relayPk: Uint8Array, temp: KeyPair, baseNonce: Uint8Array, outerNonce: Uint8Array): PendingHandshake {
  if (baseNonce.length !== NONCE_SIZE || outerNonce.length !== NONCE_SIZE) throw new RangeError('nonces are 24 bytes');
  const longTermShared = precompute(relayPk, self.secretKey);
  const plain = new Uint8Array(TCP_HANDSHAKE_PLAIN_SIZE);
  plain.set(temp.publicKey, 0);
  plain.set(baseNonce, PUBLIC_KEY_SIZE);
  const packet = new Uint8Array(TCP_CLIENT_HANDSHAKE_SIZE);
  packet.set(self.publicKey, 0);
  packet.set(outerNonce, PUBLIC_KEY_SIZE);
  packet.set(encrypt(longTermShared, outerNonce, plain), PUBLIC_KEY_SIZE + NONCE_SIZE);
  return { packet, longTermShared, temp, sendNonce: copyBytes(baseNonce) };
}

/**
 * c-toxcore's handle_handshake: opens the relay's 96 bytes; the session, or `undefined` when they
 * do not open (the connection is then dropped, as c-toxcore kills it).
 */
export function openServerHandshake(pending: PendingHandshake, answer: Uint8Array): TcpSession | undefined {
  if (answer.length !== TCP_SERVER_HANDSHAKE_SIZE) return undefined;
  const plain = decrypt(pending.longTermShared, answer.subarray(0, NONCE_SIZE), answer.subarray(NONCE_SIZE));
  if (plain === undefined || plain.length !== TCP_HANDSHAKE_PLAIN_SIZE) return undefined;
  return {
    sharedKey: precompute(plain.subarray(0, PUBLIC_KEY_SIZE), pending.temp.secretKey),
    sendNonce: copyBytes(pending.sendNonce),
    recvNonce: copyBytes(plain.subarray(PUBLIC_KEY_SIZE)),
  };
}

/**
 * The relay's side (c-toxcore TCP_server.c handle_TCP_handshake), for tests and fake relays: opens a
 * client handshake with the relay's key pair and answers it. `undefined` when it does not open.
 */
export function answerClientHandshake(relay: KeyPair, packet: Uint8Array, temp: KeyPair, baseNonce: Uint8Array, outerNonce: Uint8Array):
  { clientPk: Uint8Array; answer: Uint8Array; session: TcpSession } | undefined {
  if (packet.length !== TCP_CLIENT_HANDSHAKE_SIZE) return undefined;
  const clientPk = copyBytes(packet.subarray(0, PUBLIC_KEY_SIZE));
  const shared = precompute(clientPk, relay.secretKey);
  const plain = decrypt(shared, packet.subarray(PUBLIC_KEY_SIZE, PUBLIC_KEY_SIZE + NONCE_SIZE), packet.subarray(PUBLIC_KEY_SIZE + NONCE_SIZE));
  if (plain === undefined || plain.length !== TCP_HANDSHAKE_PLAIN_SIZE) return undefined;
  const respPlain = new Uint8Array(TCP_HANDSHAKE_PLAIN_SIZE);
  respPlain.set(temp.publicKey, 0);
  respPlain.set(baseNonce, PUBLIC_KEY_SIZE);
  const answer = new Uint8Array(TCP_SERVER_HANDSHAKE_SIZE);
  answer.set(outerNonce, 0);
  answer.set(encrypt(shared, outerNonce, respPlain), NONCE_SIZE);
  return {
    clientPk,
    answer,
    session: { sharedKey: precompute(plain.subarray(0, PUBLIC_KEY_SIZE), temp.secretKey), sendNonce: copyBytes(baseNonce), recvNonce: copyBytes(plain.subarray(PUBLIC_KEY_SIZE)) },
  };
}
