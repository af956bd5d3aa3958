/**
 * Stream resumption (XEP-0198 §5): the socket dropped, the session lives on at the server for a
 * while. Reconnect and resume it: what either side sent meanwhile is delivered from the queues,
 * once. Bounded: RESUME_TRIES tries within about 10 s; the caller reports the loss when it fails.
 */
import type { XmppClient } from '@xmpp/client';
import type { Logger } from '@confab/sdk';
import type { StreamManagement } from '../stream-acks';
import { describe, destroySocket } from './failures';

const RESUME_TRIES = 5;
const RESUME_DELAY_MS = 500;
const RESUME_ATTEMPT_MS = 3_000;

type Outcome = 'resumed' | 'new-session' | 'dropped' | 'timeout';

/** Whether the session was resumed; false when it could not be, or `current` turned false. */
export async function resumeSession(xmpp: XmppClient, sm: StreamManagement, current: () => boolean, log: Logger): Promise<boolean> {
  log.info('xmpp: connection dropped; resuming the session');
  for (let attempt = 1; attempt <= RESUME_TRIES && current(); attempt++) {
    await new Promise((r) => setTimeout(r, RESUME_DELAY_MS * attempt));
    if (!current()) break;
    try {
      const result = await attemptResume(xmpp, sm);
      if (result === 'resumed') {
        log.info('xmpp: session resumed (attempt %d)', attempt);
        return true;
      }
      if (result === 'new-session') break; // the server forgot the session: the caller's 'online' handler reports the loss
      log.debug('xmpp: resume attempt %d: %s', attempt, result);
      if (result === 'timeout') destroySocket(xmpp); // half-open: drop it, try again
    } catch (e) {
      log.debug('xmpp: resume attempt %d: %s', attempt, describe(e));
    }
  }
  return false;
}

/** One reconnection, and what came of it: resumed (§5 <resumed/>), a new session, dropped again, or no answer. */
function attemptResume(xmpp: XmppClient, sm: StreamManagement): Promise<Outcome> {
  const outcome = new Promise<Outcome>((resolve) => {
    sm.once('resumed', () => resolve('resumed'));
    xmpp.once('online', () => resolve('new-session'));
    xmpp.once('disconnect', () => resolve('dropped')); // refused or cut again: next attempt
  });
  const attemptFailed = xmpp.reconnect.reconnect().then(() => new Promise<never>(() => undefined)); // settles via `outcome`
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), RESUME_ATTEMPT_MS).unref());
  return Promise.race([outcome, attemptFailed, timeout]);
}
