/**
 * The one place where errors become D-Bus errors: a ConfabError becomes `im.confab.Error.<Code>` with
 * its message; anything else is a bug and becomes `im.confab.Error.Internal` with a generic text (the
 * details go to the log, never to the caller, so no stack or secret leaks onto the bus).
 */
import dbus from 'dbus-next';
import { ConfabError, type Logger } from '@confab/sdk';
import type { Redactor } from '../log';

export const ERROR_PREFIX = 'im.confab.Error.';

export function toDBusError(err: unknown, redactor: Redactor, log: Logger, where: string): InstanceType<typeof dbus.DBusError> {
  if (err instanceof ConfabError) return new dbus.DBusError(ERROR_PREFIX + err.code, redactor.redact(err.message));
  log.error('%s failed: %s', where, err instanceof Error ? (err.stack ?? err.message) : String(err));
  return new dbus.DBusError(ERROR_PREFIX + 'Internal', `internal error in ${where}; see the daemon's log`);
}
