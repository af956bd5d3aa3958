/** Model values as D-Bus values (the structs documented in the XML contract). */
import type { MessageRow } from '../storage/store';

export const ROOT_PATH = '/im/confab/Confab1';
export const accountPath = (id: string) => `${ROOT_PATH}/accounts/${id}`;
export const channelPath = (id: number) => `${ROOT_PATH}/channels/${id}`;

/** A message as `(toossxsssb)`. */
export type WireMessage = [number, string, string, string, string, number, string, string, string, boolean];

export function wireMessage(m: MessageRow): WireMessage {
  return [m.id, channelPath(m.channelId), accountPath(m.accountId), m.senderId, m.senderName, m.serverTime, m.body, m.kind, m.state, m.outgoing];
}

/** A D-Bus `t` or `x` argument (a BigInt from dbus-next) as a safe JS number. */
export function toNumber(v: unknown, name: string): number {
  const n = typeof v === 'bigint' ? Number(v) : Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} is out of range`);
  return n;
}

/** Unwraps an `a{sv}` of dbus-next Variants into plain values (BigInts to numbers). */
export function unwrapVardict(dict: Record<string, { value: unknown }>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(dict ?? {})) {
    const value = v && typeof v === 'object' && 'value' in v ? v.value : v;
    out[k] = typeof value === 'bigint' ? Number(value) : value;
  }
  return out;
}
