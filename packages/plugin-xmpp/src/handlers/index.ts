/**
 * Every stanza the server sends, dispatched by table (see handler.ts). The connection builds one
 * XmppContext per connection; each module sees only its own part of it.
 */
import { NS_AVATAR_METADATA } from '../avatars';
import { NS_BOOKMARKS } from '../bookmarks';
import { avatarEvent, avatarHandlers, type AvatarsContext } from './avatars';
import { bookmarksEvent, type BookmarksContext } from './bookmarks';
import { bounceHandlers, type BouncesContext } from './bounces';
import { callHandlers, type CallsContext } from './calls';
import { carbonHandlers, type CarbonsContext } from './carbons';
import { chatHandlers, type ChatContext } from './chat';
import { chatStateHandlers, type ChatStatesContext } from './chat-states';
import type { HandlerTable } from './handler';
import { mamHandlers, type MamContext } from './mam';
import { NS_NICK, nickEvent, type NickContext } from './nick';
import { pepEvents } from './pep';
import { presenceHandlers, type PresenceContext } from './presence';
import { receiptHandlers, type ReceiptsContext } from './receipts';
import { roomHandlers, type RoomsContext } from './rooms';

export type XmppContext = RoomsContext & BouncesContext & AvatarsContext & PresenceContext & MamContext & NickContext
  & BookmarksContext & CarbonsContext & ReceiptsContext & ChatStatesContext & ChatContext & CallsContext;

/**
 * The table in the order a stanza goes through it; order matters and defines priority:
 * - a room's stanzas first: a room's message or presence may carry any child (a room's error, its
 *   occupants' chat states), and a private message through a room is left to the rest;
 * - errors next: a bounced message is no message (RFC 6120 §8.3);
 * - the avatar hash of a presence before the presence itself, which ends the presence chain;
 * - JMI messages (and their carbons) before carbons and chat: they are calls, not messages;
 * - archive results, PEP events and carbons each end the chain: what they carry is a forwarded or
 *   published copy, never a live message of the sender;
 * - receipts and chat states go on to the body beside them, which the chat handler stores last.
 */
export const XMPP_HANDLERS: HandlerTable<XmppContext> = [
  ...roomHandlers, // XEP-0045
  ...bounceHandlers, // RFC 6120 §8.3
  ...avatarHandlers, // XEP-0153
  ...presenceHandlers, // RFC 6121 §3, §4
  ...mamHandlers, // XEP-0313
  pepEvents<XmppContext>({ [NS_NICK]: nickEvent, [NS_AVATAR_METADATA]: avatarEvent, [NS_BOOKMARKS]: bookmarksEvent }), // XEP-0163: XEP-0172, XEP-0084, XEP-0402
  ...callHandlers, // XEP-0353 (with its XEP-0280 carbons)
  ...carbonHandlers, // XEP-0280
  ...receiptHandlers, // XEP-0184, XEP-0333
  ...chatStateHandlers, // XEP-0085
  ...chatHandlers, // RFC 6121 §5
];

export { dispatch, serveIqs } from './handler';
export { discoHandlers } from './disco';
export { rosterHandlers } from './roster';
