import type { Event } from './events';
import type { CallsFacet } from './calls';
import type { ListRooms } from './room-list';
import type { AccountParams } from './params';
import type {
  ChannelKind, ChannelRef, ChatState, Member, ChatStateChange, ConnectionStatus, ContactInfo, DeliveryReport, RosterUpdate, SubscriptionRequest, ContactPresence, IncomingMessage, MemberRole, OutgoingMessage,
  Presence, RoomChange, RoomInvitation, SendReceipt, StatusChange,
} from './model';

/**
 * The live session of one account. A connection is created disconnected; `connect()` moves it to
 * `connecting` and resolves once it is `connected`. It never reconnects by itself: the daemon's
 * supervisor decides that, from the reasons given. Every status change carries a reason.
 *
 * Optional facets (`rooms`, `contacts`, `chatStates`, `receipts`) are present only when the protocol
 * has them; the daemon refuses a request for an absent facet with NotImplemented, never a crash.
 * @since 0.1.0
 */
export interface Connection {
  readonly status: ConnectionStatus;
  readonly onStatusChanged: Event<StatusChange>;
  /** Messages received, in order, batched as they came off the wire. */
  readonly onMessages: Event<readonly IncomingMessage[]>;

  /**
   * Connects. Resolves when connected; rejects with a ConfabError (AuthenticationFailed,
   * CertificateInvalid, NetworkError, NameInUse...) after having emitted `disconnected` with the reason.
   */
  connect(): Promise<void>;
  /** Disconnects (IRC QUIT, XMPP `</stream>`) with reason `requested`. Never throws. */
  disconnect(message?: string): Promise<void>;
  /** Applies the user's presence, mapped to what the protocol has. */
  setPresence(presence: Presence): Promise<void>;
  /**
   * Sends one message and resolves only when the protocol confirms it (echo, ack, receipt): the
   * daemon keeps it in the outbox until then. Rejects with Offline/NetworkError when the
   * connection drops first: the daemon sends it again after reconnecting.
   */
  sendMessage(message: OutgoingMessage): Promise<SendReceipt>;
  /**
   * The account's own address as the network knows it, when only the connection can tell (Tox: the
   * Tox ID, read from the profile). Read once connected; the daemon shows it as Account.Identity
   * from then on. @since 0.4.0
   */
  readonly identity?: string;
  /**
   * Normalizes a target, for this connection (e.g. with the server's casemapping; SIP: a bare user
   * on the account's domain). While connected the daemon applies it, then `Protocol.normalizeContact`,
   * to every channel target it stores or looks up: one normalization for both.
   */
  normalizeTarget?(ref: ChannelRef): ChannelRef;
  /**
   * Applies parameters changed by the user while connected, when every one of them is `live`
   * (ParamSpec): the session stays up, and `identity` may have changed. Rejects when it cannot: the
   * daemon then reconnects with the new parameters instead. @since 0.5.0
   */
  applyParams?(changed: AccountParams, unset: readonly string[]): Promise<void>;

  readonly rooms?: RoomsFacet;
  readonly contacts?: ContactsFacet;
  /** Typing and the like, both ways (XEP-0085 and its kin). @since 0.5.0 (`onChatState`/`setChatState` before) */
  readonly chatStates?: ChatStatesFacet;
  /** What became of messages sent earlier (delivered, read). @since 0.5.0 (`onDelivery` before) */
  readonly receipts?: ReceiptsFacet;
  /** Audio and video calls (SIP, Jingle, ToxAV; docs/calls.md). @since 0.5.0 */
  readonly calls?: CallsFacet;
  /** Releases everything; the connection is not used again. */
  dispose(): void;
}

/**
 * Chat states (XEP-0085; SIP's isComposing, RFC 3994; Tox typing): what each side is doing in a
 * conversation. News, not history: the daemon stores none of it. @since 0.5.0
 */
export interface ChatStatesFacet {
  /** The other side typing, pausing, leaving. */
  readonly onChatState: Event<ChatStateChange>;
  /** Tells the other side what the user is doing in a conversation, as far as the protocol says it (SIP, Tox: typing or not). */
  set(channel: ChannelRef, state: ChatState): Promise<void>;
}

/**
 * Delivery and read reports for messages sent earlier (XMPP receipts, XEP-0184, and chat markers,
 * XEP-0333; Tox read receipts), beyond the confirmation `sendMessage` resolves with. @since 0.5.0
 */
export interface ReceiptsFacet {
  readonly onDelivery: Event<readonly DeliveryReport[]>;
}

/** Rooms (IRC channels, XMPP MUCs, Tox conferences). */
export interface RoomsFacet {
  readonly onRoomChanged: Event<RoomChange>;
  /** Joins and resolves once the server confirms; rejects with a ConfabError naming why not. */
  join(room: string, key?: string): Promise<ChannelRef>;
  leave(room: string, message?: string): Promise<void>;

  // Moderation. Each resolves when the server took it and rejects with the server's refusal
  // (PermissionDenied when we lack the rights, NotFound for an unknown member…). Absent when the
  // protocol has no such thing: the daemon answers NotImplemented.
  readonly onInvited?: Event<RoomInvitation>;
  setTopic?(room: string, topic: string): Promise<void>;
  kick?(room: string, member: string, reason?: string): Promise<void>;
  invite?(room: string, contact: string): Promise<void>;
  setRole?(room: string, member: string, role: MemberRole): Promise<void>;
  /**
   * The members of a joined room as the connection keeps them. When present the daemon keeps no
   * copy of its own (a membership costs memory once) and reads them here. @since 0.2.0
   */
  members?(room: string): readonly Member[];
  /** Protocol-specific room settings (IRC: a MODE string such as `+m`, `-t`, `+l 10`). */
  setModes?(room: string, modes: string): Promise<void>;
  /**
   * Whether a target (normalized) is a room or someone to talk to directly, as this connection's
   * server tells: IRC by the server's CHANTYPES, XMPP by asking the address (service discovery).
   * Undefined when it cannot tell; never rejects for a target it does not know. Asked only while
   * connected, and only for a target with no channel yet; `Protocol.targetKind` answers otherwise.
   * @since 0.5.0
   */
  kindOf?(target: string): Promise<ChannelKind | undefined>;
  /**
   * The public rooms the server offers, streamed and bounded (room-list.ts). Absent when the
   * protocol cannot list them: the daemon answers NotImplemented. @since 0.6.0
   */
  readonly list?: ListRooms;
}

/**
 * The contacts the user keeps for an account, as far as the protocol can watch them: the daemon
 * owns the list (SIP and IRC have no server-side roster) and tells the connection what to watch on
 * every connect; the connection reports their presence.
 */
export interface ContactsFacet {
  readonly onPresence: Event<readonly ContactPresence[]>;
  /** Starts (true) or stops watching these contacts' presence (IRC MONITOR, or ISON polling). */
  watch(ids: readonly string[], on: boolean): void;
  /** What the network tells about a contact now (IRC WHOIS); NotFound when it does not know it. */
  info(id: string): Promise<ContactInfo>;

  // A server-side roster (XMPP, RFC 6121 §2). When `onRoster` is there the server owns the list: the
  // daemon mirrors what it says, and sends the user's changes through `add`/`remove`. @since 0.2.0
  readonly onRoster?: Event<RosterUpdate>;
  /**
   * `given` is the contact as the user wrote it, before `normalizeContact`: a Tox ID carries the
   * nospam a friend request needs, which the contact id (the public key) drops. @since 0.4.0
   */
  add?(id: string, alias: string, given?: string): Promise<void>;
  remove?(id: string): Promise<void>;
  /** Someone asks to see our presence (XMPP subscription request). */
  readonly onSubscriptionRequest?: Event<SubscriptionRequest>;
  answerSubscription?(id: string, allow: boolean): Promise<void>;
  /**
   * Puts a roster item in exactly these groups, its alias kept (RFC 6121 §2.1.2.4); the change comes
   * back through `onRoster`. @since 0.6.0
   */
  setGroups?(id: string, groups: readonly string[]): Promise<void>;
  /** Stops seeing a contact's presence, the item kept (RFC 6121 §3.3). @since 0.6.0 */
  unsubscribe?(id: string): Promise<void>;

  /**
   * The addresses a contact gives for themselves on other networks (IRC: written in the WHOIS
   * realname), normalized with `findAddresses`; the daemon links contacts into people by them. Asked
   * once per session when the contact comes online. @since 0.3.0
   */
  addresses?(id: string): Promise<readonly string[]>;
  /**
   * A contact became reachable (a Tox friend came online): messages to it that `sendMessage`
   * refused with Offline may go now; the daemon drains the outbox again. @since 0.5.0
   * (`Connection.onReachable` since 0.4.0)
   */
  readonly onReachable?: Event<string>;
}
