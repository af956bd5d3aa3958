/**
 * An account's Telepathy properties, shaped from a snapshot of the Confab account: pure functions,
 * so the types telepathy-glib insists on (`u` not `i`, `(uss)` structs, `o` paths, `a{sv}` of
 * variants) are unit-tested. telepathy-glib silently drops a badly typed property, and the client
 * then simply shows nothing.
 *
 * Enabled and presence: Confab has one switch per account (enabled) and one presence for all of them;
 * Telepathy has Enabled and a RequestedPresence per account. Confab's account is enabled exactly when
 * Telepathy's is Enabled and requests an online presence; the online presence shown is Confab's.
 */
import dbus from 'dbus-next';
import type { Presence } from '@confab/sdk';
import type { ConfabAccountRun } from '../confab';
import { ACCOUNT_INTERFACES, NO_CONNECTION, STORAGE_PROVIDER } from '../names';
import { shapeParams } from '../params/mapping';
import type { ProtocolTable } from '../params/table';
import { AVAILABLE, OFFLINE, UNSET, tpPresence, type TpPresence } from './presence';
import { connectionError, connectionStatus, statusReason } from './status';
import type { Requested, TpFields } from './tp-state';

export interface AccountSnapshot {
  readonly run: ConfabAccountRun;
  /** Confab's presence (the same for every account). */
  readonly presence: Presence;
  readonly identity: string;
  readonly tp: TpFields;
  /** The path of its Telepathy Connection object, while it has one. */
  readonly connection?: string;
}

/** Telepathy's Enabled: its own once set on Telepathy, else Confab's. */
export const tpEnabled = (s: AccountSnapshot): boolean => s.tp.enabled ?? s.run.account.enabled;

/** What the account requests on Telepathy: its own once set there, else online exactly when Confab's is enabled. */
export const requested = (s: AccountSnapshot): Requested => s.tp.requested ?? (s.run.account.enabled ? 'online' : 'offline');

/** Whether Confab's account should be enabled for these Telepathy settings. */
export const confabEnabled = (enabled: boolean, req: Requested): boolean => enabled && req === 'online';

export function requestedPresence(s: AccountSnapshot): TpPresence {
  const r = requested(s);
  return r === 'online' ? tpPresence(s.presence) : r === 'offline' ? OFFLINE : UNSET;
}

export function currentPresence(s: AccountSnapshot): TpPresence {
  return s.run.status === 'connected' ? tpPresence(s.presence) : OFFLINE;
}

/** The nickname: the protocol's nick parameter where it has one, else what Telepathy set, else who the account is. */
export function nickname(table: ProtocolTable, s: AccountSnapshot): string {
  const param = table.nickname ? s.run.account.params[table.nickname] : undefined;
  return typeof param === 'string' ? param : (s.tp.nickname ?? s.identity);
}

/** org.freedesktop.Telepathy.Account's properties, by name, as dbus-next values. */
export function accountProperties(table: ProtocolTable, s: AccountSnapshot): Record<string, unknown> {
  const { status, reason, detail } = s.run;
  const error = connectionError(status, reason);
  return {
    Interfaces: ACCOUNT_INTERFACES,
    DisplayName: s.run.account.displayName,
    Icon: s.tp.icon,
    Valid: true, // the daemon validated its parameters against the protocol's specs
    Enabled: tpEnabled(s),
    Nickname: nickname(table, s),
    Service: s.tp.service,
    Parameters: shapeParams(table, s.run.protocol.parameters, s.run.account.params, s.tp.kept),
    AutomaticPresence: s.tp.automatic ?? AVAILABLE,
    ConnectAutomatically: s.tp.connectAutomatically,
    Connection: s.connection ?? NO_CONNECTION, // spec Account.Connection: '/' when there is none
    ConnectionStatus: connectionStatus(status),
    ConnectionStatusReason: statusReason(reason),
    ConnectionError: error,
    ConnectionErrorDetails: error && detail ? { 'debug-message': new dbus.Variant('s', detail) } : {},
    CurrentPresence: currentPresence(s),
    RequestedPresence: requestedPresence(s),
    ChangingPresence: status === 'connecting' || (requested(s) !== 'online' && status === 'connected'),
    NormalizedName: s.identity,
    HasBeenOnline: s.tp.hasBeenOnline || status === 'connected',
    Supersedes: s.tp.supersedes,
  };
}

export function storageProperties(accountId: string): Record<string, unknown> {
  return {
    StorageProvider: STORAGE_PROVIDER,
    StorageIdentifier: new dbus.Variant('s', accountId),
    StorageSpecificInformation: {},
    StorageRestrictions: 0, // everything can be changed
  };
}

export function avatarProperty(tp: TpFields): [Buffer, string] {
  return [Buffer.from(tp.avatar[0], 'base64'), tp.avatar[1]];
}
