/**
 * Multi-user chat (XEP-0045): a stanza from a room we are in (room@service/nick, §4.1) is the
 * room's, whatever it carries — occupants, our own join and leave, its messages and subject — and
 * invitations to one (XEP-0249, XEP-0045 §7.8.2). MucRooms (../muc.ts) keeps the rooms; these
 * handlers come first in the table, and say "not mine" for anything that is not a room's.
 */
import type { IncomingMessage } from '@confab/sdk';
import type { MucRooms } from '../muc';
import { HANDLED, type HandlerTable } from './handler';

export interface RoomsContext {
  readonly muc: Pick<MucRooms, 'onPresence' | 'onMessage'>;
  /** A live message of a room: stored, and the room's archive mark advanced once it caught up. */
  live(m: IncomingMessage, room: string): void;
}

export const roomHandlers: HandlerTable<RoomsContext> = [
  { stanza: 'presence', handle: (ctx, stanza) => ctx.muc.onPresence(stanza) },
  {
    stanza: 'message',
    handle: (ctx, stanza) => {
      const fromRoom = ctx.muc.onMessage(stanza);
      if (fromRoom === 'handled') return HANDLED;
      if (!fromRoom) return; // a private message through a room is a direct one
      ctx.live(fromRoom, fromRoom.channel.target);
      return HANDLED;
    },
  },
];
