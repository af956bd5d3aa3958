/**
 * Presence as Telepathy says it, `(u type, s status, s message)` (spec Connection_Presence_Type: 0
 * unset, 1 offline, 2 available, 3 away, 4 extended away, 5 hidden, 6 busy, 7 unknown, 8 error), and
 * as Confab says it (one presence for every account: Presence in @confab/sdk).
 */
import { InvalidArgumentError, type Presence, type PresenceStatus } from '@confab/sdk';

export type TpPresence = [number, string, string];

export const UNSET: TpPresence = [0, '', ''];
export const OFFLINE: TpPresence = [1, 'offline', ''];
export const AVAILABLE: TpPresence = [2, 'available', ''];

const TO_TP: Record<PresenceStatus, [number, string]> = {
  available: [2, 'available'],
  away: [3, 'away'],
  busy: [6, 'busy'],
  invisible: [5, 'hidden'],
  offline: [1, 'offline'],
};

const FROM_TYPE: Record<number, PresenceStatus> = { 1: 'offline', 2: 'available', 3: 'away', 4: 'away', 5: 'invisible', 6: 'busy' };

export function tpPresence(p: Presence): TpPresence {
  const [type, status] = TO_TP[p.status];
  return [type, status, p.message];
}

/** A presence a client asked for, as Confab's; `unset` for type 0; InvalidArgument for unknown, error or a bad type. */
export function confabPresence(p: unknown): Presence | 'unset' {
  if (!Array.isArray(p) || p.length !== 3 || typeof p[0] !== 'number' || typeof p[2] !== 'string') {
    throw new InvalidArgumentError('a presence is (u type, s status, s message)');
  }
  const [type, , message] = p as TpPresence;
  if (type === 0) return 'unset';
  const status = FROM_TYPE[type];
  if (!status) throw new InvalidArgumentError(`presence type ${type} cannot be requested (offline, available, away, xa, hidden or busy)`);
  return { status, message };
}

/** Whether the presence asks to be connected. */
export const isOnline = (p: Presence | 'unset'): p is Presence => p !== 'unset' && p.status !== 'offline';
