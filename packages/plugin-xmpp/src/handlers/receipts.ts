/**
 * Delivery receipts (XEP-0184) and chat markers (XEP-0333): what the other side says about the
 * messages this client sent — a receipt or `received` marker makes them delivered, `displayed` or
 * `acknowledged` read — and the receipt we owe for a message that asks for one.
 */
import { xml, type Element } from '@xmpp/client';
import type { DeliveryReport } from '@confab/sdk';
import { normalizeJid } from '../jid';
import type { HandlerTable } from './handler';

export const NS_RECEIPTS = 'urn:xmpp:receipts';
export const NS_MARKERS = 'urn:xmpp:chat-markers:0';
/** Our stanza ids: `confab-<token>`, so that a receipt names the outbox message it is for. */
export const ID_PREFIX = 'confab-';

export interface ReceiptsContext {
  /** Our bare JID. */
  readonly jid: string;
  delivered(reports: readonly DeliveryReport[]): void;
}

/** XEP-0184 §5.1 asks for a receipt; XEP-0333 §4 makes the message markable (displayed → read). */
export function receiptRequests(): Element[] {
  return [xml('request', { xmlns: NS_RECEIPTS }), xml('markable', { xmlns: NS_MARKERS })];
}

/** Whether a message asks us for a receipt (XEP-0184 §5.1: it has an id and a <request/>). */
export function receiptRequested(stanza: Element): boolean {
  return !!stanza.attrs.id && !!stanza.getChild('request', NS_RECEIPTS);
}

/** XEP-0184 §5.1: the receipt for a message, under our id number `n`. */
export function receiptFor(stanza: Element, n: number): Element {
  return xml('message', { to: stanza.attrs.from, id: `${ID_PREFIX}r${n}` }, xml('received', { xmlns: NS_RECEIPTS, id: stanza.attrs.id }));
}

export const receiptHandlers: HandlerTable<ReceiptsContext> = [
  {
    stanza: 'message',
    children: [['received', NS_RECEIPTS], ['received', NS_MARKERS], ['displayed', NS_MARKERS], ['acknowledged', NS_MARKERS]],
    handle: (ctx, stanza) => {
      if (!stanza.attrs.from || normalizeJid(stanza.attrs.from) === ctx.jid) return; // our other clients' own receipts
      const reports: DeliveryReport[] = [];
      const add = (id: string | undefined, state: DeliveryReport['state']) => {
        if (id?.startsWith(ID_PREFIX)) reports.push({ token: id.slice(ID_PREFIX.length), state });
      };
      add(stanza.getChild('received', NS_RECEIPTS)?.attrs.id, 'delivered'); // XEP-0184 §5.2
      add(stanza.getChild('received', NS_MARKERS)?.attrs.id, 'delivered'); // XEP-0333 §3
      add(stanza.getChild('displayed', NS_MARKERS)?.attrs.id, 'read');
      add(stanza.getChild('acknowledged', NS_MARKERS)?.attrs.id, 'read');
      if (reports.length > 0) ctx.delivered(reports);
      // not HANDLED: a message may carry a body and a chat state beside its receipt
    },
  },
];
