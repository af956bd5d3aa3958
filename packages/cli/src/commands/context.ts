/** What every command gets: its arguments, the output, and a connection made on first use. */
import { Confab } from '../bus';
import type { Options, Parsed } from '../args';
import type { Out } from '../format';

export interface Context {
  readonly argv: string[];
  readonly out: Out;
  confab(): Promise<Confab>;
  /** Reads all of standard input (for --password-stdin). */
  stdin(): Promise<string>;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Its options besides the common ones (--json): the dispatcher parses them (util.parseArgs, strict). */
  readonly options?: Options;
  /** How many positional arguments it needs at least; fewer is a usage error naming `usage`. */
  readonly positionals?: number;
  /** Resolves with an exit code, or anything else for 0. `args` are `ctx.argv` parsed. */
  run(ctx: Context, args: Parsed): Promise<unknown>;
}
