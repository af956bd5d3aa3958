/** RFC 6120 §8.3 stanza errors as Confab errors, for every place that gets one (bounces, rooms, IQs). */
import type { Element } from '@xmpp/client';
import { ConfabError, type ErrorCode } from '@confab/sdk';

/** RFC 6120 §8.3.3: the defined conditions Confab distinguishes; every other one is a NetworkError. */
const CODES: Readonly<Record<string, ErrorCode>> = {
  forbidden: 'PermissionDenied',
  'not-allowed': 'PermissionDenied',
  'not-authorized': 'PermissionDenied',
  'registration-required': 'PermissionDenied',
  'item-not-found': 'NotFound',
  'remote-server-not-found': 'NotFound',
  'service-unavailable': 'NotAvailable',
  'bad-request': 'InvalidArgument',
  conflict: 'NameInUse',
};

/** The condition of a stanza's <error/> (or of the <error/> itself): its first child element's name. */
export function conditionOf(el: Element | undefined): string {
  const error = el?.is('error') ? el : el?.getChild('error');
  return error?.children.find((c): c is Element => typeof c !== 'string')?.name ?? 'error';
}

/** A stanza error as a ConfabError saying what refused what. */
export function stanzaError(condition: string, what: string): ConfabError {
  return new ConfabError(CODES[condition] ?? 'NetworkError', `${what}: ${condition}`);
}

/** What @xmpp/iq's caller rejects with (a StanzaError with `condition`, or a timeout) as a ConfabError. */
export function iqError(e: unknown, what: string): ConfabError {
  if (e instanceof ConfabError) return e;
  const err = e as { condition?: string; element?: Element };
  return stanzaError(err.condition ?? conditionOf(err.element), what);
}
