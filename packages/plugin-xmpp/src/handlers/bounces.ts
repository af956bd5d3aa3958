/**
 * Messages bounced with an error (RFC 6120 §8.3): when one of ours awaiting confirmation comes back
 * with an error, the send fails with the error's condition (../stanza-errors.ts) instead of being
 * confirmed. Error messages go no further: they are not messages anyone wrote.
 */
import type { ConfabError } from '@confab/sdk';
import { conditionOf, stanzaError } from '../stanza-errors';
import { HANDLED, type HandlerTable } from './handler';

export interface BouncesContext {
  /** Our message `id` was refused: remembered, if that message still awaits its confirmation. */
  bounced(id: string, error: ConfabError): void;
}

export const bounceHandlers: HandlerTable<BouncesContext> = [
  {
    stanza: 'message',
    type: 'error', // RFC 6120 §8.3: the stanza comes back with type error and our id
    handle: (ctx, stanza) => {
      ctx.bounced(stanza.attrs.id ?? '', stanzaError(conditionOf(stanza), 'the server refused the message'));
      return HANDLED;
    },
  },
];
