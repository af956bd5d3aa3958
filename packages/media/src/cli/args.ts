/**
 * Command-line arguments of confab-media: `--name VALUE` pairs and `--flag` switches (after the
 * command, which main.ts has taken off).
 * @since 0.1.0
 */
export interface ParsedArgs {
  readonly options: ReadonlyMap<string, string>;
  readonly flags: ReadonlySet<string>;
}

export function parseArgs(rest: readonly string[], switches: ReadonlySet<string>): ParsedArgs {
  const options = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const name = arg.slice(2);
    if (switches.has(name)) {
      flags.add(name);
      continue;
    }
    const value = rest[i + 1];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    options.set(name, value);
    i++;
  }
  return { options, flags };
}

export function required(args: ParsedArgs, name: string): string {
  const v = args.options.get(name);
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

export function integer(args: ParsedArgs, name: string): number | undefined {
  const v = args.options.get(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a whole number`);
  return Number(v);
}
