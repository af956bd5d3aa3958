/**
 * One SIP account's session on sip.js: REGISTER (RFC 3261 §10) kept fresh by sip.js's Registerer,
 * MESSAGE both ways (RFC 3428), our presence PUBLISHed (RFC 3903) and contacts' presence through
 * SUBSCRIBE/NOTIFY (RFC 3856, 6665), calls (INVITE, RFC 3261 §13; calls/) when the daemon gives us
 * confab-media, over the NodeTransport. The daemon reconnects; this never does — except the flow
 * under answered calls: a TCP/TLS/WebSocket flow lost while a call is up is re-opened here, the binding
 * registered again and each call's peer told our new address (a target refresh), so the calls go on
 * (RFC 5626 §4.4's flow recovery, without its outbound extension; calls/sip-calls.ts refreshTargets).
 */
import {
  Messager, Registerer, RegistererState, Subscriber, SubscriptionState, UserAgent,
  type Core, type Invitation, type Message, type Notification, type URI,
} from 'sip.js';
import {
  ConfabError, DisposableStore, Emitter, StatusHolder, InvalidArgumentError, NetworkError, NotFoundError, OfflineError,
  type AccountConfig, type CallsFacet, type ChannelRef, type ChatState, type ChatStateChange, type ChatStatesFacet, type Connection, type ConnectionStatus,
  type ContactInfo, type ContactPresence, type ContactsFacet, type IncomingMessage, type Logger, type OutgoingMessage,
  type MediaService, type Presence, type SendReceipt, type StatusChange,
} from '@confab/sdk';
import { MediaAccess } from '@confab/media';
import { callIceServers } from './calls/ice-servers';
import { SipCalls } from './calls/sip-calls';
import { Digest } from './digest';
import { ACCEPTED_TYPES, ISCOMPOSING_TYPE, buildIsComposing, decodeMessage } from './message-content';
import { NodeTransport, type NodeTransportOptions, type SipTransportName } from './node-transport';
import { PIDF_TYPE, buildPidf, parsePidf } from './pidf';
import { PresencePublisher } from './presence-publisher';
import { sipError } from './sip-errors';
import { normalizeSipAddress, parseSipAddress } from './sip-uri';
import { accountSettings, type SipSettings } from './sip-settings';

type IncomingResponse = Core.IncomingResponse;

const PLACEHOLDER_HOST = 'confab.invalid'; // sip.js writes it into Via and Contact; the transport puts our address into Contact
const ACTION_PREFIX = '/me '; // SIP has no actions; the IRC/XMPP convention (XEP-0245) travels as text
/** Waits before each attempt to re-open a flow lost under a call: ~7 s in all, then the account is lost. */
const FLOW_RETRIES_MS = [0, 250, 750, 2000, 4000];

export class SipConnection implements Connection {
  private readonly bag = new DisposableStore();
  private readonly state = this.bag.add(new StatusHolder());
  private readonly messagesEmitter = this.bag.add(new Emitter<readonly IncomingMessage[]>());
  private readonly chatStateEmitter = this.bag.add(new Emitter<ChatStateChange>());
  private readonly presenceEmitter = this.bag.add(new Emitter<readonly ContactPresence[]>());
  readonly onStatusChanged = this.state.onChanged;
  readonly onMessages = this.messagesEmitter.event;
  readonly contacts: ContactsFacet;
  /** isComposing (RFC 3994) both ways. */
  readonly chatStates: ChatStatesFacet = {
    onChatState: this.chatStateEmitter.event,
    set: (channel, state) => this.setChatState(channel, state),
  };

  /** Calls, when the daemon gives us confab-media (ConnectionServices.media). */
  readonly calls?: CallsFacet;
  private readonly sipCalls?: SipCalls;
  private readonly mediaAccess?: MediaAccess;

  private readonly settings: SipSettings;
  private ua?: UserAgent;
  private registerer?: Registerer;
  /** Our presence at the server; a new one for each registration. */
  private publisher?: PresencePublisher;
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly watched = new Set<string>();
  private readonly lastPresence = new Map<string, ContactPresence>();
  private presence: Presence = { status: 'available', message: '' };
  /**
   * MESSAGEs awaiting their answer at once. Over UDP every late answer costs a retransmission at
   * T1 (500 ms), and the daemon's outbox sends up to 64 together: measured against kamailio, 50 in
   * flight fell from ~250 to ~60 msg/s with a request lost (408), 10 kept ~250 (bench/sip).
   */
  private readonly sendSlots: Slots;
  /** disconnect() is unregistering: the registration ending is no loss. */
  private closing = false;
  /** The flow is being re-opened under answered calls: resolves true when it is back (messages wait for it). */
  private recovering?: Promise<boolean>;

  constructor(account: AccountConfig, private readonly log: Logger, media?: MediaService) {
    this.settings = accountSettings(account.params);
    if (media) {
      this.mediaAccess = new MediaAccess(media);
      this.calls = this.sipCalls = new SipCalls({
        agent: () => this.connectedAgent(),
        uriOf: (target) => this.uriOf(target),
        peerOf: contactOf,
        localAddress: () => this.localAddress(),
        srtp: this.settings.mediaEncryption === 'srtp',
        dtlsSrtp: this.settings.mediaEncryption === 'dtls-srtp',
        iceServers: async () => callIceServers(this.settings.ice, (await media.iceServers?.()) ?? [], this.settings.authUser),
        rtpTimeout: this.settings.rtpTimeout,
        media: this.mediaAccess,
        log: log.child('calls'),
      });
    }
    this.sendSlots = new Slots(this.settings.transport === 'udp' ? 8 : 32);
    this.contacts = {
      onPresence: this.presenceEmitter.event,
      watch: (ids, on) => this.watch(ids, on),
      info: (id) => this.info(id),
    };
  }

  get status(): ConnectionStatus {
    return this.state.status;
  }

  async connect(): Promise<void> {
    if (this.status !== 'disconnected') return;
    this.state.set('connecting', 'none');
    const s = this.settings;
    try {
      const ua = this.createUserAgent();
      this.ua = ua;
      await ua.start(); // opens the transport
      const registerer = new Registerer(ua, { expires: s.expires, refreshFrequency: 80, logConfiguration: false });
      this.registerer = registerer;
      await this.register(registerer);
      this.publisher = new PresencePublisher(ua.userAgentCore, UserAgent.makeURI(`sip:${s.aor}`)!, {
        event: 'presence', contentType: PIDF_TYPE, expires: 3600, log: this.log.child('publish'),
      });
    } catch (err) {
      const e = err instanceof ConfabError ? err : new NetworkError((err as Error).message);
      await this.shutdown();
      this.state.set('disconnected', reasonOf(e), e.message);
      throw e;
    }
    this.registerer?.stateChange.addListener((state) => {
      // A refresh the registrar refused or that timed out: the account is no longer reachable.
      if (state === RegistererState.Unregistered && this.status === 'connected') this.lost('the registration was not renewed');
    });
    this.state.set('connected', 'none');
    void this.publish();
    for (const id of this.watched) this.subscribe(id);
  }

  async disconnect(): Promise<void> {
    if (this.status === 'disconnected') return;
    this.closing = true;
    await this.sipCalls?.endAll('network-error', 'the account was disconnected', true); // BYE / CANCEL before we leave
    const registerer = this.registerer;
    await Promise.race([
      Promise.allSettled([
        this.publisher?.close(),
        ...[...this.subscribers.values()].map((sub) => sub.unsubscribe()),
        registerer?.unregister(), // RFC 3261 §10.2.2: Expires 0
      ]),
      new Promise((r) => setTimeout(r, 2000).unref()),
    ]);
    await this.shutdown();
    this.closing = false;
    this.state.set('disconnected', 'requested');
  }

  async setPresence(presence: Presence): Promise<void> {
    this.presence = presence;
    if (this.status === 'connected') await this.publish();
  }

  normalizeTarget(ref: ChannelRef): ChannelRef {
    return { kind: ref.kind, target: this.addressOf(ref.target) };
  }

  async sendMessage(message: OutgoingMessage): Promise<SendReceipt> {
    await this.flowBack();
    const ua = this.connectedAgent();
    if (message.channel.kind !== 'direct') throw new InvalidArgumentError('SIP has no rooms here');
    const body = message.kind === 'action' ? `${ACTION_PREFIX}${message.body}` : message.body;
    const target = this.uriOf(message.channel.target);
    const response = await this.sendSlots.run(() => this.request((requestDelegate) =>
      new Messager(ua, target, body, 'text/plain;charset=UTF-8').message({ requestDelegate }), 'MESSAGE'));
    const date = response.message.getHeader('date'); // RFC 3261 §20.17
    const serverTime = date ? new Date(date) : undefined;
    return { serverTime: serverTime && !Number.isNaN(serverTime.getTime()) ? serverTime : undefined };
  }

  private async setChatState(channel: ChannelRef, state: ChatState): Promise<void> {
    if (channel.kind !== 'direct' || (state !== 'composing' && state !== 'paused')) return;
    await this.flowBack();
    const ua = this.connectedAgent();
    await this.request((requestDelegate) =>
      new Messager(ua, this.uriOf(channel.target), buildIsComposing(state), ISCOMPOSING_TYPE).message({ requestDelegate }), 'isComposing'); // RFC 3994 §3
  }

  dispose(): void {
    void this.sipCalls?.endAll('network-error', 'the account was disconnected', false);
    void this.shutdown();
    this.bag.dispose();
  }

  // --- connection -------------------------------------------------------------------------------

  private createUserAgent(): UserAgent {
    const s = this.settings;
    const transportOptions: NodeTransportOptions = {
      transport: s.transport, host: s.server, port: s.port, path: s.wsPath, ca: s.tlsCa,
      keepAliveSeconds: s.keepAlive, placeholderHost: PLACEHOLDER_HOST, log: this.log.child('transport'),
    };
    const uri = UserAgent.makeURI(`sip:${s.aor}`);
    if (!uri) throw new InvalidArgumentError(`'${s.aor}' is not a SIP URI`);
    const ua = new UserAgent({
      uri,
      transportConstructor: NodeTransport as unknown as NonNullable<ConstructorParameters<typeof UserAgent>[0]>['transportConstructor'],
      transportOptions,
      authorizationUsername: s.authUser,
      authorizationPassword: s.password,
      displayName: s.displayName,
      viaHost: PLACEHOLDER_HOST,
      contactParams: { transport: s.transport },
      forceRport: true, // RFC 3581
      reconnectionAttempts: 0, // the daemon's supervisor reconnects, with backoff
      userAgentString: 'Confab (sip.js 0.21)',
      logBuiltinEnabled: false,
      logConfiguration: false,
      logConnector: (level, category, _label, content) => {
        if (level === 'error') this.log.warn('sip.js %s: %s', category, content);
        else this.log.debug('sip.js %s: %s', category, content);
      },
      delegate: {
        onDisconnect: (error) => { if (error) this.flowLost(error.message); },
        onMessage: (m) => this.received(m),
        onNotify: (n) => { void n.reject({ statusCode: 481 }); }, // NOTIFYs for our subscriptions go to their Subscriber
        onInvite: (i) => (this.sipCalls ? this.sipCalls.incoming(i) : this.refuseCall(i)),
      },
      // Calls: our SDH on confab-media; we send 180 ourselves once the offer is known to be answerable
      // (sip.js would ring before its onInvite runs); sip.js's own no-answer timer (480) stays behind
      // the daemon's 60 s one.
      sessionDescriptionHandlerFactory: (session) => {
        if (!this.sipCalls) throw new NotFoundError('calls need confab-media');
        return this.sipCalls.sdhFactory(session);
      },
      sendInitialProvisionalResponse: false,
      noAnswerTimeout: 90,
    });
    // sip.js answers MD5 challenges only; RFC 8760's SHA-256 and SHA-512/256 through our Digest.
    ua.userAgentCore.configuration.authenticationFactory = () => (s.password === undefined ? undefined : new Digest(s.authUser, s.password) as never);
    return ua;
  }

  /** REGISTER (RFC 3261 §10.2), resolved when the registrar accepted our binding. */
  private register(registerer: Registerer): Promise<void> {
    return this.request((requestDelegate) => registerer.register({ requestDelegate }), 'registration').then(() => undefined);
  }

  /** Sends one request through sip.js and resolves with its final 2xx, or rejects with the typed error of its failure. */
  private request(send: (d: { onAccept(r: IncomingResponse): void; onReject(r: IncomingResponse): void }) => Promise<unknown>, what: string): Promise<IncomingResponse> {
    return new Promise<IncomingResponse>((resolve, reject) => {
      send({
        onAccept: resolve,
        onReject: (r) => reject(sipError(r.message.statusCode ?? 500, r.message.reasonPhrase ?? '', what)),
      }).catch((err: unknown) => reject(err instanceof ConfabError ? err : new NetworkError(`${what}: ${(err as Error).message}`)));
    });
  }

  private connectedAgent(): UserAgent {
    if (this.status !== 'connected' || !this.ua) throw new OfflineError();
    return this.ua;
  }

  /**
   * The transport lost its flow. With answered calls on a stream transport the flow is re-opened here
   * (bounded: FLOW_RETRIES_MS) and the calls go on; otherwise, or when that fails, the account is lost
   * and the daemon reconnects it with a new user agent (the calls end `network-error`).
   */
  private flowLost(why: string): void {
    if (this.status !== 'connected' || this.closing || this.recovering) return;
    const ua = this.ua;
    const registerer = this.registerer;
    if (!ua || !registerer || this.settings.transport === 'udp' || !this.sipCalls?.answered()) {
      this.lost(why);
      return;
    }
    this.log.info('SIP flow lost during %d call(s) (%s): re-opening it', this.sipCalls.answered(), why);
    this.sipCalls.endUnanswered('network-error', `the SIP flow was lost before the call was answered: ${why}`);
    this.recovering = this.recoverFlow(ua, registerer, this.sipCalls).then((ok) => {
      this.recovering = undefined;
      if (!ok && this.ua === ua) this.lost(why);
      return ok;
    });
  }

  private async recoverFlow(ua: UserAgent, registerer: Registerer, calls: SipCalls): Promise<boolean> {
    for (const delay of FLOW_RETRIES_MS) {
      await new Promise((r) => setTimeout(r, delay).unref());
      if (this.ua !== ua || this.closing || this.status !== 'connected') return false;
      try {
        await ua.reconnect(); // a new flow: a new local port, so a new Contact (node-transport.ts withRealContact)
        await this.register(registerer); // RFC 3261 §10.2.1: the binding for the new Contact
        const kept = await calls.refreshTargets();
        for (const sub of this.subscribers.values()) {
          if (sub.state === SubscriptionState.Subscribed) void sub.subscribe().catch(() => undefined); // RFC 6665 §4.1.2.1: a refresh carries the new Contact
        }
        this.log.info('SIP flow re-opened; %d call(s) go on', kept);
        return true;
      } catch (err) {
        this.log.info('re-opening the SIP flow failed: %s', (err as Error).message);
        await ua.transport.disconnect().catch(() => undefined);
      }
    }
    return false;
  }

  /** Waits while the flow is being re-opened; Offline when it could not be. */
  private async flowBack(): Promise<void> {
    if (this.recovering && !(await this.recovering)) throw new OfflineError();
  }

  private lost(why: string): void {
    if (this.status === 'disconnected' || this.closing) return;
    this.log.info('SIP account lost: %s', why);
    void this.sipCalls?.endAll('network-error', why, false); // the flow is gone: nothing can be signalled
    void this.shutdown();
    this.state.set('disconnected', 'network-error', why);
  }

  private async shutdown(): Promise<void> {
    const ua = this.ua;
    this.publisher?.dispose();
    this.ua = this.registerer = this.publisher = undefined;
    for (const sub of this.subscribers.values()) void sub.dispose().catch(() => undefined);
    this.subscribers.clear();
    if (!ua) return;
    // sip.js's stop() waits for its transactions; bounded, then the transport is closed regardless.
    await Promise.race([ua.stop().catch((err: unknown) => this.log.debug('stopping sip.js: %s', (err as Error).message)), new Promise((r) => setTimeout(r, 2000).unref())]);
    await ua.transport.disconnect().catch(() => undefined);
    this.mediaAccess?.dispose(); // confab-media ends whatever session of ours is left
  }

  /** Our IP address on the SIP flow, where media binds (127.0.0.1 to a server on loopback). */
  private localAddress(): string {
    const ip = (this.ua?.transport as unknown as NodeTransport | undefined)?.localAddress;
    if (!ip) throw new ConfabError('NotAvailable', 'the SIP flow has no local address yet');
    return ip;
  }

  // --- messages ---------------------------------------------------------------------------------

  /** An incoming MESSAGE: stored by the daemon when the event fires, then accepted with 200 (RFC 3428 §7). */
  private received(m: Message): void {
    const req = m.request;
    let sender: string;
    try {
      sender = contactOf(req.from.uri);
    } catch {
      void m.reject({ statusCode: 400, reasonPhrase: 'Bad From' });
      return;
    }
    const content = decodeMessage(req.getHeader('content-type'), req.body ?? '');
    const channel: ChannelRef = { kind: 'direct', target: sender };
    if (content.type === 'unsupported') {
      void m.reject({ statusCode: 415, extraHeaders: [`Accept: ${ACCEPTED_TYPES.join(', ')}`] }); // RFC 3428 §7
      return;
    }
    if (content.type === 'chat-state') {
      this.chatStateEmitter.fire({ channel, contact: sender, state: content.state });
      void m.accept();
      return;
    }
    const action = content.body.startsWith(ACTION_PREFIX);
    const date = req.getHeader('date');
    const serverTime = date ? new Date(date) : undefined;
    this.messagesEmitter.fire([{
      channel,
      sender: { id: sender, name: req.from.displayName || undefined },
      body: action ? content.body.slice(ACTION_PREFIX.length) : content.body,
      kind: action ? 'action' : 'normal',
      serverTime: serverTime && !Number.isNaN(serverTime.getTime()) ? serverTime : undefined,
      protocolId: `${req.callId} ${req.cseq}`, // a MESSAGE retransmitted after its 200 was lost is the same message
    }]);
    void m.accept();
  }

  /** No confab-media here (a connection made without ConnectionServices.media): no calls. */
  private refuseCall(invitation: Invitation): void {
    void invitation.reject({ statusCode: 488 }).catch(() => undefined); // RFC 3261 §21.4.26
  }

  // --- presence ---------------------------------------------------------------------------------

  /** PUBLISH our presence (RFC 3903 §4): one request at a time, the newest presence wins. */
  private publish(): Promise<void> {
    return this.publisher?.publish(buildPidf(`sip:${this.settings.aor}`, this.presence)) ?? Promise.resolve();
  }

  private watch(ids: readonly string[], on: boolean): void {
    for (const raw of ids) {
      let id: string;
      try {
        id = this.addressOf(raw);
      } catch {
        continue;
      }
      if (on) {
        this.watched.add(id);
        if (this.status === 'connected') this.subscribe(id);
      } else {
        this.watched.delete(id);
        const sub = this.subscribers.get(id);
        this.subscribers.delete(id);
        void sub?.unsubscribe().catch(() => undefined);
      }
    }
  }

  /** SUBSCRIBE to a contact's presence (RFC 3856 §6.4); NOTIFY bodies are PIDF. */
  private subscribe(id: string): void {
    const ua = this.ua;
    if (!ua || this.subscribers.has(id)) return;
    const sub = new Subscriber(ua, this.uriOf(id), 'presence', { expires: 600, extraHeaders: [`Accept: ${PIDF_TYPE}`] });
    sub.delegate = {
      onNotify: (n: Notification) => {
        void n.accept();
        this.reportPresence(parsePidf(id, n.request.body ?? ''));
      },
    };
    sub.stateChange.addListener((state) => {
      if (state !== SubscriptionState.Terminated) return;
      if (this.subscribers.get(id) === sub) this.subscribers.delete(id);
      this.reportPresence({ id, status: 'unknown', message: '' });
    });
    this.subscribers.set(id, sub);
    sub.subscribe().catch((err: unknown) => this.log.debug('SUBSCRIBE %s: %s', id, (err as Error).message));
  }

  private reportPresence(p: ContactPresence): void {
    const last = this.lastPresence.get(p.id);
    if (last && last.status === p.status && last.message === p.message) return;
    this.lastPresence.set(p.id, p);
    this.presenceEmitter.fire([p]);
  }

  private async info(raw: string): Promise<ContactInfo> {
    const id = this.addressOf(raw);
    if (!this.watched.has(id) && !this.lastPresence.has(id)) throw new NotFoundError(`${id} is not a contact of this account`);
    const p = this.lastPresence.get(id);
    return { address: `sip:${id}`, ...(p ? { presence: p.status, note: p.message } : {}) };
  }

  // --- addresses --------------------------------------------------------------------------------

  /** A contact id from what the user typed: a bare name is on our own domain. */
  private addressOf(target: string): string {
    return normalizeSipAddress(target.includes('@') ? target : `${target}@${parseSipAddress(this.settings.aor).host}`);
  }

  private uriOf(target: string): URI {
    const uri = UserAgent.makeURI(`sip:${this.addressOf(target)}`);
    if (!uri) throw new InvalidArgumentError(`'${target}' is not a SIP address`);
    return uri;
  }
}

/** At most `size` tasks at once, the others waiting in order. */
class Slots {
  private busy = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.busy >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes on directly
      else this.busy--;
    }
  }
}

/** The contact id of a From URI (user@host[:port]); throws InvalidArgument. */
function contactOf(uri: URI): string {
  return normalizeSipAddress(`${uri.user ?? ''}@${uri.host}${uri.port ? `:${uri.port}` : ''}`);
}

function reasonOf(e: ConfabError): StatusChange['reason'] {
  switch (e.code) {
    case 'AuthenticationFailed': case 'PermissionDenied': return 'auth-failed';
    case 'CertificateInvalid': return 'cert-invalid';
    case 'InvalidArgument': case 'InvalidConfig': return 'config-error';
    case 'NetworkError': case 'NotAvailable': case 'Offline': return 'network-error';
    default: return 'protocol-error';
  }
}

export type { SipTransportName };
