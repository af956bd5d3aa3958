/**
 * One XMPP account's session, on @xmpp/client 0.14 (STARTTLS or direct TLS, SASL SCRAM-SHA-1 or
 * PLAIN over TLS, resource binding). First step of issue 4: connect, presence, one-to-one messages.
 *
 * A sent message is confirmed when the server has processed it: stanzas are handled in order
 * (RFC 6120 §10.1), so the answer to an IQ ping (XEP-0199) sent after it proves the server took it —
 * or an error bounced for its id (RFC 6120 §8.3) arrives first and fails it.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { client as xmppClient, xml, type Element, type XmppClient } from '@xmpp/client';
import {
  ConfabError, Emitter, OfflineError,
  type AccountConfig, type ConnectionStatus, type Connection, type IncomingMessage, type Logger,
  type OutgoingMessage, type Presence, type SendReceipt, type StatusChange, type StatusReason,
} from '@confab/sdk';
import { trustOnUpgrade } from './tls-ca';
import { normalizeJid } from './jid';

const CONNECT_TIMEOUT_MS = 30_000;
const CONFIRM_TIMEOUT_MS = 60_000;
const NS_PING = 'urn:xmpp:ping';
const NS_DELAY = 'urn:xmpp:delay';
const NS_SID = 'urn:xmpp:sid:0';

/** TLS verification failures (Node's codes) that mean `cert-invalid`. */
const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED',
]);

export class XmppConnection implements Connection {
  private statusValue: ConnectionStatus = 'disconnected';
  private readonly statusEmitter = new Emitter<StatusChange>();
  readonly onStatusChanged = this.statusEmitter.event;
  private readonly messagesEmitter = new Emitter<readonly IncomingMessage[]>();
  readonly onMessages = this.messagesEmitter.event;

  private xmpp: XmppClient | undefined;
  private requestedStop = false;
  private readonly bounced = new Map<string, ConfabError>(); // message id → why the server refused it
  private readonly waiting = new Set<string>(); // ids of sent messages not yet confirmed

  constructor(
    private readonly account: AccountConfig,
    private readonly log: Logger,
  ) {}

  get status(): ConnectionStatus {
    return this.statusValue;
  }

  private get jid(): string {
    return normalizeJid(String(this.account.params.jid));
  }

  connect(): Promise<void> {
    const params = this.account.params;
    const bare = this.jid;
    const [local, domain] = [bare.slice(0, bare.indexOf('@')), bare.slice(bare.indexOf('@') + 1)];
    const password = typeof params.password === 'string' ? params.password : '';
    if (!password) {
      this.setStatus('disconnected', 'config-error', 'no password is set');
      return Promise.reject(new ConfabError('InvalidArgument', 'the account has no password'));
    }
    let ca: Buffer | undefined;
    if (params['tls-ca']) {
      try {
        ca = readFileSync(String(params['tls-ca']));
      } catch (e) {
        this.setStatus('disconnected', 'config-error', `cannot read tls-ca: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
        return Promise.reject(new ConfabError('InvalidArgument', `cannot read the tls-ca file ${String(params['tls-ca'])}`));
      }
    }
    const host = String(params.server ?? domain);
    const port = Number(params.port ?? 5222);
    const direct = params['direct-tls'] === true;
    this.requestedStop = false;
    this.setStatus('connecting', 'requested');
    const xmpp = xmppClient({
      service: `${direct ? 'xmpps' : 'xmpp'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
      domain,
      resource: String(params.resource ?? 'confab'),
      username: local,
      password,
      timeout: CONNECT_TIMEOUT_MS,
    });
    this.xmpp = xmpp;
    xmpp.reconnect.stop(); // the daemon's supervisor reconnects, with backoff

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let lastError: unknown;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        const { error, reason } = classify(err, host, port);
        this.teardown();
        this.setStatus('disconnected', reason, error.message);
        reject(error);
      };
      xmpp.on('connect', () => {
        // entity.socket is the net.Socket itself over TCP, @xmpp/tls's wrapper (with .socket) over TLS.
        const raw = xmpp.socket as unknown as (Socket & { socket?: Socket }) | null;
        const sock = raw?.socket ?? raw ?? undefined;
        sock?.setNoDelay(true); // @xmpp/client never disables Nagle: ~44 ms per round trip otherwise
        if (sock && ca && !direct) trustOnUpgrade(sock, ca);
      });
      xmpp.on('error', (err: unknown) => {
        lastError = err;
        this.log.debug('xmpp error: %s', describe(err));
        if (!settled) fail(err);
      });
      xmpp.on('online', () => {
        if (settled) return;
        settled = true;
        this.setStatus('connected', 'requested');
        void this.sendPresence({ status: 'available', message: '' }).catch(() => undefined);
        resolve();
      });
      xmpp.on('offline', () => {
        if (!settled) return fail(lastError ?? new Error('the server closed the connection'));
        if (this.xmpp === xmpp) this.lost(lastError);
      });
      xmpp.on('disconnect', () => {
        if (settled && this.xmpp === xmpp && !this.requestedStop) this.lost(lastError);
      });
      xmpp.on('stanza', (stanza: Element) => {
        try {
          this.onStanza(stanza);
        } catch (e) {
          this.log.warn('xmpp: dropped a stanza we could not handle: %s', describe(e)); // never crash on input
        }
      });
      // XEP-0199: answer the server's pings (other IQs get service-unavailable from @xmpp/iq).
      xmpp.iqCallee.get(NS_PING, 'ping', () => ({}));
      if (ca && direct) {
        // Direct TLS (XEP-0368): the CA goes with the first connect.
        const base = (xmpp as unknown as { socketParameters?: (s: string) => Record<string, unknown> }).socketParameters;
        if (base) (xmpp as unknown as { socketParameters: (s: string) => unknown }).socketParameters = (s: string) => ({ ...base.call(xmpp, s), ca });
      }
      xmpp.start().catch(fail);
    });
  }

  async disconnect(): Promise<void> {
    this.requestedStop = true;
    const xmpp = this.xmpp;
    this.teardown();
    if (xmpp) await xmpp.stop().catch(() => undefined); // sends </stream> (RFC 6120 §4.4)
    if (this.statusValue !== 'disconnected') this.setStatus('disconnected', 'requested');
  }

  async setPresence(presence: Presence): Promise<void> {
    if (!this.xmpp || this.statusValue !== 'connected') return;
    await this.sendPresence(presence);
  }

  private sendPresence(p: Presence): Promise<void> {
    const xmpp = this.live();
    // RFC 6121 §4.7.2.1: show is away, chat, dnd or xa; absent means available.
    const show = p.status === 'away' ? 'away' : p.status === 'busy' ? 'dnd' : undefined;
    if (p.status === 'offline' || p.status === 'invisible') return xmpp.send(xml('presence', { type: 'unavailable' }));
    return xmpp.send(xml('presence', {}, ...(show ? [xml('show', {}, show)] : []), ...(p.message ? [xml('status', {}, p.message)] : [])));
  }

  async sendMessage(m: OutgoingMessage): Promise<SendReceipt> {
    const xmpp = this.live();
    if (m.channel.kind !== 'direct') throw new ConfabError('NotImplemented', 'XMPP rooms come later (issue 4)');
    const to = normalizeJid(m.channel.target);
    const id = `confab-${m.token}`;
    const body = m.kind === 'action' ? `/me ${m.body}` : m.body; // XEP-0245: /me
    this.waiting.add(id);
    try {
      // RFC 6121 §5.2.2 type chat; XEP-0359 origin-id so that our own copies can be recognised.
      await xmpp.send(xml('message', { type: 'chat', to, id }, xml('body', {}, body), xml('origin-id', { xmlns: NS_SID, id })));
      await xmpp.iqCaller.request(xml('iq', { type: 'get', to: this.jid.split('@')[1] }, xml('ping', { xmlns: NS_PING })), CONFIRM_TIMEOUT_MS);
      const refused = this.bounced.get(id);
      if (refused) throw refused;
      return {};
    } catch (e) {
      if (e instanceof ConfabError) throw e;
      if (this.xmpp !== xmpp || this.statusValue !== 'connected') throw new OfflineError('the connection dropped before the server confirmed the message');
      throw new ConfabError('NetworkError', `the server did not confirm the message: ${describe(e)}`);
    } finally {
      this.waiting.delete(id);
      this.bounced.delete(id);
    }
  }

  dispose(): void {
    this.teardown();
    this.statusEmitter.dispose();
    this.messagesEmitter.dispose();
  }

  // ---- incoming --------------------------------------------------------------------------------

  private onStanza(stanza: Element): void {
    if (!stanza.is('message')) return;
    const type = stanza.attrs.type ?? 'normal';
    if (type === 'error') {
      const id = stanza.attrs.id ?? '';
      if (this.waiting.has(id)) {
        const condition = stanza.getChild('error')?.children.find((c): c is Element => typeof c !== 'string')?.name ?? 'error';
        // RFC 6120 §8.3.3: the defined conditions; the common ones for a message.
        const code = condition === 'item-not-found' || condition === 'remote-server-not-found' ? 'NotFound' : condition === 'service-unavailable' ? 'NotAvailable' : 'NetworkError';
        this.bounced.set(id, new ConfabError(code, `the server refused the message: ${condition}`));
      }
      return;
    }
    if (type !== 'chat' && type !== 'normal') return; // groupchat and headline come later
    const body = stanza.getChildText('body');
    if (body === null || !stanza.attrs.from) return; // chat states alone, receipts…: later
    const from = normalizeJid(stanza.attrs.from);
    const stamp = stanza.getChild('delay', NS_DELAY)?.attrs.stamp; // XEP-0203
    const time = stamp ? new Date(stamp) : undefined;
    // XEP-0359: a stanza-id is only trusted when our own server (by = our bare JID) set it.
    const sid = stanza.getChildren('stanza-id', NS_SID).find((s) => s.attrs.by && normalizeJid(s.attrs.by) === this.jid)?.attrs.id;
    const action = body.startsWith('/me ');
    this.messagesEmitter.fire([{
      channel: { kind: 'direct', target: from },
      sender: { id: from, name: from },
      body: action ? body.slice(4) : body,
      kind: action ? 'action' : type === 'normal' && stanza.getChildText('subject') ? 'notice' : 'normal',
      serverTime: time && !Number.isNaN(time.getTime()) ? time : undefined,
      protocolId: sid ?? undefined,
    }]);
  }

  // ---- state -----------------------------------------------------------------------------------

  private live(): XmppClient {
    if (!this.xmpp || this.statusValue !== 'connected') throw new OfflineError('the account is not connected');
    return this.xmpp;
  }

  private lost(err: unknown): void {
    this.teardown();
    this.setStatus('disconnected', 'network-error', err ? describe(err) : 'the connection was closed');
  }

  private teardown(): void {
    const xmpp = this.xmpp;
    this.xmpp = undefined;
    if (!xmpp) return;
    xmpp.removeAllListeners('stanza');
    xmpp.on('error', () => undefined); // a late socket error must not become an unhandled 'error'
    if (!this.requestedStop) xmpp.stop().catch(() => undefined);
  }

  private setStatus(status: ConnectionStatus, reason: StatusReason, detail?: string): void {
    this.statusValue = status;
    this.statusEmitter.fire({ status, reason, detail });
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** The typed error and status reason for why a connection attempt failed. */
function classify(err: unknown, host: string, port: number): { error: ConfabError; reason: StatusReason } {
  const e = err as { name?: string; code?: string; condition?: string; message?: string };
  if (e?.name === 'SASLError') {
    return { error: new ConfabError('AuthenticationFailed', `${host} refused the login (${e.condition ?? 'not-authorized'})`), reason: 'auth-failed' };
  }
  if (e?.code && CERT_CODES.has(e.code)) {
    return { error: new ConfabError('CertificateInvalid', `${host}'s certificate is not valid: ${e.message ?? e.code} (${e.code}); give its CA with tls-ca`), reason: 'cert-invalid' };
  }
  if (e?.code === 'ECONNREFUSED') return { error: new ConfabError('NetworkError', `${host}:${port} refused the connection`), reason: 'network-error' };
  return { error: new ConfabError('NetworkError', `${host}:${port}: ${e?.message ?? String(err)}`), reason: 'network-error' };
}
