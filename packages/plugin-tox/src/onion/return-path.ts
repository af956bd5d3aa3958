/**
 * The return path of onion requests (spec § "Onion": each node "encrypts the IP_Port it received
 * the packet from … with a symmetric key only it knows"). A relay seals the address a request came
 * from, followed by the return data it carried (none at the first hop), under a random nonce and
 * its own secret symmetric key, and appends that to the request; the response carries it back and
 * only this relay can open it. Layout, as c-toxcore's onion.c:
 *
 *   [nonce: 24][box: [IP_Port of the previous hop: 19][return data of the previous hops]]
 *
 * The key is replaced every 2 hours (onion.c KEY_REFRESH_INTERVAL), which makes old paths expire.
 * Nothing but our own relay reads this data, so no other implementation depends on its inside.
 * @since 0.1.0
 */
import { decrypt, encrypt } from '../crypto/box';
import { NONCE_SIZE, randomBytes } from '../crypto/keys';
import { Reader, Writer } from '../wire/bytes';
import type { SocketAddress } from '../wire/ip';
import type { Clock } from '../dht/clock';
import { IP_PORT_SIZE, RETURN_KEY_REFRESH_MS } from './constants';
import { readIpPort, writeIpPort } from './ip-port';

/** What a sealed return entry holds. @since 0.1.0 */
export interface ReturnEntry {
  /** Where the response goes next. */
  readonly address: SocketAddress;
  /** The return data to put before the response for that hop (empty at the first hop). */
  readonly inner: Uint8Array;
}

/** A relay's secret symmetric key and what it seals. @since 0.1.0 */
export class ReturnPathKey {
  private key: Uint8Array;
  private createdAt: number;

  constructor(private readonly clock: Clock, private readonly random: (n: number) => Uint8Array = randomBytes) {
    this.key = random(32);
    this.createdAt = clock.now();
  }

  /** `[nonce][box]` of the previous hop's address and its return data. */
  seal(from: SocketAddress, inner: Uint8Array): Uint8Array {
    this.refresh();
    const nonce = this.random(NONCE_SIZE);
    const plain = writeIpPort(new Writer(IP_PORT_SIZE + inner.length), from).bytes(inner).finish();
    return new Writer(NONCE_SIZE + plain.length + 16).bytes(nonce).bytes(encrypt(this.key, nonce, plain)).finish();
  }

  /**
   * Opens a return entry of exactly `sealed.length` bytes whose inner part is `innerSize` bytes;
   * `undefined` when it does not open (forged, or sealed under the previous key).
   */
  open(sealed: Uint8Array, innerSize: number): ReturnEntry | undefined {
    this.refresh();
    const r = new Reader(sealed);
    const nonce = r.bytes(NONCE_SIZE, 'return nonce');
    const plain = decrypt(this.key, nonce, r.rest());
    if (plain === undefined || plain.length !== IP_PORT_SIZE + innerSize) return undefined;
    const pr = new Reader(plain);
    const address = readIpPort(pr);
    return { address, inner: pr.rest() };
  }

  private refresh(): void {
    if (this.clock.now() - this.createdAt < RETURN_KEY_REFRESH_MS) return;
    this.key.fill(0);
    this.key = this.random(32);
    this.createdAt = this.clock.now();
  }

  dispose(): void {
    this.key.fill(0);
  }
}
