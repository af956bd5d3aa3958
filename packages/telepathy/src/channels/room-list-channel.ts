/**
 * A RoomList channel (spec 0.27 `Channel.Type.RoomList`, with `Channel`; TargetHandleType None) over
 * Confab's room listings (the daemon's `roomListings`, as `Account.ListRooms` on Confab's own API):
 * `ListRooms` starts one — `ListingRooms(true)`, then `GotRooms(a(usa{sv}))` per batch the server
 * sends, then `ListingRooms(false)` —, `StopListing` stops it, `GetListingRooms` says whether one runs.
 * Each room is given a room handle (the protocol's normalization of its id, as the Text channels' are)
 * and the channel type Text, with `handle-name`, `name`, `subject` and `members` (spec "Room_Info"
 * keys) where the server said them. The channel keeps no rooms: a listing of 100,000 channels goes
 * through it batch by batch, bounded by the daemon's limit.
 */
import dbus from 'dbus-next';
import { ConfabError, type Disposable, type ListedRoom } from '@confab/sdk';
import { specOf } from '../dbus/contract';
import { ContractObject } from '../dbus/contract-object';
import { CHANNEL_IFACE, TEXT_TYPE, TP } from '../connections/constants';
import type { ChannelHost } from './channel-host';

type Variant = InstanceType<typeof dbus.Variant>;

export const ROOM_LIST_TYPE = `${TP}.Channel.Type.RoomList`;
/** spec Handle_Type None: a RoomList channel has no target. */
const HANDLE_NONE = 0;

/** The daemon's room listings (packages/daemon/src/rooms/room-listings.ts), as this channel uses them. */
export interface ConfabRoomListings {
  /** Whether the account's connection can list rooms now (its plugin has RoomsFacet.list). */
  canList(accountId: string): boolean;
  start(accountId: string, request: { server?: string }): number;
  stop(accountId: string, listing: number): void;
  readonly onRooms: (listener: (e: { accountId: string; listing: number; rooms: readonly ListedRoom[] }) => void) => Disposable;
  readonly onFinished: (listener: (e: { accountId: string; listing: number; state: string; detail: string }) => void) => Disposable;
}

export interface RoomListChannelOptions {
  readonly path: string;
  readonly accountId: string;
  /** spec RoomList.Server: the server to list (XMPP: a MUC service); '' for the connection's own. */
  readonly server: string;
  readonly listings: ConfabRoomListings;
  /** A room id as the protocol normalizes it (its handle's id). */
  readonly normalize: (id: string) => string;
  /** The channel closed (Close, or the connection went): the table forgets it. */
  readonly closed: (ch: RoomListChannel) => void;
}

export class RoomListChannel {
  readonly path: string;
  private readonly objects: ContractObject[];
  private readonly channel: ContractObject;
  private readonly roomList: ContractObject;
  private readonly subs: Disposable[];
  private listing: number | undefined;
  private closed = false;

  constructor(private readonly host: ChannelHost, private readonly opts: RoomListChannelOptions) {
    this.path = opts.path;
    const { contract, ctx } = host;
    this.channel = new ContractObject(specOf(contract, CHANNEL_IFACE), {
      methods: {
        Close: () => this.close(),
        GetChannelType: () => ROOM_LIST_TYPE,
        GetHandle: () => [HANDLE_NONE, 0],
        GetInterfaces: () => [],
      },
      properties: {
        ChannelType: () => ROOM_LIST_TYPE,
        Interfaces: () => [],
        TargetHandle: () => 0,
        TargetID: () => '',
        TargetHandleType: () => HANDLE_NONE,
        Requested: () => true,
        InitiatorHandle: () => host.selfHandle,
        InitiatorID: () => host.selfId,
      },
    }, ctx);
    this.roomList = new ContractObject(specOf(contract, ROOM_LIST_TYPE), {
      methods: {
        GetListingRooms: () => this.listing !== undefined,
        ListRooms: () => this.list(),
        StopListing: () => this.stopListing(),
      },
      properties: { Server: () => opts.server },
    }, ctx);
    this.objects = [this.channel, this.roomList];
    this.subs = [
      opts.listings.onRooms((e) => {
        if (e.listing === this.listing && e.accountId === opts.accountId) this.roomList.emit('GotRooms', e.rooms.map((r) => this.roomInfo(r)));
      }),
      opts.listings.onFinished((e) => {
        if (e.listing !== this.listing || e.accountId !== opts.accountId) return;
        if (e.state === 'failed' || e.state === 'timed-out') host.ctx.log.info('room listing on %s ended %s: %s', opts.accountId, e.state, e.detail);
        this.listing = undefined;
        this.roomList.emit('ListingRooms', false); // spec: "ListingRooms (False) when the request is complete"
      }),
    ];
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The immutable properties, fully qualified (spec Channel; RoomList.Server is requestable). */
  immutable(): Record<string, Variant> {
    const v = (sig: string, value: unknown) => new dbus.Variant(sig, value);
    return {
      [`${CHANNEL_IFACE}.ChannelType`]: v('s', ROOM_LIST_TYPE),
      [`${CHANNEL_IFACE}.Interfaces`]: v('as', []),
      [`${CHANNEL_IFACE}.TargetHandle`]: v('u', 0),
      [`${CHANNEL_IFACE}.TargetHandleType`]: v('u', HANDLE_NONE),
      [`${CHANNEL_IFACE}.TargetID`]: v('s', ''),
      [`${CHANNEL_IFACE}.Requested`]: v('b', true),
      [`${CHANNEL_IFACE}.InitiatorHandle`]: v('u', this.host.selfHandle),
      [`${CHANNEL_IFACE}.InitiatorID`]: v('s', this.host.selfId),
      [`${ROOM_LIST_TYPE}.Server`]: v('s', this.opts.server),
    };
  }

  export(): void {
    for (const o of this.objects) this.host.bus.export(this.path, o.iface);
  }

  unexport(): void {
    (this.host.bus.unexport as (path: string) => void).call(this.host.bus, this.path);
  }

  /** For the dispatcher (its handler left): as Close. */
  closeQuietly(): void {
    this.close();
  }

  /** spec Channel.Close: a listing going on is stopped; Closed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.listing !== undefined) this.stopListing();
    for (const s of this.subs) s.dispose();
    this.channel.emit('Closed');
    this.opts.closed(this);
  }

  /** spec RoomList.ListRooms: a second call while one runs does nothing (idle does the same). */
  private list(): void {
    if (this.listing !== undefined) return;
    this.listing = this.opts.listings.start(this.opts.accountId, { server: this.opts.server || undefined });
    this.roomList.emit('ListingRooms', true); // before any GotRooms: the rooms come from the network, later
  }

  /** spec RoomList.StopListing: ListingRooms(false) follows (the listing ends cancelled). */
  private stopListing(): void {
    if (this.listing === undefined) return;
    try {
      this.opts.listings.stop(this.opts.accountId, this.listing);
    } catch (err) {
      if (!(err instanceof ConfabError && err.code === 'NotFound')) throw err; // it ended meanwhile: nothing to stop
    }
  }

  /** spec Room_Info (a(usa{sv})): handle, channel type, and handle-name, name, subject, members. */
  private roomInfo(r: ListedRoom): [number, string, Record<string, Variant>] {
    let id: string;
    try {
      id = this.opts.normalize(r.id);
    } catch {
      id = r.id; // the server named it: kept as given
    }
    const info: Record<string, Variant> = {
      'handle-name': new dbus.Variant('s', id),
      name: new dbus.Variant('s', r.name),
      subject: new dbus.Variant('s', r.topic),
    };
    if (r.members !== undefined) info.members = new dbus.Variant('u', Math.min(r.members, 0xffffffff));
    return [this.host.handles.rooms.ensure(id), TEXT_TYPE, info];
  }
}

type Variants = Record<string, { signature?: string; value: unknown }>;

/**
 * A request for a RoomList channel (spec RoomList: "TargetHandleType … MUST be None", Server requestable):
 * the server asked for ('' for the connection's own). A target, or a property Confab does not know, is
 * refused as the spec's Requests refuse them.
 */
export function parseRoomListRequest(req: Variants): string {
  const P = (name: string) => `${CHANNEL_IFACE}.${name}`;
  for (const [key, v] of Object.entries(req)) {
    if (key === P('ChannelType')) continue;
    if (key === P('TargetHandleType') && v.signature === 'u' && v.value === HANDLE_NONE) continue;
    if (key === `${ROOM_LIST_TYPE}.Server` && v.signature === 's') continue;
    if (key === P('TargetHandleType') || key === P('TargetHandle') || key === P('TargetID')) {
      throw new dbus.DBusError(`${TP}.Error.InvalidArgument`, 'a RoomList channel has no target (TargetHandleType 0, None)');
    }
    if (key === `${ROOM_LIST_TYPE}.Server`) throw new dbus.DBusError(`${TP}.Error.InvalidArgument`, `${key} must be of type s`);
    throw new dbus.DBusError(`${TP}.Error.NotImplemented`, `property '${key}' cannot be requested`);
  }
  return (req[`${ROOM_LIST_TYPE}.Server`]?.value as string | undefined) ?? '';
}
