/**
 * How a Telepathy protocol's parameters are Confab's: one table per protocol (idle.ts, gabble.ts,
 * rakia.ts, tox.ts), each row a Telepathy parameter name as its connection manager's `.manager` file
 * declares it (`param-<name>`), the D-Bus type it declares there, and the Confab parameter it is.
 *
 * A row without `confab` is a Telepathy-only parameter: accepted, kept with the account and shown
 * back in Parameters, with no effect on Confab (its `note` says why). A Confab parameter that no row
 * names passes through under its own name, so everything Confab can do is reachable from a
 * Telepathy client (`mc-tool update … string:sasl-password=…`).
 */
import type { ParamValue } from '@confab/sdk';

/** The D-Bus types Telepathy parameters have (spec Connection_Manager `Parameters a(susv)`). */
export type TpSignature = 's' | 'u' | 'q' | 'i' | 'n' | 'b' | 'as';

export interface ParamRow {
  /** Telepathy's name. */
  readonly tp: string;
  /** The type the connection manager declares. */
  readonly type: TpSignature;
  /** The Confab parameter it is; absent for a Telepathy-only one. */
  readonly confab?: string;
  /** Where the values differ: the Confab value, undefined for "unset" (rakia's transport `auto`). */
  readonly toConfab?: (value: ParamValue) => ParamValue | undefined;
  /** Why a Telepathy-only parameter does nothing, or how the two differ. */
  readonly note?: string;
}

export interface ProtocolTable {
  /** Confab's protocol id. */
  readonly confab: string;
  /** The connection manager and protocol names Telepathy clients use (Polari hard-codes `idle`/`irc`). */
  readonly cm: string;
  readonly protocol: string;
  readonly rows: readonly ParamRow[];
  /** The Confab parameter that Account.Nickname is, if the protocol has one. */
  readonly nickname?: string;
}
