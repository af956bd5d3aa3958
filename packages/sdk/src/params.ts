import { InvalidArgumentError } from './errors';

/**
 * Account parameters, described as data (telepathy-glib `TpCMParamSpec`: name, type, flags, default,
 * filter). The daemon validates every create/update against these before anything is stored.
 * @since 0.1.0
 */
export type ParamType = 'string' | 'int' | 'bool' | 'strings';
export type ParamValue = string | number | boolean | string[];
export type AccountParams = Record<string, ParamValue>;

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly description: string;
  /** Must be given when the account is created. */
  readonly required?: boolean;
  /** Kept in the secret store, never in the parameters, never logged, never a property. */
  readonly secret?: boolean;
  /**
   * Takes effect on a connected account without reconnecting, through `Connection.applyParams`
   * (Telepathy's `DBus_Property` parameter flag: UpdateParameters lists the others as needing a
   * reconnect). A Tox nospam is one: c-toxcore's `tox_self_set_nospam` keeps the session. @since 0.5.0
   */
  readonly live?: boolean;
  readonly default?: ParamValue;
  /** Returns a message saying what is wrong, or undefined when the value is acceptable. */
  readonly validate?: (value: ParamValue) => string | undefined;
}

/**
 * Checks `params` against `specs` and returns them with their types normalised.
 * Throws InvalidArgumentError naming the parameter. With `partial`, required ones may be absent
 * (an update).
 */
export function validateParams(specs: readonly ParamSpec[], params: Record<string, unknown>, partial = false): AccountParams {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: AccountParams = {};
  for (const [name, raw] of Object.entries(params)) {
    const spec = byName.get(name);
    if (!spec) throw new InvalidArgumentError(`unknown parameter '${name}'`);
    const value = coerce(spec, raw);
    const problem = spec.validate?.(value);
    if (problem) throw new InvalidArgumentError(`parameter '${name}': ${problem}`);
    out[name] = value;
  }
  if (!partial) {
    for (const spec of specs) {
      if (spec.required && !(spec.name in out)) throw new InvalidArgumentError(`missing required parameter '${spec.name}'`);
    }
  }
  return out;
}

function coerce(spec: ParamSpec, raw: unknown): ParamValue {
  const bad = (what: string) => new InvalidArgumentError(`parameter '${spec.name}' must be ${what}`);
  switch (spec.type) {
    case 'string':
      if (typeof raw !== 'string') throw bad('a string');
      return raw;
    case 'int': {
      // Beyond 2^53 a JS number is no longer the integer given (a D-Bus `x` or `t` can be): refused, not rounded.
      const n = typeof raw === 'number' ? raw : typeof raw === 'bigint' ? Number(raw) : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
      if (Number.isSafeInteger(n)) return n;
      throw bad(Number.isInteger(n) ? `an integer from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}` : 'an integer');
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw bad('a boolean');
    case 'strings':
      if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return raw as string[];
      throw bad('a list of strings');
  }
}

/** The parameters with defaults filled in, for a connection to use. */
export function withDefaults(specs: readonly ParamSpec[], params: AccountParams): AccountParams {
  const out: AccountParams = {};
  for (const spec of specs) if (spec.default !== undefined) out[spec.name] = spec.default;
  return { ...out, ...params };
}
