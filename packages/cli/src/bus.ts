/**
 * The CLI's view of confabd on the session bus: proxies for the manager, accounts and channels,
 * properties, and D-Bus errors turned into one line of text.
 */
import dbus from 'dbus-next';

export const BUS_NAME = 'im.confab.Confab1';
export const ROOT = '/im/confab/Confab1';
export const MANAGER = 'im.confab.Confab1.Manager';
export const ACCOUNT = 'im.confab.Confab1.Account';
export const CHANNEL = 'im.confab.Confab1.Channel';
export const PERSON = 'im.confab.Confab1.Person';
export const CALL = 'im.confab.Confab1.Call';
export const PROPERTIES = 'org.freedesktop.DBus.Properties';

export class CliError extends Error {}

/** An object's properties, unwrapped, with its path. */
export type Props = Record<string, unknown> & { path: string };

type Bus = ReturnType<typeof dbus.sessionBus>;
export type Iface = ReturnType<Awaited<ReturnType<Bus['getProxyObject']>>['getInterface']>;

export const accountPath = (idOrPath: string) => (idOrPath.startsWith('/') ? idOrPath : `${ROOT}/accounts/${idOrPath}`);
export const channelPath = (idOrPath: string) => (idOrPath.startsWith('/') ? idOrPath : `${ROOT}/channels/${idOrPath}`);
export const personPath = (idOrPath: string) => (idOrPath.startsWith('/') ? idOrPath : `${ROOT}/people/${idOrPath}`);
export const callPath = (idOrPath: string) => (idOrPath.startsWith('/') ? idOrPath : `${ROOT}/calls/${idOrPath}`);
export const lastElement = (path: string) => path.slice(path.lastIndexOf('/') + 1);

export class Confab {
  private constructor(readonly bus: Bus) {}

  static async connect(): Promise<Confab> {
    if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
      throw new CliError('no session bus (DBUS_SESSION_BUS_ADDRESS is not set); `npm start` prints the address of the bus it starts');
    }
    const bus = dbus.sessionBus();
    const failed = new Promise<never>((_, reject) => bus.on('error', (e: Error) => reject(new CliError(`cannot reach the session bus: ${e.message}`))));
    const c = new Confab(bus);
    const dbusIface = (await Promise.race([bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus'), failed])).getInterface('org.freedesktop.DBus');
    if (!(await dbusIface.NameHasOwner(BUS_NAME))) {
      bus.disconnect();
      throw new CliError('confabd is not running on this bus (start it with `npm start`)');
    }
    return c;
  }

  async iface(path: string, name: string): Promise<Iface> {
    const obj = await this.bus.getProxyObject(BUS_NAME, path);
    if (!obj.interfaces[name]) throw new CliError(`no such object: ${path}`);
    return obj.getInterface(name);
  }

  manager(): Promise<Iface> {
    return this.iface(ROOT, MANAGER);
  }

  account(idOrPath: string): Promise<Iface> {
    return this.iface(accountPath(idOrPath), ACCOUNT);
  }

  channel(idOrPath: string): Promise<Iface> {
    return this.iface(channelPath(idOrPath), CHANNEL);
  }

  async props(path: string, iface: string): Promise<Record<string, unknown>> {
    const p = await this.iface(path, PROPERTIES);
    return unwrap((await p.GetAll(iface)) as Record<string, { value: unknown }>);
  }

  person(idOrPath: string): Promise<Iface> {
    return this.iface(personPath(idOrPath), PERSON);
  }

  call(idOrPath: string): Promise<Iface> {
    return this.iface(callPath(idOrPath), CALL);
  }

  /** Every account, channel, person and call with its properties; calls oldest first. */
  async objects(): Promise<{ accounts: Props[]; channels: Props[]; people: Props[]; calls: Props[] }> {
    const om = await this.iface(ROOT, 'org.freedesktop.DBus.ObjectManager');
    const all = (await om.GetManagedObjects()) as Record<string, Record<string, Record<string, { value: unknown }>>>;
    const accounts: Props[] = [];
    const channels: Props[] = [];
    const people: Props[] = [];
    const calls: Props[] = [];
    for (const [path, ifaces] of Object.entries(all)) {
      if (ifaces[ACCOUNT]) accounts.push({ path, ...unwrap(ifaces[ACCOUNT]) });
      if (ifaces[CHANNEL]) channels.push({ path, ...unwrap(ifaces[CHANNEL]) });
      if (ifaces[PERSON]) people.push({ path, ...unwrap(ifaces[PERSON]) });
      if (ifaces[CALL]) calls.push({ path, ...unwrap(ifaces[CALL]) });
    }
    accounts.sort((a, b) => String(a.Id).localeCompare(String(b.Id)));
    channels.sort((a, b) => Number(lastElement(a.path)) - Number(lastElement(b.path)));
    people.sort((a, b) => Number(a.Id) - Number(b.Id));
    calls.sort((a, b) => Number(a.StartedAt) - Number(b.StartedAt) || lastElement(a.path).localeCompare(lastElement(b.path), undefined, { numeric: true }));
    return { accounts, channels, people, calls };
  }

  /** Calls `gone` once if confabd leaves the bus or the connection fails. */
  async onGone(gone: (why: string) => void): Promise<void> {
    const d = (await this.bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    let done = false;
    const once = (why: string) => {
      if (done) return;
      done = true;
      gone(why);
    };
    d.on('NameOwnerChanged', (name: string, _old: string, owner: string) => {
      if (name === BUS_NAME && !owner) once('confabd left the bus');
    });
    this.bus.on('error', (e: Error) => once(`lost the session bus: ${e.message}`));
  }

  close(): void {
    this.bus.disconnect();
  }
}

export function unwrap(dict: Record<string, { value: unknown }>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(dict)) out[k] = v && typeof v === 'object' && 'value' in v ? deep(v.value) : v;
  return out;
}

function deep(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(deep);
  if (v && typeof v === 'object' && 'signature' in v && 'value' in v) return deep((v as { value: unknown }).value);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)]));
  return v;
}

/** One line for a failure: `NotFound: no account 'x'` for Confab's errors, the D-Bus text otherwise. */
export function describeError(err: unknown): string {
  const e = err as { type?: string; text?: string; message?: string };
  if (e.type?.startsWith('im.confab.Error.')) return `${e.type.slice('im.confab.Error.'.length)}: ${e.text ?? ''}`;
  if (e.type === 'org.freedesktop.DBus.Error.ServiceUnknown') return 'confabd is not running on this bus (start it with `npm start`)';
  if (e.type) return `${e.type}: ${e.text ?? ''}`;
  return (e.message ?? String(err)).split('\n')[0];
}

export const variant = (sig: string, value: unknown) => new dbus.Variant(sig, value);
