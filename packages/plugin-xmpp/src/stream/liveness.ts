/**
 * Liveness (XEP-0199 §4.1): a ping to the server every `ping-interval`; no answer within as long
 * again and the socket is dropped — resumed if it can be, else reported lost.
 */
import { xml, type Element, type XmppClient } from '@xmpp/client';
import type { Logger } from '@confab/sdk';
import { destroySocket } from './failures';

export const NS_PING = 'urn:xmpp:ping';

/** XEP-0199 §4.1: a client-to-server ping. */
export function ping(domain: string): Element {
  return xml('iq', { type: 'get', to: domain }, xml('ping', { xmlns: NS_PING }));
}

/**
 * Pings `domain` every `everyMs` while `watching()` (the client is current and not resuming); the
 * returned timer is the caller's to clear.
 */
export function startPings(xmpp: XmppClient, domain: string, everyMs: number, watching: () => boolean, log: Logger): NodeJS.Timeout {
  let waiting = false;
  const pinger = setInterval(() => {
    if (!watching() || waiting) return;
    waiting = true;
    xmpp.iqCaller.request(ping(domain), everyMs)
      .catch((e: Error) => {
        if (!watching() || !/timeout/i.test(`${e.name} ${e.message}`)) return;
        log.warn('xmpp: no answer to a ping for %d s; dropping the connection', everyMs / 1000);
        destroySocket(xmpp);
      })
      .finally(() => {
        waiting = false;
      });
  }, everyMs);
  pinger.unref();
  return pinger;
}
