/**
 * User nicknames (XEP-0172): the nickname a contact publishes names them where the user gave no
 * alias. Learnt from PEP notifications (we announce `+notify`), or asked from their node.
 */
import { xml, type Element } from '@xmpp/client';
import { normalizeJid } from '../jid';
import { HANDLED } from './handler';
import { NS_PUBSUB, type PepHandler } from './pep';

export const NS_NICK = 'http://jabber.org/protocol/nick';
/** Longer nicknames are cut: a name, not a document. */
const MAX_NICK = 100;

export interface NickContext {
  /** Contact → the nickname they published. */
  readonly nicks: Map<string, string>;
}

/** XEP-0172 §4.3 via PEP: a contact's own nickname (bounded; text only); none published clears it. */
export const nickEvent: PepHandler<NickContext> = (ctx, stanza, items) => {
  if (!stanza.attrs.from) return; // not a contact's
  const nick = items.getChild('item')?.getChild('nick', NS_NICK)?.text().trim().slice(0, MAX_NICK);
  const who = normalizeJid(stanza.attrs.from);
  if (nick) ctx.nicks.set(who, nick);
  else ctx.nicks.delete(who);
  return HANDLED;
};

/** XEP-0172 §4.5: ask a contact's nick node (the newest item). */
export function askNick(jid: string): Element {
  return xml('iq', { type: 'get', to: jid }, xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node: NS_NICK, max_items: '1' })));
}

/** The nickname in the answer to `askNick`, if any. */
export function nickOf(answer: Element): string | undefined {
  return answer.getChild('pubsub', NS_PUBSUB)?.getChild('items')?.getChild('item')?.getChildText('nick', NS_NICK)?.trim().slice(0, MAX_NICK) || undefined;
}
