/**
 * The contact list as Telepathy spec 0.27 `Connection.Interface.ContactList` and `ContactGroups` see
 * it, read from the daemon's contacts: one entry per contact with its `subscribe`/`publish` states
 * (spec Subscription_State: 0 Unknown, 1 No, 2 Removed_Remotely, 3 Ask, 4 Yes), the message of a
 * request to see our presence (`publish-request`) and its groups; and the difference between two such
 * lists, as the signals say it. No D-Bus here: connection-object.ts and contact-list.ts emit.
 */
import type { RosterItem } from '@confab/sdk';
import type { ConfabContacts } from '../confab';

/** spec ContactList Subscription_State. */
export const SUB_NO = 1;
export const SUB_ASK = 3;
export const SUB_YES = 4;

export interface RosterEntry {
  readonly id: string;
  readonly subscribe: number;
  readonly publish: number;
  readonly publishRequest: string;
  readonly groups: readonly string[];
}

/** The list, or undefined while the server has not sent its roster yet (spec Contact_List_State Waiting). */
export type Roster = ReadonlyMap<string, RosterEntry>;

/**
 * RFC 6121 §2.1.2.5 subscription as Telepathy's pair: `to`/`both` — we see their presence (subscribe
 * Yes); `from`/`both` — they see ours (publish Yes); `+ask` (the item's ask="subscribe") — our request
 * waits (subscribe Ask). A request of theirs waiting is publish Ask with its message.
 */
export function entryOf(item: RosterItem, request: string | undefined): RosterEntry {
  const [sub, ask] = item.subscription.split('+');
  const subscribe = sub === 'to' || sub === 'both' ? SUB_YES : ask === 'ask' ? SUB_ASK : SUB_NO;
  const publishes = sub === 'from' || sub === 'both';
  return {
    id: item.id,
    subscribe,
    publish: publishes ? SUB_YES : request !== undefined ? SUB_ASK : SUB_NO,
    publishRequest: publishes ? '' : (request ?? ''),
    groups: [...new Set(item.groups)].sort(),
  };
}

/**
 * The account's list: the server's roster items, and whoever asks to see our presence (spec
 * ContactList.Contacts: every contact whose publish is Ask is on the list too).
 */
export function readRoster(contacts: ConfabContacts, accountId: string): Roster | undefined {
  const items = contacts.rosterItems(accountId);
  if (!items) return undefined;
  const requests = new Map(contacts.subscriptionRequests(accountId).map((r) => [r.id, r.message]));
  const out = new Map<string, RosterEntry>();
  for (const item of items) out.set(item.id, entryOf(item, requests.get(item.id)));
  for (const [id, message] of requests) {
    if (!out.has(id)) out.set(id, { id, subscribe: SUB_NO, publish: SUB_ASK, publishRequest: message, groups: [] });
  }
  return out;
}

export interface RosterDiff {
  /** Contacts new on the list or whose states changed (spec ContactsChangedWithID Changes). */
  readonly changed: RosterEntry[];
  /** Ids gone from the list. */
  readonly removed: string[];
  /** Groups that exist now and did not before, and the other way round. */
  readonly groupsCreated: string[];
  readonly groupsRemoved: string[];
  /** Per contact: groups it joined and left (spec GroupsChanged), for contacts whose groups changed. */
  readonly membership: Array<{ id: string; added: string[]; removed: string[] }>;
}

export function groupsOf(roster: Roster | undefined): string[] {
  const all = new Set<string>();
  for (const e of roster?.values() ?? []) for (const g of e.groups) all.add(g);
  return [...all].sort();
}

export function diffRoster(before: Roster | undefined, after: Roster | undefined): RosterDiff {
  const old = before ?? new Map<string, RosterEntry>();
  const now = after ?? new Map<string, RosterEntry>();
  const changed: RosterEntry[] = [];
  const membership: RosterDiff['membership'] = [];
  for (const [id, e] of now) {
    const was = old.get(id);
    if (!was || was.subscribe !== e.subscribe || was.publish !== e.publish || was.publishRequest !== e.publishRequest) changed.push(e);
    const added = e.groups.filter((g) => !was?.groups.includes(g));
    const left = (was?.groups ?? []).filter((g) => !e.groups.includes(g));
    if (added.length || left.length) membership.push({ id, added, removed: left });
  }
  const removed = [...old.keys()].filter((id) => !now.has(id));
  for (const id of removed) {
    const groups = old.get(id)!.groups;
    if (groups.length) membership.push({ id, added: [], removed: [...groups] });
  }
  const [g0, g1] = [groupsOf(before), groupsOf(after)];
  return { changed, removed, groupsCreated: g1.filter((g) => !g0.includes(g)), groupsRemoved: g0.filter((g) => !g1.includes(g)), membership };
}
