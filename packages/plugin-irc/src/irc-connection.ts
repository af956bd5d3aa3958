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
 */
import { Client, ircLineParser, type IrcCommand, type MessageEvent, type WhoisEvent } from 'irc-framework';
import {
  ConfabError, DisposableStore, Emitter, findAddresses, InvalidArgumentError, NotFoundError, OfflineError, StatusHolder,
  type AccountConfig, type ChannelKind, type ChannelRef, type Connection, type ConnectionStatus, type ContactInfo,
  type ContactPresence, type ContactsFacet, type IncomingMessage, type Logger, type MemberRole,
  type OutgoingMessage, type Presence, type RoomChange, type RoomInvitation, type RoomsFacet,
  type SendReceipt, type StatusReason,
} from '@confab/sdk';
import { isChannelName, rfc1459Lower, targetKind } from './casemap';
import { JOIN_ERRORS, socketError } from './errors';
import { RoomTracker } from './room-tracker';
import { TokenBucket } from './flood-control';
import { parseFormatting } from './formatting';
import { buildLine } from './irc-line';
import { PresenceWatch } from './presence-watch';
import { PendingReplies, type ParsedLine, type Reply } from './replies';
import { transportFor, type SocketTransport } from './socket-transport';
import { bodyBudget, splitMessage } from './split';

const REGISTRATION_TIMEOUT_MS = 30_000;
/** How long after the 001 the contact watch waits for the end of the MOTD. */
const MOTD_WAIT_MS = 10_000;
const JOIN_TIMEOUT_MS = 30_000;
/** How long a command (TOPIC, KICK, MODE, WHOIS…) may wait for its answer. */
const COMMAND_TIMEOUT_MS = 30_000;
/** The prefix mode that gives each role (RFC 2812 §3.2.3 o/v; h, a, q where ISUPPORT PREFIX has them). */
const MODE_FOR_ROLE: Partial<Record<MemberRole, string>> = { owner: 'q', admin: 'a', op: 'o', halfop: 'h', voice: 'v' };
/** Nick alternatives tried when the nick is taken during registration: nick_, nick__. */
const NICK_RETRIES = 2;

interface Deferred<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
}

interface PendingSend extends Deferred<SendReceipt> {
  readonly target: string;
  refused?: ConfabError;
}

interface PendingEcho extends Deferred<SendReceipt> {
  readonly target: string;
  remaining: number;
}

type Params = AccountConfig['params'];

/** Which SASL mechanism the parameters ask for (`auto`: PLAIN with a password, EXTERNAL with only a client certificate). */
function saslChoice(p: Params): 'plain' | 'external' | 'none' {
  const m = String(p['sasl-mechanism'] ?? 'auto');
  if (m === 'plain' || m === 'external' || m === 'none') return m;
  if (p['sasl-password'] !== undefined) return 'plain';
  if (p['tls-client-cert'] !== undefined && p.tls === true) return 'external';
  return 'none';
}

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
  private echoes: PendingEcho[] = [];
  private readonly bucket: TokenBucket;
  private readonly joins = new Map<string, Deferred<ChannelRef>>();
  private readonly parts = new Map<string, Deferred<void>>();
  private readonly replies = new PendingReplies();
  private readonly whois = new Map<string, Array<Deferred<ContactInfo>>>();
  private readonly watch: PresenceWatch;
  private inbox: IncomingMessage[] = [];
  private nickTries = 0;
  private requestedQuit = false;

  constructor(
    private readonly account: AccountConfig,
    private readonly log: Logger,
  ) {
    this.bucket = new TokenBucket(Number(account.params['flood-burst'] ?? 5), Number(account.params['flood-rate'] ?? 2));
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
      Number(account.params['ison-interval'] ?? 30) * 1000,
    );
  }

  get status(): ConnectionStatus {
    return this.state.status;
  }

  private get p() {
    const p = this.account.params;
    return {
      server: String(p.server),
      port: Number(p.port ?? 6667),
      nickname: String(p.nickname),
      username: p.username === undefined ? String(p.nickname) : String(p.username),
      realname: p.realname === undefined ? String(p.nickname) : String(p.realname),
      password: p.password === undefined ? undefined : String(p.password),
      tls: p.tls === true,
      tlsVerify: p['tls-verify'] !== false,
      tlsCa: p['tls-ca'] === undefined ? undefined : String(p['tls-ca']),
      tlsCert: p['tls-client-cert'] === undefined ? undefined : String(p['tls-client-cert']),
      quitMessage: String(p['quit-message'] ?? 'Confab'),
      pingTimeout: Number(p['ping-timeout'] ?? 90),
      sasl: saslChoice(p),
      saslUsername: String(p['sasl-username'] ?? p.nickname),
      saslPassword: p['sasl-password'] === undefined ? '' : String(p['sasl-password']),
    };
  }

  connect(): Promise<void> {
    if (this.client) return Promise.reject(new ConfabError('NotAvailable', 'already connecting or connected'));
    const p = this.p;
    this.requestedQuit = false;
    this.nickTries = 0;
    this.state.set('connecting', 'requested');
    const Transport = transportFor({ enabled: p.tls, verify: p.tlsVerify, caFile: p.tlsCa, certFile: p.tlsCert });
    const self = this;
    const client = new Client({
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
    this.client = client;
    // IRCv3 labeled-response: every command we send is answered with its label (see replies.ts).
    client.requestCap(['labeled-response']);

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let closingReason: string | undefined;
      const fail = (err: ConfabError, reason: StatusReason) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.teardown();
        this.state.set('disconnected', reason, err.message);
        reject(err);
      };
      const timer = setTimeout(() => fail(new ConfabError('NetworkError', `no welcome from ${p.server} within ${REGISTRATION_TIMEOUT_MS / 1000} s`), 'network-error'), REGISTRATION_TIMEOUT_MS);

      this.guard(client, 'registered', (e: { nick: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.state.set('connected', 'requested');
        // ISUPPORT (005, which says whether there is MONITOR) follows the 001; the MOTD ends the
        // registration burst (RFC 2812 §5.1: 376 or 422). A server that never ends it still gets watched.
        const startWatch = () => {
          clearTimeout(motdTimer);
          if (this.client === client) this.watch.start();
        };
        const motdTimer = setTimeout(startWatch, MOTD_WAIT_MS).unref();
        client.once('motd', startWatch);
        // The nick the server gave us is the 001's target (RFC 2812 §5.1); irc-framework sets user.nick after this event.
        if (rfc1459Lower(e.nick) !== rfc1459Lower(p.nickname)) this.watch.want(p.nickname); // regain it when free
        resolve();
      });
      this.guard(client, 'irc error', (e: { error: string; reason?: string; channel?: string; nick?: string }) => {
        if (e.error === 'password_mismatch') return fail(new ConfabError('AuthenticationFailed', `${p.server} refused the password (464)`), 'auth-failed');
        if (e.error === 'banned_from_network') return fail(new ConfabError('PermissionDenied', `${p.server} bans this connection (465): ${e.reason ?? ''}`), 'protocol-error');
        // RFC 2812 §3.7.4 ERROR before registration: the server is closing the link. Servers without
        // 464 (ngircd: "Access denied: Bad password?") say why only here.
        if (e.error === 'irc') {
          if (!settled && /password|access denied/i.test(e.reason ?? '')) return fail(new ConfabError('AuthenticationFailed', `${p.server} refused the login: ${e.reason}`), 'auth-failed');
          closingReason = e.reason; // said again as the reason when the socket closes
          return;
        }
        this.onIrcError(e.error, e.channel ?? e.nick, e.reason);
      });
      // A SASL failure never falls through to an unauthenticated login (IRCv3 SASL 3.1: 904/905/902).
      this.guard(client, 'sasl failed', (e: { reason: string; message?: string }) => {
        const why = e.reason === 'capability_missing' ? `${p.server} does not offer SASL` : e.reason === 'unsupported_mechanism' ? `${p.server} does not offer SASL ${p.sasl.toUpperCase()}` : `${p.server} refused the SASL login${e.message ? `: ${e.message}` : ''}`;
        fail(new ConfabError('AuthenticationFailed', why), 'auth-failed');
      });
      // CTCP PING is answered with its own argument (CTCP spec, "PING"); VERSION irc-framework answers
      // from its `version` option. Replies go through flood control: a CTCP flood cannot flood us off.
      this.guard(client, 'ctcp request', (e: { nick: string; type: string; message: string }) => {
        if (e.type?.toUpperCase() !== 'PING' || !this.client) return;
        const arg = e.message.replace(/^\x01?PING ?/i, '').replace(/\x01$/, '').slice(0, 64);
        this.write(client, 'NOTICE', e.nick, `\x01PING${arg ? ` ${arg}` : ''}\x01`);
      });
      this.guard(client, 'ping timeout', () => {
        closingReason = `no answer from the server for ${p.pingTimeout} s (ping timeout)`;
      });
      this.guard(client, 'nick in use', () => {
        if (this.status === 'connected') return; // a NICK change refused later: nothing to do yet
        if (this.nickTries >= NICK_RETRIES) return fail(new ConfabError('NameInUse', `the nickname ${p.nickname} is in use on ${p.server}`), 'name-in-use');
        this.nickTries++;
        client.changeNick(p.nickname + '_'.repeat(this.nickTries)); // RFC 2812 §3.1.2 NICK
      });
      this.guard(client, 'socket close', () => {
        const err = closingReason && !this.transport?.lastError
          ? new ConfabError('NetworkError', `${p.server}: ${closingReason}`)
          : socketError(this.transport?.lastError, p.server, p.port);
        if (!settled) {
          fail(err, err.code === 'CertificateInvalid' ? 'cert-invalid' : err.code === 'InvalidArgument' ? 'config-error' : 'network-error');
          return;
        }
        this.lost(this.requestedQuit ? 'requested' : 'network-error', err.message); // e.g. "closed the link: Closing link: (…) [Excess Flood]"
      });
      this.guard(client, 'message', (e: MessageEvent) => this.onMessage(e));
      this.guard(client, 'pong', (e: { message?: string }) => this.onPong(e.message ?? ''));
      this.guard(client, 'join', (e: { nick: string; channel: string }) => this.onJoin(e.nick, e.channel));
      this.guard(client, 'part', (e: { nick: string; channel: string; message?: string }) => this.onPart(e.nick, e.channel, e.message));
      this.guard(client, 'kick', (e: { kicked: string; channel: string; nick: string; message?: string }) => this.onKick(e.kicked, e.channel, e.nick, e.message));
      this.guard(client, 'quit', (e: { nick: string; message?: string }) => this.tracker.quit(e.nick, e.message));
      this.guard(client, 'nick', (e: { nick: string; new_nick: string }) => {
        this.tracker.renamed(e.nick, e.new_nick);
        if (rfc1459Lower(e.new_nick) === rfc1459Lower(p.nickname)) this.watch.want(undefined); // regained
      });
      this.guard(client, 'raw', (e: { line: string; from_server: boolean }) => {
        // Answers to our commands are matched on the raw line, before irc-framework dispatches it.
        if (!e.from_server || this.replies.size === 0) return;
        const line = ircLineParser(e.line) as ParsedLine | null;
        if (line) this.replies.feed(line);
      });
      this.guard(client, 'mode', (e: { target: string; modes: Array<{ mode: string; param?: string }> }) => this.onMode(client, e.target, e.modes, false));
      this.guard(client, 'channel info', (e: { channel: string; modes?: Array<{ mode: string; param?: string }> }) => {
        if (e.modes) this.onMode(client, e.channel, e.modes, true); // RPL_CHANNELMODEIS
      });
      this.guard(client, 'invite', (e: { nick: string; invited: string; channel: string }) => {
        // RFC 2812 §3.2.7; with IRCv3 invite-notify we also see others being invited: not for us.
        if (rfc1459Lower(e.invited) === rfc1459Lower(client.user.nick)) this.invitedEmitter.fire({ room: rfc1459Lower(e.channel), by: rfc1459Lower(e.nick) });
      });
      this.guard(client, 'users online', (e: { nicks: string[] }) => this.watch.online(e.nicks));
      this.guard(client, 'users offline', (e: { nicks: string[] }) => this.watch.offline(e.nicks));
      this.guard(client, 'away', (e: { nick: string; message?: string; self?: boolean }) => {
        if (!e.self) this.watch.away(e.nick, e.message ?? ''); // IRCv3 away-notify, RPL_AWAY
      });
      this.guard(client, 'back', (e: { nick: string; self?: boolean }) => {
        if (!e.self) this.watch.away(e.nick, undefined);
      });
      this.guard(client, 'whois', (e: WhoisEvent) => this.onWhois(e));
      this.guard(client, 'userlist', (e: { channel: string; users: Array<{ nick: string; modes: string[] }> }) => this.tracker.names(rfc1459Lower(e.channel), e.users));
      this.guard(client, 'topic', (e: { channel: string; topic?: string }) => this.tracker.topic(rfc1459Lower(e.channel), e.topic ?? ''));
      this.guard(client, 'unknown command', (c: IrcCommand) => {
        if (JOIN_ERRORS[c.command] && c.params[1]) this.onIrcError(c.command, c.params[1], c.params[c.params.length - 1]);
      });
      this.guard(client, 'debug', (line: string) => this.log.debug('%s', line));
      client.on('error', (e: unknown) => this.log.debug('irc-framework error: %s', String(e))); // never an unhandled 'error' event

      client.connect();
    });
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

  /** RPL_ENDOFWHOIS with everything irc-framework collected since RPL_WHOISUSER (RFC 2812 §3.6.2). */
  private onWhois(e: WhoisEvent): void {
    const nick = rfc1459Lower(e.nick);
    const waiting = this.whois.get(nick);
    this.whois.delete(nick);
    if (e.error) {
      for (const d of waiting ?? []) d.reject(new NotFoundError(`no one is using the nickname ${e.nick}`));
      return;
    }
    this.watch.away(e.nick, e.away || undefined);
    const info: Record<string, string> = {};
    const put = (k: string, v: unknown) => {
      if (v !== undefined && v !== null && v !== '' && v !== false) info[k] = String(v);
    };
    put('nick', e.nick);
    put('username', e.ident);
    put('host', e.actual_hostname ?? e.hostname);
    put('realname', e.real_name);
    put('account', e.account); // 330, IRCv3 account via services
    put('server', e.server);
    put('server-info', e.server_info);
    put('channels', e.channels);
    put('idle-seconds', e.idle);
    put('signon', e.logon === undefined ? undefined : new Date(Number(e.logon) * 1000).toISOString());
    put('away', e.away);
    put('secure', e.secure ? 'yes' : undefined);
    put('operator', e.operator);
    put('bot', e.bot ? 'yes' : undefined);
    for (const d of waiting ?? []) d.resolve(info);
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

  private onMessage(e: MessageEvent): void {
    if (e.from_server || !e.nick) return; // server notices (before registration, MOTD-style): not a conversation
    const ownNick = this.client?.user.nick ?? '';
    const own = rfc1459Lower(e.nick) === rfc1459Lower(ownNick);
    const inRoom = isChannelName(e.target);
    const target = inRoom ? rfc1459Lower(e.target) : rfc1459Lower(own ? e.target : e.nick);
    if (own && e.tags?.label) return; // a labeled echo: replies.ts matched it to its message
    if (own && this.confirmEcho(target, e)) return; // the echo of our own message: it is in the outbox
    const { text, markup } = parseFormatting(e.message); // mIRC formatting: plain text + Pango markup
    this.inbox.push({
      channel: { kind: inRoom ? 'room' : 'direct', target },
      sender: { id: rfc1459Lower(e.nick), name: e.nick },
      body: text,
      markup,
      kind: e.type === 'privmsg' ? 'normal' : e.type,
      serverTime: e.time ? new Date(e.time) : undefined, // IRCv3 server-time
      protocolId: e.tags?.msgid, // IRCv3 message-ids
      outgoing: own || undefined,
    });
    if (this.inbox.length === 1) setImmediate(() => this.flushInbox());
  }

  private flushInbox(): void {
    const batch = this.inbox;
    this.inbox = [];
    if (batch.length > 0) this.messagesEmitter.fire(batch);
  }

  /** Matches an echo to the oldest unconfirmed message to that target; false when it is not one of ours. */
  private confirmEcho(target: string, e: MessageEvent): boolean {
    const i = this.echoes.findIndex((x) => x.target === target);
    if (i < 0) return false;
    const pending = this.echoes[i];
    if (--pending.remaining > 0) return true;
    this.echoes.splice(i, 1);
    pending.resolve({ serverTime: e.time ? new Date(e.time) : undefined, protocolId: e.tags?.msgid });
    return true;
  }

  private onPong(token: string): void {
    const pending = this.sends.get(token);
    if (!pending) return;
    this.sends.delete(token);
    if (pending.refused) pending.reject(pending.refused);
    else pending.resolve({});
  }

  private onIrcError(error: string, subject: string | undefined, reason: string | undefined): void {
    const join = JOIN_ERRORS[error];
    const name = subject ? rfc1459Lower(subject) : '';
    if (join && this.joins.has(name)) {
      const d = this.joins.get(name)!;
      this.joins.delete(name);
      d.reject(new ConfabError(join.code, `cannot join ${subject}: ${join.text}`));
      return;
    }
    // A refusal of a message (RFC 2812 §5.2: 401 ERR_NOSUCHNICK, 404 ERR_CANNOTSENDTOCHAN…) comes
    // before the PONG that follows it: mark the oldest unconfirmed send to that target.
    const refusal = error === 'no_such_nick' ? 'NotFound' : error === 'cannot_send_to_channel' || error === 'cannot_send_to_user' ? 'NotCapable' : undefined;
    if (refusal) {
      const echo = this.echoes.findIndex((x) => x.target === name);
      if (echo >= 0) {
        // No echo will come for a refused line: fail the message now.
        const [pending] = this.echoes.splice(echo, 1);
        pending.reject(new ConfabError(refusal, `${subject}: ${reason ?? error}`));
        return;
      }
      for (const s of this.sends.values()) {
        if (s.target === name && !s.refused) {
          s.refused = new ConfabError(refusal, `${subject}: ${reason ?? error}`);
          break;
        }
      }
      return;
    }
    this.log.debug('irc error %s %s: %s', error, subject ?? '', reason ?? '');
  }

  /** MODE on a room (RFC 2812 §3.2.3): prefix modes change members' roles, the rest are the room's. */
  private onMode(client: Client, target: string, modes: ReadonlyArray<{ mode: string; param?: string }>, listing: boolean): void {
    if (!isChannelName(target)) return; // our own user modes
    const room = rfc1459Lower(target);
    const prefixes = ((client.network.options.PREFIX ?? []) as Array<{ mode: string }>).map((x) => x.mode);
    const listModes = String((client.network.options.CHANMODES as string[] | undefined)?.[0] ?? 'beI');
    const roomModes: Array<{ mode: string; on: boolean; param?: string }> = [];
    for (const m of modes) {
      const on = m.mode[0] !== '-';
      const letter = m.mode.slice(-1);
      if (prefixes.includes(letter)) {
        if (m.param) this.tracker.memberMode(room, m.param, letter, on);
      } else if (!listModes.includes(letter)) roomModes.push({ mode: letter, on, param: m.param });
    }
    if (roomModes.length > 0 || listing) this.tracker.roomModes(room, roomModes, listing);
  }

  private onJoin(nick: string, channel: string): void {
    const room = rfc1459Lower(channel);
    if (rfc1459Lower(nick) === rfc1459Lower(this.client?.user.nick ?? '')) {
      this.tracker.joinedSelf(room, nick);
      if (this.client) this.write(this.client, 'MODE', channel); // RFC 2812 §3.2.3: the room's modes (324)
      const d = this.joins.get(room);
      this.joins.delete(room);
      d?.resolve({ kind: 'room', target: room });
    } else this.tracker.joined(room, nick);
  }

  private onPart(nick: string, channel: string, message?: string): void {
    const room = rfc1459Lower(channel);
    if (rfc1459Lower(nick) === rfc1459Lower(this.client?.user.nick ?? '')) {
      this.tracker.leftSelf(room, message);
      const d = this.parts.get(room);
      this.parts.delete(room);
      d?.resolve();
    } else this.tracker.left(room, nick, message);
  }

  private onKick(kicked: string, channel: string, by: string, message?: string): void {
    const room = rfc1459Lower(channel);
    if (rfc1459Lower(kicked) === rfc1459Lower(this.client?.user.nick ?? '')) this.tracker.leftSelf(room, `kicked by ${by}: ${message ?? ''}`);
    else this.tracker.left(room, kicked, `kicked by ${by}`);
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
    this.watch.stop();
    this.tracker.clear();
    // Close the socket in a way irc-framework sees ('socket close'), so that it stops its own ping
    // timers; our handlers ignore everything from a client that is no longer this.client (guard()).
    this.client = undefined;
    this.transport?.close(true);
    this.transport = undefined;
  }

  /** Subscribes a handler that can never throw into irc-framework: a bad line is logged, not fatal. */
  private guard<A extends unknown[]>(client: Client, event: string, handler: (...args: A) => void): void {
    client.on(event, (...args: unknown[]) => {
      if (this.client !== client) return; // a client we dropped: its late events are of no interest
      try {
        handler(...(args as A));
      } catch (err) {
        this.log.warn('handling %s failed: %s', event, err instanceof Error ? err.message : String(err));
      }
    });
  }
}

/** The server's time and msgid from the answer that confirmed a message (IRCv3 server-time, msgid). */
function receiptOf(reply: Reply): SendReceipt {
  const time = reply.line?.tags.time;
  const serverTime = time ? new Date(time) : undefined;
  return { serverTime: serverTime && !Number.isNaN(serverTime.getTime()) ? serverTime : undefined, protocolId: reply.line?.tags.msgid };
}
