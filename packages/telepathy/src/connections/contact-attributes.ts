/**
 * Contacts as the Connection interfaces show them: spec 0.27 `Connection.Interface.Contacts`
 * attributes (`<interface>/<attribute>` keys), `Aliasing` aliases and `SimplePresence` presences.
 * Confab's presence is global and contacts' presences in rooms are not followed yet, so another
 * contact's presence is `unknown` (Connection_Presence_Type 7) and the user's own is Confab's.
 */
import dbus from 'dbus-next';
import type { Presence } from '@confab/sdk';
import { tpPresence, type TpPresence } from '../accounts/presence';
import { ALIASING_IFACE, CONNECTION_IFACE, SIMPLE_PRESENCE_IFACE } from './constants';

type Variant = InstanceType<typeof dbus.Variant>;

export const CONTACT_ATTRIBUTE_INTERFACES = [CONNECTION_IFACE, ALIASING_IFACE, SIMPLE_PRESENCE_IFACE];

export const UNKNOWN_PRESENCE: TpPresence = [7, 'unknown', ''];

/** spec SimplePresence.Statuses: `{status: (type, may set on self, can have a message)}`. */
export const STATUSES: Record<string, [number, boolean, boolean]> = {
  available: [2, true, true],
  away: [3, true, true],
  xa: [4, true, true],
  hidden: [5, true, true],
  busy: [6, true, true],
  offline: [1, true, true],
  unknown: [7, false, false],
};

/** A status SetPresence names, as Confab's presence (xa is away: Confab has one away). */
export const CONFAB_STATUS: Record<string, string> = { available: 'available', away: 'away', xa: 'away', hidden: 'invisible', busy: 'busy', offline: 'offline' };

export interface ContactView {
  readonly id: string;
  readonly alias: string;
  readonly isSelf: boolean;
}

export function presenceOf(c: ContactView, presence: Presence): TpPresence {
  return c.isSelf ? tpPresence(presence) : UNKNOWN_PRESENCE;
}

/** The attributes of one contact; `contact-id` always (spec), the others for the interfaces asked. */
export function contactAttributes(c: ContactView, asked: readonly string[], presence: Presence): Record<string, Variant> {
  const out: Record<string, Variant> = { [`${CONNECTION_IFACE}/contact-id`]: new dbus.Variant('s', c.id) };
  if (asked.includes(ALIASING_IFACE)) out[`${ALIASING_IFACE}/alias`] = new dbus.Variant('s', c.alias);
  if (asked.includes(SIMPLE_PRESENCE_IFACE)) out[`${SIMPLE_PRESENCE_IFACE}/presence`] = new dbus.Variant('(uss)', presenceOf(c, presence));
  return out;
}
