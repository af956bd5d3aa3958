/**
 * One XMPP account's session, on @xmpp/client 0.14: STARTTLS or direct TLS, our SCRAM (scram.ts)
 * then PLAIN, over TLS only; resource binding; stream management with resumption; roster,
 * presence, one-to-one messages, carbons, the archive, rooms (muc.ts), bookmarks, avatars.
 *
 * A sent message is confirmed when the server has it: by stream management's ack (XEP-0198), or
 * where the server has none by the answer to an IQ ping sent after it — stanzas are handled in order
 * (RFC 6120 §10.1). An error bounced for its id (RFC 6120 §8.3) arriving first fails it.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { client as xmppClient, xml, type Element, type XmppClient } from '@xmpp/client';
import {
  CHAT_STATES, ConfabError, DisposableStore, Emitter, isCertificateError, OfflineError, StatusHolder,
  type AccountConfig, type AccountState, type ChannelKind, type ChannelRef, type ChatState, type ChatStateChange, type ConnectionStatus, type ContactInfo, type ContactPresence, type ContactsFacet,
  type DeliveryReport, type RoomChange, type RoomInvitation, type RoomsFacet, type RosterItem, type RosterUpdate, type SubscriptionRequest, type Connection, type IncomingMessage, type Logger,
  type OutgoingMessage, type Presence, type SendReceipt, type StatusReason,
} from '@confab/sdk';
import { join } from 'node:path';
import { Avatars, NS_AVATAR_METADATA } from './avatars';
import { fetchBookmarks, NS_BOOKMARKS, NS_PUBSUB, NS_PUBSUB_EVENT, parseBookmarks, publishBookmark, type Bookmark } from './bookmarks';
import { CAPS_NODE, capsVersion, FEATURES, IDENTITY, NS_CAPS, NS_DISCO_INFO } from './caps';
import { MucRooms } from './muc';
import { discoInfoVia, roomOrDirect } from './room-discovery';
import { NS_ROSTER, parseRoster, PresenceBook } from './roster';
import { keepInboundCount, StreamAcks, type StreamManagement } from './stream-acks';
import { scramClass, verifyServerFinal, type ScramState } from './scram';
import { trustOnUpgrade } from './tls-ca';
import { normalizeJid } from './jid';
import { conditionOf, iqError, stanzaError } from './stanza-errors';

const CONNECT_TIMEOUT_MS = 30_000;
const CONFIRM_TIMEOUT_MS = 60_000;
const RESUME_TRIES = 5;
const CAPS_VER = capsVersion(IDENTITY, FEATURES);
/** The longest stanza accepted from a server (prosody's own c2s limit is 256 KiB). */
const MAX_STANZA_CHARS = 1024 * 1024;
const RESUME_DELAY_MS = 500;
const RESUME_ATTEMPT_MS = 3_000;
const NS_PING = 'urn:xmpp:ping';
const NS_DELAY = 'urn:xmpp:delay';
const NS_SID = 'urn:xmpp:sid:0';
const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const NS_CARBONS = 'urn:xmpp:carbons:2';
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const NS_CHATSTATES = 'http://jabber.org/protocol/chatstates';
const NS_NICK = 'http://jabber.org/protocol/nick';
const INFO_TIMEOUT_MS = 5_000;
const NS_RECEIPTS = 'urn:xmpp:receipts';
const NS_MARKERS = 'urn:xmpp:chat-markers:0';
/** Our stanza ids: `confab-<token>`, so that a receipt names the outbox message it is for. */
const ID_PREFIX = 'confab-';
const NS_FORWARD = 'urn:xmpp:forward:0';
const NS_MAM = 'urn:xmpp:mam:2';
const NS_RSM = 'http://jabber.org/protocol/rsm';
/** AccountState key of the archive id of the newest message stored: our own archive's, or a room's. */
const archiveMark = (room?: string) => (room ? `mam-last:${room}` : 'mam-last');
const MAM_PAGE = 100;
/** Bounded catch-up: 50 pages of 100 messages, then the rest waits for the next login. */
const MAM_MAX_PAGES = 50;

export class XmppConnection implements Connection {
  private readonly bag = new DisposableStore();
  private readonly state = this.bag.add(new StatusHolder());
  readonly onStatusChanged = this.state.onChanged;
  private readonly messagesEmitter = this.bag.add(new Emitter<readonly IncomingMessage[]>());
  readonly onMessages = this.messagesEmitter.event;
  private readonly chatStateEmitter = this.bag.add(new Emitter<ChatStateChange>());
  readonly onChatState = this.chatStateEmitter.event;
  private readonly deliveryEmitter = this.bag.add(new Emitter<readonly DeliveryReport[]>());
  readonly onDelivery = this.deliveryEmitter.event;
  private readonly presenceEmitter = this.bag.add(new Emitter<readonly ContactPresence[]>());
  private readonly rosterEmitter = this.bag.add(new Emitter<RosterUpdate>());
  private readonly requestEmitter = this.bag.add(new Emitter<SubscriptionRequest>());
  private readonly book = new PresenceBook();
  private readonly rosterItems = new Map<string, RosterItem>();
  private readonly nicks = new Map<string, string>(); // contact → the nickname they published (XEP-0172)
  private readonly roomEmitter = this.bag.add(new Emitter<RoomChange>());
  private readonly invitedEmitter = this.bag.add(new Emitter<RoomInvitation>());
  private readonly muc: MucRooms;
  private readonly avatars: Avatars;
  readonly rooms: RoomsFacet = {
    onRoomChanged: this.roomEmitter.event,
    onInvited: this.invitedEmitter.event,
    join: (room, key) => this.joinRoom(room, key),
    leave: (room, message) => this.leaveRoom(room, message),
    setTopic: (room, topic) => this.muc.setTopic(normalizeJid(room), topic),
    kick: (room, member, reason) => this.muc.kick(normalizeJid(room), member, reason),
    invite: (room, contact) => this.muc.invite(normalizeJid(room), contact),
    setRole: (room, member, role) => this.muc.setRole(normalizeJid(room), member, role),
    members: (room) => this.muc.members(room),
    kindOf: (target) => this.kindOf(target),
  };
  readonly contacts: ContactsFacet = {
    onPresence: this.presenceEmitter.event,
    watch: () => undefined, // presence comes with roster subscriptions (RFC 6121 §3)
    info: (id) => this.info(id),
    onRoster: this.rosterEmitter.event,
    add: (id, alias) => this.rosterAdd(id, alias),
    remove: (id) => this.rosterRemove(id),
    onSubscriptionRequest: this.requestEmitter.event,
    answerSubscription: (id, allow) => this.answer(id, allow),
  };

  private xmpp: XmppClient | undefined;
  private requestedStop = false;
  private readonly bounced = new Map<string, ConfabError>(); // message id → why the server refused it
  private readonly waiting = new Set<string>(); // ids of sent messages not yet confirmed

  private readonly archivePages = new Map<string, { from: string; items: Array<{ forwarded: Element; archiveId?: string }> }>(); // MAM queryid → results
  private readonly roomsCaughtUp = new Set<string>(); // rooms whose live messages now advance their archive mark
  private queries = 0;
  private caughtUp = false; // live messages advance our archive mark only once the archive caught up
  private acks: StreamAcks | undefined; // XEP-0198 acknowledgements, when the server has stream management
  private resuming: Promise<boolean> | undefined; // a dropped socket being resumed (XEP-0198 §5)
  private pinger: NodeJS.Timeout | undefined; // liveness pings (XEP-0199)

  constructor(
    private readonly account: AccountConfig,
    private readonly log: Logger,
    private readonly accountState?: AccountState,
    cacheDir?: string,
  ) {
    this.avatars = new Avatars(cacheDir ? join(cacheDir, 'avatars') : undefined, (iq) => this.live().iqCaller.request(iq, INFO_TIMEOUT_MS), log);
    this.muc = new MucRooms(
      {
        send: (el) => this.live().send(el),
        request: (el) => this.live().iqCaller.request(el, CONFIRM_TIMEOUT_MS),
        nick: () => String(this.account.params.nickname ?? '') || this.jid.slice(0, this.jid.indexOf('@')), // default: our user part
      },
      (c) => this.roomEmitter.fire(c),
      (i) => this.invitedEmitter.fire(i),
      this.log,
    );
  }

  get status(): ConnectionStatus {
    return this.state.status;
  }

  private get jid(): string {
    return normalizeJid(String(this.account.params.jid));
  }

  /** The JID's domain: our server, to which pings and our own queries go. */
  private get domain(): string {
    return this.jid.slice(this.jid.indexOf('@') + 1);
  }

  connect(): Promise<void> {
    const params = this.account.params;
    const domain = this.domain;
    const local = this.jid.slice(0, this.jid.indexOf('@'));
    const password = typeof params.password === 'string' ? params.password : '';
    if (!password) {
      this.state.set('disconnected', 'config-error', 'no password is set');
      return Promise.reject(new ConfabError('InvalidArgument', 'the account has no password'));
    }
    let ca: Buffer | undefined;
    if (params['tls-ca']) {
      try {
        ca = readFileSync(String(params['tls-ca']));
      } catch (e) {
        this.state.set('disconnected', 'config-error', `cannot read tls-ca: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
        return Promise.reject(new ConfabError('InvalidArgument', `cannot read the tls-ca file ${String(params['tls-ca'])}`));
      }
    }
    const host = String(params.server ?? domain);
    const port = Number(params.port ?? 5222);
    const direct = params['direct-tls'] === true;
    this.requestedStop = false;
    this.state.set('connecting', 'requested');
    const xmpp = xmppClient({
      service: `${direct ? 'xmpps' : 'xmpp'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
      domain,
      resource: String(params.resource ?? 'confab'),
      username: local,
      password,
      timeout: CONNECT_TIMEOUT_MS,
      // Never log in in the clear: a server (or a man in the middle) that offers no TLS is refused.
      credentials: async (authenticate, mechanisms, _fast, entity) => {
        if (!entity.isSecure()) {
          const refused = new ConfabError('NetworkError', `${host} offers no TLS: refusing to log in in the clear`);
          xmpp.emit('error', refused); // fails the attempt now (a throw here only surfaces at the library's timeout)
          throw refused;
        }
        this.log.debug('xmpp: SASL %s (offered and usable: %s)', mechanisms[0], mechanisms.join(' '));
        await authenticate({ username: local, password }, mechanisms[0]);
      },
    });
    this.xmpp = xmpp;
    xmpp.reconnect.stop(); // the daemon's supervisor reconnects, with backoff; we only resume (below)
    this.boundStanzas(xmpp);
    const sm = xmpp.streamManagement as unknown as StreamManagement & { requestAckDebounce: number };
    sm.requestAckDebounce = 20; // ask for an ack 20 ms after a burst, not 250: the outbox waits on it
    keepInboundCount(xmpp, sm);
    this.acks = new StreamAcks(sm, () => new OfflineError('the session was lost before the server acknowledged the message'));
    // Our SCRAM (Node crypto, server signature checked) first, then PLAIN (over TLS only, above);
    // the library's JavaScript SCRAM-SHA-1 and ANONYMOUS are dropped. The factory has no API to
    // order or remove mechanisms: its list is replaced here, the one place that touches it.
    const scram: ScramState = {};
    xmpp.saslFactory._mechs = [
      { name: 'SCRAM-SHA-256', mech: scramClass('SCRAM-SHA-256', scram) },
      { name: 'SCRAM-SHA-1', mech: scramClass('SCRAM-SHA-1', scram) },
      ...xmpp.saslFactory._mechs.filter((m) => m.name === 'PLAIN'),
    ];

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let lastError: unknown;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        const { error, reason } = classify(err, host, port);
        this.teardown();
        this.state.set('disconnected', reason, error.message);
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
        if (settled) {
          // A new session after a drop: the old one could not be resumed. The daemon reconnects from
          // scratch (outbox, archive catch-up), which is the one way that neither loses nor doubles.
          if (this.xmpp === xmpp) this.lost(new Error('the session could not be resumed'));
          return;
        }
        settled = true;
        this.caughtUp = false;
        this.state.set('connected', 'requested');
        this.startPings(xmpp);
        resolve();
        void this.afterLogin(xmpp);
      });
      xmpp.on('offline', () => {
        if (!settled) return fail(lastError ?? new Error('the server closed the connection'));
        if (this.xmpp === xmpp) this.lost(lastError);
      });
      xmpp.on('disconnect', () => {
        if (!settled || this.xmpp !== xmpp || this.requestedStop || this.resuming) return;
        if (sm.id) this.resuming = this.resume(xmpp, sm);
        else this.lost(lastError);
      });
      xmpp.on('nonza', (el: Element) => {
        // RFC 6120 §6.4.6: <success/> carries the SCRAM server-final-message (RFC 5802 §3: v=).
        if (el.name !== 'success' || el.attrs.xmlns !== NS_SASL) return;
        if (!verifyServerFinal(Buffer.from(el.text(), 'base64').toString('utf8'), scram)) {
          fail(new ConfabError('AuthenticationFailed', `${host} could not prove that it knows the password (SCRAM server signature)`));
        }
      });
      xmpp.on('stanza', (stanza: Element) => {
        try {
          this.onStanza(stanza);
        } catch (e) {
          this.log.warn('xmpp: dropped a stanza we could not handle: %s', describe(e)); // never crash on input
        }
      });
      if (ca && direct) {
        // Direct TLS (XEP-0368): the CA goes with the first connect.
        const base = (xmpp as unknown as { socketParameters?: (s: string) => Record<string, unknown> }).socketParameters;
        if (base) (xmpp as unknown as { socketParameters: (s: string) => unknown }).socketParameters = (s: string) => ({ ...base.call(xmpp, s), ca });
      }
      // XEP-0030 §3.1: what we are and do; XEP-0115 §6.2: also under our caps node#ver.
      xmpp.iqCallee.get(NS_DISCO_INFO, 'query', (ctx: { stanza: Element; element: Element }) => {
        const node = ctx.element.attrs.node;
        if (node && node !== `${CAPS_NODE}#${CAPS_VER}`) return xml('error', { type: 'cancel' }, xml('item-not-found', { xmlns: NS_STANZAS }));
        return xml('query', { xmlns: NS_DISCO_INFO, ...(node ? { node } : {}) }, xml('identity', IDENTITY), ...FEATURES.map((f) => xml('feature', { var: f })));
      });
      // RFC 6121 §2.1.6: roster pushes, believed only from our own account.
      xmpp.iqCallee.set(NS_ROSTER, 'query', (ctx: { stanza: Element; element: Element }) => {
        const from = ctx.stanza.attrs.from;
        if (from && normalizeJid(from) !== this.jid) return xml('error', { type: 'cancel' }, xml('forbidden', { xmlns: NS_STANZAS }));
        if (this.xmpp === xmpp) this.applyRoster(ctx.element, false);
        return true;
      });
      xmpp.start().catch(fail);
    });
  }

  /** Roster (RFC 6121 §2.2), carbons on (XEP-0280 §4), the archive caught up (XEP-0313), then presence (§4.2). */
  private async afterLogin(xmpp: XmppClient): Promise<void> {
    try {
      const roster = await xmpp.iqCaller.request(xml('iq', { type: 'get' }, xml('query', { xmlns: NS_ROSTER })), CONFIRM_TIMEOUT_MS);
      const query = roster.getChild('query', NS_ROSTER);
      if (query && this.xmpp === xmpp) this.applyRoster(query, true);
      void this.loadBookmarks(xmpp);
      await xmpp.iqCaller.request(xml('iq', { type: 'set' }, xml('enable', { xmlns: NS_CARBONS })), CONFIRM_TIMEOUT_MS).catch((e) => {
        this.log.debug('xmpp: no carbons: %s', describe(e));
      });
      await this.catchUp(xmpp).catch((e) => this.log.warn('xmpp: archive catch-up failed: %s', describe(e)));
      if (this.xmpp !== xmpp) return;
      this.caughtUp = true;
      await this.sendPresence({ status: 'available', message: '' });
    } catch (e) {
      this.log.debug('xmpp: after login: %s', describe(e));
    }
  }

  async disconnect(): Promise<void> {
    this.requestedStop = true;
    const xmpp = this.xmpp;
    this.teardown();
    if (xmpp) await xmpp.stop().catch(() => undefined); // sends </stream> (RFC 6120 §4.4)
    if (this.status !== 'disconnected') this.state.set('disconnected', 'requested');
  }

  async setPresence(presence: Presence): Promise<void> {
    if (!this.xmpp || this.status !== 'connected') return;
    await this.sendPresence(presence);
  }

  private sendPresence(p: Presence): Promise<void> {
    const xmpp = this.live();
    // RFC 6121 §4.7.2.1: show is away, chat, dnd or xa; absent means available.
    const show = p.status === 'away' ? 'away' : p.status === 'busy' ? 'dnd' : undefined;
    if (p.status === 'offline' || p.status === 'invisible') return xmpp.send(xml('presence', { type: 'unavailable' }));
    // XEP-0115: our capabilities ride on every available presence.
    const caps = xml('c', { xmlns: NS_CAPS, hash: 'sha-1', node: CAPS_NODE, ver: CAPS_VER });
    return xmpp.send(xml('presence', {}, ...(show ? [xml('show', {}, show)] : []), ...(p.message ? [xml('status', {}, p.message)] : []), caps));
  }

  /**
   * XEP-0198 §5: the socket dropped, the session lives on at the server for a while. Reconnect and
   * resume it: what either side sent meanwhile is delivered from the queues, once. Bounded: 5 tries
   * within about 10 s, then the connection is lost and the daemon reconnects from scratch.
   */
  private async resume(xmpp: XmppClient, sm: StreamManagement): Promise<boolean> {
    this.log.info('xmpp: connection dropped; resuming the session');
    for (let attempt = 1; attempt <= RESUME_TRIES && this.xmpp === xmpp; attempt++) {
      await new Promise((r) => setTimeout(r, RESUME_DELAY_MS * attempt));
      if (this.xmpp !== xmpp) break;
      const outcome = new Promise<'resumed' | 'new-session' | 'dropped'>((resolve) => {
        sm.once('resumed', () => resolve('resumed'));
        xmpp.once('online', () => resolve('new-session'));
        xmpp.once('disconnect', () => resolve('dropped')); // refused or cut again: next attempt
      });
      const attemptFailed = xmpp.reconnect.reconnect().then(() => new Promise<never>(() => undefined)); // settles via `outcome`
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), RESUME_ATTEMPT_MS).unref());
      try {
        const result = await Promise.race([outcome, attemptFailed, timeout]);
        if (result === 'resumed') {
          this.log.info('xmpp: session resumed (attempt %d)', attempt);
          this.resuming = undefined;
          return true;
        }
        if (result === 'new-session') break; // the 'online' handler reports the loss
        this.log.debug('xmpp: resume attempt %d: %s', attempt, result);
        if (result === 'timeout') destroySocket(xmpp); // half-open: drop it, try again
      } catch (e) {
        this.log.debug('xmpp: resume attempt %d: %s', attempt, describe(e));
      }
    }
    this.resuming = undefined;
    if (this.xmpp === xmpp) this.lost(new Error('the session could not be resumed'));
    return false;
  }

  /**
   * @xmpp/client parses whatever the server sends, however long (it has no limit), and its parser
   * (ltx) silently swallows everything after a `<!`. Here, before the parser: a stanza — or anything
   * between two top-level elements — over MAX_STANZA_CHARS closes the stream with `policy-violation`
   * (RFC 6120 §4.9.3.14), a DTD, entity declaration or comment with `restricted-xml` (§4.9.3.18).
   * Its `_onData` is wrapped before the first socket is attached (it binds the method then).
   */
  private boundStanzas(xmpp: XmppClient): void {
    const internals = xmpp as unknown as { _onData(data: Buffer): void; _streamError(condition: string): Promise<void> };
    const parse = internals._onData.bind(xmpp);
    let unparsed = 0;
    xmpp.on('element', () => {
      unparsed = 0;
    });
    let lastByte = 0;
    let closed = false;
    const refuse = (condition: string, why: string) => {
      if (closed) return;
      closed = true;
      this.log.warn('xmpp: %s; closing the stream (%s)', why, condition);
      internals._streamError(condition).catch(() => undefined);
      // The stream error is written at once; waiting for the server to close its side (its timeout is
      // ours, 30 s) would leave a hostile server the connection: the socket goes after a moment.
      setTimeout(() => destroySocket(xmpp), 200).unref();
    };
    xmpp.on('connect', () => {
      closed = false;
      unparsed = 0;
      lastByte = 0;
    });
    internals._onData = (data: Buffer) => {
      if (closed) return;
      // RFC 6120 §11.1: no DTD, no entity declarations, no comments in a stream. "<!" starts every
      // one of them and cannot occur anywhere else ('<' is always escaped in text and attributes).
      // ltx would swallow everything after it silently: a hang, or an entity bomb.
      if (data.indexOf('<!') >= 0 || (lastByte === 0x3c && data[0] === 0x21)) return refuse('restricted-xml', 'the server sent a DTD, an entity declaration or a comment');
      lastByte = data[data.length - 1] ?? 0;
      unparsed += data.length;
      if (unparsed > MAX_STANZA_CHARS) return refuse('policy-violation', `the server sent more than ${MAX_STANZA_CHARS} bytes without finishing a stanza`);
      parse(data);
    };
  }

  /** The live client, after a resumption in progress (if any) went through. */
  private async ready(): Promise<XmppClient> {
    if (this.resuming && !(await this.resuming)) throw new OfflineError('the session could not be resumed');
    return this.live();
  }

  async sendMessage(m: OutgoingMessage): Promise<SendReceipt> {
    const xmpp = await this.ready();
    const to = normalizeJid(m.channel.target);
    const id = `${ID_PREFIX}${m.token}`;
    const body = m.kind === 'action' ? `/me ${m.body}` : m.body; // XEP-0245: /me
    if (m.channel.kind === 'room') {
      await this.muc.send(to, body, id, CONFIRM_TIMEOUT_MS); // confirmed by the room's reflection
      return {};
    }
    this.waiting.add(id);
    try {
      // RFC 6121 §5.2.2 type chat; XEP-0359 origin-id so that our own copies can be recognised.
      // XEP-0184 §5.1 asks for a receipt; XEP-0333 §4 makes it markable (displayed → read).
      const stanza = xml('message', { type: 'chat', to, id }, xml('body', {}, body), xml('origin-id', { xmlns: NS_SID, id }),
        xml('request', { xmlns: NS_RECEIPTS }), xml('markable', { xmlns: NS_MARKERS }));
      if (xmpp.streamManagement.enabled && this.acks) {
        // XEP-0198: the server's <a/> counting this stanza confirms it (kept across a resumption).
        const acked = this.acks.wait(id, CONFIRM_TIMEOUT_MS); // rejected at once if the connection is lost
        await Promise.all([xmpp.send(stanza), acked]);
      } else {
        await xmpp.send(stanza);
        await xmpp.iqCaller.request(xml('iq', { type: 'get', to: this.domain }, xml('ping', { xmlns: NS_PING })), CONFIRM_TIMEOUT_MS);
      }
      const refused = this.bounced.get(id);
      if (refused) throw refused;
      return {};
    } catch (e) {
      if (e instanceof ConfabError) throw e;
      if (this.xmpp !== xmpp || this.status !== 'connected') throw new OfflineError('the connection dropped before the server confirmed the message');
      throw new ConfabError('NetworkError', `the server did not confirm the message: ${describe(e)}`);
    } finally {
      this.waiting.delete(id);
      this.bounced.delete(id);
    }
  }

  dispose(): void {
    this.teardown();
    this.bag.dispose();
  }

  // ---- incoming --------------------------------------------------------------------------------

  private onStanza(stanza: Element): void {
    if (stanza.is('presence')) {
      if (this.muc.onPresence(stanza)) return;
      return this.onPresence(stanza);
    }
    if (!stanza.is('message')) return;
    const fromRoom = this.muc.onMessage(stanza);
    if (fromRoom === 'handled') return;
    if (fromRoom) {
      const room = fromRoom.channel.target;
      return this.emit([fromRoom], this.roomsCaughtUp.has(room) ? fromRoom.protocolId : undefined, room);
    }
    const type = stanza.attrs.type ?? 'normal';
    if (type === 'error') {
      const id = stanza.attrs.id ?? '';
      if (this.waiting.has(id)) this.bounced.set(id, stanzaError(conditionOf(stanza), 'the server refused the message')); // RFC 6120 §8.3
      return;
    }
    // Forwarded copies are only believed from our own account (XEP-0280 §11, XEP-0313 §5.1.2).
    const fromSelf = !stanza.attrs.from || normalizeJid(stanza.attrs.from) === this.jid;
    const result = stanza.getChild('result', NS_MAM);
    if (result) {
      const inner = result.getChild('forwarded', NS_FORWARD);
      const page = this.archivePages.get(result.attrs.queryid ?? '');
      // Results are believed only from the archive we asked (our own account, or that room).
      const fromArchive = page && (stanza.attrs.from ? normalizeJid(stanza.attrs.from) === page.from : page.from === this.jid);
      if (fromArchive && inner) page.items.push({ forwarded: inner, archiveId: result.attrs.id });
      return;
    }
    const event = stanza.getChild('event', NS_PUBSUB_EVENT)?.getChild('items');
    if (event?.attrs.node === NS_NICK && stanza.attrs.from) {
      // XEP-0172 §4.3 via PEP: a contact's own nickname (bounded; text only).
      const nick = event.getChild('item')?.getChild('nick', NS_NICK)?.text().trim().slice(0, 100);
      const who = normalizeJid(stanza.attrs.from);
      if (nick) this.nicks.set(who, nick);
      else this.nicks.delete(who);
      return;
    }
    if (event?.attrs.node === NS_AVATAR_METADATA && stanza.attrs.from) {
      const who = normalizeJid(stanza.attrs.from);
      void this.avatars.metadata(who, event.getChild('item')?.getChild('metadata', NS_AVATAR_METADATA)); // XEP-0084 §4.2
      return;
    }
    if (event?.attrs.node === NS_BOOKMARKS) {
      // XEP-0163 §4.3: PEP events come from our own bare JID; anyone else's are not our bookmarks.
      if (fromSelf) this.applyBookmarks(parseBookmarks(event));
      return;
    }
    const carbon = stanza.getChild('received', NS_CARBONS) ?? stanza.getChild('sent', NS_CARBONS);
    if (carbon) {
      const inner = carbon.getChild('forwarded', NS_FORWARD)?.getChild('message');
      const m = fromSelf && inner ? this.toIncoming(inner) : undefined;
      if (m) this.emit([m]);
      return;
    }
    this.onReceipt(stanza);
    this.onChatStateIn(stanza);
    const m = this.toIncoming(stanza);
    if (!m) return;
    this.emit([m], this.caughtUp ? m.protocolId : undefined);
    // XEP-0184 §5.1: a requested receipt once the message is stored (it was, as it was emitted).
    if (!m.outgoing && stanza.attrs.id && stanza.getChild('request', NS_RECEIPTS) && this.xmpp) {
      void this.xmpp.send(xml('message', { to: stanza.attrs.from, id: `${ID_PREFIX}r${++this.queries}` }, xml('received', { xmlns: NS_RECEIPTS, id: stanza.attrs.id }))).catch(() => undefined);
    }
  }

  /** XEP-0085 §5: a chat state from the other side of a one-to-one conversation. */
  private onChatStateIn(stanza: Element): void {
    if (stanza.attrs.type !== 'chat' || !stanza.attrs.from) return;
    const from = normalizeJid(stanza.attrs.from);
    if (from === this.jid) return;
    const child = stanza.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === NS_CHATSTATES);
    if (child && (CHAT_STATES as readonly string[]).includes(child.name)) {
      this.chatStateEmitter.fire({ channel: { kind: 'direct', target: from }, contact: from, state: child.name as ChatState });
    }
  }

  async setChatState(channel: ChannelRef, state: ChatState): Promise<void> {
    const xmpp = await this.ready();
    // XEP-0085 §5; XEP-0334 no-store: a chat state is not archived.
    const to = normalizeJid(channel.target);
    await xmpp.send(xml('message', { to, type: channel.kind === 'room' ? 'groupchat' : 'chat' }, xml(state, { xmlns: NS_CHATSTATES }), xml('no-store', { xmlns: 'urn:xmpp:hints' })));
  }

  /** XEP-0184 receipts and XEP-0333 markers from the peer, for messages this client sent. */
  private onReceipt(stanza: Element): void {
    if (!stanza.attrs.from || normalizeJid(stanza.attrs.from) === this.jid) return; // our other clients' own receipts
    const reports: DeliveryReport[] = [];
    const add = (id: string | undefined, state: DeliveryReport['state']) => {
      if (id?.startsWith(ID_PREFIX)) reports.push({ token: id.slice(ID_PREFIX.length), state });
    };
    add(stanza.getChild('received', NS_RECEIPTS)?.attrs.id, 'delivered');
    add(stanza.getChild('received', NS_MARKERS)?.attrs.id, 'delivered');
    add(stanza.getChild('displayed', NS_MARKERS)?.attrs.id, 'read');
    add(stanza.getChild('acknowledged', NS_MARKERS)?.attrs.id, 'read');
    if (reports.length > 0) this.deliveryEmitter.fire(reports);
  }

  /** RFC 6121 §3 subscription requests and §4 presence of contacts. */
  private onPresence(stanza: Element): void {
    const from = stanza.attrs.from;
    if (!from) return;
    const id = normalizeJid(from);
    if (id === this.jid) return; // our own resources
    const type = stanza.attrs.type;
    if (type === 'subscribe') return this.requestEmitter.fire({ id, message: (stanza.getChildText('status') ?? '').slice(0, 1000) });
    if (type !== undefined && type !== 'unavailable') return; // subscribed, unsubscribe(d), error, probe: the roster push says it
    if (type === undefined) void this.avatars.presence(id, stanza); // XEP-0153
    const changed = this.book.update(stanza);
    if (changed) this.presenceEmitter.fire([changed]);
  }

  private applyRoster(query: Element, full: boolean): void {
    const { items, removed } = parseRoster(query);
    if (full) this.rosterItems.clear();
    for (const i of items) this.rosterItems.set(i.id, i);
    for (const id of removed) this.rosterItems.delete(id);
    this.rosterEmitter.fire({ full, items, removed });
  }

  private async rosterAdd(id: string, alias: string): Promise<void> {
    const xmpp = this.live();
    // RFC 6121 §2.3 add the item, §3.1.1 ask to see their presence.
    try {
      await xmpp.iqCaller.request(xml('iq', { type: 'set' }, xml('query', { xmlns: NS_ROSTER }, xml('item', { jid: id, ...(alias ? { name: alias } : {}) }))), CONFIRM_TIMEOUT_MS);
      await xmpp.send(xml('presence', { to: id, type: 'subscribe' }));
    } catch (e) {
      throw iqError(e, `adding ${id} to the roster`); // a refusal, a timeout or a dropped stream: typed, never "internal"
    }
  }

  private async rosterRemove(id: string): Promise<void> {
    const xmpp = this.live();
    // RFC 6121 §2.5: subscription "remove" also cancels both subscriptions.
    try {
      await xmpp.iqCaller.request(xml('iq', { type: 'set' }, xml('query', { xmlns: NS_ROSTER }, xml('item', { jid: id, subscription: 'remove' }))), CONFIRM_TIMEOUT_MS);
    } catch (e) {
      throw iqError(e, `removing ${id} from the roster`);
    }
  }

  private async answer(id: string, allow: boolean): Promise<void> {
    const xmpp = this.live();
    // RFC 6121 §3.1.4 approve (and, like every current client, ask back) or §3.1.5 deny.
    if (!allow) return xmpp.send(xml('presence', { to: id, type: 'unsubscribed' }));
    await xmpp.send(xml('presence', { to: id, type: 'subscribed' }));
    const item = this.rosterItems.get(id);
    if (!item || !seesTheirPresence(item)) await xmpp.send(xml('presence', { to: id, type: 'subscribe' }));
  }

  /** The name to show for a contact: the user's alias (roster), else their own nickname (XEP-0172), else the JID. */
  private displayName(jid: string): string {
    return this.rosterItems.get(jid)?.alias || this.nicks.get(jid) || jid;
  }

  private async info(id: string): Promise<ContactInfo> {
    const item = this.rosterItems.get(normalizeJid(id));
    if (!item) throw new ConfabError('NotFound', `${id} is not in the roster`);
    const resources = this.book.resourcesOf(item.id);
    if (!this.nicks.has(item.id) && this.xmpp && seesTheirPresence(item)) {
      // XEP-0172 §4.5: ask their PEP node when no notification told us yet.
      try {
        const answer = await this.xmpp.iqCaller.request(xml('iq', { type: 'get', to: item.id }, xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node: NS_NICK, max_items: '1' }))), INFO_TIMEOUT_MS);
        const nick = answer.getChild('pubsub', NS_PUBSUB)?.getChild('items')?.getChild('item')?.getChildText('nick', NS_NICK)?.trim().slice(0, 100);
        if (nick) this.nicks.set(item.id, nick);
      } catch {
        // no nickname published, or not visible to us
      }
    }
    if (!this.avatars.fileOf(item.id) && this.xmpp && seesTheirPresence(item)) await this.avatars.ask(item.id).catch(() => undefined);
    const avatar = this.avatars.fileOf(item.id);
    return {
      jid: item.id,
      ...(avatar ? { avatar } : {}),
      ...(item.alias ? { name: item.alias } : {}),
      ...(this.nicks.get(item.id) ? { nickname: this.nicks.get(item.id)! } : {}),
      subscription: item.subscription,
      ...(item.groups.length ? { groups: item.groups.join(', ') } : {}),
      ...(resources.length ? { resources: resources.join(', ') } : {}),
    };
  }

  /** A chat message as Confab's model; ours (sent from another client of this account) as outgoing. */
  private toIncoming(msg: Element, archived?: { archiveId?: string; time?: Date }): IncomingMessage | undefined {
    const type = msg.attrs.type ?? 'normal';
    if (type !== 'chat' && type !== 'normal') return undefined; // groupchat and headline come later
    const body = msg.getChildText('body');
    if (body === null || !msg.attrs.from) return undefined; // chat states alone, receipts…: later
    const from = normalizeJid(msg.attrs.from);
    const outgoing = from === this.jid;
    if (outgoing && !msg.attrs.to) return undefined;
    const peer = outgoing ? normalizeJid(msg.attrs.to!) : from;
    const stamp = msg.getChild('delay', NS_DELAY)?.attrs.stamp; // XEP-0203
    const time = archived?.time ?? (stamp ? new Date(stamp) : undefined);
    // XEP-0359: a stanza-id is only trusted when our own server (by = our bare JID) set it.
    const sid = archived?.archiveId ?? msg.getChildren('stanza-id', NS_SID).find((s) => s.attrs.by && normalizeJid(s.attrs.by) === this.jid)?.attrs.id;
    const action = body.startsWith('/me ');
    return {
      channel: { kind: 'direct', target: peer },
      sender: { id: from, name: outgoing ? from : this.displayName(from) },
      body: action ? body.slice(4) : body,
      kind: action ? 'action' : 'normal',
      serverTime: time && !Number.isNaN(time.getTime()) ? time : undefined,
      protocolId: sid ?? undefined,
      outgoing,
    };
  }

  /**
   * Emits messages (the daemon stores them as they are emitted), then remembers the newest archive id
   * they cover: the next catch-up starts after it, so nothing is fetched twice and nothing skipped.
   */
  private emit(messages: readonly IncomingMessage[], archivedUpTo?: string, room?: string): void {
    if (messages.length > 0) this.messagesEmitter.fire(messages);
    if (archivedUpTo) this.accountState?.set(archiveMark(room), archivedUpTo);
  }

  /**
   * XEP-0313 catch-up after login: every message archived after the last one we stored, page by
   * page (XEP-0059 RSM `after`), oldest first. The first time, the newest page only (`before`).
   * Duplicates of what already came live are dropped by the daemon by stanza-id (= archive id).
   */
  private async catchUp(xmpp: XmppClient, room?: string): Promise<void> {
    let after = this.accountState?.get(archiveMark(room));
    const first = after === undefined;
    for (let page = 0; page < MAM_MAX_PAGES && this.xmpp === xmpp; page++) {
      const queryid = `mam${++this.queries}`;
      const collected: Array<{ forwarded: Element; archiveId?: string }> = [];
      this.archivePages.set(queryid, { from: room ?? this.jid, items: collected });
      let fin: Element | undefined;
      try {
        const rsm = xml('set', { xmlns: NS_RSM }, xml('max', {}, String(MAM_PAGE)), after ? xml('after', {}, after) : xml('before'));
        // XEP-0313 §4: our own archive, or a room's (XEP-0313 §4.1.1: the query goes to the room).
        const answer = await xmpp.iqCaller.request(xml('iq', { type: 'set', ...(room ? { to: room } : {}) }, xml('query', { xmlns: NS_MAM, queryid }, rsm)), CONFIRM_TIMEOUT_MS);
        fin = answer.getChild('fin', NS_MAM);
      } finally {
        this.archivePages.delete(queryid);
      }
      if (this.xmpp !== xmpp) return;
      const own = xmpp.jid?.toString();
      const messages: IncomingMessage[] = [];
      for (const { forwarded, archiveId } of collected) {
        const inner = forwarded.getChild('message');
        if (!inner || (own && inner.attrs.from === own)) continue; // sent by this very client: stored when it was sent
        const stamp = forwarded.getChild('delay', NS_DELAY)?.attrs.stamp;
        const time = stamp ? new Date(stamp) : undefined;
        const m = room ? this.muc.fromArchive(room, inner, archiveId, time, ID_PREFIX) : this.toIncoming(inner, { archiveId, time });
        if (m) messages.push(m);
      }
      const last = fin?.getChild('set', NS_RSM)?.getChildText('last') ?? undefined;
      this.emit(messages, last, room);
      this.log.debug('xmpp: archive %s page %d: %d messages, last %s', room ?? 'own', page, messages.length, last ?? '-');
      if (first || fin?.attrs.complete === 'true' || !last) break;
      after = last;
    }
    if (room) this.roomsCaughtUp.add(room);
  }

  // ---- state -----------------------------------------------------------------------------------

  private live(): XmppClient {
    if (!this.xmpp || this.status !== 'connected') throw new OfflineError('the account is not connected');
    return this.xmpp;
  }

  private lost(err: unknown): void {
    this.teardown();
    this.state.set('disconnected', 'network-error', err ? describe(err) : 'the connection was closed');
  }

  /** XEP-0402 §3.2: the bookmarks at login; autojoin ones are joined. */
  private async loadBookmarks(xmpp: XmppClient): Promise<void> {
    try {
      const answer = await xmpp.iqCaller.request(fetchBookmarks(), CONFIRM_TIMEOUT_MS);
      if (this.xmpp === xmpp) this.applyBookmarks(parseBookmarks(answer.getChild('pubsub', NS_PUBSUB)?.getChild('items')));
    } catch (e) {
      this.log.debug('xmpp: no bookmarks: %s', describe(e)); // item-not-found: none yet
    }
  }

  private applyBookmarks({ bookmarks, removed }: { bookmarks: Bookmark[]; removed: string[] }): void {
    for (const b of bookmarks) {
      if (b.autojoin && !this.muc.isRoom(b.room)) {
        this.joinRoom(b.room, b.password, b.nick, false).catch((e) => this.log.warn('xmpp: bookmarked room %s: %s', b.room, describe(e)));
      } else if (!b.autojoin && this.muc.isRoom(b.room)) void this.muc.leave(b.room);
    }
    for (const room of removed) if (this.muc.isRoom(room)) void this.muc.leave(room);
  }

  /**
   * Liveness (XEP-0199 §4.1): a ping to the server every `ping-interval`; no answer within as long
   * again and the socket is dropped — resumed if it can be, else reported lost.
   */
  private startPings(xmpp: XmppClient): void {
    const every = Number(this.account.params['ping-interval'] ?? 60) * 1000;
    clearInterval(this.pinger);
    let waiting = false;
    this.pinger = setInterval(() => {
      if (this.xmpp !== xmpp || this.resuming || waiting) return;
      waiting = true;
      xmpp.iqCaller.request(xml('iq', { type: 'get', to: this.domain }, xml('ping', { xmlns: NS_PING })), every)
        .catch((e: Error) => {
          if (this.xmpp !== xmpp || this.resuming || !/timeout/i.test(`${e.name} ${e.message}`)) return;
          this.log.warn('xmpp: no answer to a ping for %d s; dropping the connection', every / 1000);
          destroySocket(xmpp);
        })
        .finally(() => {
          waiting = false;
        });
    }, every);
    this.pinger.unref();
  }

  /** Room or direct, for a JID the user typed (room-discovery.ts); a room we are in is one without asking. */
  private async kindOf(target: string): Promise<ChannelKind | undefined> {
    const jid = normalizeJid(target);
    if (this.muc.isRoom(jid)) return 'room';
    const ask = discoInfoVia((to, q) => this.live().iqCaller.request(xml('iq', { type: 'get', to }, xml(q.name, { xmlns: q.xmlns })), INFO_TIMEOUT_MS));
    return roomOrDirect(jid, ask);
  }

  /** Leaves a room, and tells the user's other clients (the bookmark no longer autojoins). */
  private async leaveRoom(room: string, message?: string): Promise<void> {
    const jid = normalizeJid(room);
    await this.muc.leave(jid, message);
    if (this.xmpp && this.status === 'connected') {
      await this.xmpp.iqCaller.request(publishBookmark({ room: jid, autojoin: false }), CONFIRM_TIMEOUT_MS).catch((e) => this.log.debug('xmpp: bookmark not updated: %s', describe(e)));
    }
  }

  /** Joins a room, then fills what it said while we were away from its archive (XEP-0313). */
  private async joinRoom(room: string, key?: string, nick?: string, bookmark = true): Promise<ChannelRef> {
    const xmpp = await this.ready();
    const ref = await this.muc.join(room, key, nick);
    // XEP-0402: what the user joins here, their other clients join too.
    if (bookmark) xmpp.iqCaller.request(publishBookmark({ room: ref.target, autojoin: true }), CONFIRM_TIMEOUT_MS).catch((e) => this.log.debug('xmpp: bookmark not published: %s', describe(e)));
    this.roomsCaughtUp.delete(ref.target);
    void this.catchUp(xmpp, ref.target).catch((e) => this.log.debug('xmpp: no archive for %s: %s', ref.target, describe(e)));
    return ref;
  }

  private teardown(): void {
    clearInterval(this.pinger);
    this.book.clear();
    this.roomsCaughtUp.clear();
    this.muc.clear();
    this.acks?.failAll();
    this.acks = undefined;
    const xmpp = this.xmpp;
    this.xmpp = undefined;
    if (!xmpp) return;
    xmpp.removeAllListeners('stanza');
    xmpp.on('error', () => undefined); // a late socket error must not become an unhandled 'error'
    if (!this.requestedStop) {
      xmpp.stop().catch(() => undefined);
      setTimeout(() => destroySocket(xmpp), 1000).unref(); // a server that never closes its side does not keep the socket
    }
  }
}

/** RFC 6121 §2.1.2.5: subscription `to` or `both` — we may see their presence and PEP data. */
function seesTheirPresence(item: RosterItem): boolean {
  return /^(to|both)/.test(item.subscription);
}

/** Drops the connection's socket: a net.Socket over TCP, inside @xmpp/tls's wrapper over TLS. */
function destroySocket(xmpp: XmppClient): void {
  const s = xmpp.socket as { socket?: { destroy(): void }; destroy?: () => void } | null;
  if (s?.socket) s.socket.destroy();
  else s?.destroy?.();
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** The typed error and status reason for why a connection attempt failed. */
function classify(err: unknown, host: string, port: number): { error: ConfabError; reason: StatusReason } {
  if (err instanceof ConfabError) {
    return { error: err, reason: err.code === 'AuthenticationFailed' ? 'auth-failed' : err.code === 'CertificateInvalid' ? 'cert-invalid' : 'protocol-error' };
  }
  const e = err as { name?: string; code?: string; condition?: string; message?: string };
  if (e?.name === 'SASLError') {
    return { error: new ConfabError('AuthenticationFailed', `${host} refused the login (${e.condition ?? 'not-authorized'})`), reason: 'auth-failed' };
  }
  if (isCertificateError(e?.code)) {
    return { error: new ConfabError('CertificateInvalid', `${host}'s certificate is not valid: ${e.message ?? e.code} (${e.code}); give its CA with tls-ca`), reason: 'cert-invalid' };
  }
  if (e?.code === 'ECONNREFUSED') return { error: new ConfabError('NetworkError', `${host}:${port} refused the connection`), reason: 'network-error' };
  return { error: new ConfabError('NetworkError', `${host}:${port}: ${e?.message ?? String(err)}`), reason: 'network-error' };
}
