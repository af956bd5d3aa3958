/**
 * Telepathy parameters ⇄ Confab parameters, through a protocol's table (table.ts). Pure functions.
 *
 * Into Confab: a table row renames (and converts); a Confab parameter no row names passes through; a
 * Telepathy-only row is kept aside with the D-Bus type it came in; anything else is refused, as Mission
 * Control refuses a parameter its CM does not declare. Values are given to the daemon as plain values
 * (any integer width: Polari and mc-tool send `port` as `u` where idle declares `q`), and the daemon
 * validates them against the protocol's specs.
 *
 * Out of Confab (the Parameters property): the account's parameters under their Telepathy names, with
 * the types the CM declares (`q` and `u` as `u`, which is what clients send and what Mission Control
 * shows), plus the Telepathy-only ones. Secret parameters are never there: the daemon keeps them in
 * the secret store, not in the account's parameters (Mission Control would echo a password here, in
 * clear; Confab does not — DESIGN.md § Storage).
 */
import dbus from 'dbus-next';
import { InvalidArgumentError, type AccountParams, type ParamSpec, type ParamValue } from '@confab/sdk';
import type { ParamRow, ProtocolTable, TpSignature } from './table';

type Variant = InstanceType<typeof dbus.Variant>;

/** A Telepathy-only parameter as kept: its D-Bus type and value. */
export type KeptParam = [string, ParamValue];

export interface ParsedParams {
  /** Confab parameters to set. */
  readonly set: AccountParams;
  /** Confab parameters to unset (a value that means "the default", e.g. rakia's transport `auto`). */
  readonly unset: string[];
  /** Telepathy-only parameters to keep. */
  readonly kept: Record<string, KeptParam>;
}

/** What a Telepathy name is to Confab: a row, a Confab parameter passing through, or nothing. */
function resolve(table: ProtocolTable, specs: readonly ParamSpec[], name: string): { row?: ParamRow; confab?: string } | undefined {
  const row = table.rows.find((r) => r.tp === name);
  if (row) return { row, confab: row.confab };
  const renamed = table.rows.some((r) => r.confab === name);
  if (!renamed && specs.some((s) => s.name === name)) return { confab: name };
  return undefined;
}

/** A CreateAccount's or UpdateParameters' `a{sv}` as Confab parameters; InvalidArgument for an unknown name or a bad value. */
export function parseParams(table: ProtocolTable, specs: readonly ParamSpec[], raw: Record<string, unknown>): ParsedParams {
  const set: AccountParams = {};
  const unset: string[] = [];
  const kept: Record<string, KeptParam> = {};
  for (const [name, wrapped] of Object.entries(raw)) {
    const { signature, value } = plain(name, wrapped);
    const target = resolve(table, specs, name);
    if (!target) throw new InvalidArgumentError(`${table.cm}/${table.protocol} has no parameter '${name}'`);
    if (!target.confab) {
      kept[name] = [signature, value];
      continue;
    }
    const converted = target.row?.toConfab ? target.row.toConfab(value) : value;
    if (converted === undefined) unset.push(target.confab);
    else set[target.confab] = converted;
  }
  return { set, unset, kept };
}

/** UpdateParameters' `Unset` names as Confab names and Telepathy-only names. */
export function parseUnset(table: ProtocolTable, specs: readonly ParamSpec[], names: readonly string[]): { confab: string[]; kept: string[] } {
  const confab: string[] = [];
  const kept: string[] = [];
  for (const name of names) {
    const target = resolve(table, specs, name);
    if (!target) throw new InvalidArgumentError(`${table.cm}/${table.protocol} has no parameter '${name}'`);
    if (target.confab) confab.push(target.confab);
    else kept.push(name);
  }
  return { confab, kept };
}

/** The Parameters property: the account's parameters under Telepathy names, secrets never among them. */
export function shapeParams(table: ProtocolTable, specs: readonly ParamSpec[], params: AccountParams, kept: Record<string, KeptParam>): Record<string, Variant> {
  const out: Record<string, Variant> = {};
  for (const [name, value] of Object.entries(params)) {
    const spec = specs.find((s) => s.name === name);
    if (spec?.secret) continue; // never stored there; never shown even if it were
    const row = table.rows.find((r) => r.confab === name);
    out[row?.tp ?? name] = variant(signatureOf(row?.type, spec, value), value);
  }
  for (const [name, [signature, value]] of Object.entries(kept)) {
    if (!(name in out)) out[name] = variant(signature, value);
  }
  return out;
}

/** dbus-next takes 64-bit integers as BigInts. */
function variant(signature: string, value: ParamValue): Variant {
  return new dbus.Variant(signature, (signature === 'x' || signature === 't') && typeof value === 'number' ? BigInt(value) : value);
}

/** The type a value is shown with: the CM's (`q` widened to `u`), else by the Confab spec's type. */
function signatureOf(declared: TpSignature | undefined, spec: ParamSpec | undefined, value: ParamValue): string {
  if (typeof value === 'boolean') return 'b';
  if (typeof value === 'string') return 's';
  if (Array.isArray(value)) return 'as';
  if (declared === 'q' || declared === 'u') return value >= 0 && value <= 0xffffffff ? 'u' : 'x';
  if (declared === 'n' || declared === 'i' || spec?.type === 'int') return Math.abs(value) < 2 ** 31 ? 'i' : 'x';
  return 'x';
}

/** A variant from the bus as its D-Bus type and a plain value (BigInts as numbers, when safe). */
function plain(name: string, wrapped: unknown): { signature: string; value: ParamValue } {
  const v = wrapped as { signature?: string; value?: unknown };
  const signature = typeof v?.signature === 'string' ? v.signature : '';
  const value = v && typeof v === 'object' && 'value' in v ? v.value : wrapped;
  if (typeof value === 'bigint') {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`parameter '${name}' is out of range`);
    return { signature, value: n };
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { signature: signature || guess(value), value };
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return { signature: 'as', value: value as string[] };
  throw new InvalidArgumentError(`parameter '${name}' has a type Confab does not take (${signature || typeof value})`);
}

function guess(value: string | number | boolean): string {
  return typeof value === 'string' ? 's' : typeof value === 'boolean' ? 'b' : 'i';
}
