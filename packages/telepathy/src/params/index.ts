/**
 * The tables of every protocol, and the names a Confab protocol has on Telepathy: the CM and protocol
 * names Telepathy clients know for the protocols that had a connection manager (Polari hard-codes
 * `idle`/`irc`; Empathy and GNOME Online Accounts `gabble`/`jabber`; `rakia`/`sip`), `confab/<id>` for
 * the others (Tox, a third-party plugin's).
 */
import { GABBLE } from './gabble';
import { IDLE } from './idle';
import { RAKIA } from './rakia';
import type { ProtocolTable } from './table';
import { TOX } from './tox';

export const TABLES: readonly ProtocolTable[] = [IDLE, GABBLE, RAKIA, TOX];

/** The CM of Confab's own names. */
export const CONFAB_CM = 'confab';

/** The table of a Confab protocol: its own, else `confab/<id>` with Confab's parameter names. */
export function tableFor(confabProtocol: string): ProtocolTable {
  return TABLES.find((t) => t.confab === confabProtocol) ?? { confab: confabProtocol, cm: CONFAB_CM, protocol: telepathyProtocolName(confabProtocol), rows: [] };
}

/** The table of a Telepathy CM and protocol, among the Confab protocols loaded; undefined if none. */
export function tableByName(cm: string, protocol: string, loaded: Iterable<string>): ProtocolTable | undefined {
  for (const id of loaded) {
    const t = tableFor(id);
    if (t.cm === cm && t.protocol === protocol) return t;
  }
  return undefined;
}

/** A Telepathy protocol name: `[a-z][a-z0-9-]*` (spec Protocol). */
function telepathyProtocolName(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '') || 'x';
}

export type { ParamRow, ProtocolTable, TpSignature } from './table';
