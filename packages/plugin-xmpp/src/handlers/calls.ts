/**
 * Jingle Message Initiation (XEP-0353) messages for the calls (calls/jingle-calls.ts): live from a
 * peer, or in a carbon of our other devices (XEP-0280 §6, §7, believed only from our own account,
 * §11). Before the carbons and the chat handlers: a JMI message carries no body to store, and its
 * carbon is no chat message. Without calls (no confab-media) they are dropped here all the same.
 */
import type { Element } from '@xmpp/client';
import { NS_JMI } from '../calls/jingle-ns';
import { readJmi, type Jmi } from '../calls/jmi';
import { fromOwnAccount } from '../jid';
import { NS_CARBONS, NS_FORWARD } from './carbons';
import { HANDLED, type HandlerTable } from './handler';

export interface CallsContext {
  readonly jid: string;
  /** The calls, when the connection has them. */
  readonly jingle?: { jmi(from: string, jmi: Jmi, carbon?: 'sent' | 'received'): void };
}

const isJmi = (m: Element | undefined) => !!m && m.children.some((c) => typeof c !== 'string' && c.attrs.xmlns === NS_JMI);

export const callHandlers: HandlerTable<CallsContext> = [
  {
    // XEP-0280 §6/§7: a carbon whose forwarded message is JMI
    stanza: 'message',
    children: [['received', NS_CARBONS], ['sent', NS_CARBONS]],
    handle: (ctx, stanza) => {
      const kind = stanza.getChild('received', NS_CARBONS) ? 'received' : 'sent';
      const inner = stanza.getChild(kind, NS_CARBONS)?.getChild('forwarded', NS_FORWARD)?.getChild('message');
      if (!isJmi(inner)) return undefined; // a chat carbon: carbons.ts
      const jmi = readJmi(inner!);
      if (jmi && fromOwnAccount(stanza, ctx.jid)) ctx.jingle?.jmi(inner!.attrs.from ?? '', jmi, kind); // XEP-0280 §11
      return HANDLED;
    },
  },
  {
    // XEP-0353 §3: propose, ringing, proceed, accept, reject, retract
    stanza: 'message',
    handle: (ctx, stanza) => {
      if (stanza.attrs.type === 'error' || stanza.attrs.type === 'groupchat' || !isJmi(stanza)) return undefined;
      const jmi = readJmi(stanza);
      if (jmi && stanza.attrs.from) ctx.jingle?.jmi(stanza.attrs.from, jmi);
      return HANDLED;
    },
  },
];
