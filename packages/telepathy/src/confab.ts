/**
 * What the Telepathy adapter needs of confabd: a narrow view of the daemon's feature API (the
 * `Features` of packages/daemon/src/core.ts, which satisfies it as it is). Defined here, not imported,
 * so that the dependency points one way: the daemon (the composition root) knows this package, this
 * package knows only @confab/sdk (DESIGN.md § Packages: telepathy → the daemon's feature API, never
 * storage or plugins). It grows as the adapter does (channels, messages: ChannelDispatcher next).
 */
import type { Account, AccountState, ConnectionStatus, Event, Presence, Protocol, StatusReason } from '@confab/sdk';

/** One account as the daemon runs it (its runner). */
export interface ConfabAccountRun {
  readonly account: Account;
  readonly protocol: Protocol;
  readonly status: ConnectionStatus;
  readonly reason: StatusReason;
  readonly detail: string;
}

export interface ConfabAccountChange {
  readonly id: string;
  readonly change: 'added' | 'removed' | 'changed';
}

/** The daemon's accounts feature, as far as AccountManager and Account need it. */
export interface ConfabAccounts {
  readonly protocols: ReadonlyMap<string, Protocol>;
  /** The presence the user asks of every account (Confab's presence is global). */
  readonly presence: Presence;
  ids(): string[];
  find(accountId: string): ConfabAccountRun | undefined;
  /** Who the account is (what its connection said, else the protocol's name for it). */
  identity(accountId: string): string;
  create(protocol: string, displayName: string, params: Record<string, unknown>): Promise<Account>;
  update(accountId: string, set: Record<string, unknown>, unset: readonly string[]): Promise<void>;
  setDisplayName(accountId: string, displayName: string): void;
  setEnabled(accountId: string, enabled: boolean): void;
  reconnect(accountId: string): void;
  remove(accountId: string): Promise<void>;
  setPresence(status: string, message: string): void;
  /**
   * Strings kept with the account in the daemon's store and removed with it. The adapter keeps what
   * only Telepathy has (Icon, Service, its Enabled apart from its presence…) under `telepathy.` keys.
   */
  services(accountId: string): { readonly state: AccountState };
  /** Added, removed, or changed (its status too). */
  readonly onChanged: Event<ConfabAccountChange>;
  readonly onPresenceChanged: Event<Presence>;
}

export interface ConfabFeatures {
  readonly accounts: ConfabAccounts;
}
