/**
 * One Telepathy Text channel (spec 0.27 `Channel` + `Channel.Type.Text` + `Channel.Interface.Messages`,
 * and for a room `Channel.Interface.Group`, `Subject2` and `Room2`) over one Confab conversation. It
 * keeps nothing of its own: the messages pending on it are Confab's pending queue for that conversation
 * (a message's Confab id is its `pending-message-id`), members and topic are the daemon's rooms'.
 *
 * Confab announces changes of a conversation, not deltas of members or of the queue, so `refresh()`
 * compares with what this channel last said: members that came and went become MembersChangedDetailed,
 * pending messages acknowledged elsewhere (Confab's own API, another Telepathy client) become
 * PendingMessagesRemoved, and a room no longer joined closes the channel (as idle does after a PART).
 */
import dbus from 'dbus-next';
import { InvalidArgumentError, NotImplementedError } from '@confab/sdk';
import type { ConfabChannel, ConfabMessage } from '../confab';
import { specOf } from '../dbus/contract';
import { ContractObject } from '../dbus/contract-object';
import {
  CHANGE_REASON_NONE, CHANNEL_IFACE, GROUP_IFACE, HANDLE_CONTACT, HANDLE_ROOM, MESSAGES_IFACE, ROOM2_IFACE, ROOM_GROUP_FLAGS,
  SUBJECT2_IFACE, TEXT_TYPE,
} from '../connections/constants';
import type { ChannelHost } from './channel-host';
import { parseOutgoing, pendingTuple, receivedParts, sentParts } from './message-parts';

type Variant = InstanceType<typeof dbus.Variant>;

/** Spec Messages: only text/plain; types normal, action, notice; no part flags, no delivery reports. */
const MESSAGES_PROPS = {
  SupportedContentTypes: ['text/plain'],
  MessageTypes: [0, 1, 2],
  MessagePartSupportFlags: 0,
  DeliveryReportingSupport: 0,
};

export interface TextChannelOptions {
  readonly path: string;
  readonly row: ConfabChannel;
  readonly requested: boolean;
  /** Who started it: ourselves when requested, else the first sender. */
  readonly initiator: number;
}

export class TextChannel {
  readonly path: string;
  readonly channelId: number;
  readonly isRoom: boolean;
  readonly targetHandle: number;
  private readonly targetId: string;
  private readonly objects: ContractObject[];
  private readonly channel: ContractObject;
  private readonly messages: ContractObject;
  private readonly group?: ContractObject;
  /** Ids of pending messages this channel has shown (in PendingMessages or MessageReceived). */
  private readonly shownPending = new Set<number>();
  private members = new Map<number, string>();
  private closed = false;

  constructor(private readonly host: ChannelHost, private readonly opts: TextChannelOptions) {
    const { row } = opts;
    const h = host.handles;
    this.path = opts.path;
    this.channelId = row.id;
    this.isRoom = row.kind === 'room';
    this.targetId = row.target;
    this.targetHandle = this.isRoom ? h.rooms.ensure(row.target) : host.contactHandle(row.target);
    const { contract, ctx } = host;
    this.channel = new ContractObject(specOf(contract, CHANNEL_IFACE), {
      methods: {
        Close: () => this.close(true),
        GetChannelType: () => TEXT_TYPE,
        GetHandle: () => [this.handleType, this.targetHandle],
        GetInterfaces: () => this.interfaces,
      },
      properties: {
        ChannelType: () => TEXT_TYPE,
        Interfaces: () => this.interfaces,
        TargetHandle: () => this.targetHandle,
        TargetID: () => this.targetId,
        TargetHandleType: () => this.handleType,
        Requested: () => opts.requested,
        InitiatorHandle: () => opts.initiator,
        InitiatorID: () => h.contacts.idOf(opts.initiator) ?? '',
      },
    }, ctx);
    const text = new ContractObject(specOf(contract, TEXT_TYPE), {
      methods: {
        AcknowledgePendingMessages: (ids: number[]) => this.acknowledge(ids),
        GetMessageTypes: () => MESSAGES_PROPS.MessageTypes,
        ListPendingMessages: (clear: boolean) => this.listPending(clear),
      },
      properties: {},
    }, ctx);
    this.messages = new ContractObject(specOf(contract, MESSAGES_IFACE), {
      methods: {
        SendMessage: (parts: unknown, flags: number) => this.send(parts, flags),
        GetPendingMessageContent: (id: number, parts: number[]) => this.pendingContent(id, parts),
      },
      properties: {
        ...Object.fromEntries(Object.entries(MESSAGES_PROPS).map(([k, v]) => [k, () => v])),
        PendingMessages: () => this.pending().map((m) => receivedParts(m, this.senderHandle(m))),
      },
    }, ctx);
    this.objects = [this.channel, text, this.messages];
    if (this.isRoom) {
      this.members = this.currentMembers();
      this.group = this.groupObject();
      this.objects.push(this.group, ...this.roomObjects());
    }
    for (const m of this.pending()) this.shownPending.add(m.id);
  }

  /** spec Channel.Interface.Group for a room: its members are the daemon's (rooms.members). */
  private groupObject(): ContractObject {
    const { host } = this;
    const { contract, ctx } = host;
    return new ContractObject(specOf(contract, GROUP_IFACE), {
      methods: {
        AddMembers: () => {
          throw new NotImplementedError('inviting to a room from Telepathy is not served yet');
        },
        GetAllMembers: () => [[...this.members.keys()], [], []],
        GetGroupFlags: () => ROOM_GROUP_FLAGS,
        GetHandleOwners: (handles: number[]) => handles, // contact handles are global: each owns itself (spec Group.HandleOwners)
        GetLocalPendingMembers: () => [],
        GetLocalPendingMembersWithInfo: () => [],
        GetMembers: () => [...this.members.keys()],
        GetRemotePendingMembers: () => [],
        GetSelfHandle: () => host.selfHandle,
        RemoveMembers: (handles: number[], message: string) => this.removeMembers(handles, message),
        RemoveMembersWithReason: (handles: number[], message: string) => this.removeMembers(handles, message),
      },
      properties: {
        GroupFlags: () => ROOM_GROUP_FLAGS,
        HandleOwners: () => ({}),
        LocalPendingMembers: () => [],
        Members: () => [...this.members.keys()],
        RemotePendingMembers: () => [],
        SelfHandle: () => host.selfHandle,
        MemberIdentifiers: () => Object.fromEntries(this.members),
      },
    }, ctx);
  }

  /** spec Subject2 (the topic) and Room2 (the room's name) of a room. */
  private roomObjects(): ContractObject[] {
    const { host } = this;
    const { contract, ctx } = host;
    const subject = new ContractObject(specOf(contract, SUBJECT2_IFACE), {
      methods: { SetSubject: (topic: string) => host.f.rooms.setTopic(this.channelId, topic) },
      properties: {
        Subject: () => this.row()?.topic ?? '',
        Actor: () => '',
        ActorHandle: () => 0,
        Timestamp: () => BigInt(0), // not known: spec Subject2.Timestamp 0
        CanSet: () => true,
      },
    }, ctx);
    const room = new ContractObject(specOf(contract, ROOM2_IFACE), {
      properties: { RoomName: () => this.targetId, Server: () => '', Creator: () => '', CreatorHandle: () => 0, CreationTimestamp: () => BigInt(0) },
    }, ctx);
    return [subject, room];
  }

  get handleType(): number {
    return this.isRoom ? HANDLE_ROOM : HANDLE_CONTACT;
  }

  get interfaces(): string[] {
    return this.isRoom ? [MESSAGES_IFACE, GROUP_IFACE, SUBJECT2_IFACE, ROOM2_IFACE] : [MESSAGES_IFACE];
  }

  /** The immutable properties (spec Channel's "requestable"/immutable ones), fully qualified, as NewChannels and Channels carry them. */
  immutable(): Record<string, Variant> {
    const out: Record<string, Variant> = {};
    const add = (iface: string, name: string, sig: string, value: unknown) => {
      out[`${iface}.${name}`] = new dbus.Variant(sig, value);
    };
    add(CHANNEL_IFACE, 'ChannelType', 's', TEXT_TYPE);
    add(CHANNEL_IFACE, 'Interfaces', 'as', this.interfaces);
    add(CHANNEL_IFACE, 'TargetHandle', 'u', this.targetHandle);
    add(CHANNEL_IFACE, 'TargetHandleType', 'u', this.handleType);
    add(CHANNEL_IFACE, 'TargetID', 's', this.targetId);
    add(CHANNEL_IFACE, 'Requested', 'b', this.opts.requested);
    add(CHANNEL_IFACE, 'InitiatorHandle', 'u', this.opts.initiator);
    add(CHANNEL_IFACE, 'InitiatorID', 's', this.host.handles.contacts.idOf(this.opts.initiator) ?? '');
    add(MESSAGES_IFACE, 'SupportedContentTypes', 'as', MESSAGES_PROPS.SupportedContentTypes);
    add(MESSAGES_IFACE, 'MessageTypes', 'au', MESSAGES_PROPS.MessageTypes);
    add(MESSAGES_IFACE, 'MessagePartSupportFlags', 'u', MESSAGES_PROPS.MessagePartSupportFlags);
    add(MESSAGES_IFACE, 'DeliveryReportingSupport', 'u', MESSAGES_PROPS.DeliveryReportingSupport);
    if (this.isRoom) {
      add(ROOM2_IFACE, 'RoomName', 's', this.targetId);
      add(ROOM2_IFACE, 'Server', 's', '');
    }
    return out;
  }

  export(): void {
    for (const o of this.objects) this.host.bus.export(this.path, o.iface);
  }

  /** Withdraws the object (all interfaces at once; see AccountObject.unexport). */
  unexport(): void {
    (this.host.bus.unexport as (path: string) => void).call(this.host.bus, this.path);
  }

  /** New messages of this conversation, committed by Confab: spec Messages.MessageReceived (and the legacy Text.Received). */
  received(m: ConfabMessage): void {
    if (this.closed || this.shownPending.has(m.id)) return;
    this.shownPending.add(m.id);
    const sender = this.senderHandle(m);
    this.messages.emit('MessageReceived', receivedParts(m, sender));
    const [id, ts, from, type, flags, text] = pendingTuple(m, sender);
    this.objects[1].emit('Received', id, ts, from, type, flags, text);
  }

  /** The conversation changed on Confab: members, topic, the pending queue, the room left. */
  refresh(): void {
    if (this.closed) return;
    if (this.isRoom && !this.host.f.rooms.state(this.channelId)?.joined) {
      this.close(false);
      return;
    }
    if (this.isRoom) this.membersChanged();
    for (const o of this.objects) if (o !== this.messages) o.refresh(); // PendingMessages changes are told by MessageReceived/PendingMessagesRemoved, never PropertiesChanged
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Closed without leaving its room (the dispatcher's doing: its handler left the bus); Confab stays in the room. */
  closeQuietly(): void {
    this.close(false);
  }

  /** Closes it: spec Channel.Close (a room is left) — or the connection went, or the room was left on Confab. */
  close(byClient: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (byClient && this.isRoom && this.host.f.rooms.state(this.channelId)?.joined) {
      this.host.f.rooms.leave(this.channelId, '').catch((err: unknown) => this.host.ctx.log.warn('leaving %s failed: %s', this.targetId, (err as Error).message));
    }
    this.channel.emit('Closed');
    this.host.closed(this.channelId);
  }

  // ---- Messages and Text ----------------------------------------------------------------------

  private row(): ConfabChannel | undefined {
    return this.host.f.conversations.byId(this.channelId);
  }

  /** Confab's pending messages of this conversation (calls' entries are not Text). */
  pending(): ConfabMessage[] {
    return this.host.f.messages.pendingIn(this.channelId).filter((m) => m.kind !== 'call');
  }

  private senderHandle(m: ConfabMessage): number {
    return m.outgoing ? this.host.selfHandle : this.host.contactHandle(m.senderId, m.senderName);
  }

  /** spec Messages.SendMessage: into Confab's outbox; the token is the Confab message id. */
  private send(parts: unknown, flags: number): string {
    if (this.closed) throw new dbus.DBusError('org.freedesktop.Telepathy.Error.NotAvailable', 'the channel is closed');
    void flags; // Message_Sending_Flags ask for delivery reports, which DeliveryReportingSupport says are not given
    const { body, kind } = parseOutgoing(parts);
    const token = String(this.host.f.messages.send(this.channelId, body, kind).id);
    // Sent as soon as it is in Confab's outbox, which sends it (again after a reconnect) until the network confirms it.
    this.messages.emit('MessageSent', sentParts(body, kind, this.host.selfHandle, token), 0, token);
    return token;
  }

  /** spec Text.AcknowledgePendingMessages: all or nothing; an id not pending here is InvalidArgument. */
  private acknowledge(ids: number[]): void {
    const here = new Set(this.pending().map((m) => m.id));
    const unknown = ids.filter((id) => !here.has(id));
    if (unknown.length > 0) throw new InvalidArgumentError(`not pending on this channel: ${unknown.join(', ')}`);
    if (ids.length === 0) return;
    this.host.f.messages.acknowledge(ids); // PendingMessagesRemoved comes back through acknowledged()
  }

  /** spec Text.ListPendingMessages (deprecated, still answered): `Clear` acknowledges them. */
  private listPending(clear: boolean): Array<[number, number, number, number, number, string]> {
    const list = this.pending();
    if (clear && list.length > 0) this.acknowledge(list.map((m) => m.id));
    return list.map((m) => pendingTuple(m, this.senderHandle(m)));
  }

  /** spec Messages.GetPendingMessageContent: part 1 is the text. */
  private pendingContent(id: number, parts: number[]): Record<number, Variant> {
    const m = this.pending().find((p) => p.id === id);
    if (!m) throw new InvalidArgumentError(`message ${id} is not pending on this channel`);
    const out: Record<number, Variant> = {};
    for (const p of parts) {
      if (p !== 1) throw new InvalidArgumentError(`message ${id} has no part ${p}`);
      out[p] = new dbus.Variant('s', m.body);
    }
    return out;
  }

  /**
   * Messages acknowledged on Confab (here, on Confab's API, by another client): those this channel
   * showed are no longer pending — spec Messages.PendingMessagesRemoved. Told by the acknowledgement
   * itself, not by re-reading the queue on every change of the conversation (which made a flood
   * quadratic: 700 msg/s to a lagging client, bench/telepathy).
   */
  acknowledged(ids: readonly number[]): void {
    if (this.closed || this.shownPending.size === 0) return;
    const gone = ids.filter((id) => this.shownPending.delete(id));
    if (gone.length > 0) this.messages.emit('PendingMessagesRemoved', gone);
  }

  // ---- Group ----------------------------------------------------------------------------------

  private currentMembers(): Map<number, string> {
    const out = new Map<number, string>();
    for (const m of this.host.f.rooms.members(this.channelId)) {
      const h = this.host.contactHandle(m.id, m.name);
      out.set(h, this.host.handles.contacts.idOf(h) ?? m.id);
    }
    return out;
  }

  /** spec Group.MembersChangedDetailed (and the legacy MembersChanged) for who came and went. */
  private membersChanged(): void {
    const now = this.currentMembers();
    const added = [...now.keys()].filter((h) => !this.members.has(h));
    const removed = [...this.members.keys()].filter((h) => !now.has(h));
    const ids = new Map([...this.members, ...now]);
    this.members = now;
    if (added.length === 0 && removed.length === 0) return;
    const contactIds = Object.fromEntries([...added, ...removed].map((h) => [h, ids.get(h) ?? '']));
    this.group?.emit('MembersChangedDetailed', added, removed, [], [], {
      'contact-ids': new dbus.Variant('a{us}', contactIds),
      'change-reason': new dbus.Variant('u', CHANGE_REASON_NONE),
    });
    this.group?.emit('MembersChanged', '', added, removed, [], [], 0, CHANGE_REASON_NONE);
  }

  /** spec Group.RemoveMembers: removing ourselves leaves the room (tp_channel_leave_async); others are not served yet. */
  private async removeMembers(handles: number[], message: string): Promise<void> {
    if (handles.some((h) => h !== this.host.selfHandle)) throw new NotImplementedError('removing others from a room is not served yet');
    if (handles.length === 0) return;
    await this.host.f.rooms.leave(this.channelId, message);
    this.close(false);
  }
}
