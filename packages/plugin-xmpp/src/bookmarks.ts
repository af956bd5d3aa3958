/**
 * Bookmarks (XEP-0402): the rooms of the account, kept in PEP (XEP-0163) so that every client joins
 * the same ones. Parsed from the items of the `urn:xmpp:bookmarks:1` node (fetched at login, or
 * pushed as PEP events because we announce `+notify` in our caps).
 */
import { xml, type Element } from '@xmpp/client';
import { normalizeJid } from './jid';

export const NS_BOOKMARKS = 'urn:xmpp:bookmarks:1';
export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
export const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#publish-options';
const NS_DATA = 'jabber:x:data';

export interface Bookmark {
  readonly room: string;
  readonly autojoin: boolean;
  readonly nick?: string;
  readonly password?: string;
}

/** The bookmarks in <items/> (a query result or an event); retracted ones come back as `removed`. */
export function parseBookmarks(items: Element | undefined): { bookmarks: Bookmark[]; removed: string[] } {
  const bookmarks: Bookmark[] = [];
  const removed: string[] = [];
  for (const item of items?.getChildren('item') ?? []) {
    const c = item.getChild('conference', NS_BOOKMARKS);
    let room: string;
    try {
      room = normalizeJid(item.attrs.id ?? '');
    } catch {
      continue;
    }
    if (!c || !room.includes('@')) continue;
    bookmarks.push({
      room,
      autojoin: c.attrs.autojoin === 'true' || c.attrs.autojoin === '1', // xs:boolean
      nick: c.getChildText('nick') ?? undefined,
      password: c.getChildText('password') ?? undefined,
    });
  }
  for (const r of items?.getChildren('retract') ?? []) {
    try {
      removed.push(normalizeJid(r.attrs.id ?? ''));
    } catch {
      // a malformed id: nothing to remove
    }
  }
  return { bookmarks, removed };
}

/** XEP-0402 §3.3: publish one bookmark, private and persistent (publish-options). */
export function publishBookmark(b: Bookmark): Element {
  const field = (v: string, value: string) => xml('field', { var: v }, xml('value', {}, value));
  return xml('iq', { type: 'set' }, xml('pubsub', { xmlns: NS_PUBSUB },
    xml('publish', { node: NS_BOOKMARKS }, xml('item', { id: b.room },
      xml('conference', { xmlns: NS_BOOKMARKS, autojoin: b.autojoin ? 'true' : 'false' }, ...(b.nick ? [xml('nick', {}, b.nick)] : [])))),
    xml('publish-options', {}, xml('x', { xmlns: NS_DATA, type: 'submit' },
      field('FORM_TYPE', NS_PUBSUB_OWNER), field('pubsub#persist_items', 'true'), field('pubsub#max_items', 'max'),
      field('pubsub#send_last_published_item', 'never'), field('pubsub#access_model', 'whitelist')))));
}

export function fetchBookmarks(): Element {
  return xml('iq', { type: 'get' }, xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node: NS_BOOKMARKS })));
}
