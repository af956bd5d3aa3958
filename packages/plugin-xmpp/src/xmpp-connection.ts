/**
 * One XMPP account's session, on @xmpp/client 0.14: connecting (stream/client.ts sets the client
 * up: STARTTLS or direct TLS, our SCRAM then PLAIN, over TLS only), resuming (stream/resume.ts),
 * sending, and the state between. What the server sends goes through the handler table
 * (handlers/index.ts: one module per XEP); the contacts (contacts.ts), rooms (muc.ts) and archive
 * (handlers/mam.ts) keep their own state.
 *
 * A sent message is confirmed when the server has it: by stream management's ack (XEP-0198), or
 * where the server has none by the answer to an IQ ping sent after it — stanzas are handled in order
 * (RFC 6120 §10.1). An error bounced for its id (RFC 6120 §8.3) arriving first fails it.
 */
import { xml, type Element, type XmppClient } from '@xmpp/client';
import {
  ConfabError, DisposableStore, Emitter, OfflineError, StatusHolder,
  type AccountConfig, type AccountState, type ChannelKind, type ChannelRef, type ChatState, type ChatStateChange, type ChatStatesFacet, type Connection, type ConnectionStatus,
  type ContactsFacet, type DeliveryReport, type IncomingMessage, type Logger, type OutgoingMessage, type Presence, type ReceiptsFacet, type RoomChange,
  type RoomInvitation, type RoomsFacet, type SendReceipt, type CallsFacet, type MediaService,
} from '@confab/sdk';
import { join } from 'node:path';
import { Avatars } from './avatars';
import { connectionCalls, serveJingle, type ConnectionCalls } from './calls/connection-calls';
import { fetchBookmarks, publishBookmark } from './bookmarks';
import { XmppContacts } from './contacts';
import { applyBookmarks } from './handlers/bookmarks';
import { enableCarbons } from './handlers/carbons';
import { toIncoming } from './handlers/chat';
import { chatStateStanza } from './handlers/chat-states';
import { capsElement, discoHandlers } from './handlers/disco';
import { dispatch, rosterHandlers, serveIqs, XMPP_HANDLERS, type XmppContext } from './handlers/index';
import { Archive, type ArchiveSession } from './handlers/mam';
import { NS_PUBSUB } from './handlers/pep';
import { ID_PREFIX, receiptRequests } from './handlers/receipts';
import { normalizeJid } from './jid';
import { MucRooms } from './muc';
import { discoInfoVia, roomOrDirect } from './room-discovery';
import { listMucRooms } from './room-list';
import { NS_ROSTER } from './roster';
import { verifyServerFinal, type ScramState } from './scram';
import { StreamAcks, type StreamManagement } from './stream-acks';
import { ConfigProblem, createClient, readSettings, type Settings } from './stream/client';
import { classify, describe, destroySocket } from './stream/failures';
import { ping, startPings } from './stream/liveness';
import { resumeSession } from './stream/resume';

const CONFIRM_TIMEOUT_MS = 60_000;
const INFO_TIMEOUT_MS = 5_000;
/** How long one page of a room listing may take (a service with many rooms answers slower). */
const LIST_TIMEOUT_MS = 15_000;
const NS_SID = 'urn:xmpp:sid:0';
const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';

export class XmppConnection implements Connection {
  private readonly bag = new DisposableStore();
  private readonly state = this.bag.add(new StatusHolder());
  readonly onStatusChanged = this.state.onChanged;
  private readonly messagesEmitter = this.bag.add(new Emitter<readonly IncomingMessage[]>());
  readonly onMessages = this.messagesEmitter.event;
  private readonly chatStateEmitter = this.bag.add(new Emitter<ChatStateChange>());
  private readonly deliveryEmitter = this.bag.add(new Emitter<readonly DeliveryReport[]>());
  private readonly roomEmitter = this.bag.add(new Emitter<RoomChange>());
  private readonly invitedEmitter = this.bag.add(new Emitter<RoomInvitation>());
  private readonly muc: MucRooms;
  private readonly avatars: Avatars;
  private readonly people: XmppContacts;
  private readonly archive: Archive;
  private readonly inbound: XmppContext;
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
    // XEP-0045 §6.3: disco#items of the MUC service (room-list.ts)
    list: (options, onRooms, signal) => listMucRooms((to, q) => this.live().iqCaller.request(xml('iq', { type: 'get', to }, q), LIST_TIMEOUT_MS), this.domain, options, onRooms, signal),
  };
  readonly contacts: ContactsFacet;
  readonly chatStates: ChatStatesFacet = {
    onChatState: this.chatStateEmitter.event,
    set: (channel, state) => this.setChatState(channel, state),
  };
  // XEP-0184 receipts and XEP-0333 markers, read by handlers/receipts.ts
  readonly receipts: ReceiptsFacet = { onDelivery: this.deliveryEmitter.event };
  /** Jingle calls (calls/), when the daemon gives us confab-media (ConnectionServices.media). */
  readonly calls?: CallsFacet;
  private readonly callParts: ConnectionCalls; // the calls, and the disco features that say so

  private xmpp: XmppClient | undefined;
  private requestedStop = false;
  private readonly bounced = new Map<string, ConfabError>(); // message id → why the server refused it
  private readonly waiting = new Set<string>(); // ids of sent messages not yet confirmed
  private ids = 0; // numbers for our stanza and query ids
  private acks: StreamAcks | undefined; // XEP-0198 acknowledgements, when the server has stream management
  private resuming: Promise<boolean> | undefined; // a dropped socket being resumed (XEP-0198 §5)
  private pinger: NodeJS.Timeout | undefined; // liveness pings (XEP-0199)

  constructor(
    private readonly account: AccountConfig,
    private readonly log: Logger,
    state?: AccountState,
    cacheDir?: string,
    media?: MediaService,
  ) {
    this.callParts = connectionCalls(media, { jid: () => this.jid, live: () => this.live() }, log);
    this.calls = this.callParts.jingle;
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
    this.people = new XmppContacts({
      live: () => this.session(this.live()),
      session: () => (this.xmpp ? this.session(this.xmpp) : undefined),
    }, this.avatars, this.bag);
    this.contacts = this.people;
    this.archive = new Archive({
      jid: () => this.jid,
      fire: (messages) => this.messagesEmitter.fire(messages),
      nextId: () => ++this.ids,
      ownMessage: (inner, archived) => toIncoming(inner, this.jid, (jid) => this.people.displayName(jid), archived),
      roomMessage: (room, inner, archiveId, time) => this.muc.fromArchive(room, inner, archiveId, time, ID_PREFIX),
      state,
      log,
    });
    this.inbound = this.inboundContext();
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
    let settings: Settings;
    try {
      settings = readSettings(this.account.params, this.jid);
    } catch (e) {
      if (!(e instanceof ConfigProblem)) throw e;
      this.state.set('disconnected', 'config-error', e.detail);
      return Promise.reject(e.error);
    }
    this.requestedStop = false;
    this.state.set('connecting', 'requested');
    const scram: ScramState = {};
    const { xmpp, sm } = createClient(settings, scram, this.log);
    this.xmpp = xmpp;
    this.acks = new StreamAcks(sm, () => new OfflineError('the session was lost before the server acknowledged the message'));
    return this.attempt(xmpp, sm, settings, scram);
  }

  /** Starts the client; resolves once online, rejects (status disconnected with the reason) if it never gets there. */
  private attempt(xmpp: XmppClient, sm: StreamManagement, s: Settings, scram: ScramState): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let lastError: unknown;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        const { error, reason } = classify(err, s.host, s.port);
        this.teardown();
        this.state.set('disconnected', reason, error.message);
        reject(error);
      };
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
        this.online(xmpp);
        resolve();
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
          fail(new ConfabError('AuthenticationFailed', `${s.host} could not prove that it knows the password (SCRAM server signature)`));
        }
      });
      this.listen(xmpp);
      xmpp.start().catch(fail);
    });
  }

  /** What the server sends: stanzas through the handler table, IQ requests to their handlers. */
  private listen(xmpp: XmppClient): void {
    xmpp.on('stanza', (stanza: Element) => {
      try {
        dispatch(XMPP_HANDLERS, this.inbound, stanza);
      } catch (e) {
        this.log.warn('xmpp: dropped a stanza we could not handle: %s', describe(e)); // never crash on input
      }
    });
    serveIqs(xmpp.iqCallee, discoHandlers, this.callParts.features);
    serveJingle(xmpp, this.callParts.jingle, () => this.xmpp === xmpp);
    const inbound = this.inbound;
    serveIqs(xmpp.iqCallee, rosterHandlers, {
      get jid() {
        return inbound.jid;
      },
      applyRoster: (query, full) => {
        if (this.xmpp === xmpp) this.people.applyRoster(query, full); // a client we dropped no longer speaks for the account
      },
    });
  }

  /** Logged in: connected, watched by pings, and the rest of the login done behind. */
  private online(xmpp: XmppClient): void {
    this.archive.loggedIn();
    this.state.set('connected', 'requested');
    const every = Number(this.account.params['ping-interval'] ?? 60) * 1000;
    clearInterval(this.pinger);
    this.pinger = startPings(xmpp, this.domain, every, () => this.xmpp === xmpp && !this.resuming, this.log);
    void this.afterLogin(xmpp);
  }

  /** Roster (RFC 6121 §2.2), carbons on (XEP-0280 §4), the archive caught up (XEP-0313), then presence (§4.2). */
  private async afterLogin(xmpp: XmppClient): Promise<void> {
    try {
      const roster = await xmpp.iqCaller.request(xml('iq', { type: 'get' }, xml('query', { xmlns: NS_ROSTER })), CONFIRM_TIMEOUT_MS);
      const query = roster.getChild('query', NS_ROSTER);
      if (query && this.xmpp === xmpp) this.people.applyRoster(query, true);
      void this.loadBookmarks(xmpp);
      await xmpp.iqCaller.request(enableCarbons(), CONFIRM_TIMEOUT_MS).catch((e) => {
        this.log.debug('xmpp: no carbons: %s', describe(e));
      });
      await this.archive.catchUp(this.archiveSession(xmpp)).catch((e) => this.log.warn('xmpp: archive catch-up failed: %s', describe(e)));
      if (this.xmpp !== xmpp) return;
      this.archive.ownDone();
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
    if (this.status !== 'disconnected') this.state.set('disconnected', 'requested'); // a connection already lost keeps its reason
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
    return xmpp.send(xml('presence', {}, ...(show ? [xml('show', {}, show)] : []), ...(p.message ? [xml('status', {}, p.message)] : []), capsElement(this.callParts.features)));
  }

  /** XEP-0198 §5: resumes the dropped session; when it cannot be, the connection is lost. */
  private async resume(xmpp: XmppClient, sm: StreamManagement): Promise<boolean> {
    const resumed = await resumeSession(xmpp, sm, () => this.xmpp === xmpp, this.log);
    this.resuming = undefined;
    if (!resumed && this.xmpp === xmpp) this.lost(new Error('the session could not be resumed'));
    return resumed;
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
      // RFC 6121 §5.2.2 type chat; XEP-0359 origin-id so that our own copies can be recognised;
      // a receipt asked for and the message markable (XEP-0184, XEP-0333).
      await this.confirmed(xmpp, xml('message', { type: 'chat', to, id }, xml('body', {}, body), xml('origin-id', { xmlns: NS_SID, id }), ...receiptRequests()));
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

  /** Sends a stanza; resolves once the server has it (XEP-0198 ack, else the answer to a ping sent after it). */
  private async confirmed(xmpp: XmppClient, stanza: Element): Promise<void> {
    if (xmpp.streamManagement.enabled && this.acks) {
      // XEP-0198: the server's <a/> counting this stanza confirms it (kept across a resumption).
      const acked = this.acks.wait(stanza.attrs.id!, CONFIRM_TIMEOUT_MS); // rejected at once if the connection is lost
      await Promise.all([xmpp.send(stanza), acked]);
    } else {
      await xmpp.send(stanza);
      await xmpp.iqCaller.request(ping(this.domain), CONFIRM_TIMEOUT_MS); // RFC 6120 §10.1: handled in order
    }
  }

  private async setChatState(channel: ChannelRef, state: ChatState): Promise<void> {
    const xmpp = await this.ready();
    await xmpp.send(chatStateStanza(normalizeJid(channel.target), channel, state)); // XEP-0085 §5
  }

  dispose(): void {
    this.teardown();
    this.callParts.access?.dispose(); // confab-media ends whatever session of ours is left
    this.bag.dispose();
  }

  // ---- state -----------------------------------------------------------------------------------

  /** What every inbound handler may use (handlers/index.ts); each module sees only its part. */
  private inboundContext(): XmppContext {
    const conn = this; // for the getter below
    return {
      get jid() {
        return conn.jid;
      },
      muc: this.muc,
      avatars: this.avatars,
      book: this.people.book,
      nicks: this.people.nicks,
      archive: this.archive,
      rooms: {
        isRoom: (room) => this.muc.isRoom(room),
        join: (b) => void this.joinRoom(b.room, b.password, b.nick, false).catch((e) => this.log.warn('xmpp: bookmarked room %s: %s', b.room, describe(e))),
        leave: (room) => void this.muc.leave(room),
      },
      live: (m, room?: string) => this.archive.live(m, room),
      emit: (messages) => this.archive.emit(messages),
      bounced: (id, error) => {
        if (this.waiting.has(id)) this.bounced.set(id, error);
      },
      displayName: (jid) => this.people.displayName(jid),
      presenceChanged: (changes) => this.people.presenceChanged(changes),
      subscriptionRequested: (r) => this.people.subscriptionRequested(r),
      delivered: (reports) => this.deliveryEmitter.fire(reports),
      chatState: (change) => this.chatStateEmitter.fire(change),
      send: (el) => void this.xmpp?.send(el).catch(() => undefined),
      nextId: () => ++this.ids,
      jingle: this.callParts.jingle,
    };
  }

  /** A client as the contacts use it. */
  private session(xmpp: XmppClient) {
    return { send: (el: Element) => xmpp.send(el), request: (iq: Element, timeoutMs: number) => xmpp.iqCaller.request(iq, timeoutMs) };
  }

  /** A client as the archive's catch-up uses it: current while it is the connection's. */
  private archiveSession(xmpp: XmppClient): ArchiveSession {
    return {
      request: (iq) => xmpp.iqCaller.request(iq, CONFIRM_TIMEOUT_MS),
      get ownJid() {
        return xmpp.jid?.toString();
      },
      current: () => this.xmpp === xmpp,
    };
  }

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
      if (this.xmpp === xmpp) applyBookmarks(this.inbound, answer.getChild('pubsub', NS_PUBSUB)?.getChild('items'));
    } catch (e) {
      this.log.debug('xmpp: no bookmarks: %s', describe(e)); // item-not-found: none yet
    }
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
    void this.archive.catchUp(this.archiveSession(xmpp), ref.target).catch((e) => this.log.debug('xmpp: no archive for %s: %s', ref.target, describe(e)));
    return ref;
  }

  private teardown(): void {
    clearInterval(this.pinger);
    // calls cannot outlive the stream (a resumed one keeps them); a requested stop tells their peers
    void this.callParts.jingle?.endAll('network-error', 'the account was disconnected', this.requestedStop && this.status === 'connected');
    this.people.book.clear();
    this.archive.clear();
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
