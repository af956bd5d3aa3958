/**
 * Who is in which room, with their role, from JOIN/PART/KICK/QUIT/NICK and NAMES (RFC 2812 §3.2,
 * §5.1 RPL_NAMREPLY). Changes come out as RoomChange deltas.
 */
import type { Member, MemberRole, RoomChange } from '@confab/sdk';
import { rfc1459Lower } from './casemap';

// RFC 2812 §5.1 RPL_NAMREPLY prefixes / mode letters (multi-prefix gives several).
const ROLE_BY_MODE: Array<[string, MemberRole]> = [['q', 'owner'], ['a', 'admin'], ['o', 'op'], ['h', 'halfop'], ['v', 'voice']];

export function roleOf(modes: readonly string[]): MemberRole {
  for (const [mode, role] of ROLE_BY_MODE) if (modes.includes(mode)) return role;
  return 'member';
}

export class RoomTracker {
  private rooms = new Map<string, Map<string, Member>>();

  constructor(private readonly emit: (c: RoomChange) => void) {}

  has(room: string): boolean {
    return this.rooms.has(room);
  }

  joinedSelf(room: string, self: string): void {
    this.rooms.set(room, new Map());
    const me: Member = { id: rfc1459Lower(self), name: self, role: 'member' };
    this.rooms.get(room)!.set(me.id, me);
    this.emit({ room: { kind: 'room', target: room }, joined: true, membersAdded: [me] });
  }

  leftSelf(room: string, reason?: string): void {
    if (!this.rooms.delete(room)) return;
    this.emit({ room: { kind: 'room', target: room }, joined: false, reason });
  }

  names(room: string, users: ReadonlyArray<{ nick: string; modes: string[] }>): void {
    const members = this.rooms.get(room);
    if (!members) return;
    const added = users.map((u) => ({ id: rfc1459Lower(u.nick), name: u.nick, role: roleOf(u.modes) }));
    for (const m of added) members.set(m.id, m);
    this.emit({ room: { kind: 'room', target: room }, membersAdded: added });
  }

  joined(room: string, nick: string): void {
    const members = this.rooms.get(room);
    if (!members) return;
    const m: Member = { id: rfc1459Lower(nick), name: nick, role: 'member' };
    members.set(m.id, m);
    this.emit({ room: { kind: 'room', target: room }, membersAdded: [m] });
  }

  left(room: string, nick: string, reason?: string): void {
    const id = rfc1459Lower(nick);
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
      const renamed: Member = { ...m, id: rfc1459Lower(newNick), name: newNick };
      members.set(renamed.id, renamed);
      this.emit({ room: { kind: 'room', target: room }, membersRemoved: [oldId], membersAdded: [renamed], reason: 'nick' });
    }
  }

  topic(room: string, topic: string): void {
    if (this.rooms.has(room)) this.emit({ room: { kind: 'room', target: room }, topic });
  }

  clear(): void {
    for (const room of [...this.rooms.keys()]) this.leftSelf(room, 'disconnected');
  }
}
