/**
 * IQ errors of Jingle (XEP-0166 §8), as the `<error/>` an IQ handler returns: a stanza error
 * condition (RFC 6120 §8.3.3) with, where XEP-0166 defines one, its Jingle-specific condition.
 */
import { xml, type Element } from '@xmpp/client';
import { NS_JINGLE_ERRORS, NS_STANZAS } from './jingle-ns';

export type JingleIqError =
  | 'unknown-session' // §8: a sid we do not know, or not from its peer
  | 'out-of-order' // §8: an action the session's state does not allow (yet)
  | 'tie-break' // §8: both sides did the same at once
  | 'unsupported-info' // §8: a session-info payload we do not understand
  | 'bad-request' // §7.2: a malformed action (oversized, missing attributes, unknown action)
  | 'feature-not-implemented'; // an action we know but do not do

const CONDITIONS: Readonly<Record<JingleIqError, { type: string; stanza: string; jingle?: string }>> = {
  'unknown-session': { type: 'cancel', stanza: 'item-not-found', jingle: 'unknown-session' },
  'out-of-order': { type: 'wait', stanza: 'unexpected-request', jingle: 'out-of-order' },
  'tie-break': { type: 'cancel', stanza: 'conflict', jingle: 'tie-break' },
  'unsupported-info': { type: 'modify', stanza: 'feature-not-implemented', jingle: 'unsupported-info' },
  'bad-request': { type: 'cancel', stanza: 'bad-request' },
  'feature-not-implemented': { type: 'cancel', stanza: 'feature-not-implemented' },
};

export function iqError(e: JingleIqError, text?: string): Element {
  const c = CONDITIONS[e];
  return xml('error', { type: c.type },
    xml(c.stanza, { xmlns: NS_STANZAS }),
    ...(c.jingle ? [xml(c.jingle, { xmlns: NS_JINGLE_ERRORS })] : []),
    ...(text ? [xml('text', { xmlns: NS_STANZAS }, text.slice(0, 200))] : []),
  );
}
