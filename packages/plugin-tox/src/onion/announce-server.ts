/**
 * The announce service of an onion node (Tox spec § "Announce request", § "Data request"; c-toxcore's
 * onion_announce.c): the third hop of a client's path hands us
 *
 *   [0x83 announce request: 177 bytes][return data 3: 177 bytes]
 *   [0x85 data request][return data 3]
 *
 * An announce request whose ping id is one we gave that key at that address (a timed MAC, so
 * nothing is stored per requester before it proves it can receive) stores the key with its data
 * key and return path; any announce request is answered through the return path with is_stored,
 * a fresh ping id (or the data key of the searched key, if it is announced here and is not the
 * requester's own) and the up to 4 nodes we know closest to the searched key. A data request to
 * an announced key is passed on unopened, as 0x86, down that key's return path.
 *
 * Cost control: the announce request's size is exact; one combined key (cached) and one box open
 * per request; a data request costs no crypto at all.
 * @since 0.1.0
 */
import type { Disposable } from '@confab/sdk';
import { keysEqual, NONCE_SIZE, PUBLIC_KEY_SIZE, randomBytes } from '../crypto/keys';
import { Reader, Writer } from '../wire/bytes';
import { isLan } from '../wire/ip';
import type { Dht } from '../dht/dht';
import { systemClock, type Clock } from '../dht/clock';
import { PacketKind } from '../dht/packet-kind';
import type { Inbound } from '../dht/router';
import {
  ANNOUNCE_REQUEST_SIZE, ANNOUNCE_TIMEOUT_MS, DATA_REQUEST_MIN_SIZE, IP_PORT_SIZE, ONION_MAX_PACKET_SIZE, ONION_RETURN_3,
} from './constants';
import { AnnounceStore } from './announce-store';
import { openAnnounceRequest, readAnnounceRequestHeader, sealAnnounceResponse, type AnnounceResponse } from './announce-packets';
import { writeIpPort } from './ip-port';
import { OnionCounters, type OnionOutcome } from './stats';
import { TimedAuth } from './timed-auth';

/** @since 0.1.0 */
export interface AnnounceServerOptions {
  readonly clock?: Clock;
  readonly random?: (n: number) => Uint8Array;
}

/** Serves announce (0x83) and data (0x85) requests; see the header of this file. @since 0.1.0 */
export class AnnounceServer implements Disposable {
  readonly counters = new OnionCounters();
  readonly store: AnnounceStore;
  private readonly auth: TimedAuth;
  private readonly random: (n: number) => Uint8Array;
  private readonly registrations: Disposable[];

  constructor(private readonly dht: Dht, opts: AnnounceServerOptions = {}) {
    const clock = opts.clock ?? systemClock;
    this.random = opts.random ?? randomBytes;
    this.store = new AnnounceStore(dht.publicKey, clock);
    this.auth = new TimedAuth(clock, ANNOUNCE_TIMEOUT_MS, this.random);
    this.registrations = [
      dht.router.register(PacketKind.ANNOUNCE_REQUEST_OLD,
        (p, i) => this.counters.guard(PacketKind.ANNOUNCE_REQUEST_OLD, () => this.onAnnounceRequest(p, i))),
      dht.router.register(PacketKind.ONION_DATA_REQUEST,
        (p, i) => this.counters.guard(PacketKind.ONION_DATA_REQUEST, () => this.onDataRequest(p, i))),
    ];
  }

  dispose(): void {
    for (const d of this.registrations.splice(0)) d.dispose();
    this.auth.dispose();
  }

  /** spec § "Announce request" (c-toxcore's handle_announce_request_old). */
  private onAnnounceRequest(packet: Uint8Array, inbound: Inbound): OnionOutcome {
    if (packet.length !== ANNOUNCE_REQUEST_SIZE + ONION_RETURN_3) return 'bad-size';
    const returnData = packet.subarray(ANNOUNCE_REQUEST_SIZE);
    const h = readAnnounceRequestHeader(packet.subarray(0, ANNOUNCE_REQUEST_SIZE));
    if (keysEqual(h.senderKey, this.dht.publicKey)) return 'from-self';
    const shared = this.dht.sharedKeys.get(h.senderKey);
    const req = openAnnounceRequest(shared, h.nonce, h.box);
    if (req === undefined) return 'bad-box';

    const pingData = writeIpPort(new Writer(PUBLIC_KEY_SIZE + IP_PORT_SIZE).bytes(h.senderKey), inbound.from).finish();
    const entry = this.auth.check(pingData, req.pingId)
      ? this.store.add({ publicKey: h.senderKey, dataPublicKey: req.dataPublicKey, returnAddress: inbound.from, returnData })
      : this.store.find(req.searchedKey);
    const pingId = this.auth.generate(pingData);
    let res: AnnounceResponse;
    const nodes = this.dht.closestNodes(req.searchedKey, { forLan: isLan(inbound.from.host) });
    if (entry === undefined) {
      res = { isStored: 0, pingIdOrKey: pingId, nodes };
    } else if (keysEqual(entry.publicKey, h.senderKey)) {
      // the requester's own entry: stored (2) unless it now announces another data key
      res = { isStored: keysEqual(entry.dataPublicKey, req.dataPublicKey) ? 2 : 0, pingIdOrKey: pingId, nodes };
    } else {
      res = { isStored: 1, pingIdOrKey: entry.dataPublicKey, nodes };
    }
    const response = sealAnnounceResponse(req.sendback, shared, res, this.random(NONCE_SIZE));
    inbound.via.send(onionResponse(returnData, response), inbound.from);
    return 'handled';
  }

  /** spec § "Data request" (c-toxcore's handle_data_request): to an announced key, unopened. */
  private onDataRequest(packet: Uint8Array, inbound: Inbound): OnionOutcome {
    if (packet.length <= DATA_REQUEST_MIN_SIZE + ONION_RETURN_3 || packet.length > ONION_MAX_PACKET_SIZE) return 'bad-size';
    const r = new Reader(packet, 0, packet.length - ONION_RETURN_3);
    r.u8('packet kind');
    const receiver = r.bytes(PUBLIC_KEY_SIZE, 'receiver key');
    const entry = this.store.find(receiver);
    if (entry === undefined) return 'not-announced';
    const data = new Writer(1 + r.remaining).u8(PacketKind.ONION_DATA_RESPONSE).bytes(r.rest()).finish();
    inbound.via.send(onionResponse(entry.returnData, data), entry.returnAddress);
    return 'handled';
  }
}

/** spec § "Onion": a response starts back down the path as [0x8c][return data 3][response] (send_onion_response). */
function onionResponse(returnData: Uint8Array, response: Uint8Array): Uint8Array {
  return new Writer(1 + returnData.length + response.length)
    .u8(PacketKind.ONION_RESPONSE_3).bytes(returnData).bytes(response).finish();
}
