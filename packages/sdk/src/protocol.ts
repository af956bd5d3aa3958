import type { MediaService } from './calls';
import type { Connection } from './connection';
import type { AccountConfig, ChannelKind, PresenceStatus } from './model';
import type { AccountParams, ParamSpec } from './params';

/** The inversify service identifier under which plugins bind their protocols. */
export const Protocol = Symbol.for('confab.Protocol');

/**
 * What a plugin contributes: a narrow describe/validate/create interface (telepathy-glib
 * `TpBaseProtocolClass`). Capabilities are data, optional features are facets of the connection.
 * @since 0.1.0
 */
export interface Protocol {
  readonly id: string;
  readonly displayName: string;
  readonly parameters: readonly ParamSpec[];
  readonly capabilities: ProtocolCapabilities;
  /** The canonical form of a contact id on this protocol; throws InvalidArgumentError if it is not one. */
  normalizeContact(id: string): string;
  /**
   * The contact's address on every network (see addresses.ts) when its id is one: an XMPP bare JID,
   * a SIP URI's user@host. Absent or undefined where ids are local names (IRC nicks). @since 0.3.0
   */
  contactAddress?(id: string): string | undefined;
  /**
   * What the syntax of a target the user typed says it is, without a connection: IRC's channel
   * prefixes make a room. Undefined where syntax cannot tell (an XMPP JID may be a person or a
   * room: the connection asks the server, `RoomsFacet.kindOf`). The daemon asks this only when no
   * channel with that target exists yet and the connection could not tell; with no answer it opens
   * a direct channel. @since 0.5.0
   */
  targetKind?(target: string): ChannelKind | undefined;
  /** A short unique name for the account, e.g. `nick@server` (telepathy `identify_account`). */
  identifyAccount(params: AccountParams): string;
  createConnection(account: AccountConfig, services: ConnectionServices): Connection;
}

export interface ChannelClass {
  readonly kind: ChannelKind;
  readonly media: 'text' | 'call';
}

export interface ProtocolCapabilities {
  readonly channelClasses: readonly ChannelClass[];
  readonly presenceStatuses: readonly PresenceStatus[];
  readonly writableContactFields: readonly string[];
  /**
   * The contact list lives on the server (XMPP roster, a Tox profile's friends): changes need a
   * connection. Data, not a facet member: the daemon needs it while the account is offline, when
   * there is no connection to ask — it refuses a change then (Offline) rather than keep one the
   * next roster would undo. While connected, `ContactsFacet.onRoster` says the same. @since 0.2.0
   */
  readonly serverRoster?: boolean;
}

/** What the daemon gives a connection. */
export interface ConnectionServices {
  readonly log: Logger;
  /** A little state kept with the account between sessions (XMPP: the last archive id stored). @since 0.2.0 */
  readonly state?: AccountState;
  /** A folder of the account's own for files the protocol fetches (XMPP avatars); may not exist yet; removed with the account. @since 0.2.0 */
  readonly cacheDir?: string;
  /** confab-media, started on demand (calls). Absent where calls cannot be made (some unit tests). @since 0.5.0 */
  readonly media?: MediaService;
}

/**
 * Strings kept with the account, in the daemon's database, removed with it. A connection writes
 * one after the messages it covers were emitted: the daemon stores messages as they are emitted,
 * so what `state` says is never ahead of what is stored.
 */
export interface AccountState {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** A logger that never prints a secret: the daemon's implementation redacts them. */
export interface Logger {
  debug(msg: string, ...args: unknown[]): void;
  info(msg: string, ...args: unknown[]): void;
  warn(msg: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
  child(scope: string): Logger;
}

/** A logger that prints nothing, for tests. */
export const silentLogger: Logger = {
  debug() {}, info() {}, warn() {}, error() {},
  child() { return silentLogger; },
};
