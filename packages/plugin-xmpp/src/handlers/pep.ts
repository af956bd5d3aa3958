/**
 * PEP notifications (XEP-0163 §4.3, pubsub events of XEP-0060 §7.1.2): a `message` carrying
 * `<event><items node='…'/></event>`, dispatched by node to the XEP that owns it — a second table,
 * keyed by node as the first is by element name and namespace. A node no one owns is not ours:
 * the message goes on through the stanza table.
 */
import type { Element } from '@xmpp/client';
import { HANDLED, type StanzaHandler } from './handler';

export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
export const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';

/** A handler of one node's notifications: the message and its <items/>; HANDLED when it took it. */
export type PepHandler<C> = (ctx: C, stanza: Element, items: Element) => boolean | void;

/** The stanza handler for PEP events, over a table of node → handler. */
export function pepEvents<C>(nodes: Readonly<Record<string, PepHandler<C>>>): StanzaHandler<C> {
  return {
    stanza: 'message',
    children: [['event', NS_PUBSUB_EVENT]],
    handle: (ctx, stanza) => {
      const items = stanza.getChild('event', NS_PUBSUB_EVENT)?.getChild('items');
      const node = items?.attrs.node;
      const handler = node !== undefined && Object.hasOwn(nodes, node) ? nodes[node] : undefined;
      return !!items && handler?.(ctx, stanza, items) === HANDLED;
    },
  };
}
