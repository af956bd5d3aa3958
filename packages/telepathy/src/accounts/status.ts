/**
 * A Confab account's connection status as Telepathy says it (spec Connection_Status and
 * Connection_Status_Reason; the error names are those telepathy-glib's
 * `tp_connection_status_reason_to_error` gives, which Polari switches on).
 */
import type { ConnectionStatus, StatusReason } from '@confab/sdk';

export const CONNECTED = 0;
export const CONNECTING = 1;
export const DISCONNECTED = 2;

const STATUS: Record<ConnectionStatus, number> = { connected: CONNECTED, connecting: CONNECTING, disconnected: DISCONNECTED };

/** Reason numbers: 0 none specified, 1 requested, 2 network error, 3 authentication failed, 5 name in use, 7 certificate untrusted. */
const REASON: Record<StatusReason, [number, string]> = {
  'none': [0, ''],
  'requested': [1, ''],
  'network-error': [2, 'org.freedesktop.Telepathy.Error.NetworkError'],
  'auth-failed': [3, 'org.freedesktop.Telepathy.Error.AuthenticationFailed'],
  'cert-invalid': [7, 'org.freedesktop.Telepathy.Error.Cert.Untrusted'],
  'name-in-use': [5, 'org.freedesktop.Telepathy.Error.AlreadyConnected'],
  'protocol-error': [2, 'org.freedesktop.Telepathy.Error.NetworkError'],
  'crashed': [0, 'org.freedesktop.Telepathy.Error.NotAvailable'],
  'config-error': [0, 'org.freedesktop.Telepathy.Error.InvalidArgument'],
};

export const connectionStatus = (s: ConnectionStatus): number => STATUS[s];
export const statusReason = (r: StatusReason): number => REASON[r][0];

/** The error of the last failure: '' while connected, or when nothing failed. */
export function connectionError(s: ConnectionStatus, r: StatusReason): string {
  return s === 'connected' ? '' : REASON[r][1];
}
