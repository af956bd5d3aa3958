/**
 * The channels of one connection and its spec 0.27 `Connection.Interface.Requests`: requested Text
 * channels (EnsureChannel/CreateChannel: a room is joined through the daemon and the request answered
 * once it is joined; a contact's conversation is opened), and unrequested ones announced with
 * NewChannels when a message comes in a conversation that has no channel yet. Closed channels go out
 * with ChannelClosed; one closed with messages still pending comes back unrequested (spec Text: "the
 * channel will be re-created").
 */
import dbus from 'dbus-next';
import { ConfabError } from '@confab/sdk';
import type { ConfabChannel, ConfabMessage } from '../confab';
import { specOf } from '../dbus/contract';
import { ContractObject } from '../dbus/contract-object';
import type { ChannelHost } from '../channels/channel-host';
import { parseRequest } from '../channels/channel-request';
import { parseRoomListRequest, ROOM_LIST_TYPE, RoomListChannel } from '../channels/room-list-channel';
import { TextChannel } from '../channels/text-channel';
import { CHANNEL_IFACE, HANDLE_CONTACT, HANDLE_ROOM, REQUESTS_IFACE, TEXT_TYPE, TP } from './constants';

type Variant = InstanceType<typeof dbus.Variant>;
type Variants = Record<string, { signature?: string; value: unknown }>;

/** How long EnsureChannel waits for a room to be joined before answering NotAvailable. */
const JOIN_TIMEOUT_MS = 20000;

export class ChannelTable {
  readonly requests: ContractObject;
  private readonly channels = new Map<number, TextChannel>();
  /** RoomList channels (spec Channel.Type.RoomList): no conversation behind them. */
  private readonly roomLists = new Set<RoomListChannel>();
  private serial = 0;
  /** Fails each EnsureChannel waiting for its room to be joined (when the connection goes). */
  private readonly waits = new Set<() => void>();
  private disposing = false;

  constructor(
    private readonly host: ChannelHost,
    private readonly accountId: string,
    private readonly basePath: string,
    private readonly canRooms: boolean,
    private readonly normalize: (id: string) => string,
  ) {
    this.requests = new ContractObject(specOf(host.contract, REQUESTS_IFACE), {
      methods: {
        CreateChannel: (req: Variants) => this.request(req, false),
        EnsureChannel: (req: Variants) => this.request(req, true),
      },
      properties: {
        Channels: () => [...this.channels.values(), ...this.roomLists].map((c) => [c.path, c.immutable()]),
        RequestableChannelClasses: () => this.classes(),
      },
    }, host.ctx);
  }

  get(channelId: number): TextChannel | undefined {
    return this.channels.get(channelId);
  }

  all(): TextChannel[] {
    return [...this.channels.values()];
  }

  /** A message Confab stored for this account: on its channel, or on a new unrequested one. */
  received(m: ConfabMessage): void {
    if (m.kind === 'call' || m.outgoing) return;
    const existing = this.channels.get(m.channelId);
    if (existing) return existing.received(m);
    const row = this.host.f.conversations.byId(m.channelId);
    if (!row || (row.kind === 'room' && !this.host.f.rooms.state(row.id)?.joined)) return;
    this.open(row, false, this.host.contactHandle(m.senderId, m.senderName)); // its PendingMessages hold the message
  }

  /** Messages acknowledged on Confab: each channel that showed one tells its clients. */
  acknowledged(ids: readonly number[]): void {
    for (const ch of this.channels.values()) ch.acknowledged(ids);
  }

  /** The conversation changed on Confab (or went). */
  changed(channelId: number, change: 'added' | 'removed' | 'changed'): void {
    const ch = this.channels.get(channelId);
    if (!ch) return;
    if (change === 'removed') ch.close(false);
    else ch.refresh();
  }

  /** The connection goes: every channel is closed and withdrawn, every pending request fails. */
  dispose(): void {
    this.disposing = true;
    for (const fail of [...this.waits]) fail();
    for (const ch of this.all()) ch.close(false);
    for (const rl of [...this.roomLists]) rl.close();
  }

  /** A channel closed: it leaves Channels (spec Requests.ChannelClosed), and comes back if messages are still pending on it. */
  closed(channelId: number): void {
    const ch = this.channels.get(channelId);
    if (!ch) return;
    this.channels.delete(channelId);
    this.requests.emit('ChannelClosed', ch.path);
    this.requests.refresh();
    ch.unexport();
    this.host.listener.closed(ch.path);
    const pending = ch.pending();
    const row = this.host.f.conversations.byId(channelId);
    if (pending.length > 0 && row && row.kind === 'direct' && !this.disposing) {
      this.open(row, false, this.host.contactHandle(pending[0].senderId, pending[0].senderName));
    }
  }

  // ---- requests -------------------------------------------------------------------------------

  /** spec Requests.EnsureChannel → (Yours, Channel, Properties); CreateChannel → (Channel, Properties). */
  private async request(req: Variants, ensure: boolean): Promise<unknown[]> {
    const { yours, channel: ch } = await this.requestChannel(req, ensure);
    return ensure ? [yours, ch.path, ch.immutable()] : [ch.path, ch.immutable()];
  }

  /** A request (the Requests interface's, or the ChannelDispatcher's): the channel, and whether it is new (spec Ensure's Yours). */
  async requestChannel(req: Variants, ensure: boolean): Promise<{ yours: boolean; channel: TextChannel | RoomListChannel }> {
    if (req?.[`${CHANNEL_IFACE}.ChannelType`]?.value === ROOM_LIST_TYPE && this.canList()) return this.roomList(parseRoomListRequest(req), ensure);
    const { handleType, targetId } = parseRequest(req, this.host.handles, this.canRooms);
    const row = handleType === HANDLE_ROOM ? await this.joinRoom(targetId) : this.openDirect(targetId);
    const existing = this.channels.get(row.id);
    if (existing && !ensure) throw new dbus.DBusError(`${TP}.Error.NotAvailable`, `a channel for '${row.target}' exists already: ${existing.path}`);
    if (existing) return { yours: false, channel: existing };
    return { yours: true, channel: this.open(row, true, this.host.selfHandle) };
  }

  private openDirect(targetId: string): ConfabChannel {
    try {
      return this.host.f.conversations.openDirect(this.accountId, targetId);
    } catch (err) {
      if (err instanceof ConfabError && err.code === 'InvalidArgument') throw new dbus.DBusError(`${TP}.Error.InvalidHandle`, err.message);
      throw err;
    }
  }

  /** The room joined through the daemon (at once when it is already), once the network says it is. */
  private async joinRoom(targetId: string): Promise<ConfabChannel> {
    const { f } = this.host;
    const known = f.conversations.find(this.accountId, 'room', this.normalize(targetId));
    if (known && f.rooms.state(known.id)?.joined) return known;
    let row: ConfabChannel;
    try {
      row = f.rooms.join(this.accountId, targetId, '');
    } catch (err) {
      if (err instanceof ConfabError && err.code === 'InvalidArgument') throw new dbus.DBusError(`${TP}.Error.InvalidHandle`, err.message);
      throw err;
    }
    await this.joined(row);
    return f.conversations.byId(row.id) ?? row;
  }

  private joined(row: ConfabChannel): Promise<void> {
    const { f } = this.host;
    if (f.rooms.state(row.id)?.joined) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const sub = f.conversations.onChanged(({ id }) => {
        if (id !== row.id || !f.rooms.state(row.id)?.joined) return;
        done();
        resolve();
      });
      const timer = setTimeout(() => {
        done();
        reject(new dbus.DBusError(`${TP}.Error.NotAvailable`, `${row.target} was not joined within ${JOIN_TIMEOUT_MS / 1000} s`));
      }, JOIN_TIMEOUT_MS);
      const fail = () => {
        done();
        reject(new dbus.DBusError(`${TP}.Error.Disconnected`, 'the connection went away'));
      };
      const done = () => {
        clearTimeout(timer);
        sub.dispose();
        this.waits.delete(fail);
      };
      this.waits.add(fail);
    });
  }

  /** spec RoomList: Ensure gives the one for that server if there is one; Create makes another. */
  private roomList(server: string, ensure: boolean): { yours: boolean; channel: RoomListChannel } {
    const existing = ensure ? [...this.roomLists].find((c) => c.immutable()[`${ROOM_LIST_TYPE}.Server`].value === server) : undefined;
    if (existing) return { yours: false, channel: existing };
    const ch = new RoomListChannel(this.host, {
      path: `${this.basePath}/RoomList${++this.serial}`, accountId: this.accountId, server, listings: this.host.f.roomListings,
      normalize: this.normalize,
      closed: (c) => {
        if (!this.roomLists.delete(c)) return;
        this.requests.emit('ChannelClosed', c.path);
        this.requests.refresh();
        c.unexport();
        this.host.listener.closed(c.path);
      },
    });
    this.roomLists.add(ch);
    ch.export();
    this.requests.emit('NewChannels', [[ch.path, ch.immutable()]]);
    this.requests.refresh();
    return { yours: true, channel: ch };
  }

  /** Whether RoomList channels are served: the protocol has rooms and the connection can list them. */
  private canList(): boolean {
    return this.canRooms && this.host.f.roomListings.canList(this.accountId);
  }

  private open(row: ConfabChannel, requested: boolean, initiator: number): TextChannel {
    const ch = new TextChannel(this.host, { path: `${this.basePath}/Channel${++this.serial}`, row, requested, initiator });
    this.channels.set(row.id, ch);
    ch.export();
    this.requests.emit('NewChannels', [[ch.path, ch.immutable()]]);
    this.requests.refresh();
    this.host.listener.opened({ accountId: this.accountId, path: this.basePath }, ch, requested);
    return ch;
  }

  /** spec Requests.RequestableChannelClasses: Text to a contact, to a room where the protocol has rooms, and RoomList where it can list them. */
  private classes(): Array<[Record<string, Variant>, string[]]> {
    const cls = (type: number): [Record<string, Variant>, string[]] => [
      { [`${CHANNEL_IFACE}.ChannelType`]: new dbus.Variant('s', TEXT_TYPE), [`${CHANNEL_IFACE}.TargetHandleType`]: new dbus.Variant('u', type) },
      [`${CHANNEL_IFACE}.TargetHandle`, `${CHANNEL_IFACE}.TargetID`],
    ];
    const roomList: [Record<string, Variant>, string[]] = [
      { [`${CHANNEL_IFACE}.ChannelType`]: new dbus.Variant('s', ROOM_LIST_TYPE), [`${CHANNEL_IFACE}.TargetHandleType`]: new dbus.Variant('u', 0) },
      [`${ROOM_LIST_TYPE}.Server`],
    ];
    if (!this.canRooms) return [cls(HANDLE_CONTACT)];
    return this.canList() ? [cls(HANDLE_CONTACT), cls(HANDLE_ROOM), roomList] : [cls(HANDLE_CONTACT), cls(HANDLE_ROOM)];
  }
}
