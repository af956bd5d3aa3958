/**
 * The @xmpp/client of one connection attempt, set up the way Confab needs it — each workaround of
 * the library in one place (see the package README):
 * - settings read from the account's parameters; a missing password or an unreadable `tls-ca` is
 *   a configuration error before anything is sent;
 * - never a login in the clear (RFC 6120 §13.8: TLS first);
 * - our SCRAM first (../scram.ts, server signature checked), then PLAIN; the library's list of
 *   mechanisms replaced, as it has no API to order or remove them;
 * - its own reconnect stopped: the daemon's supervisor reconnects, with backoff; we only resume;
 * - the stream guarded before the parser (guard.ts), the inbound count of XEP-0198 kept right;
 * - TCP_NODELAY, and the CA given to STARTTLS's upgrade (../tls-ca.ts) or to direct TLS (XEP-0368).
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { client as xmppClient, type XmppClient } from '@xmpp/client';
import { ConfabError, type AccountParams, type Logger } from '@confab/sdk';
import { scramClass, type ScramState } from '../scram';
import { keepInboundCount, type StreamManagement } from '../stream-acks';
import { trustOnUpgrade } from '../tls-ca';
import { guardStream } from './guard';

const CONNECT_TIMEOUT_MS = 30_000;

export interface Settings {
  readonly host: string;
  readonly port: number;
  /** XEP-0368: TLS from the first byte. */
  readonly direct: boolean;
  readonly domain: string;
  readonly local: string;
  readonly password: string;
  readonly resource: string;
  /** The CA of a self-signed server (`tls-ca`). */
  readonly ca?: Buffer;
}

/** A configuration the account cannot connect with: `detail` for the status, `error` for the caller. */
export class ConfigProblem extends Error {
  constructor(readonly detail: string, readonly error: ConfabError) {
    super(detail);
  }
}

/** The settings of a connection to `jid` (a normalized bare JID); throws ConfigProblem. */
export function readSettings(params: AccountParams, jid: string): Settings {
  const domain = jid.slice(jid.indexOf('@') + 1);
  const password = typeof params.password === 'string' ? params.password : '';
  if (!password) throw new ConfigProblem('no password is set', new ConfabError('InvalidArgument', 'the account has no password'));
  let ca: Buffer | undefined;
  if (params['tls-ca']) {
    try {
      ca = readFileSync(String(params['tls-ca']));
    } catch (e) {
      throw new ConfigProblem(`cannot read tls-ca: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, new ConfabError('InvalidArgument', `cannot read the tls-ca file ${String(params['tls-ca'])}`));
    }
  }
  return {
    host: String(params.server ?? domain),
    port: Number(params.port ?? 5222),
    direct: params['direct-tls'] === true,
    domain,
    local: jid.slice(0, jid.indexOf('@')),
    password,
    resource: String(params.resource ?? 'confab'),
    ca,
  };
}

/** A client for these settings, not started; `scram` receives what SCRAM expects of the server. */
export function createClient(s: Settings, scram: ScramState, log: Logger): { xmpp: XmppClient; sm: StreamManagement } {
  const xmpp = xmppClient({
    service: `${s.direct ? 'xmpps' : 'xmpp'}://${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`,
    domain: s.domain,
    resource: s.resource,
    username: s.local,
    password: s.password,
    timeout: CONNECT_TIMEOUT_MS,
    // Never log in in the clear: a server (or a man in the middle) that offers no TLS is refused.
    credentials: async (authenticate, mechanisms, _fast, entity) => {
      if (!entity.isSecure()) {
        const refused = new ConfabError('NetworkError', `${s.host} offers no TLS: refusing to log in in the clear`);
        xmpp.emit('error', refused); // fails the attempt now (a throw here only surfaces at the library's timeout)
        throw refused;
      }
      log.debug('xmpp: SASL %s (offered and usable: %s)', mechanisms[0], mechanisms.join(' '));
      await authenticate({ username: s.local, password: s.password }, mechanisms[0]);
    },
  });
  xmpp.reconnect.stop(); // the daemon's supervisor reconnects, with backoff; we only resume
  guardStream(xmpp, log); // before anything else listens to what the server sends
  const sm = xmpp.streamManagement as unknown as StreamManagement & { requestAckDebounce: number };
  sm.requestAckDebounce = 20; // XEP-0198 §4: ask for an ack 20 ms after a burst, not 250: the outbox waits on it
  keepInboundCount(xmpp, sm);
  // Our SCRAM (Node crypto, server signature checked) first, then PLAIN (over TLS only, above);
  // the library's JavaScript SCRAM-SHA-1 and ANONYMOUS are dropped. The factory has no API to
  // order or remove mechanisms: its list is replaced here, the one place that touches it.
  xmpp.saslFactory._mechs = [
    { name: 'SCRAM-SHA-256', mech: scramClass('SCRAM-SHA-256', scram) },
    { name: 'SCRAM-SHA-1', mech: scramClass('SCRAM-SHA-1', scram) },
    ...xmpp.saslFactory._mechs.filter((m) => m.name === 'PLAIN'),
  ];
  tuneSocket(xmpp, s);
  return { xmpp, sm };
}

/** TCP_NODELAY on every socket, and the CA for STARTTLS's upgrade or direct TLS. */
function tuneSocket(xmpp: XmppClient, s: Settings): void {
  xmpp.on('connect', () => {
    // entity.socket is the net.Socket itself over TCP, @xmpp/tls's wrapper (with .socket) over TLS.
    const raw = xmpp.socket as unknown as (Socket & { socket?: Socket }) | null;
    const sock = raw?.socket ?? raw ?? undefined;
    sock?.setNoDelay(true); // @xmpp/client never disables Nagle: ~44 ms per round trip otherwise
    if (sock && s.ca && !s.direct) trustOnUpgrade(sock, s.ca);
  });
  if (s.ca && s.direct) {
    // Direct TLS (XEP-0368): the CA goes with the first connect.
    const ca = s.ca;
    const base = (xmpp as unknown as { socketParameters?: (service: string) => Record<string, unknown> }).socketParameters;
    if (base) (xmpp as unknown as { socketParameters: (service: string) => unknown }).socketParameters = (service: string) => ({ ...base.call(xmpp, service), ca });
  }
}
