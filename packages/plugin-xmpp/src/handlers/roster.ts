/**
 * Roster pushes (RFC 6121 §2.1.6): the server tells every session of a change to the roster;
 * believed only from our own account (§2.1.6: a push from anyone else is refused). The items are
 * parsed by ../roster.ts.
 */
import { xml, type Element } from '@xmpp/client';
import { normalizeJid } from '../jid';
import { NS_ROSTER } from '../roster';
import type { IqHandler } from './handler';

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

export interface RosterPushContext {
  /** Our bare JID. */
  readonly jid: string;
  /** Applies a roster query: the whole roster (`full`) or a push's changes. */
  applyRoster(query: Element, full: boolean): void;
}

export const rosterHandlers: ReadonlyArray<IqHandler<RosterPushContext>> = [
  {
    type: 'set',
    name: 'query',
    xmlns: NS_ROSTER,
    handle: (ctx, { stanza, element }) => {
      const from = stanza.attrs.from;
      if (from && normalizeJid(from) !== ctx.jid) return xml('error', { type: 'cancel' }, xml('forbidden', { xmlns: NS_STANZAS })); // RFC 6121 §2.1.6
      ctx.applyRoster(element, false);
      return true; // an empty result
    },
  },
];
