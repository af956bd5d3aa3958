/**
 * Rooms (RFC 2812 §3.2): our JOIN and PART answered, members coming and going (JOIN, PART, KICK,
 * QUIT, NICK), NAMES, topics, MODE changes and RPL_CHANNELMODEIS, invitations, and the numerics
 * that refuse a JOIN. The state is the RoomTracker's; this only translates.
 */
import type { IrcCommand, IrcErrorEvent } from 'irc-framework';
import { ConfabError, type ChannelRef, type Logger, type RoomInvitation } from '@confab/sdk';
import { isChannelName, rfc1459Lower } from '../casemap';
import { JOIN_ERRORS } from '../errors';
import type { Deferred } from '../pending';
import type { RoomTracker } from '../room-tracker';
import { HANDLED, type HandlerTable } from './handler';

export interface ChannelsContext {
  readonly log: Logger;
  /** Our nick now. */
  ownNick(): string;
  /** Writes a line we originate, through flood control. */
  write(...line: string[]): void;
  readonly tracker: RoomTracker;
  /** Our JOINs waiting for the server, by case-folded room. */
  readonly joins: Map<string, Deferred<ChannelRef>>;
  /** Our PARTs waiting for the server, by case-folded room. */
  readonly parts: Map<string, Deferred<void>>;
  invited(invitation: RoomInvitation): void;
  /** The server's ISUPPORT as irc-framework keeps it (PREFIX, CHANMODES…). */
  isupport(): Readonly<Record<string, unknown>>;
}

type ModeChange = { mode: string; param?: string };

export const channelHandlers: HandlerTable<ChannelsContext> = {
  join: (ctx, e: { nick: string; channel: string }) => {
    const room = rfc1459Lower(e.channel);
    if (!isSelf(ctx, e.nick)) return ctx.tracker.joined(room, e.nick);
    ctx.tracker.joinedSelf(room, e.nick);
    ctx.write('MODE', e.channel); // RFC 2812 §3.2.3: the room's modes (324)
    const d = ctx.joins.get(room);
    ctx.joins.delete(room);
    d?.resolve({ kind: 'room', target: room });
  },
  part: (ctx, e: { nick: string; channel: string; message?: string }) => {
    const room = rfc1459Lower(e.channel);
    if (!isSelf(ctx, e.nick)) return ctx.tracker.left(room, e.nick, e.message);
    ctx.tracker.leftSelf(room, e.message);
    const d = ctx.parts.get(room);
    ctx.parts.delete(room);
    d?.resolve();
  },
  kick: (ctx, e: { kicked: string; channel: string; nick: string; message?: string }) => {
    const room = rfc1459Lower(e.channel);
    if (isSelf(ctx, e.kicked)) ctx.tracker.leftSelf(room, `kicked by ${e.nick}: ${e.message ?? ''}`);
    else ctx.tracker.left(room, e.kicked, `kicked by ${e.nick}`);
  },
  quit: (ctx, e: { nick: string; message?: string }) => ctx.tracker.quit(e.nick, e.message),
  nick: (ctx, e: { nick: string; new_nick: string }) => ctx.tracker.renamed(e.nick, e.new_nick),
  userlist: (ctx, e: { channel: string; users: Array<{ nick: string; modes: string[] }> }) => ctx.tracker.names(rfc1459Lower(e.channel), e.users),
  topic: (ctx, e: { channel: string; topic?: string }) => ctx.tracker.topic(rfc1459Lower(e.channel), e.topic ?? ''),
  mode: (ctx, e: { target: string; modes: ModeChange[] }) => onMode(ctx, e.target, e.modes, false),
  'channel info': (ctx, e: { channel: string; modes?: ModeChange[] }) => {
    if (e.modes) onMode(ctx, e.channel, e.modes, true); // RPL_CHANNELMODEIS
  },
  invite: (ctx, e: { nick: string; invited: string; channel: string }) => {
    // RFC 2812 §3.2.7; with IRCv3 invite-notify we also see others being invited: not for us.
    if (isSelf(ctx, e.invited)) ctx.invited({ room: rfc1459Lower(e.channel), by: rfc1459Lower(e.nick) });
  },
  'irc error': (ctx, e: IrcErrorEvent) => refuseJoin(ctx, e.error, e.channel ?? e.nick),
  // Numerics irc-framework has no name for (403, 476, 437) that refuse a JOIN.
  'unknown command': (ctx, c: IrcCommand) => {
    if (!JOIN_ERRORS[c.command] || !c.params[1]) return;
    if (!refuseJoin(ctx, c.command, c.params[1])) ctx.log.debug('irc error %s %s: %s', c.command, c.params[1], c.params[c.params.length - 1] ?? '');
  },
};

function isSelf(ctx: ChannelsContext, nick: string): boolean {
  return rfc1459Lower(nick) === rfc1459Lower(ctx.ownNick());
}

/** A numeric refusing one of our pending JOINs (RFC 2812 §5.2) fails it; false when none waits. */
function refuseJoin(ctx: ChannelsContext, error: string, subject: string | undefined): boolean {
  const join = JOIN_ERRORS[error];
  const name = subject ? rfc1459Lower(subject) : '';
  const d = join && ctx.joins.get(name);
  if (!d) return false;
  ctx.joins.delete(name);
  d.reject(new ConfabError(join.code, `cannot join ${subject}: ${join.text}`));
  return HANDLED;
}

/** MODE on a room (RFC 2812 §3.2.3): prefix modes change members' roles, the rest are the room's. */
function onMode(ctx: ChannelsContext, target: string, modes: readonly ModeChange[], listing: boolean): void {
  if (!isChannelName(target)) return; // our own user modes
  const room = rfc1459Lower(target);
  const isupport = ctx.isupport();
  const prefixes = ((isupport.PREFIX ?? []) as Array<{ mode: string }>).map((x) => x.mode);
  const listModes = String((isupport.CHANMODES as string[] | undefined)?.[0] ?? 'beI');
  const roomModes: Array<{ mode: string; on: boolean; param?: string }> = [];
  for (const m of modes) {
    const on = m.mode[0] !== '-';
    const letter = m.mode.slice(-1);
    if (prefixes.includes(letter)) {
      if (m.param) ctx.tracker.memberMode(room, m.param, letter, on);
    } else if (!listModes.includes(letter)) roomModes.push({ mode: letter, on, param: m.param });
  }
  if (roomModes.length > 0 || listing) ctx.tracker.roomModes(room, roomModes, listing);
}
