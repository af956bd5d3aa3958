/**
 * Bookmarks (XEP-0402) as they change: the rooms with `autojoin` are joined, rooms whose bookmark
 * stops autojoining or is retracted are left — at login (the fetched items) and live (PEP
 * notifications, which we ask for with `+notify`). The items are parsed by ../bookmarks.ts.
 */
import type { Element } from '@xmpp/client';
import { parseBookmarks, type Bookmark } from '../bookmarks';
import { fromOwnAccount } from '../jid';
import { HANDLED } from './handler';
import type { PepHandler } from './pep';

export interface BookmarksContext {
  /** Our bare JID. */
  readonly jid: string;
  readonly rooms: {
    /** Whether we are in (or joining) this room. */
    isRoom(room: string): boolean;
    /** Joins a bookmarked room (without publishing its bookmark again); failures are logged. */
    join(b: Bookmark): void;
    leave(room: string): void;
  };
}

/** Joins and leaves rooms as the bookmarks in <items/> say. */
export function applyBookmarks(ctx: BookmarksContext, items: Element | undefined): void {
  const { bookmarks, removed } = parseBookmarks(items);
  for (const b of bookmarks) {
    if (b.autojoin && !ctx.rooms.isRoom(b.room)) ctx.rooms.join(b);
    else if (!b.autojoin && ctx.rooms.isRoom(b.room)) ctx.rooms.leave(b.room);
  }
  for (const room of removed) if (ctx.rooms.isRoom(room)) ctx.rooms.leave(room); // XEP-0402 §4.2 retracted
}

/** XEP-0402 §4.1: a bookmark published or retracted by one of our clients. */
export const bookmarksEvent: PepHandler<BookmarksContext> = (ctx, stanza, items) => {
  // XEP-0163 §4.3: PEP events come from our own bare JID; anyone else's are not our bookmarks.
  if (fromOwnAccount(stanza, ctx.jid)) applyBookmarks(ctx, items);
  return HANDLED;
};
