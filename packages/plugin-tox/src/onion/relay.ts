/**
 * The onion relay: what every node does for other people's onion paths (Tox spec § "Onion",
 * c-toxcore's onion.c). Requests go forward one layer at a time, each hop peeling the layer
 * encrypted to its DHT key and appending sealed return data; responses go back the other way,
 * each hop opening its own return data to learn where to send them:
 *
 *   0x80 [nonce][sender DHT key][box: [IP_Port B][key for B][box for B]]         → 0x81 to B
 *   0x81 [nonce][key][box: [IP_Port C][key for C][box for C]][return 1]           → 0x82 to C
 *   0x82 [nonce][key][box: [IP_Port D][data for D]][return 2]                     → [data][return 3] to D
 *   0x8c [return 3][0x84 | 0x86 …] → 0x8d [return 2][…] → 0x8e [return 1][…] → […] to the sender
 *
 * The same nonce is used for every layer of a request (the spec says so). Cost control: sizes
 * are checked before any crypto; a request costs one combined key (cached) and one box; a
 * response costs only a symmetric open, and a response whose payload is not an announce (0x84)
 * or data (0x86) response is dropped before that; a request whose data for D is not an announce
 * (0x83) or data (0x85) request is dropped at C, as c-toxcore does (so 0x87 does not cross).
 * @since 0.1.0
 */
import type { Disposable } from '@confab/sdk';
import { NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/keys';
import { decrypt } from '../crypto/box';
import { Reader, Writer } from '../wire/bytes';
import type { Dht } from '../dht/dht';
import { systemClock, type Clock } from '../dht/clock';
import { PacketKind } from '../dht/packet-kind';
import type { Inbound } from '../dht/router';
import {
  IP_PORT_SIZE, ONION_MAX_PACKET_SIZE, ONION_RETURN_1, ONION_RETURN_2, ONION_RETURN_3, ONION_SEND_1, ONION_SEND_2,
  ONION_SEND_3, ONION_SEND_BASE,
} from './constants';
import { readIpPort } from './ip-port';
import { ReturnPathKey } from './return-path';
import { OnionCounters, type OnionOutcome } from './stats';

/** @since 0.1.0 */
export interface OnionRelayOptions {
  readonly clock?: Clock;
  readonly random?: (n: number) => Uint8Array;
}


/** Relays onion requests and responses for others; see the header of this file. @since 0.1.0 */
export class OnionRelay implements Disposable {
  readonly counters = new OnionCounters();
  private readonly returnKey: ReturnPathKey;
  private readonly registrations: Disposable[];

  constructor(private readonly dht: Dht, opts: OnionRelayOptions = {}) {
    this.returnKey = new ReturnPathKey(opts.clock ?? systemClock, opts.random);
    const r = dht.router;
    this.registrations = [
      ...([0, 1, 2] as const).map((hop) => {
        const kind = PacketKind.ONION_REQUEST_0 + hop;
        return r.register(kind, (p, i) => this.counters.guard(kind, () => this.onRequest(p, i, hop)));
      }),
      ...([[PacketKind.ONION_RESPONSE_3, 3], [PacketKind.ONION_RESPONSE_2, 2], [PacketKind.ONION_RESPONSE_1, 1]] as const)
        .map(([kind, level]) => r.register(kind, (p, i) => this.counters.guard(kind, () => this.onResponse(p, i, level)))),
    ];
  }

  dispose(): void {
    for (const d of this.registrations.splice(0)) d.dispose();
    this.returnKey.dispose();
  }

  /**
   * spec § "Onion", hops A, B and C (c-toxcore's handle_send_initial, handle_send_1, handle_send_2).
   * `hop` 0 received 0x80 (no return data yet), 1 received 0x81 (return 1), 2 received 0x82 (return 2).
   */
  private onRequest(packet: Uint8Array, inbound: Inbound, hop: 0 | 1 | 2): OnionOutcome {
    const returnIn = hop === 0 ? 0 : hop === 1 ? ONION_RETURN_1 : ONION_RETURN_2;
    const minExclusive = 1 + (hop === 0 ? ONION_SEND_1 : hop === 1 ? ONION_SEND_2 : ONION_SEND_3);
    if (packet.length > ONION_MAX_PACKET_SIZE || packet.length <= minExclusive) return 'bad-size';
    const r = new Reader(packet, 0, packet.length - returnIn);
    r.u8('packet kind');
    const nonce = r.bytes(NONCE_SIZE, 'nonce');
    const key = r.bytes(PUBLIC_KEY_SIZE, 'layer key');
    const box = r.rest();
    const returnData = packet.subarray(packet.length - returnIn);
    // the one expensive step: the combined key of our DHT key with the layer's (cached)
    const plain = decrypt(this.dht.sharedKeys.get(key), nonce, box);
    if (plain === undefined) return 'bad-box';
    // c-toxcore's onion_send_1: the next layer must hold at least two more layers
    if (hop === 0 && plain.length <= IP_PORT_SIZE + ONION_SEND_BASE * 2) return 'bad-size';
    const pr = new Reader(plain);
    const next = readIpPort(pr);
    const rest = pr.rest();
    if (hop === 2 && rest[0] !== PacketKind.ANNOUNCE_REQUEST_OLD && rest[0] !== PacketKind.ONION_DATA_REQUEST) {
      return 'wrong-inner-kind';
    }
    const sealed = this.returnKey.seal(inbound.from, returnData);
    const w = new Writer(1 + NONCE_SIZE + rest.length + sealed.length);
    if (hop === 2) {
      w.bytes(rest); // spec: "[data to send to Node D]", followed by return 3
    } else {
      w.u8(hop === 0 ? PacketKind.ONION_REQUEST_1 : PacketKind.ONION_REQUEST_2).bytes(nonce).bytes(rest);
    }
    inbound.via.send(w.bytes(sealed).finish(), next);
    return 'handled';
  }

  /** spec § "Onion", the way back (c-toxcore's handle_recv_3, handle_recv_2, handle_recv_1). */
  private onResponse(packet: Uint8Array, inbound: Inbound, level: 1 | 2 | 3): OnionOutcome {
    const returnSize = level === 3 ? ONION_RETURN_3 : level === 2 ? ONION_RETURN_2 : ONION_RETURN_1;
    const innerSize = level === 3 ? ONION_RETURN_2 : level === 2 ? ONION_RETURN_1 : 0;
    if (packet.length > ONION_MAX_PACKET_SIZE || packet.length <= 1 + returnSize) return 'bad-size';
    const payload = packet.subarray(1 + returnSize);
    if (payload[0] !== PacketKind.ANNOUNCE_RESPONSE_OLD && payload[0] !== PacketKind.ONION_DATA_RESPONSE) return 'wrong-inner-kind';
    const opened = this.returnKey.open(packet.subarray(1, 1 + returnSize), innerSize);
    if (opened === undefined) return 'bad-return';
    let out: Uint8Array;
    if (level === 1) {
      out = payload; // the announce or data response itself, to the client
    } else {
      out = new Writer(1 + innerSize + payload.length)
        .u8(level === 3 ? PacketKind.ONION_RESPONSE_2 : PacketKind.ONION_RESPONSE_1).bytes(opened.inner).bytes(payload).finish();
    }
    inbound.via.send(out, opened.address);
    return 'handled';
  }

  /** Return data sealed by this relay under the current key (for tests of the return path). */
  get returnPath(): ReturnPathKey {
    return this.returnKey;
  }
}

