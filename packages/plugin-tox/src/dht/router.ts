/**
 * Inbound dispatch by packet kind (Tox spec § "Packet Kind"): one handler per kind, registered by
 * the layer that owns it — the DHT takes 0x00–0x04, 0x20 and 0x21; the onion layer will take
 * 0x80–0x8e; net_crypto 0x18–0x1b. A handler reads through the bounds-checked `Reader` and says
 * how the packet ended: `'handled'` or the reason it was dropped. `Truncated` and `Malformed`
 * thrown by a decoder count as `malformed`; any other exception counts as `handler-error` and is
 * reported through `onHandlerError`. Nothing a datagram contains escapes the socket handler.
 * @since 0.1.0
 */
import { Emitter, type Disposable } from '@confab/sdk';
import { Malformed, Reader, Truncated } from '../wire/bytes';
import type { SocketAddress } from '../wire/ip';
import { MAX_UDP_PACKET_SIZE } from './constants';
import type { Datagram, DatagramEndpoint } from './transport';

/** Why a packet was dropped; each is counted. @since 0.1.0 */
export type DropReason =
  | 'empty' | 'too-large' | 'unknown-kind' | 'unknown-request' | 'bad-size' | 'from-self' | 'bad-box' | 'malformed'
  | 'unexpected-reply' | 'no-route' | 'disabled' | 'handler-error';

/** How a handler ended a packet. @since 0.1.0 */
export type Outcome = 'handled' | DropReason;

/** Where a packet came from and the endpoint it came to (replies go out through that one). @since 0.1.0 */
export interface Inbound {
  readonly from: SocketAddress;
  readonly via: DatagramEndpoint;
}

/** @since 0.1.0 */
export type PacketHandler = (packet: Uint8Array, inbound: Inbound) => Outcome;

/** @since 0.1.0 */
export interface RouterStats {
  readonly received: number;
  readonly handled: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Packets handled, by packet kind. */
  readonly handledByKind: Readonly<Record<number, number>>;
  /** Packets of kinds nobody registered, by kind (what a later layer would have to take). */
  readonly unknownByKind: Readonly<Record<number, number>>;
}

const NO_DROPS: Record<DropReason, number> = {
  empty: 0, 'too-large': 0, 'unknown-kind': 0, 'unknown-request': 0, 'bad-size': 0, 'from-self': 0, 'bad-box': 0, malformed: 0,
  'unexpected-reply': 0, 'no-route': 0, disabled: 0, 'handler-error': 0,
};

/** Dispatch of inbound packets by kind, with counters. @since 0.1.0 */
export class PacketRouter {
  private readonly handlers = new Map<number, PacketHandler>();
  private received = 0;
  private handled = 0;
  private readonly dropped: Record<DropReason, number> = { ...NO_DROPS };
  private readonly byKind = new Uint32Array(256);
  private readonly unknown = new Uint32Array(256);
  private readonly errors = new Emitter<unknown>();
  /** A handler threw something other than a decoding error (a bug): reported here, counted. */
  readonly onHandlerError = this.errors.event;

  /** Takes the datagrams of an endpoint. */
  attach(endpoint: DatagramEndpoint): Disposable {
    return endpoint.onDatagram((d: Datagram) => this.dispatch(d.data, { from: d.from, via: endpoint }));
  }

  /** Registers the handler of a packet kind; a kind has one owner, so a second registration throws. */
  register(kind: number, handler: PacketHandler): Disposable {
    if (!Number.isInteger(kind) || kind < 0 || kind > 0xff) throw new RangeError(`packet kind ${kind}`);
    if (this.handlers.has(kind)) throw new Error(`packet kind 0x${kind.toString(16)} already has a handler`);
    this.handlers.set(kind, handler);
    return { dispose: () => { if (this.handlers.get(kind) === handler) this.handlers.delete(kind); } };
  }

  /** Handles one packet; never throws. */
  dispatch(packet: Uint8Array, inbound: Inbound): Outcome {
    this.received++;
    const outcome = this.run(packet, inbound);
    if (outcome === 'handled') {
      this.handled++;
      this.byKind[new Reader(packet).u8()]++;
    } else {
      this.dropped[outcome]++;
      if (outcome === 'unknown-kind' && packet.length > 0) this.unknown[new Reader(packet).u8()]++;
    }
    return outcome;
  }

  /** Counts a drop decided outside `dispatch` (a sub-dispatcher such as the DHT request's). */
  countDrop(reason: DropReason): void {
    this.dropped[reason]++;
  }

  get stats(): RouterStats {
    return {
      received: this.received, handled: this.handled, dropped: { ...this.dropped },
      handledByKind: nonZero(this.byKind), unknownByKind: nonZero(this.unknown),
    };
  }

  private run(packet: Uint8Array, inbound: Inbound): Outcome {
    if (packet.length === 0) return 'empty';
    if (packet.length > MAX_UDP_PACKET_SIZE) return 'too-large';
    const handler = this.handlers.get(new Reader(packet).u8('packet kind'));
    if (handler === undefined) return 'unknown-kind';
    try {
      return handler(packet, inbound);
    } catch (err) {
      if (err instanceof Truncated || err instanceof Malformed) return 'malformed';
      this.errors.fire(err);
      return 'handler-error';
    }
  }
}

function nonZero(counts: Uint32Array): Record<number, number> {
  const out: Record<number, number> = {};
  counts.forEach((n, kind) => { if (n > 0) out[kind] = n; });
  return out;
}
