/**
 * Calls for an XMPP connection: Jingle (jingle-calls.ts) and the disco features that announce them
 * (XEP-0030/0115), only when the daemon gives the connection confab-media — so peers offer us
 * calls only when they can succeed.
 */
import type { XmppClient } from '@xmpp/client';
import { MediaAccess } from '@confab/media';
import type { Logger, MediaService } from '@confab/sdk';
import { FEATURES } from '../caps';
import { JingleCalls } from './jingle-calls';
import { requestIq } from './iq-request';
import { CALL_FEATURES, NS_JINGLE } from './jingle-ns';

export interface ConnectionCalls {
  readonly jingle?: JingleCalls;
  readonly access?: MediaAccess;
  readonly features: readonly string[];
}

/** What the calls need of their connection: our bare JID, and the live client (throws Offline without one). */
export interface CallsHost {
  jid(): string;
  live(): XmppClient;
}

export function connectionCalls(media: MediaService | undefined, host: CallsHost, log: Logger): ConnectionCalls {
  if (!media) return { features: FEATURES };
  const access = new MediaAccess(media);
  const jingle = new JingleCalls({
    get jid() {
      return host.jid();
    },
    fullJid: () => host.live().jid?.toString() ?? host.jid(),
    send: (el) => host.live().send(el),
    request: (iq, ms) => requestIq(host.live(), iq, ms), // not iqCaller.request: see iq-request.ts
    localAddress: () => socketAddress(host.live().socket), // where media binds, what our candidates say
    media: access,
    log: log.child('calls'),
  });
  return { jingle, access, features: [...FEATURES, ...CALL_FEATURES].sort() };
}

/** Our IP address on a stream's socket (net.Socket, or @xmpp/tls's wrapper holding it as .socket). */
export function socketAddress(socket: unknown): string {
  const s = socket as { localAddress?: string; socket?: { localAddress?: string } } | undefined;
  const ip = s?.localAddress ?? s?.socket?.localAddress ?? '127.0.0.1';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip; // an IPv4 peer on a dual-stack socket
}

/** XEP-0166 §7.2: every Jingle action is an IQ set, answered by the calls while `current()` (without calls, @xmpp/iq answers service-unavailable). */
export function serveJingle(xmpp: XmppClient, jingle: JingleCalls | undefined, current: () => boolean): void {
  if (jingle) xmpp.iqCallee.set(NS_JINGLE, 'jingle', ({ stanza, element }) => (current() ? jingle.jingle(stanza, element) : true));
}
