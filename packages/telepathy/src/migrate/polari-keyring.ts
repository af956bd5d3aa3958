/**
 * Polari's passwords in the Secret Service. Polari (43) keeps them out of Mission Control's clear-text
 * accounts.cfg (it sets idle's `password-prompt` and answers the connection's ServerAuthentication
 * itself) and stores them with libsecret under two schemas, each item found by the account's Telepathy
 * path suffix (`idle/irc/alice0`) as its `account-id` attribute:
 *   org.gnome.Polari.Account   the server password (IRC PASS)             → Confab's `password`
 *   org.gnome.Polari.Identify  the NickServ password Polari identifies with: only reported. Confab logs
 *                              in to services by SASL (`sasl-password`), and asks for SASL when it has
 *                              one: given to a network without SASL the account would no longer
 *                              connect (measured on ngircd: auth-failed, "does not offer SASL").
 * Read over the Secret Service API (freedesktop Secret Service 0.2: SearchItems, OpenSession "plain",
 * GetSecrets); a locked item is reported, never unlocked here (no prompt from a command-line import).
 */
import dbus from 'dbus-next';

type Bus = ReturnType<typeof dbus.sessionBus>;

const SECRETS = 'org.freedesktop.secrets';
const SERVICE_PATH = '/org/freedesktop/secrets';
const SERVICE_IFACE = 'org.freedesktop.Secret.Service';

/** The Polari schema → the Confab parameter its password becomes. */
export const POLARI_SECRETS: ReadonlyArray<{ readonly schema: string; readonly param?: string; readonly what: string }> = [
  { schema: 'org.gnome.Polari.Account', param: 'password', what: 'server password' },
  { schema: 'org.gnome.Polari.Identify', what: 'NickServ password' },
];

export interface KeyringFind {
  /** Confab parameter → password, for the items found unlocked. */
  readonly params: Record<string, string>;
  /** What was found but locked (`server password`, …). */
  readonly locked: string[];
  /** What was found and is not imported (`NickServ password`). */
  readonly left: string[];
}

/** A Secret Service session to read Polari's items with; `undefined` from open() when the bus has none. */
export class PolariKeyring {
  private constructor(private readonly service: dbus.ClientInterface, private readonly session: string, private readonly bus: Bus) {}

  /** Opens a plain session (secrets travel over the private session bus, as libsecret's own default). */
  static async open(bus: Bus): Promise<PolariKeyring | undefined> {
    const dbusIface = (await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    const there = (await dbusIface.NameHasOwner(SECRETS)) as boolean || ((await dbusIface.ListActivatableNames()) as string[]).includes(SECRETS);
    if (!there) return undefined;
    const service = (await bus.getProxyObject(SECRETS, SERVICE_PATH)).getInterface(SERVICE_IFACE);
    const [, session] = (await service.OpenSession('plain', new dbus.Variant('s', ''))) as [unknown, string]; // Secret Service §7: algorithm "plain"
    return new PolariKeyring(service, session, bus);
  }

  /** The passwords Polari kept for the account `accountId` (its Telepathy path suffix). */
  async find(accountId: string): Promise<KeyringFind> {
    const params: Record<string, string> = {};
    const locked: string[] = [];
    const left: string[] = [];
    for (const s of POLARI_SECRETS) {
      // libsecret stores the schema name as the attribute `xdg:schema` beside the schema's own
      const [unlocked, lockedItems] = (await this.service.SearchItems({ 'xdg:schema': s.schema, 'account-id': accountId })) as [string[], string[]];
      if (unlocked.length === 0) {
        if (lockedItems.length > 0) locked.push(s.what);
        continue;
      }
      if (!s.param) {
        left.push(s.what);
        continue;
      }
      const secrets = (await this.service.GetSecrets([unlocked[0]], this.session)) as Record<string, [string, Buffer, Buffer, string]>;
      const value = secrets[unlocked[0]!]?.[2];
      if (value && value.length > 0) params[s.param] = Buffer.from(value).toString('utf8');
    }
    return { params, locked, left };
  }

  async close(): Promise<void> {
    try {
      await (await this.bus.getProxyObject(SECRETS, this.session)).getInterface('org.freedesktop.Secret.Session').Close();
    } catch {
      // the service went away: nothing left to close
    }
  }
}
