/** Model values as D-Bus values (the structs documented in the XML contract). */
import { InvalidArgumentError } from '@confab/sdk';
import { callSummary } from '../messages/call-entries';
import type { CallRow } from '../calls/calls';
import type { MessageRow } from '../messages/messages';

export const ROOT_PATH = '/im/confab/Confab1';
export const accountPath = (id: string) => `${ROOT_PATH}/accounts/${id}`;
export const channelPath = (id: number) => `${ROOT_PATH}/channels/${id}`;
export const personPath = (id: number) => `${ROOT_PATH}/people/${id}`;
export const callPath = (id: number) => `${ROOT_PATH}/calls/${id}`;

/** The account id in an account's object path; InvalidArgument for any other path. */
export function accountIdOf(path: string): string {
  const prefix = `${ROOT_PATH}/accounts/`;
  const id = path.startsWith(prefix) ? path.slice(prefix.length) : '';
  if (!/^[A-Za-z0-9_]+$/.test(id)) throw new InvalidArgumentError(`'${path}' is not an account's object path`);
  return id;
}

/** The person id in a person's object path; InvalidArgument for any other path. */
export function personIdOf(path: string): number {
  const prefix = `${ROOT_PATH}/people/`;
  const id = path.startsWith(prefix) ? path.slice(prefix.length) : '';
  if (!/^[1-9][0-9]{0,15}$/.test(id)) throw new InvalidArgumentError(`'${path}' is not a person's object path`);
  return Number(id);
}

/** A message as `(toossxsssb)`. */
export type WireMessage = [number, string, string, string, string, number, string, string, string, boolean];

/**
 * A message, or a call's entry, as `(toossxsssb)`. A call's entry has kind `call`, the call's state
 * and the call in words as its body (for clients that show every entry as text); Manager.GetCalls
 * has the rest.
 */
export function wireMessage(m: MessageRow): WireMessage {
  const body = m.call ? callSummary(m.call) : m.body;
  return [m.id, channelPath(m.channelId), accountPath(m.accountId), m.senderId, m.senderName, m.serverTime, body, m.kind, entryState(m), m.outgoing];
}

/** A message's delivery state, or a call's entry's call state. */
export const entryState = (m: MessageRow): string => m.call ? m.call.state : m.state;

/** A call's entry as `(tosbbsssxxx)`: entry id, call, direction, audio, video, state, end reason and detail, started, answered, ended. */
export function wireCallEntry([id, c]: [number, CallRow]): [number, string, string, boolean, boolean, string, string, string, number, number, number] {
  return [id, callPath(c.id), c.direction, c.audio, c.video, c.state, c.endReason, c.endDetail, c.startedAt, c.answeredAt, c.endedAt];
}

/**
 * A D-Bus `t` or `x` argument (a BigInt from dbus-next) as a safe JS number: ids are SQLite rowids,
 * so one past 2^53 - 1 (or below 0) names nothing and is the caller's mistake, InvalidArgument.
 */
export function toNumber(v: unknown, name: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be from 0 to ${Number.MAX_SAFE_INTEGER}, not ${String(v)}`);
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

/** The most items one call returns or takes. */
export const MAX_PAGE = 1000;

/** A page size as a caller asks it: 0 is the default (100); more than MAX_PAGE is InvalidArgument. */
export function pageSize(limit: number): number {
  if (limit === 0) return 100;
  if (limit > MAX_PAGE) throw new InvalidArgumentError(`limit must be at most ${MAX_PAGE}`);
  return limit;
}

/** At most MAX_PAGE message ids, as safe numbers. */
export function messageIds(ids: unknown[]): number[] {
  if (ids.length > MAX_PAGE) throw new InvalidArgumentError(`at most ${MAX_PAGE} ids at once`);
  return ids.map((id) => toNumber(id, 'a message id'));
}
