/** The answers to LIST (RFC 2812 §3.2.6), handed to the RoomLister (room-list.ts). */
import type { IrcCommand } from 'irc-framework';
import type { ListEntryEvent, RoomLister } from '../room-list';
import { HANDLED, type HandlerTable } from './handler';

export interface RoomListContext {
  readonly roomList: RoomLister;
}

export const roomListHandlers: HandlerTable<RoomListContext> = {
  'channel list': (ctx, entries: readonly ListEntryEvent[]) => ctx.roomList.entries(entries), // RPL_LIST 322, in batches
  'channel list end': (ctx) => ctx.roomList.end(), // RPL_LISTEND 323
  'unknown command': (ctx, c: IrcCommand) => {
    // RPL_TRYAGAIN 263 `<me> LIST :Please wait a while and try again.` (RFC 2812 §5.1); ERR_TOOMANYMATCHES 416 (ircu, InspIRCd).
    const text = c.params[c.params.length - 1] ?? '';
    if ((c.command === '263' && c.params[1]?.toUpperCase() === 'LIST') || c.command === '416') {
      ctx.roomList.refused(c.command, text);
      return HANDLED;
    }
    return undefined;
  },
};
