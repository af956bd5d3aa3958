/**
 * Rooms: joining, leaving and moderating rooms, and what the daemon knows of them while joined
 * (joined or not, members where the connection keeps none itself, modes). Owns the room columns of
 * the channels table (autojoin and its key, the topic); the rows are conversations/'. Rooms marked
 * autojoin are joined again each time their account is ready.
 */
import {
  Emitter, InvalidArgumentError, NotImplementedError, OfflineError,
  type Logger, type Member, type MemberRole, type RoomChange, type RoomInvitation, type RoomsFacet,
} from '@confab/sdk';
import type { Accounts, AccountRunner } from '../accounts/accounts';
import type { ChannelRow, Conversations } from '../conversations/conversations';
import { hasRooms, kindOfTarget } from '../conversations/targets';
import type { Redactor } from '../log';
import type { ChannelsTable } from '../storage/channels';

export interface RoomState {
  joined: boolean;
  members: Map<string, Member>;
  modes: string;
}

const MEMBER_ROLES: readonly MemberRole[] = ['owner', 'admin', 'op', 'halfop', 'voice', 'member'];

export class Rooms {
  private readonly states = new Map<number, RoomState>();
  private readonly invitedEmitter = new Emitter<{ accountId: string; room: string; by: string }>();
  readonly onInvited = this.invitedEmitter.event;
  private readonly joinedEmitter = new Emitter<AccountRunner>();
  /** A room of the account became joined. */
  readonly onJoined = this.joinedEmitter.event;

  constructor(
    private readonly table: ChannelsTable,
    private readonly conversations: Conversations,
    private readonly accounts: Accounts,
    private readonly redactor: Redactor,
    private readonly log: Logger,
  ) {}

  // ---- reading ------------------------------------------------------------------------------

  state(channelId: number): RoomState | undefined {
    return this.states.get(channelId);
  }

  /** A room's members: from the connection when it keeps them, else from the daemon's copy. */
  members(channelId: number): readonly Member[] {
    const state = this.states.get(channelId);
    if (!state?.joined) return [];
    const ch = this.conversations.get(channelId);
    const rooms = this.accounts.find(ch.accountId)?.connection?.rooms;
    return rooms?.members ? rooms.members(ch.target) : [...state.members.values()];
  }

  // ---- what the user does -------------------------------------------------------------------

  join(accountId: string, room: string, key: string): ChannelRow {
    const runner = this.accounts.runner(accountId);
    if (!hasRooms(runner.protocol)) throw new NotImplementedError(`protocol '${runner.protocol.id}' has no rooms`);
    if (room.trim() === '') throw new InvalidArgumentError('the room name is empty');
    const row = this.conversations.ensure(runner, 'room', room, true);
    this.table.setAutojoin(row.id, true, key || null);
    if (key) this.redactor.add(key);
    runner.connection?.rooms?.join(row.target, key || undefined).catch((err: unknown) => {
      this.log.warn('joining %s failed: %s', row.target, (err as Error).message);
    });
    return this.conversations.get(row.id);
  }

  /**
   * The conversation with a target as the user typed it (`confab send ACCOUNT TARGET`): the
   * account's existing channel with that target wins, a room before a direct one (a room left
   * earlier is joined again: a room must be joined to talk in it). Otherwise the protocol says what
   * the target is (conversations/targets.ts): a room is joined as `join` does, anything else is a
   * direct channel.
   */
  async openConversation(accountId: string, raw: string): Promise<ChannelRow> {
    const runner = this.accounts.runner(accountId);
    if (raw.trim() === '') throw new InvalidArgumentError('the target is empty');
    const known = this.conversations.existing(accountId, raw);
    if (known) {
      const left = known.kind === 'room' && !known.autojoin && !this.states.get(known.id)?.joined;
      return left ? this.join(accountId, known.target, '') : known;
    }
    return (await kindOfTarget(runner, raw, this.log)) === 'room' ? this.join(accountId, raw, '') : this.conversations.openDirect(accountId, raw);
  }

  async leave(channelId: number, message: string): Promise<void> {
    const ch = this.conversations.get(channelId);
    if (ch.kind !== 'room') return;
    this.table.setAutojoin(ch.id, false, null);
    const conn = this.accounts.find(ch.accountId)?.connection;
    if (conn?.rooms) await conn.rooms.leave(ch.target, message || undefined);
  }

  setTopic(channelId: number, topic: string): Promise<void> {
    return this.moderate(channelId, 'setTopic', (r, room) => r.setTopic!(room, topic));
  }

  kick(channelId: number, member: string, reason: string): Promise<void> {
    if (member.trim() === '') throw new InvalidArgumentError('the member is empty');
    return this.moderate(channelId, 'kick', (r, room) => r.kick!(room, member.trim(), reason || undefined));
  }

  invite(channelId: number, contact: string): Promise<void> {
    if (contact.trim() === '') throw new InvalidArgumentError('the contact is empty');
    return this.moderate(channelId, 'invite', (r, room) => r.invite!(room, contact.trim()));
  }

  setRole(channelId: number, member: string, role: string): Promise<void> {
    if (!MEMBER_ROLES.includes(role as MemberRole)) throw new InvalidArgumentError(`role must be one of ${MEMBER_ROLES.join(', ')}, not '${role}'`);
    if (member.trim() === '') throw new InvalidArgumentError('the member is empty');
    return this.moderate(channelId, 'setRole', (r, room) => r.setRole!(room, member.trim(), role as MemberRole));
  }

  setModes(channelId: number, modes: string): Promise<void> {
    return this.moderate(channelId, 'setModes', (r, room) => r.setModes!(room, modes));
  }

  // ---- what the connections report (routed by core.ts) --------------------------------------

  changed(runner: AccountRunner, change: RoomChange): void {
    const row = this.conversations.ensure(runner, 'room', change.room.target);
    let state = this.states.get(row.id);
    if (!state) this.states.set(row.id, (state = { joined: false, members: new Map(), modes: '' }));
    if (change.joined !== undefined) {
      state.joined = change.joined;
      if (!change.joined) {
        state.members.clear();
        state.modes = '';
      } else {
        this.joinedEmitter.fire(runner);
      }
    }
    if (change.modes !== undefined) state.modes = change.modes;
    if (change.topic !== undefined) this.table.setTopic(row.id, change.topic);
    if (!runner.connection?.rooms?.members) {
      // only where the connection keeps no member list itself (RoomsFacet.members)
      for (const m of change.membersAdded ?? []) state.members.set(m.id, m);
      for (const id of change.membersRemoved ?? []) state.members.delete(id);
    }
    this.conversations.changed(row.id);
  }

  invited(runner: AccountRunner, invitation: RoomInvitation): void {
    this.log.info('account %s: invited to %s by %s', runner.account.id, invitation.room, invitation.by);
    this.invitedEmitter.fire({ accountId: runner.account.id, room: invitation.room, by: invitation.by });
  }

  /** The account is ready: the rooms marked autojoin are joined again. */
  rejoin(runner: AccountRunner): void {
    const rooms = runner.connection?.rooms;
    if (!rooms) return;
    for (const ch of this.table.forAccount(runner.account.id)) {
      if (ch.kind !== 'room' || !ch.autojoin) continue;
      rooms.join(ch.target, ch.roomKey ?? undefined).catch((err: unknown) => {
        runner.log.warn('rejoining %s failed: %s', ch.target, (err as Error).message);
      });
    }
  }

  /** The account's connection is gone: none of its rooms is joined. */
  left(accountId: string): void {
    for (const ch of this.table.forAccount(accountId)) {
      const state = this.states.get(ch.id);
      if (state?.joined) {
        state.joined = false;
        state.members.clear();
        state.modes = '';
        this.conversations.changed(ch.id);
      }
    }
  }

  /** These channels went with their account. */
  forget(channelIds: readonly number[]): void {
    for (const id of channelIds) this.states.delete(id);
  }

  // ---- internals ----------------------------------------------------------------------------

  private moderate(channelId: number, what: keyof RoomsFacet, op: (rooms: RoomsFacet, room: string) => Promise<void>): Promise<void> {
    const ch = this.conversations.get(channelId);
    if (ch.kind !== 'room') throw new NotImplementedError('a direct channel has no moderation');
    const runner = this.accounts.runner(ch.accountId);
    const rooms = runner.connection?.rooms;
    if (!rooms && !hasRooms(runner.protocol)) {
      throw new NotImplementedError(`protocol '${runner.protocol.id}' has no rooms`);
    }
    if (!rooms || runner.status !== 'connected') throw new OfflineError(`account '${ch.accountId}' is not connected`);
    if (typeof rooms[what] !== 'function') throw new NotImplementedError(`protocol '${runner.protocol.id}' cannot ${what} in a room`);
    return op(rooms, ch.target);
  }
}
