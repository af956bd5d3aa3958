/**
 * Message carbons (XEP-0280): copies of what the account's other clients send (`sent`, stored as
 * outgoing) and receive (`received`), believed only from our own bare JID (XEP-0280 §11).
 */
import { xml, type Element } from '@xmpp/client';
import type { IncomingMessage } from '@confab/sdk';
import { fromOwnAccount } from '../jid';
import { toIncoming } from './chat';
import { HANDLED, type HandlerTable } from './handler';

export const NS_CARBONS = 'urn:xmpp:carbons:2';
export const NS_FORWARD = 'urn:xmpp:forward:0';

export interface CarbonsContext {
  /** Our bare JID. */
  readonly jid: string;
  displayName(jid: string): string;
  /** Stores messages (a carbon never advances the archive mark: the catch-up brings it again). */
  emit(messages: readonly IncomingMessage[]): void;
}

/** XEP-0280 §4: carbons on, for this session. */
export function enableCarbons(): Element {
  return xml('iq', { type: 'set' }, xml('enable', { xmlns: NS_CARBONS }));
}

export const carbonHandlers: HandlerTable<CarbonsContext> = [
  {
    // XEP-0280 §6 (received) and §7 (sent); `received` first when a stanza pretends to be both.
    stanza: 'message',
    children: [['received', NS_CARBONS], ['sent', NS_CARBONS]],
    handle: (ctx, stanza) => {
      const carbon = stanza.getChild('received', NS_CARBONS) ?? stanza.getChild('sent', NS_CARBONS);
      const inner = carbon?.getChild('forwarded', NS_FORWARD)?.getChild('message');
      // XEP-0280 §11: a carbon from anyone but our own account is forged.
      const m = fromOwnAccount(stanza, ctx.jid) && inner ? toIncoming(inner, ctx.jid, (jid) => ctx.displayName(jid)) : undefined;
      if (m) ctx.emit([m]);
      return HANDLED;
    },
  },
];
