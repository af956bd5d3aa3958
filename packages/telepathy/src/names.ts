/** The names and paths telepathy-glib insists on (docs/telepathy.md; the notes' table of traps). */

export const AM_BUS_NAME = 'org.freedesktop.Telepathy.AccountManager';
export const AM_PATH = '/org/freedesktop/Telepathy/AccountManager';
/**
 * `tp_account_manager_new()` pings this name at `/` to start Mission Control: owning it is what keeps
 * D-Bus from activating the real one beside us. Nothing is exported for it (dbus-next answers the Ping).
 */
export const MC5_BUS_NAME = 'org.freedesktop.Telepathy.MissionControl5';
/** Account objects live under it; telepathy-glib parses `<cm>/<protocol>/<name>` out of what follows. */
export const ACCOUNT_PATH_BASE = '/org/freedesktop/Telepathy/Account/';

export const AM_IFACE = 'org.freedesktop.Telepathy.AccountManager';
export const ACCOUNT_IFACE = 'org.freedesktop.Telepathy.Account';
export const STORAGE_IFACE = 'org.freedesktop.Telepathy.Account.Interface.Storage';
export const ADDRESSING_IFACE = 'org.freedesktop.Telepathy.Account.Interface.Addressing';
export const AVATAR_IFACE = 'org.freedesktop.Telepathy.Account.Interface.Avatar';

/** The optional interfaces every Account lists (mc-tool prepares Addressing and Storage). */
export const ACCOUNT_INTERFACES = [STORAGE_IFACE, ADDRESSING_IFACE, AVATAR_IFACE];

/** An account's object path: `<cm>/<protocol>/<Confab's account id>` (ids are [A-Za-z0-9_] already; `-` in a protocol becomes `_`, as Telepathy escapes it). */
export function accountPath(cm: string, protocol: string, accountId: string): string {
  return `${ACCOUNT_PATH_BASE}${cm}/${protocol.replace(/-/g, '_')}/${accountId}`;
}

/** The object path Telepathy uses for "no connection". */
export const NO_CONNECTION = '/';

/** What StorageProvider says: Confab keeps the account (spec: a reversed domain name; '' would mean Mission Control's own files). */
export const STORAGE_PROVIDER = 'im.confab.Confab1';

/** Connection objects live under it, and their bus names under the matching prefix (spec Connection: `<cm>/<protocol>/<name>`). */
export const CONNECTION_PATH_BASE = '/org/freedesktop/Telepathy/Connection/';
export const CONNECTION_BUS_BASE = 'org.freedesktop.Telepathy.Connection.';

/** A connection's path and bus name: the same `<cm>/<protocol>/<name>`, slashes and dots apart (spec Connection's object path rules). */
export function connectionNames(cm: string, protocol: string, name: string): { path: string; busName: string } {
  const proto = protocol.replace(/-/g, '_');
  return { path: `${CONNECTION_PATH_BASE}${cm}/${proto}/${name}`, busName: `${CONNECTION_BUS_BASE}${cm}.${proto}.${name}` };
}
