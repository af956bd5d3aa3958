/**
 * SIP final responses (RFC 3261 §21) as Confab errors, in one place for REGISTER, MESSAGE,
 * PUBLISH and SUBSCRIBE. sip.js turns a transaction timeout into a 408 and a transport failure into
 * a 503 (§8.1.3.1): both are network errors, so the outbox keeps the message. Free of sip.js.
 */
import { ConfabError, type ErrorCode } from '@confab/sdk';

export function sipError(status: number, reason: string, what: string): ConfabError {
  return new ConfabError(errorCodeOf(status), `${what}: ${status} ${reason || 'error'}`.trim());
}

export function errorCodeOf(status: number): ErrorCode {
  switch (status) {
    case 401: case 407: return 'AuthenticationFailed'; // §21.4.2, §21.4.8 (a challenge our credentials did not meet)
    case 403: case 603: return 'PermissionDenied'; // §21.4.4, §21.6.2
    case 404: case 604: return 'NotFound'; // §21.4.5, §21.6.3
    case 410: return 'NotFound'; // Gone
    case 408: case 503: case 504: return 'NetworkError'; // §8.1.3.1 timeout / transport failure; §21.5.4
    case 480: case 486: case 600: // not reachable now: SIP keeps no message for later (RFC 3428 §7), so it fails
    case 405: case 415: case 420: case 488: case 489: case 501: case 606: return 'NotCapable'; // the peer or server cannot do this
    case 400: case 413: case 414: case 416: case 484: return 'InvalidArgument';
    default: return status >= 500 ? 'NotAvailable' : 'InvalidArgument';
  }
}
