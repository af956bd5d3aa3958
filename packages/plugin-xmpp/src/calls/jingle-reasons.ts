/**
 * How a Jingle call ends, in the call model's words (docs/calls.md, the Jingle column): the
 * `<reason/>` of a session-terminate (XEP-0166 §7.4) both ways, and JMI's reject (XEP-0353 §3.3).
 */
import { xml, type Element } from '@xmpp/client';
import type { CallEndReason } from '@confab/sdk';
import { NS_JINGLE } from './jingle-ns';

/** XEP-0166 §7.4 conditions we read, as end reasons of a call the *peer* ended (`weAnswered`: it had been answered). */
export function endReasonOf(condition: string, answered: boolean): CallEndReason {
  switch (condition) {
    case 'success': return answered ? 'remote-hangup' : 'cancelled'; // a caller's success before the accept: it gave up
    case 'busy': return 'busy';
    case 'decline': return 'declined';
    case 'cancel': return answered ? 'remote-hangup' : 'cancelled';
    case 'timeout': case 'expired': return 'no-answer';
    case 'gone': return answered ? 'network-error' : 'unreachable';
    case 'failed-application': case 'incompatible-parameters': case 'unsupported-applications': case 'media-error': return 'codec-mismatch';
    case 'connectivity-error': case 'failed-transport': case 'unsupported-transports': return 'media-failed';
    case 'security-error': return 'media-security';
    default: return answered ? 'remote-hangup' : 'network-error'; // alternative-session, general-error, an unknown condition
  }
}

/** The condition and text of a `<reason/>` (the first child element other than `<text/>`). */
export function readReason(jingleOrMessage: Element): { condition: string; text?: string } {
  const r = jingleOrMessage.getChild('reason');
  const cond = r?.children.find((c): c is Element => typeof c !== 'string' && c.name !== 'text')?.name ?? 'success';
  const text = r?.getChildText('text') ?? undefined;
  return { condition: cond.slice(0, 40), ...(text ? { text: text.slice(0, 200) } : {}) };
}

/** XEP-0166 §7.4: `<reason><condition/><text/></reason>`. */
export function reasonElement(condition: string, text?: string): Element {
  return xml('reason', { xmlns: NS_JINGLE }, xml(condition), ...(text ? [xml('text', {}, text)] : []));
}

/** Our own end reasons as XEP-0166 §7.4 conditions, for the session-terminate we send. */
export function conditionOf(reason: CallEndReason): string {
  switch (reason) {
    case 'hangup': return 'success';
    case 'busy': return 'busy';
    case 'declined': return 'decline';
    case 'cancelled': return 'cancel';
    case 'no-answer': return 'timeout';
    case 'codec-mismatch': return 'failed-application';
    case 'media-failed': return 'failed-transport';
    case 'network-error': return 'connectivity-error';
    case 'media-security': return 'security-error';
    default: return 'general-error';
  }
}

/** The words for people: "decline (text)". */
export function detailOf(condition: string, text?: string): string {
  return text ? `${condition} (${text})` : condition;
}

/** Why an IQ of ours was refused, as an end reason (RFC 6120 §8.3.3; XEP-0166 §8). */
export function refusalOf(err: unknown, what: string): [CallEndReason, string] {
  const condition = (err as { condition?: string }).condition ?? 'timeout';
  const unreachable = ['item-not-found', 'service-unavailable', 'recipient-unavailable', 'remote-server-not-found'].includes(condition);
  return [unreachable ? 'unreachable' : 'network-error', `${what}: ${condition}`];
}
