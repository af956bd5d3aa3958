/**
 * Contacts as the Connection interfaces show them: spec 0.27 `Connection.Interface.Contacts`
 * attributes (`<interface>/<attribute>` keys), `Aliasing` aliases, `SimplePresence` presences and,
 * on a connection with a contact list, `ContactList` subscription states and `ContactGroups` groups.
 * The user's own presence is Confab's (global); a contact of the account's list has the presence its
 * connection reports; anyone else (a room member) is `unknown` (Connection_Presence_Type 7).
 */
import dbus from 'dbus-next';
import type { Presence } from '@confab/sdk';
import { tpPresence, type TpPresence } from '../accounts/presence';
import type { ConfabContact } from '../confab';
import { ALIASING_IFACE, CONNECTION_IFACE, CONTACT_GROUPS_IFACE, CONTACT_INFO_IFACE, CONTACT_LIST_IFACE, SIMPLE_PRESENCE_IFACE } from './constants';
import { SUB_NO, type RosterEntry } from './roster-state';

type Variant = InstanceType<typeof dbus.Variant>;

export const CONTACT_ATTRIBUTE_INTERFACES = [CONNECTION_IFACE, ALIASING_IFACE, SIMPLE_PRESENCE_IFACE, CONTACT_INFO_IFACE];
/** spec Contacts.ContactAttributeInterfaces of a connection with a contact list. */
export const ROSTER_ATTRIBUTE_INTERFACES = [...CONTACT_ATTRIBUTE_INTERFACES, CONTACT_LIST_IFACE, CONTACT_GROUPS_IFACE];

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
  /** The contact as the account's list has it (its presence), if it is on the list. */
  readonly listed?: ConfabContact;
  /** On a connection with a contact list: the contact's entry there (undefined: not on it). */
  readonly roster?: { readonly entry?: RosterEntry };
  /** Its ContactInfo fields, once a RequestContactInfo learnt them. */
  readonly info?: Array<[string, string[], string[]]>;
}

export function presenceOf(c: ContactView, presence: Presence): TpPresence {
  if (c.isSelf) return tpPresence(presence);
  const status = c.listed?.status;
  return status && status !== 'unknown' ? tpPresence({ status, message: c.listed!.message }) : UNKNOWN_PRESENCE;
}

/** The attributes of one contact; `contact-id` always (spec), the others for the interfaces asked. */
export function contactAttributes(c: ContactView, asked: readonly string[], presence: Presence): Record<string, Variant> {
  const out: Record<string, Variant> = { [`${CONNECTION_IFACE}/contact-id`]: new dbus.Variant('s', c.id) };
  if (asked.includes(ALIASING_IFACE)) out[`${ALIASING_IFACE}/alias`] = new dbus.Variant('s', c.alias);
  if (asked.includes(SIMPLE_PRESENCE_IFACE)) out[`${SIMPLE_PRESENCE_IFACE}/presence`] = new dbus.Variant('(uss)', presenceOf(c, presence));
  if (c.roster && asked.includes(CONTACT_LIST_IFACE)) {
    // spec ContactList attributes: subscribe, publish (Subscription_State), publish-request (the message of a publish Ask)
    const e = c.roster.entry;
    out[`${CONTACT_LIST_IFACE}/subscribe`] = new dbus.Variant('u', e?.subscribe ?? SUB_NO);
    out[`${CONTACT_LIST_IFACE}/publish`] = new dbus.Variant('u', e?.publish ?? SUB_NO);
    out[`${CONTACT_LIST_IFACE}/publish-request`] = new dbus.Variant('s', e?.publishRequest ?? '');
  }
  if (c.info && asked.includes(CONTACT_INFO_IFACE)) out[`${CONTACT_INFO_IFACE}/info`] = new dbus.Variant('a(sasas)', c.info); // spec ContactInfo attribute: only when known
  if (c.roster && asked.includes(CONTACT_GROUPS_IFACE)) out[`${CONTACT_GROUPS_IFACE}/groups`] = new dbus.Variant('as', [...(c.roster.entry?.groups ?? [])]); // spec ContactGroups attribute
  return out;
}
