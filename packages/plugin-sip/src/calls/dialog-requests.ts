/**
 * In-dialog requests on sip.js as promises that settle on the final response: sip.js's
 * Session.invite() and Session.info() resolve when the request is sent, and its answer comes to a
 * delegate. Also what ends a call at each of its stages. The one place these sip.js habits are met.
 */
import { Inviter, SessionState, type Invitation } from 'sip.js';
import { ConfabError } from '@confab/sdk';
import { detailOf, infoBody } from './call-reasons';

/** A re-INVITE with a new offer from the session's SDH (RFC 3261 §14.1), resolved on its 2xx. */
export function reinvite(session: Inviter | Invitation): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    session.invite({
      requestDelegate: {
        onAccept: () => resolve(),
        onReject: (r) => reject(new ConfabError('NotAvailable', `re-INVITE: ${detailOf(r.message.statusCode ?? 500, r.message.reasonPhrase)}`)),
      },
    }).catch((err: unknown) => reject(ConfabError.from(err, 'NotAvailable')));
  });
}

/** One DTMF digit as SIP INFO, application/dtmf-relay (when the peer agreed to no RFC 4733 events). */
export function sendInfoDigit(session: Inviter | Invitation, digit: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    session.info({
      requestDelegate: {
        onAccept: () => resolve(),
        onReject: (r) => reject(new ConfabError('NotCapable', `INFO: ${detailOf(r.message.statusCode ?? 500, r.message.reasonPhrase)}`)),
      },
      requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: infoBody(digit) } },
    }).catch((err: unknown) => reject(ConfabError.from(err, 'NotAvailable')));
  });
}

/**
 * Sends what ends a call at its stage: CANCEL for our INVITE without a final answer (RFC 3261 §9.1),
 * 480 to an INVITE ringing here (§21.4.18), BYE in a dialog (§15.1.1); nothing once it is ending.
 */
export async function signalEnd(session: Inviter | Invitation): Promise<void> {
  switch (session.state) {
    case SessionState.Initial:
    case SessionState.Establishing:
      if (session instanceof Inviter) {
        await session.cancel();
        return;
      }
      await session.reject({ statusCode: 480 });
      return;
    case SessionState.Established:
      await session.bye();
      return;
    default:
      return; // ending or ended already
  }
}
