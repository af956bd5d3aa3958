/** Argument parsing on node:util parseArgs: strict (an unknown option is a usage error), with help. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

export const COMMON: Options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export function parse(argv: readonly string[], options: Options = {}): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** `name=value` pairs. */
export function pairs(items: readonly string[]): Array<[string, string]> {
  return items.map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected name=value, got '${item}'`);
    return [item.slice(0, eq), item.slice(eq + 1)];
  });
}

export function requirePositionals(p: Parsed, n: number, usage: string): void {
  if (p.positionals.length < n) throw new UsageError(`missing arguments; usage: ${usage}`);
}

/** A `--name N` option that must be digits; 0 when absent (history and timeline paging). */
export function countOption(value: unknown, name: string): number {
  if (value === undefined) return 0;
  if (!/^\d+$/.test(String(value))) throw new UsageError(`--${name} must be a number`);
  return Number(value);
}

/** `--limit N`, a whole number, or `dflt` when absent. */
export function limitOption(value: unknown, dflt: number): number {
  const limit = value === undefined ? dflt : Number(value);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit must be a whole number, not '${String(value)}'`);
  return limit;
}
