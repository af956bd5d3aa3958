/**
 * How a SIP call ends, in the call model's words (docs/calls.md, the SIP column): final responses to
 * our INVITE (RFC 3261 §21) and a CANCEL's Reason (RFC 3326).
 * Free of sip.js.
 */
import type { CallEndReason } from '@confab/sdk';

/** The final responses we send to refuse an incoming call. */
export const REFUSALS = {
  busy: { statusCode: 486, reasonPhrase: 'Busy Here' }, // RFC 3261 §21.4.24
  declined: { statusCode: 603, reasonPhrase: 'Decline' }, // RFC 3261 §21.6.2
} as const;

/**
 * The reason a placed call ended with, from the final non-2xx response to its INVITE.
 * `weCancelled`: we sent a CANCEL (RFC 3261 §9.1), so its 487 is our own doing.
 */
export function endReasonOf(status: number, weCancelled: boolean): CallEndReason {
  if (weCancelled && (status === 487 || status === 408)) return 'cancelled';
  if (status >= 300 && status < 400) return 'unreachable'; // a redirect we do not follow (§21.3): not here
  switch (status) {
    case 486: case 600: return 'busy'; // §21.4.24 Busy Here, §21.6.1 Busy Everywhere
    case 603: return 'declined'; // §21.6.2 Decline
    case 404: case 410: case 484: case 604: return 'unreachable'; // §21.4.5 Not Found, §21.4.11 Gone, §21.4.21 Address Incomplete, §21.6.3
    case 480: return 'unreachable'; // §21.4.18: kamailio's answer for a user not registered
    case 408: case 487: return 'no-answer'; // §21.4.9 Request Timeout, §21.4.25 Request Terminated (not by us)
    case 488: case 606: return 'codec-mismatch'; // §21.4.26 Not Acceptable Here, §21.6.4 Not Acceptable
    default: return 'network-error';
  }
}

/** "486 Busy Here": the protocol's words for people, never a secret. */
export function detailOf(status: number, phrase: string | undefined): string {
  return `${status} ${phrase ?? ''}`.trim();
}

/**
 * Why the caller cancelled, from the CANCEL's Reason header (RFC 3326 §2): `SIP;cause=200` means
 * another of the callee's devices answered (RFC 3326 §2, the "call completed elsewhere" use).
 */
export function cancelReasonOf(reasonHeader: string | undefined): CallEndReason {
  return reasonHeader && /^\s*SIP\s*;(?:.*;)?\s*cause\s*=\s*200\b/i.test(reasonHeader) ? 'answered-elsewhere' : 'cancelled';
}

/** Whether confab-media's StateChanged reason means the media path broke (not that we closed it). */
export function isMediaFailure(reason: string): boolean {
  return mediaEndReason(reason) !== undefined;
}

/**
 * The call's end reason for confab-media's StateChanged reason, or undefined when we closed it:
 * `media-security` (a DTLS fingerprint mismatch or a failed handshake, RFC 5763 § 5) stays what it is;
 * a broken path (no RTP, a pipeline error, no ICE pair: RFC 8445 § 8) is `media-failed`.
 */
export function mediaEndReason(reason: string): CallEndReason | undefined {
  if (/^media-security\b/.test(reason)) return 'media-security';
  return /^(?:media-failed|remote-timeout|ice-failed|invalid-remote)\b/.test(reason) ? 'media-failed' : undefined;
}

/**
 * A DTMF digit from a SIP INFO body: `application/dtmf-relay` ("Signal=5\r\nDuration=160", the
 * de-facto format of Cisco and most PBXes) or `application/dtmf` (the digit alone).
 */
export function infoDigit(contentType: string | undefined, body: string): string | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let raw: string | undefined;
  if (type === 'application/dtmf-relay') raw = /^\s*signal\s*=\s*(\S+)/im.exec(body)?.[1];
  else if (type === 'application/dtmf') raw = body.trim();
  if (raw === undefined) return undefined;
  if (raw === '10') return '*'; // some PBXes send the RFC 4733 event number
  if (raw === '11') return '#';
  const digit = raw.toUpperCase();
  return /^[0-9*#A-D]$/.test(digit) ? digit : undefined;
}

/** The INFO body that carries `digit` (application/dtmf-relay). */
export function infoBody(digit: string, durationMs = 100): string {
  return `Signal=${digit}\r\nDuration=${durationMs}\r\n`;
}
