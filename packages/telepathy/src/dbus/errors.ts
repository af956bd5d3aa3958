/**
 * The one place where errors become D-Bus errors for Telepathy clients: a ConfabError becomes the
 * Telepathy error of the same meaning (spec `errors.xml`, `org.freedesktop.Telepathy.Error.*`) with
 * its message; anything else is a bug and becomes `NotAvailable` with a generic text (the details go
 * to the log, never to the caller: no stack, no secret on the bus).
 */
import dbus from 'dbus-next';
import { ConfabError, type ErrorCode, type Logger } from '@confab/sdk';

export const TP_ERROR = 'org.freedesktop.Telepathy.Error.';

const NAMES: Record<ErrorCode, string> = {
  InvalidArgument: 'InvalidArgument',
  NotFound: 'DoesNotExist',
  NotImplemented: 'NotImplemented',
  NotCapable: 'NotCapable',
  NotAvailable: 'NotAvailable',
  Offline: 'Disconnected',
  NetworkError: 'NetworkError',
  AuthenticationFailed: 'AuthenticationFailed',
  CertificateInvalid: 'Cert.Invalid',
  NameInUse: 'AlreadyConnected',
  PermissionDenied: 'PermissionDenied',
  Cancelled: 'Cancelled',
  InvalidConfig: 'InvalidArgument',
  Internal: 'NotAvailable',
};

/** Redacts secrets out of a text that may go on the bus (the daemon's Redactor). */
export type Redact = (text: string) => string;

export function toTelepathyError(err: unknown, redact: Redact, log: Logger, where: string): InstanceType<typeof dbus.DBusError> {
  if (err instanceof dbus.DBusError) return err;
  if (err instanceof ConfabError && err.code !== 'Internal') return new dbus.DBusError(TP_ERROR + NAMES[err.code], redact(err.message));
  log.error('%s failed: %s', where, err instanceof Error ? (err.stack ?? err.message) : String(err));
  return new dbus.DBusError(TP_ERROR + 'NotAvailable', `internal error in ${where}; see confabd's log`);
}
