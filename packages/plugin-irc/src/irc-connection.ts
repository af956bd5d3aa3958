/**
 * One IRC session on irc-framework. The lifecycle: connect() → registration (001) → connected; an
 * unexpected close after that → `disconnected` with `network-error`. It never reconnects by itself
 * (irc-framework's auto_reconnect is off): the daemon's supervisor does.
 *
 * Confirmation of sent messages: with IRCv3 echo-message, the echo of the message's last line
 * (matched to the oldest unconfirmed message to that target: a server echoes in order) confirms it,
 * with the server's time and msgid. Without it (ngircd), we send `PING :confab-<token>` after the
 * message; a server handles a client's lines in order (RFC 2812 §3.7.2), so the matching PONG proves
 * the server took it. A refusal numeric about the same target (401, 404, …) fails the message instead.
 *
 * SASL (IRCv3 SASL 3.1/3.2): PLAIN with sasl-username/sasl-password, EXTERNAL with a TLS client
 * certificate; a failed SASL login fails the connection (`auth-failed`), never an anonymous login.
 *
 * This file connects, sends and keeps the state. What the server says is dispatched by table to
 * handlers/ (registration, messaging, channels, contacts), each given a context made here.
 */
import { Client } from 'irc-framework';
import {
  ConfabError, DisposableStore, Emitter, findAddresses, InvalidArgumentError, OfflineError, StatusHolder,
  type AccountConfig, type ChannelKind, type ChannelRef, type Connection, type ConnectionStatus, type ContactInfo,
  type ContactPresence, type ContactsFacet, type IncomingMessage, type Logger, type MemberRole,
  type OutgoingMessage, type Presence, type RoomChange, type RoomInvitation, type RoomsFacet,
  type SendReceipt, type StatusReason,
} from '@confab/sdk';
import { rfc1459Lower, targetKind } from './casemap';
import { RoomLister } from './room-list';
import { RoomTracker } from './room-tracker';
import { TokenBucket } from './flood-control';
import { subscribe, type IrcContext } from './handlers';
import { Registration } from './handlers/registration';
import { buildLine } from './irc-line';
import { ircSettings, type IrcSettings } from './irc-settings';
import type { Deferred, PendingEcho, PendingSend } from './pending';
import { PresenceWatch } from './presence-watch';
import { PendingReplies, type Reply } from './replies';
import { transportFor, type SocketTransport } from './socket-transport';
import { bodyBudget, splitMessage } from './split';

const REGISTRATION_TIMEOUT_MS = 30_000;
const JOIN_TIMEOUT_MS = 30_000;
/** How long a command (TOPIC, KICK, MODE, WHOIS…) may wait for its answer. */
const COMMAND_TIMEOUT_MS = 30_000;
/** The prefix mode that gives each role (RFC 2812 §3.2.3 o/v; h, a, q where ISUPPORT PREFIX has them). */
const MODE_FOR_ROLE: Partial<Record<MemberRole, string>> = { owner: 'q', admin: 'a', op: 'o', halfop: 'h', voice: 'v' };

export class IrcConnection implements Connection {
  /** What dispose() releases: the status holder and every emitter. */
  private readonly bag = new DisposableStore();
  private readonly state = this.bag.add(new StatusHolder());
  readonly onStatusChanged = this.state.onChanged;
  private readonly messagesEmitter = this.bag.add(new Emitter<readonly IncomingMessage[]>());
  readonly onMessages = this.messagesEmitter.event;
  private readonly roomEmitter = this.bag.add(new Emitter<RoomChange>());
  private readonly invitedEmitter = this.bag.add(new Emitter<RoomInvitation>());
  private readonly presenceEmitter = this.bag.add(new Emitter<readonly ContactPresence[]>());
  readonly rooms: RoomsFacet;
  readonly contacts: ContactsFacet;

  private client: Client | undefined;
  private transport: SocketTransport | undefined;
  private readonly tracker = new RoomTracker((c) => this.roomEmitter.fire(c));
  private readonly sends = new Map<string, PendingSend>();
  private readonly echoes: PendingEcho[] = [];
  private readonly bucket: TokenBucket;
  private readonly joins = new Map<string, Deferred<ChannelRef>>();
  private readonly parts = new Map<string, Deferred<void>>();
  private readonly replies = new PendingReplies();
  private readonly whois = new Map<string, Array<Deferred<ContactInfo>>>();
  private readonly watch: PresenceWatch;
  private readonly lister = new RoomLister({ write: (...line) => this.write(this.live(), ...line), isupport: () => this.client?.network.options ?? {}, serverName: () => this.p.server });
  private inbox: IncomingMessage[] = [];
  private requestedQuit = false;

  constructor(
    private readonly account: AccountConfig,
    private readonly log: Logger,
  ) {
    const settings = ircSettings(account.params);
    this.bucket = new TokenBucket(settings.floodBurst, settings.floodRate);
    this.rooms = {
      onRoomChanged: this.roomEmitter.event,
      onInvited: this.invitedEmitter.event,
      join: (room, key) => this.join(room, key),
      leave: (room, message) => this.leave(room, message),
      setTopic: (room, topic) => this.roomCommand(room, [room], 'TOPIC', room, topic), // RFC 2812 §3.2.4
      kick: (room, member, reason) => this.roomCommand(room, [room, member], 'KICK', room, member, ...(reason ? [reason] : [])), // §3.2.8
      invite: (room, contact) => this.roomCommand(room, [room, contact], 'INVITE', contact, room), // §3.2.7
      setRole: (room, member, role) => this.setRole(room, member, role),
      setModes: (room, modes) => this.setModes(room, modes),
      members: (room) => this.tracker.members(rfc1459Lower(room)),
      kindOf: async (target) => this.kindOf(target),
      list: (options, onRooms, signal) => this.lister.list(options, onRooms, signal), // RFC 2812 §3.2.6 LIST
    };
    this.contacts = {
      onPresence: this.presenceEmitter.event,
      watch: (ids, on) => this.watch.watch(ids, on),
      info: (id) => this.withLive((client) => this.whoisWith(client, id)),
      // A nick names no one beyond this network; what a user writes in their realname may (RFC 2812 §3.6.2, RPL_WHOISUSER).
      addresses: async (id) => findAddresses((await this.withLive((client) => this.whoisWith(client, id))).realname ?? ''),
    };
    this.watch = new PresenceWatch(
      {
        write: (...line) => this.client && this.write(this.client, ...line),
        hasMonitor: () => Boolean(this.client?.network.supports('MONITOR')),
      },
      (changes) => this.presenceEmitter.fire(changes),
      (nick) => this.client && this.write(this.client, 'NICK', nick), // nick regain: it is free now
      settings.isonInterval * 1000,
    );
  }

  get status(): ConnectionStatus {
    return this.state.status;
  }

  private get p(): IrcSettings {
    return ircSettings(this.account.params);
  }

  connect(): Promise<void> {
    if (this.client) return Promise.reject(new ConfabError('NotAvailable', 'already connecting or connected'));
    const p = this.p;
    this.requestedQuit = false;
    this.state.set('connecting', 'requested');
    const client = this.createClient(p);
    this.client = client;
    // IRCv3 labeled-response: every command we send is answered with its label (see replies.ts).
    client.requestCap(['labeled-response']);

    return new Promise<void>((resolve, reject) => {
      const registration = new Registration(p.server, REGISTRATION_TIMEOUT_MS, {
        welcomed: () => {
          this.state.set('connected', 'requested');
          resolve();
        },
        failed: (err, reason) => {
          this.teardown();
          this.state.set('disconnected', reason, err.message);
          reject(err);
        },
      });
      subscribe(client, this.contextFor(client, registration), () => this.client === client);
      client.on('error', (e: unknown) => this.log.debug('irc-framework error: %s', String(e))); // never an unhandled 'error' event
      client.connect();
    });
  }

  private createClient(p: IrcSettings): Client {
    const Transport = transportFor({ enabled: p.tls, verify: p.tlsVerify, caFile: p.tlsCa, certFile: p.tlsCert });
    const self = this;
    return new Client({
      host: p.server,
      port: p.port,
      nick: p.nickname,
      username: p.username,
      gecos: p.realname,
      password: p.password,
      tls: p.tls,
      version: 'Confab',
      auto_reconnect: false, // the daemon's supervisor reconnects, with backoff
      enable_echomessage: true, // IRCv3 echo-message: a sent message is confirmed by its echo
      // IRCv3 SASL 3.1/3.2. `account` is always given: without it irc-framework would offer the
      // *server* password to the services as a SASL password.
      account: p.sasl === 'plain' ? { account: p.saslUsername, password: p.saslPassword } : {},
      sasl_mechanism: p.sasl === 'external' ? 'EXTERNAL' : p.sasl === 'plain' ? 'PLAIN' : undefined,
      sasl_disconnect_on_fail: false,
      // Liveness: irc-framework PINGs every ping_interval and ends the connection after ping_timeout
      // seconds without any data from the server (RFC 2812 §3.7.2).
      ping_interval: Math.max(1, Math.floor(p.pingTimeout / 3)),
      ping_timeout: p.pingTimeout,
      message_max_length: 400,
      enable_chghost: true, // IRCv3 chghost, setname: irc-framework keeps users' hosts and names
      enable_setname: true,
      // Keep a handle on our transport to read why a socket closed (TLS verification, refused…).
      transport: class extends Transport {
        constructor(o: ConstructorParameters<typeof Transport>[0]) {
          super(o);
          self.transport = this;
        }
      } as never,
    });
  }

  /** What the handler tables see of this connection, for the events of `client`. */
  private contextFor(client: Client, registration: Registration): IrcContext {
    return {
      log: this.log,
      settings: this.p,
      registration,
      ownNick: () => client.user.nick ?? '',
      write: (...line) => this.write(client, ...line),
      changeNick: (nick) => client.changeNick(nick), // RFC 2812 §3.1.2 NICK
      isupport: () => client.network.options,
      socketError: () => this.transport?.lastError,
      quitRequested: () => this.requestedQuit,
      lost: (reason, detail) => this.lost(reason, detail),
      tracker: this.tracker,
      joins: this.joins,
      parts: this.parts,
      invited: (invitation) => this.invitedEmitter.fire(invitation),
      echoes: this.echoes,
      sends: this.sends,
      replies: this.replies,
      received: (m) => this.received(m),
      watch: this.watch,
      startWatch: () => {
        if (this.client === client) this.watch.start();
      },
      whois: this.whois,
      roomList: this.lister,
    };
  }

  async disconnect(message?: string): Promise<void> {
    const client = this.client;
    if (!client) {
      this.state.set('disconnected', 'requested');
      return;
    }
    this.requestedQuit = true;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      client.once('socket close', () => {
        clearTimeout(t);
        resolve();
      });
      client.quit(message ?? this.p.quitMessage); // RFC 2812 §3.1.7 QUIT
    });
    this.lost('requested', 'disconnected by the user');
  }

  async setPresence(presence: Presence): Promise<void> {
    const client = this.live();
    // RFC 2812 §4.1 AWAY: with a text sets away, without one unsets it.
    if (presence.status === 'away' || presence.status === 'busy') this.write(client, 'AWAY', presence.message || (presence.status === 'busy' ? 'Busy' : 'Away'));
    else if (presence.status !== 'offline') this.write(client, 'AWAY');
  }

  sendMessage(m: OutgoingMessage): Promise<SendReceipt> {
    return this.withLive((client) => this.send(client, m));
  }

  private send(client: Client, m: OutgoingMessage): Promise<SendReceipt> {
    const target = m.channel.target;
    const command = m.kind === 'notice' ? 'NOTICE' : 'PRIVMSG';
    const parts = splitMessage(m.body, bodyBudget(client.user.nick, target, command, m.kind === 'action'));
    if (parts.length === 0) return Promise.reject(new ConfabError('InvalidArgument', 'the message is empty'));
    const lines = parts.map((part) => [command, target, m.kind === 'action' ? `\x01ACTION ${part}\x01` : part]);
    if (this.labeled(client)) {
      // IRCv3 labeled-response: each line's echo (or ACK, or refusal) carries its label; the answer
      // to the last line confirms the message with the server's time and msgid.
      const answers = lines.map((line) => this.labeledCommand(client, [target], line, 0));
      return Promise.all(answers).then((replies) => receiptOf(replies[replies.length - 1]));
    }
    for (const part of parts) {
      // RFC 2812 §3.3.1/§3.3.2; CTCP ACTION is "\x01ACTION text\x01" (CTCP spec, ACTION).
      this.write(client, command, target, m.kind === 'action' ? `\x01ACTION ${part}\x01` : part);
    }
    if (client.network.cap.isEnabled('echo-message')) {
      // IRCv3 echo-message: the server echoes each line it accepted, in order; the echo of the last
      // part confirms the message and carries the server's time and msgid.
      return new Promise<SendReceipt>((resolve, reject) => {
        this.echoes.push({ target: rfc1459Lower(target), remaining: parts.length, resolve, reject });
      });
    }
    const token = `confab-${m.token}`;
    return new Promise<SendReceipt>((resolve, reject) => {
      this.sends.set(token, { target: rfc1459Lower(target), resolve, reject });
      this.write(client, 'PING', token); // confirmed by the matching PONG, see the header
    });
  }

  // ---- commands with an answer ---------------------------------------------------------------

  private labeled(client: Client): boolean {
    return client.network.cap.isEnabled('labeled-response');
  }

  /**
   * Sends a command and resolves with the server's answer, or rejects with its refusal (see
   * replies.ts): labeled when the server has labeled-response, else followed by a PING.
   */
  private command(client: Client, subjects: readonly string[], line: readonly string[]): Promise<Reply> {
    if (this.labeled(client)) return this.labeledCommand(client, subjects, line, COMMAND_TIMEOUT_MS);
    const text = buildLine(line); // throws InvalidArgument before anything waits
    const token = this.replies.next();
    const answer = this.replies.expectPong(token, subjects, COMMAND_TIMEOUT_MS);
    this.writeText(client, text);
    this.write(client, 'PING', token);
    return answer;
  }

  private labeledCommand(client: Client, subjects: readonly string[], line: readonly string[], timeoutMs: number): Promise<Reply> {
    const text = buildLine(line); // throws InvalidArgument before anything waits
    const label = this.replies.next();
    const answer = this.replies.expectLabel(label, subjects, timeoutMs);
    this.writeText(client, `@label=${label} ${text}`); // IRCv3 message-tags: the tag before the command
    return answer;
  }

  private roomCommand(room: string, subjects: readonly string[], ...line: string[]): Promise<void> {
    return this.withLive(async (client) => {
      if (!this.tracker.has(rfc1459Lower(room)) && line[0] !== 'INVITE') throw new ConfabError('NotAvailable', `not in ${room}`);
      await this.command(client, subjects, line);
    });
  }

  private setRole(room: string, member: string, role: MemberRole): Promise<void> {
    return this.withLive(async (client) => {
      const name = rfc1459Lower(room);
      if (!this.tracker.has(name)) throw new ConfabError('NotAvailable', `not in ${room}`);
      const prefixes = ((client.network.options.PREFIX ?? []) as Array<{ mode: string }>).map((x) => x.mode);
      const wanted = role === 'member' ? undefined : MODE_FOR_ROLE[role];
      if (role !== 'member' && !wanted) throw new InvalidArgumentError(`unknown role '${role}'`);
      if (wanted && !prefixes.includes(wanted)) throw new ConfabError('NotCapable', `this server has no ${role} role (PREFIX ${prefixes.join('')})`);
      const held = this.tracker.memberModes(name, member);
      const remove = held.filter((m) => m !== wanted);
      const add = wanted && !held.includes(wanted) ? [wanted] : [];
      if (remove.length === 0 && add.length === 0) return;
      // RFC 2812 §3.2.3: MODE #room -ov+h nick nick nick
      const modes = (remove.length ? `-${remove.join('')}` : '') + (add.length ? `+${add.join('')}` : '');
      await this.command(client, [room, member], ['MODE', room, modes, ...Array<string>(remove.length + add.length).fill(member)]);
    });
  }

  private setModes(room: string, modes: string): Promise<void> {
    const words = modes.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0 || !/^[+-][A-Za-z+-]*$/.test(words[0])) {
      return Promise.reject(new InvalidArgumentError(`'${modes}' is not a mode change like +m, -t or +l 10`));
    }
    return this.roomCommand(room, [room], 'MODE', room, ...words); // RFC 2812 §3.2.3
  }

  private whoisWith(client: Client, id: string): Promise<ContactInfo> {
    const nick = rfc1459Lower(id);
    if (!nick || /[\s,*?]/.test(nick)) return Promise.reject(new InvalidArgumentError(`'${id}' is not a nickname`));
    return new Promise<ContactInfo>((resolve, reject) => {
      const t = setTimeout(() => {
        const list = this.whois.get(nick) ?? [];
        const i = list.indexOf(d);
        if (i >= 0) list.splice(i, 1);
        reject(new ConfabError('NetworkError', `no answer to WHOIS ${id} within ${COMMAND_TIMEOUT_MS / 1000} s`));
      }, COMMAND_TIMEOUT_MS);
      const d: Deferred<ContactInfo> = { resolve: (v) => (clearTimeout(t), resolve(v)), reject: (e) => (clearTimeout(t), reject(e)) };
      const list = this.whois.get(nick);
      if (list) list.push(d);
      else {
        this.whois.set(nick, [d]);
        this.write(client, 'WHOIS', id); // RFC 2812 §3.6.2
      }
    });
  }

  /** By the server's ISUPPORT CHANTYPES (https://modern.ircdocs.horse/#chantypes-parameter); undefined until it sent them. */
  private kindOf(target: string): ChannelKind | undefined {
    const chantypes: unknown = this.client?.network.options.CHANTYPES; // irc-framework splits it into characters
    if (typeof chantypes === 'string') return targetKind(target, chantypes);
    if (Array.isArray(chantypes)) return targetKind(target, chantypes.map(String));
    return undefined;
  }

  normalizeTarget(ref: ChannelRef): ChannelRef {
    return { kind: ref.kind, target: rfc1459Lower(ref.target) };
  }

  dispose(): void {
    this.teardown();
    this.bag.dispose();
  }

  // ---- rooms --------------------------------------------------------------------------------

  private join(room: string, key?: string): Promise<ChannelRef> {
    return this.withLive((client) => this.joinWith(client, room, key));
  }

  private joinWith(client: Client, room: string, key?: string): Promise<ChannelRef> {
    const name = rfc1459Lower(room);
    if (this.tracker.has(name)) return Promise.resolve({ kind: 'room', target: name });
    return new Promise<ChannelRef>((resolve, reject) => {
      const t = setTimeout(() => {
        this.joins.delete(name);
        reject(new ConfabError('NetworkError', `no answer to JOIN ${room} within ${JOIN_TIMEOUT_MS / 1000} s`));
      }, JOIN_TIMEOUT_MS);
      this.joins.set(name, {
        resolve: (v) => (clearTimeout(t), resolve(v)),
        reject: (e) => (clearTimeout(t), reject(e)),
      });
      if (key) this.write(client, 'JOIN', room, key); // RFC 2812 §3.2.1
      else this.write(client, 'JOIN', room);
    });
  }

  private leave(room: string, message?: string): Promise<void> {
    return this.withLive((client) => this.leaveWith(client, room, message));
  }

  private leaveWith(client: Client, room: string, message?: string): Promise<void> {
    const name = rfc1459Lower(room);
    if (!this.tracker.has(name)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        this.parts.delete(name);
        resolve(); // the server did not echo the PART; the room is forgotten on our side anyway
      }, JOIN_TIMEOUT_MS);
      this.parts.set(name, { resolve: () => (clearTimeout(t), resolve()), reject: (e) => (clearTimeout(t), reject(e)) });
      if (message) this.write(client, 'PART', room, message); // RFC 2812 §3.2.2
      else this.write(client, 'PART', room);
    });
  }

  // ---- inbound ------------------------------------------------------------------------------

  /** A message for the daemon: handed over in one batch with the others of the same turn. */
  private received(m: IncomingMessage): void {
    this.inbox.push(m);
    if (this.inbox.length === 1) setImmediate(() => this.flushInbox());
  }

  private flushInbox(): void {
    const batch = this.inbox;
    this.inbox = [];
    if (batch.length > 0) this.messagesEmitter.fire(batch);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  private live(): Client {
    if (this.status !== 'connected' || !this.client) throw new OfflineError();
    return this.client;
  }

  /** Writes one line we originate, through flood control, in order. Throws InvalidArgument on a bad line. */
  private write(client: Client, ...line: string[]): void {
    this.writeText(client, buildLine(line));
  }

  private writeText(client: Client, text: string): void {
    this.bucket.send(() => {
      if (this.client === client) client.raw(text);
    });
  }

  /** Runs `fn` with the live client, or rejects with OfflineError (never throws synchronously). */
  private withLive<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    try {
      return fn(this.live());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private lost(reason: StatusReason, detail: string): void {
    if (this.status === 'disconnected') return;
    this.teardown();
    this.state.set('disconnected', reason, detail);
  }

  private teardown(): void {
    this.bucket.clear();
    this.flushInbox();
    const offline = new OfflineError('the connection closed before the server confirmed');
    for (const s of this.sends.values()) s.reject(offline);
    this.sends.clear();
    for (const e of this.echoes.splice(0)) e.reject(offline);
    for (const j of this.joins.values()) j.reject(offline);
    this.joins.clear();
    for (const p of this.parts.values()) p.resolve();
    this.parts.clear();
    this.replies.failAll(offline);
    for (const list of this.whois.values()) for (const d of list) d.reject(offline);
    this.whois.clear();
    this.lister.clear();
    this.watch.stop();
    this.tracker.clear();
    // Close the socket in a way irc-framework sees ('socket close'), so that it stops its own ping
    // timers; the handler tables ignore everything from a client that is no longer this.client (handlers/index.ts).
    this.client = undefined;
    this.transport?.close(true);
    this.transport = undefined;
  }
}

/** The server's time and msgid from the answer that confirmed a message (IRCv3 server-time, msgid). */
function receiptOf(reply: Reply): SendReceipt {
  const time = reply.line?.tags.time;
  const serverTime = time ? new Date(time) : undefined;
  return { serverTime: serverTime && !Number.isNaN(serverTime.getTime()) ? serverTime : undefined, protocolId: reply.line?.tags.msgid };
}
