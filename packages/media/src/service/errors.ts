/**
 * The one place where errors become D-Bus errors: a ConfabError becomes `im.confab.Error.<Code>` with
 * its message; anything else is a bug, `im.confab.Error.Internal`, its details in the log only.
 * @since 0.1.0
 */
import dbus from 'dbus-next';
import { ConfabError } from '@confab/sdk';

export const ERROR_PREFIX = 'im.confab.Error.';

export function toDBusError(err: unknown, where: string, log: (where: string, err: unknown) => void): InstanceType<typeof dbus.DBusError> {
  if (err instanceof ConfabError) return new dbus.DBusError(ERROR_PREFIX + err.code, err.message);
  log(where, err);
  return new dbus.DBusError(`${ERROR_PREFIX}Internal`, `internal error in ${where}; see confab-media's log`);
}
