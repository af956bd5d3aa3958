/**
 * `.client` files (spec 0.27 `Client`, "Discovery": a client that can be D-Bus-activated describes
 * itself in `$XDG_DATA_DIRS/telepathy/clients/<Name>.client` or `$XDG_DATA_HOME/telepathy/clients/`,
 * the latter first): a GLib key file with the `org.freedesktop.Telepathy.Client` group's `Interfaces`,
 * one group per filter (`[org.freedesktop.Telepathy.Client.Handler.HandlerChannelFilter N]`,
 * `…Observer.ObserverChannelFilter N`, `…Approver.ApproverChannelFilter N`) whose lines are
 * `<property> <type>=<value>`, and `BypassApproval`, `Recover`, `Capabilities` in the interfaces' groups.
 * Unknown groups are ignored: Polari 43's own file has an observer filter in a group named
 * `…Client.Handler.ObserverChannelFilter 2` (the notes), which must not make the file unreadable.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { keyList, keyString, parseKeyFile } from '../migrate/keyfile';
import type { ChannelFilter } from './channel-filter';
import { CLIENT_IFACE, HANDLER_IFACE, OBSERVER_IFACE, APPROVER_IFACE } from './constants';

export interface ClientDescription {
  /** The part after `org.freedesktop.Telepathy.Client.` */
  readonly name: string;
  readonly interfaces: readonly string[];
  readonly handlerFilters: readonly ChannelFilter[];
  readonly observerFilters: readonly ChannelFilter[];
  readonly approverFilters: readonly ChannelFilter[];
  readonly bypassApproval: boolean;
  readonly recover: boolean;
  readonly delayApprovers: boolean;
  readonly capabilities: readonly string[];
}

/** A value of a filter line, as its D-Bus type says (`s`, `o`, `u`, `i`, `q`, `y`, `b`, `t`, `x`). */
function typedValue(type: string, raw: string): unknown {
  switch (type) {
    case 's': case 'o': return keyString(raw);
    case 'b': return raw.trim() === 'true' || raw.trim() === '1';
    case 'u': case 'i': case 'q': case 'y': case 'n': return Number(raw.trim());
    case 't': case 'x': return BigInt(raw.trim());
    default: return undefined; // a type no filter of ours can compare: the line is left out
  }
}

function filterOf(group: ReadonlyMap<string, string>): ChannelFilter {
  const out = new Map<string, unknown>();
  for (const [key, raw] of group) {
    const space = key.lastIndexOf(' ');
    if (space < 0) continue;
    const value = typedValue(key.slice(space + 1), raw);
    if (value !== undefined) out.set(key.slice(0, space), value);
  }
  return out;
}

function filters(file: ReturnType<typeof parseKeyFile>, prefix: string): ChannelFilter[] {
  return [...file.entries()].filter(([g]) => g.startsWith(`${prefix} `)).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([, group]) => filterOf(group));
}

export function parseClientFile(name: string, text: string): ClientDescription {
  const file = parseKeyFile(text);
  const bool = (group: string, key: string) => file.get(group)?.get(key)?.trim() === 'true';
  return {
    name,
    interfaces: keyList(file.get(CLIENT_IFACE)?.get('Interfaces') ?? ''),
    handlerFilters: filters(file, `${HANDLER_IFACE}.HandlerChannelFilter`),
    observerFilters: filters(file, `${OBSERVER_IFACE}.ObserverChannelFilter`),
    approverFilters: filters(file, `${APPROVER_IFACE}.ApproverChannelFilter`),
    bypassApproval: bool(HANDLER_IFACE, 'BypassApproval'),
    recover: bool(OBSERVER_IFACE, 'Recover'),
    delayApprovers: bool(OBSERVER_IFACE, 'DelayApprovers'),
    capabilities: [...(file.get(`${HANDLER_IFACE}.Capabilities`)?.keys() ?? [])],
  };
}

/** The folders searched, most important first: `$XDG_DATA_HOME` then each of `$XDG_DATA_DIRS`. */
export function clientDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.XDG_DATA_HOME || join(env.HOME ?? '', '.local', 'share');
  const dirs = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':').filter((d) => d !== '');
  return [home, ...dirs].map((d) => join(d, 'telepathy', 'clients'));
}

/** Every readable `.client` file, the first one found of each name winning; a broken file is reported and skipped. */
export function readClientFiles(dirs: readonly string[], warn: (file: string, why: string) => void): Map<string, ClientDescription> {
  const out = new Map<string, ClientDescription>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    let names: string[];
    try {
      names = readdirSync(dir).filter((f) => f.endsWith('.client'));
    } catch (err) {
      warn(dir, (err as Error).message);
      continue;
    }
    for (const f of names.sort()) {
      const name = f.slice(0, -'.client'.length);
      if (out.has(name)) continue;
      try {
        out.set(name, parseClientFile(name, readFileSync(join(dir, f), 'utf8')));
      } catch (err) {
        warn(join(dir, f), (err as Error).message);
      }
    }
  }
  return out;
}
