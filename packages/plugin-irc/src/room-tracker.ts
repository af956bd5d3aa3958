/**
 * Who is in which room, with their role, from JOIN/PART/KICK/QUIT/NICK, NAMES and MODE (RFC 2812
 * §3.2, §5.1 RPL_NAMREPLY, RPL_CHANNELMODEIS), and each room's own modes. Changes come out as
 * RoomChange deltas.
 */
import type { Member, MemberRole, RoomChange } from '@confab/sdk';
import { rfc1459Lower } from './casemap';

// RFC 2812 §5.1 RPL_NAMREPLY prefixes / mode letters (multi-prefix gives several).
const ROLE_BY_MODE: Array<[string, MemberRole]> = [['q', 'owner'], ['a', 'admin'], ['o', 'op'], ['h', 'halfop'], ['v', 'voice']];

export function roleOf(modes: readonly string[]): MemberRole {
  for (const [mode, role] of ROLE_BY_MODE) if (modes.includes(mode)) return role;
  return 'member';
}

const SHARED_MEMBERS_MAX = 100_000;

/** One room's modes: letter → parameter ('' for none); list modes (bans) are not kept. */
type ChannelModes = Map<string, string>;

export class RoomTracker {
  private rooms = new Map<string, Map<string, Member>>();
  // room → member id → every prefix mode they hold (multi-prefix: `@+` is op and voice), as letters;
  // only members holding one are kept (most hold none: a room of thousands costs nothing here).
  private readonly prefixModes = new Map<string, Map<string, string>>();
  private readonly channelModes = new Map<string, ChannelModes>();
  private readonly shared = new Map<string, Member>(); // role + ' ' + nick → the one Member object

  constructor(private readonly emit: (c: RoomChange) => void) {}

  has(room: string): boolean {
    return this.rooms.has(room);
  }

  /** The members of a joined room (the daemon reads them here: RoomsFacet.members). */
  members(room: string): Member[] {
    return [...(this.rooms.get(room)?.values() ?? [])];
  }

  joinedSelf(room: string, self: string): void {
    this.rooms.set(room, new Map());
    this.prefixModes.set(room, new Map());
    this.channelModes.set(room, new Map());
    const me = this.member(self, 'member');
    this.rooms.get(room)!.set(me.id, me);
    this.emit({ room: { kind: 'room', target: room }, joined: true, membersAdded: [me] });
  }

  leftSelf(room: string, reason?: string): void {
    if (!this.rooms.delete(room)) return;
    this.prefixModes.delete(room);
    this.channelModes.delete(room);
    this.emit({ room: { kind: 'room', target: room }, joined: false, reason });
  }

  names(room: string, users: ReadonlyArray<{ nick: string; modes: string[] }>): void {
    const members = this.rooms.get(room);
    if (!members) return;
    const added = users.map((u) => this.member(u.nick, roleOf(u.modes)));
    for (const m of added) members.set(m.id, m);
    const modes = this.prefixModes.get(room)!;
    users.forEach((u, i) => {
      if (u.modes.length > 0) modes.set(added[i].id, u.modes.join(''));
      else modes.delete(added[i].id);
    });
    this.emit({ room: { kind: 'room', target: room }, membersAdded: added });
  }

  joined(room: string, nick: string): void {
    const members = this.rooms.get(room);
    if (!members) return;
    const m = this.member(nick, 'member');
    members.set(m.id, m);
    this.emit({ room: { kind: 'room', target: room }, membersAdded: [m] });
  }

  left(room: string, nick: string, reason?: string): void {
    const id = rfc1459Lower(nick);
    this.prefixModes.get(room)?.delete(id);
    if (this.rooms.get(room)?.delete(id)) this.emit({ room: { kind: 'room', target: room }, membersRemoved: [id], reason });
  }

  quit(nick: string, reason?: string): void {
    for (const room of this.rooms.keys()) this.left(room, nick, reason);
  }

  renamed(oldNick: string, newNick: string): void {
    const oldId = rfc1459Lower(oldNick);
    for (const [room, members] of this.rooms) {
      const m = members.get(oldId);
      if (!m) continue;
      members.delete(oldId);
      const renamed = this.member(newNick, m.role);
      members.set(renamed.id, renamed);
      const modes = this.prefixModes.get(room);
      const held = modes?.get(oldId);
      if (modes && held) {
        modes.delete(oldId);
        modes.set(renamed.id, held);
      }
      this.emit({ room: { kind: 'room', target: room }, membersRemoved: [oldId], membersAdded: [renamed], reason: 'nick' });
    }
  }

  topic(room: string, topic: string): void {
    if (this.rooms.has(room)) this.emit({ room: { kind: 'room', target: room }, topic });
  }

  /** The prefix modes a member holds (o, v…), for changing their role. */
  memberModes(room: string, nick: string): readonly string[] {
    return [...(this.prefixModes.get(room)?.get(rfc1459Lower(nick)) ?? '')];
  }

  /** MODE +o/-v… on a member (RFC 2812 §3.2.3): their role follows. */
  memberMode(room: string, nick: string, mode: string, on: boolean): void {
    const id = rfc1459Lower(nick);
    const m = this.rooms.get(room)?.get(id);
    if (!m) return;
    const modes = this.prefixModes.get(room)!;
    const held = [...(modes.get(id) ?? '')].filter((x) => x !== mode);
    if (on) held.push(mode);
    if (held.length > 0) modes.set(id, held.join(''));
    else modes.delete(id);
    const role = roleOf(held);
    if (role === m.role) return;
    const changed = this.member(m.name, role);
    this.rooms.get(room)!.set(id, changed);
    this.emit({ room: { kind: 'room', target: room }, membersAdded: [changed], reason: 'role' });
  }

  /** The room's own modes set or unset (MODE, RPL_CHANNELMODEIS); `replace` for a full listing. */
  roomModes(room: string, changes: ReadonlyArray<{ mode: string; on: boolean; param?: string }>, replace = false): void {
    const current = this.channelModes.get(room);
    if (!current) return;
    if (replace) current.clear();
    for (const c of changes) {
      if (c.on) current.set(c.mode, c.param ?? '');
      else current.delete(c.mode);
    }
    this.emit({ room: { kind: 'room', target: room }, modes: describeModes(current) });
  }

  clear(): void {
    for (const room of [...this.rooms.keys()]) this.leftSelf(room, 'disconnected');
    this.shared.clear();
  }

  /**
   * Members are immutable (a change replaces the object), so one object per nick and role serves
   * every room the nick is in: a user in 100 rooms costs one object, not 100 (bench/irc, memory).
   */
  private member(nick: string, role: MemberRole): Member {
    const key = role + ' ' + nick;
    let m = this.shared.get(key);
    if (!m) {
      if (this.shared.size >= SHARED_MEMBERS_MAX) this.shared.clear(); // only a cache: bounded under nick churn
      m = Object.freeze({ id: rfc1459Lower(nick), name: nick, role });
      this.shared.set(key, m);
    }
    return m;
  }
}

/** `+lnt 10`: the letters sorted, then their parameters; a channel key is never shown. */
export function describeModes(modes: ReadonlyMap<string, string>): string {
  const letters = [...modes.keys()].sort();
  if (letters.length === 0) return '';
  const params = letters.filter((l) => l !== 'k' && modes.get(l)).map((l) => modes.get(l));
  return ['+' + letters.join(''), ...params].join(' ');
}
