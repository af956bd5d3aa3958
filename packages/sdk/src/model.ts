import type { AccountParams } from './params';

/**
 * The protocol-agnostic core model of DESIGN.md. Plugins translate into these at their edge.
 * @since 0.1.0
 */

/** The user's own presence, requested for one account or all of them. */
export type PresenceStatus = 'available' | 'away' | 'busy' | 'invisible' | 'offline';
export const PRESENCE_STATUSES: readonly PresenceStatus[] = ['available', 'away', 'busy', 'invisible', 'offline'];

export interface Presence {
  readonly status: PresenceStatus;
  readonly message: string;
}

/** A configured identity on one protocol. Secrets are never in `params`. */
export interface Account {
  readonly id: string;
  readonly protocol: string;
  readonly displayName: string;
  readonly params: AccountParams;
  readonly enabled: boolean;
}

/** What a connection is given: the account's parameters with defaults and secrets filled in. */
export interface AccountConfig {
  readonly id: string;
  readonly protocol: string;
  readonly params: AccountParams;
}

export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected';

/**
 * Why a connection's status changed (telepathy-glib `TpConnectionStatusReason`): a status always
 * comes with one.
 */
export type StatusReason =
  | 'none'
  | 'requested'
  | 'network-error'
  | 'auth-failed'
  | 'cert-invalid'
  | 'name-in-use'
  | 'protocol-error'
  | 'crashed'
  | 'config-error';

export interface StatusChange {
  readonly status: ConnectionStatus;
  readonly reason: StatusReason;
  /** A human-readable detail; never contains a secret. */
  readonly detail?: string;
}

/** One address on one account. */
export interface Contact {
  readonly id: string; // normalized
  readonly alias?: string;
}

export type ChannelKind = 'direct' | 'room';

/** How a plugin names a conversation: the kind and the normalized target (nick, #channel, JID). */
export interface ChannelRef {
  readonly kind: ChannelKind;
  readonly target: string;
}

export type MessageKind = 'normal' | 'action' | 'notice';
export const MESSAGE_KINDS: readonly MessageKind[] = ['normal', 'action', 'notice'];

export type DeliveryState = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

/** A message a plugin received (including echoes of our own sent from elsewhere). */
export interface IncomingMessage {
  readonly channel: ChannelRef;
  readonly sender: { readonly id: string; readonly name?: string };
  /** The text, plain: formatting codes taken out. */
  readonly body: string;
  readonly kind: MessageKind;
  /** The formatting of `body`, as Pango markup, when the message had any (IRC colours, bold…). */
  readonly markup?: string;
  /** The server's timestamp when the protocol gives one (IRCv3 server-time, XEP-0203). */
  readonly serverTime?: Date;
  /** The protocol's own id (IRCv3 msgid, XEP-0359 stanza-id), for de-duplication. */
  readonly protocolId?: string;
  /** True when the message was sent by this account (from another client, or a carbon). */
  readonly outgoing?: boolean;
}

/** A message for a plugin to send. `token` is the daemon's outbox id, for correlation. */
export interface OutgoingMessage {
  readonly token: string;
  readonly channel: ChannelRef;
  readonly body: string;
  readonly kind: MessageKind;
}

/** The peer's client got or showed a message we sent (XEP-0184 receipts, XEP-0333 markers). @since 0.2.0 */
export interface DeliveryReport {
  /** The sent message's `OutgoingMessage.token`. */
  readonly token: string;
  /** `read` covers the earlier messages of the conversation too. */
  readonly state: 'delivered' | 'read';
}

/** XEP-0085 chat states: what the other side is doing in a conversation. @since 0.2.0 */
export type ChatState = 'active' | 'composing' | 'paused' | 'inactive' | 'gone';
export const CHAT_STATES: readonly ChatState[] = ['active', 'composing', 'paused', 'inactive', 'gone'];

export interface ChatStateChange {
  readonly channel: ChannelRef;
  readonly contact: string;
  readonly state: ChatState;
}

/** What the protocol confirmed about a sent message. */
export interface SendReceipt {
  readonly protocolId?: string;
  readonly serverTime?: Date;
}

export type MemberRole = 'owner' | 'admin' | 'op' | 'halfop' | 'voice' | 'member';

export interface Member {
  readonly id: string;
  readonly name: string;
  readonly role: MemberRole;
}

/** A change to a room as a delta: what was added or removed, and why (folks' `personas_changed`). */
export interface RoomChange {
  readonly room: ChannelRef;
  /** Set when we joined (true) or left/were removed (false). */
  readonly joined?: boolean;
  readonly topic?: string;
  readonly membersAdded?: readonly Member[];
  readonly membersRemoved?: readonly string[];
  /** The room's settings as the protocol shows them (IRC: channel modes like `+nt`, keys left out). */
  readonly modes?: string;
  readonly reason?: string;
}

/** We were invited to a room. */
export interface RoomInvitation {
  readonly room: string;
  /** Who invited us (a contact id). */
  readonly by: string;
}

/** A contact's presence as the protocol reports it. */
export interface ContactPresence {
  readonly id: string;
  readonly status: PresenceStatus | 'unknown';
  readonly message: string;
}

/** One contact of a server-side roster. */
export interface RosterItem {
  readonly id: string;
  readonly alias: string;
  readonly groups: readonly string[];
  /** RFC 6121 §2.1.2.5: none, to, from, both; `ask` when our request waits. */
  readonly subscription: string;
}

/** The roster as the server tells it: all of it (`full`), or a push of changed and removed items. */
export interface RosterUpdate {
  readonly full: boolean;
  readonly items: readonly RosterItem[];
  readonly removed: readonly string[];
}

export interface SubscriptionRequest {
  readonly id: string;
  readonly message: string;
}

/** What the protocol tells about a contact (IRC WHOIS, XMPP vCard): field name → value. */
export type ContactInfo = Readonly<Record<string, string>>;
