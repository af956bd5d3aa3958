/**
 * confabd's configuration file (JSON, optional): `$XDG_CONFIG_HOME/confab/confabd.json`.
 *
 *   {
 *     "logLevel": "info",                          // debug | info | warn | error
 *     "reconnect": { "initialDelayMs": 1000, "maxDelayMs": 300000 },
 *     "secretStore": "auto",                       // auto | secret-service | file
 *     "disabledPlugins": ["@confab/plugin-foo"],
 *     "telepathy": { "enabled": true }            // serve Telepathy's AccountManager (docs/telepathy.md);
 *                                                 // "handlerTimeoutMs": how long a Telepathy client may take to answer the ChannelDispatcher (default 30000)
 *   }
 *
 * A missing file means the defaults. A bad file is refused with InvalidConfig naming the problem;
 * the daemon then runs on the defaults (or, on reload, keeps what it had) and shows the error on D-Bus.
 */
import { readFileSync } from 'node:fs';
import { ConfabError } from '@confab/sdk';
import type { LogLevel } from './log';

export interface Config {
  readonly logLevel: LogLevel;
  readonly reconnect: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly secretStore: 'auto' | 'secret-service' | 'file';
  readonly disabledPlugins: readonly string[];
  /**
   * Calls (docs/calls.md): how long a call may ring before it ends `no-answer`; the STUN/TURN servers
   * of every call (RFC 7064/7065 URLs, a TURN user name — its password is a secret, never here).
   */
  readonly calls: { readonly ringTimeoutMs: number; readonly iceServers: readonly IceServerSetting[] };
  /** The Telepathy adapter (docs/telepathy.md): on unless turned off. */
  readonly telepathy: { readonly enabled: boolean; readonly handlerTimeoutMs?: number };
}

/** One entry of `calls.iceServers`. */
export interface IceServerSetting {
  readonly urls: readonly string[];
  readonly username?: string;
}

export const DEFAULT_CONFIG: Config = {
  logLevel: 'info',
  reconnect: { initialDelayMs: 1000, maxDelayMs: 300_000 },
  secretStore: 'auto',
  disabledPlugins: [],
  calls: { ringTimeoutMs: 60_000, iceServers: [] },
  telepathy: { enabled: true },
};

const invalid = (file: string, why: string) => new ConfabError('InvalidConfig', `${file}: ${why}`);

export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_CONFIG;
    throw invalid(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw invalid(file, `is not valid JSON (${(err as Error).message})`);
  }
  return parseConfig(raw, file);
}

export function parseConfig(raw: unknown, file = 'config'): Config {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(file, 'must be a JSON object');
  const o = raw as Record<string, unknown>;
  const known = new Set(['logLevel', 'reconnect', 'secretStore', 'disabledPlugins', 'calls', 'telepathy']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw invalid(file, `unknown key '${k}'`);

  const logLevel = o.logLevel ?? DEFAULT_CONFIG.logLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel as string)) throw invalid(file, `'logLevel' must be debug, info, warn or error`);

  const rc = (o.reconnect ?? {}) as Record<string, unknown>;
  if (typeof rc !== 'object' || Array.isArray(rc)) throw invalid(file, `'reconnect' must be an object`);
  const num = (v: unknown, name: string, dflt: number) => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 86_400_000) throw invalid(file, `'reconnect.${name}' must be a number of milliseconds`);
    return v;
  };
  const initialDelayMs = num(rc.initialDelayMs, 'initialDelayMs', DEFAULT_CONFIG.reconnect.initialDelayMs);
  const maxDelayMs = num(rc.maxDelayMs, 'maxDelayMs', DEFAULT_CONFIG.reconnect.maxDelayMs);
  if (maxDelayMs < initialDelayMs) throw invalid(file, `'reconnect.maxDelayMs' is below 'initialDelayMs'`);

  const secretStore = o.secretStore ?? DEFAULT_CONFIG.secretStore;
  if (!['auto', 'secret-service', 'file'].includes(secretStore as string)) throw invalid(file, `'secretStore' must be auto, secret-service or file`);

  const disabledPlugins = o.disabledPlugins ?? [];
  if (!Array.isArray(disabledPlugins) || !disabledPlugins.every((p) => typeof p === 'string')) throw invalid(file, `'disabledPlugins' must be a list of package names`);

  const calls = (o.calls ?? {}) as Record<string, unknown>;
  if (typeof calls !== 'object' || Array.isArray(calls)) throw invalid(file, `'calls' must be an object`);
  for (const k of Object.keys(calls)) if (k !== 'ringTimeoutMs' && k !== 'iceServers') throw invalid(file, `unknown key 'calls.${k}'`);
  const ringTimeoutMs = calls.ringTimeoutMs ?? DEFAULT_CONFIG.calls.ringTimeoutMs;
  if (typeof ringTimeoutMs !== 'number' || !Number.isInteger(ringTimeoutMs) || ringTimeoutMs < 1000 || ringTimeoutMs > 600_000) {
    throw invalid(file, `'calls.ringTimeoutMs' must be a whole number of milliseconds from 1000 to 600000`);
  }
  const iceServers = parseIceServers(calls.iceServers, file);
  const telepathy = parseTelepathy(o.telepathy, file);
  return { logLevel: logLevel as LogLevel, reconnect: { initialDelayMs, maxDelayMs }, secretStore: secretStore as Config['secretStore'], disabledPlugins, calls: { ringTimeoutMs, iceServers }, telepathy };
}

/** `calls.iceServers`: `[{"urls": ["stun:…", "turn:…"], "username": "…"}]`; a `credential` here is refused (it is a secret). */
function parseIceServers(raw: unknown, file: string): IceServerSetting[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.length > 8) throw invalid(file, `'calls.iceServers' must be a list of at most 8 servers`);
  return raw.map((entry: unknown, i) => {
    const where = `'calls.iceServers[${i}]'`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalid(file, `${where} must be an object`);
    const e = entry as Record<string, unknown>;
    if ('credential' in e || 'password' in e) throw invalid(file, `${where}: the TURN password is a secret and does not go in the configuration file (docs/install.md)`);
    for (const k of Object.keys(e)) if (k !== 'urls' && k !== 'username') throw invalid(file, `unknown key ${where}.${k}`);
    const urls = typeof e.urls === 'string' ? [e.urls] : e.urls;
    // RFC 7064 § 3.1, RFC 7065 § 3.1
    if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string' && /^(stuns?|turns?):[^\s]{1,250}$/i.test(u))) throw invalid(file, `${where}.urls must be stun:/stuns:/turn:/turns: URLs`);
    if (e.username !== undefined && (typeof e.username !== 'string' || e.username.length === 0 || e.username.length > 256)) throw invalid(file, `${where}.username must be a non-empty string`);
    return { urls: urls as string[], ...(typeof e.username === 'string' ? { username: e.username } : {}) };
  });
}

function parseTelepathy(raw: unknown, file: string): Config['telepathy'] {
  if (raw === undefined) return DEFAULT_CONFIG.telepathy;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(file, `'telepathy' must be an object`);
  for (const k of Object.keys(raw)) if (k !== 'enabled' && k !== 'handlerTimeoutMs') throw invalid(file, `unknown key 'telepathy.${k}'`);
  const enabled = (raw as { enabled?: unknown }).enabled ?? DEFAULT_CONFIG.telepathy.enabled;
  if (typeof enabled !== 'boolean') throw invalid(file, `'telepathy.enabled' must be true or false`);
  const timeout = (raw as { handlerTimeoutMs?: unknown }).handlerTimeoutMs;
  if (timeout === undefined) return { enabled };
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 100 || timeout > 600000) {
    throw invalid(file, `'telepathy.handlerTimeoutMs' must be a whole number of milliseconds from 100 to 600000`);
  }
  return { enabled, handlerTimeoutMs: timeout };
}
