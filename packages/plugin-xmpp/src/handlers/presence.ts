/**
 * Contacts' presence (RFC 6121 §4) and subscription requests (§3.1.2). The roster push says what
 * became of a subscription (`subscribed`, `unsubscribe`…), so those presences are not read here.
 */
import type { ContactPresence, SubscriptionRequest } from '@confab/sdk';
import { normalizeJid } from '../jid';
import type { PresenceBook } from '../roster';
import { HANDLED, type HandlerTable } from './handler';

/** Longer status messages are cut. */
const MAX_STATUS = 1000;

export interface PresenceContext {
  /** Our bare JID. */
  readonly jid: string;
  /** Each contact's resources, aggregated. */
  readonly book: Pick<PresenceBook, 'update'>;
  subscriptionRequested(r: SubscriptionRequest): void;
  presenceChanged(changes: readonly ContactPresence[]): void;
}

export const presenceHandlers: HandlerTable<PresenceContext> = [
  {
    stanza: 'presence',
    handle: (ctx, stanza) => {
      const from = stanza.attrs.from;
      if (!from) return HANDLED;
      const id = normalizeJid(from);
      if (id === ctx.jid) return HANDLED; // our own resources
      const type = stanza.attrs.type;
      // RFC 6121 §3.1.2: someone asks to see our presence
      if (type === 'subscribe') {
        ctx.subscriptionRequested({ id, message: (stanza.getChildText('status') ?? '').slice(0, MAX_STATUS) });
        return HANDLED;
      }
      if (type !== undefined && type !== 'unavailable') return HANDLED; // subscribed, unsubscribe(d), error, probe: the roster push says it
      const changed = ctx.book.update(stanza); // RFC 6121 §4.7.2.1: available (no type) or unavailable
      if (changed) ctx.presenceChanged([changed]);
      return HANDLED;
    },
  },
];
