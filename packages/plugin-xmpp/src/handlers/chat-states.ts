/**
 * Chat states (XEP-0085): the other side's `composing`, `paused`… in a one-to-one conversation, and
 * ours, sent marked no-store (XEP-0334) so that no archive keeps them.
 */
import { xml, type Element } from '@xmpp/client';
import { CHAT_STATES, type ChannelRef, type ChatState, type ChatStateChange } from '@confab/sdk';
import { normalizeJid } from '../jid';
import type { HandlerTable } from './handler';

export const NS_CHATSTATES = 'http://jabber.org/protocol/chatstates';
const NS_HINTS = 'urn:xmpp:hints';

export interface ChatStatesContext {
  /** Our bare JID. */
  readonly jid: string;
  chatState(change: ChatStateChange): void;
}

/** XEP-0085 §5 our state in a conversation; XEP-0334 §4.3 no-store: a chat state is not archived. */
export function chatStateStanza(to: string, channel: ChannelRef, state: ChatState): Element {
  return xml('message', { to, type: channel.kind === 'room' ? 'groupchat' : 'chat' }, xml(state, { xmlns: NS_CHATSTATES }), xml('no-store', { xmlns: NS_HINTS }));
}

export const chatStateHandlers: HandlerTable<ChatStatesContext> = [
  {
    // XEP-0085 §5: a chat state from the other side of a one-to-one conversation.
    stanza: 'message',
    type: 'chat',
    children: CHAT_STATES.map((s) => [s, NS_CHATSTATES] as const),
    handle: (ctx, stanza) => {
      if (!stanza.attrs.from) return;
      const from = normalizeJid(stanza.attrs.from);
      if (from === ctx.jid) return;
      const child = stanza.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === NS_CHATSTATES);
      if (child && (CHAT_STATES as readonly string[]).includes(child.name)) {
        ctx.chatState({ channel: { kind: 'direct', target: from }, contact: from, state: child.name as ChatState });
      }
      // not HANDLED: a chat state rides along a message's body (XEP-0085 §5.1)
    },
  },
];
