/** What every command gets: its arguments, the output, and a connection made on first use. */
import { Confab } from '../bus';
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
  /** Resolves with an exit code, or anything else for 0. */
  run(ctx: Context): Promise<unknown>;
}
