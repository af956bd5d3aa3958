/**
 * Mission Control's accounts (accounts.cfg, MC 5.16: `src/mcd-account-config.h` keys) as the
 * CreateAccount calls that make them again on Confab. Parameters (`param-<name>`) are untyped in the
 * file; Mission Control types them from the CM's `.manager` file, this from the protocol's table
 * (a name no row has goes as a string, which Confab's own parameter types read: `"16667"`, `"true"`).
 * The presence it asks: an account Mission Control would have connected at start (Enabled and
 * ConnectAutomatically) requests its AutomaticPresence (unset in the file means available).
 */
import dbus from 'dbus-next';
import { TABLES } from '../params';
import type { TpSignature } from '../params/table';
import { keyList, keyString, type KeyFile } from './keyfile';

type Variant = InstanceType<typeof dbus.Variant>;
const ACCOUNT = 'org.freedesktop.Telepathy.Account.';

export interface ImportRequest {
  /** The group name: `<cm>/<protocol>/<unique>`. */
  readonly source: string;
  readonly cm: string;
  readonly protocol: string;
  readonly displayName: string;
  readonly params: Record<string, Variant>;
  readonly properties: Record<string, Variant>;
}

export type ImportPlan = ImportRequest | { readonly source: string; readonly skip: string };

export function planImport(file: KeyFile): ImportPlan[] {
  return [...file].map(([source, keys]) => plan(source, keys));
}

function plan(source: string, keys: Map<string, string>): ImportPlan {
  const cm = keys.get('manager') ?? source.split('/')[0];
  const protocol = (keys.get('protocol') ?? source.split('/')[1] ?? '').replace(/_/g, '-');
  const table = TABLES.find((t) => t.cm === cm && t.protocol === protocol);
  if (!table) return { source, skip: `Confab has no protocol for ${cm}/${protocol}` };
  const params: Record<string, Variant> = {};
  for (const [key, value] of keys) {
    if (!key.startsWith('param-')) continue;
    const name = key.slice('param-'.length);
    params[name] = typed(table.rows.find((r) => r.tp === name)?.type, value);
  }
  const bool = (k: string) => keys.get(k) === 'true';
  const properties: Record<string, Variant> = { [`${ACCOUNT}Enabled`]: new dbus.Variant('b', bool('Enabled')) };
  for (const k of ['Nickname', 'Icon', 'Service']) if (keys.has(k)) properties[ACCOUNT + k] = new dbus.Variant('s', keyString(keys.get(k)!));
  const connectAutomatically = keys.has('ConnectAutomatically') ? bool('ConnectAutomatically') : true;
  properties[`${ACCOUNT}ConnectAutomatically`] = new dbus.Variant('b', connectAutomatically);
  const automatic = presence(keys.get('AutomaticPresence'));
  if (automatic) properties[`${ACCOUNT}AutomaticPresence`] = new dbus.Variant('(uss)', automatic);
  if (bool('Enabled') && connectAutomatically) properties[`${ACCOUNT}RequestedPresence`] = new dbus.Variant('(uss)', automatic ?? [2, 'available', '']);
  return { source, cm, protocol, displayName: keyString(keys.get('DisplayName') ?? ''), params, properties };
}

/** A parameter's value in the type its CM declares. */
function typed(type: TpSignature | undefined, value: string): Variant {
  switch (type) {
    case 'u': case 'q': return new dbus.Variant('u', Number.parseInt(value, 10));
    case 'i': case 'n': return new dbus.Variant('i', Number.parseInt(value, 10));
    case 'b': return new dbus.Variant('b', value === 'true' || value === '1');
    case 'as': return new dbus.Variant('as', keyList(value));
    default: return new dbus.Variant('s', keyString(value));
  }
}

/** `type;status;message;` → (uss); unset (`0;;;`, absent) → undefined. */
function presence(value: string | undefined): [number, string, string] | undefined {
  if (!value) return undefined;
  const [type, status = '', message = ''] = keyList(value);
  const n = Number.parseInt(type ?? '0', 10);
  return Number.isInteger(n) && n > 1 ? [n, status, message] : undefined;
}
