/**
 * spec 0.27 `Connection.Interface.ContactList` and `Connection.Interface.ContactGroups` of a connection
 * whose account has a server-side roster (XMPP, RFC 6121 §2), over the daemon's contacts: every change
 * goes through the daemon's contacts feature (as `confab contact add` and the native D-Bus API do), the
 * server answers with a roster push, and the list shown here follows what the daemon then holds — so a
 * change made on either API shows on both. The list is re-read whenever the daemon says the account's
 * contacts changed, and the difference is signalled (roster-state.ts computes it).
 */
import dbus from 'dbus-next';
import { NotFoundError } from '@confab/sdk';
import type { ConfabFeatures } from '../confab';
import { specOf, type Contract } from '../dbus/contract';
import { ContractObject, type ObjectContext } from '../dbus/contract-object';
import { CONTACT_GROUPS_IFACE, CONTACT_LIST_IFACE, TP } from './constants';
import { diffRoster, groupsOf, readRoster, type Roster, type RosterEntry } from './roster-state';

type Variant = InstanceType<typeof dbus.Variant>;

/** spec Contact_List_State: 1 Waiting (the roster has not come yet), 3 Success. */
const STATE_WAITING = 1;
const STATE_SUCCESS = 3;
/** spec Contact_Metadata_Storage_Type 3 Anyone: any roster item keeps groups, whatever its subscription (RFC 6121 §2.1.2.4). */
const STORAGE_ANYONE = 3;

export interface ContactListHost {
  readonly f: ConfabFeatures;
  readonly accountId: string;
  readonly contract: Contract;
  readonly ctx: ObjectContext;
  /** The handle of a contact id (normalized), made if new. */
  handleOf(id: string): number;
  /** The id of a contact handle; InvalidHandle for one never given out. */
  idOf(handle: number): string;
  /** The user's own handle (never on the list). */
  readonly selfHandle: number;
  attributes(handles: number[], ifaces: string[]): Record<number, Record<string, Variant>>;
}

export class ContactList {
  readonly list: ContractObject;
  readonly groups: ContractObject;
  private roster: Roster | undefined;

  constructor(private readonly host: ContactListHost) {
    this.roster = this.read();
    const { contract, ctx } = host;
    this.list = new ContractObject(specOf(contract, CONTACT_LIST_IFACE), {
      methods: {
        GetContactListAttributes: (ifaces: string[]) => this.listAttributes(ifaces),
        RequestSubscription: (handles: number[]) => this.each(handles, (id) => this.subscribe(id)),
        AuthorizePublication: (handles: number[]) => this.each(handles, (id) => this.contacts.answerSubscription(host.accountId, id, true)),
        RemoveContacts: (handles: number[]) => this.each(handles, (id) => this.removeContact(id)),
        Unsubscribe: (handles: number[]) => this.each(handles, (id) => this.contacts.unsubscribe(host.accountId, id)),
        Unpublish: (handles: number[]) => this.each(handles, (id) => this.contacts.answerSubscription(host.accountId, id, false)),
        Download: () => undefined, // DownloadAtConnection: the roster is read at every login
      },
      properties: {
        ContactListState: () => (this.roster ? STATE_SUCCESS : STATE_WAITING),
        ContactListPersists: () => true, // the server keeps the roster (RFC 6121 §2)
        CanChangeContactList: () => true,
        RequestUsesMessage: () => false, // a subscription request carries no text here
        DownloadAtConnection: () => true,
      },
    }, ctx);
    this.groups = new ContractObject(specOf(contract, CONTACT_GROUPS_IFACE), {
      methods: {
        SetContactGroups: (handle: number, groups: string[]) => this.setGroups(host.idOf(handle), groups),
        SetGroupMembers: (group: string, handles: number[]) => this.setMembers(group, handles),
        AddToGroup: (group: string, handles: number[]) => this.each(handles, (id) => this.setGroups(id, [...this.groupsOf(id), group])),
        RemoveFromGroup: (group: string, handles: number[]) => this.each(handles, (id) => this.setGroups(id, this.groupsOf(id).filter((g) => g !== group))),
        RemoveGroup: (group: string) => this.removeGroup(group),
        RenameGroup: (from: string, to: string) => this.renameGroup(from, to),
      },
      properties: {
        DisjointGroups: () => false, // RFC 6121 §2.1.2.4: an item may be in several groups
        GroupStorage: () => STORAGE_ANYONE,
        Groups: () => groupsOf(this.roster),
      },
    }, ctx);
  }

  /** The contact's entry on the list (undefined: not on it). */
  entry(id: string): RosterEntry | undefined {
    return this.roster?.get(id);
  }

  /** The daemon's contacts of the account changed: the difference, signalled (spec ContactList and ContactGroups signals). */
  changed(): void {
    const before = this.roster;
    const after = this.read();
    this.roster = after;
    if (!after) return; // the connection went; the Connection object goes with it
    const d = diffRoster(before, after);
    // spec GroupsCreated before the GroupsChanged that adds to them; GroupsRemoved before the GroupsChanged that empties them.
    // XMPP groups are tags (RFC 6121 §2.1.2.4), so a rename is said as created + removed + changed, never GroupRenamed
    // (spec ContactGroups.GroupRenamed allows it; telepathy-glib 0.24 would list the new name twice after both).
    if (d.groupsCreated.length) this.groups.emit('GroupsCreated', d.groupsCreated);
    if (d.groupsRemoved.length) this.groups.emit('GroupsRemoved', d.groupsRemoved);
    if (!before) {
      this.list.emit('ContactListStateChanged', STATE_SUCCESS); // spec: clients now call GetContactListAttributes
    } else if (d.changed.length || d.removed.length) {
      const changes: Record<number, [number, number, string]> = {};
      const ids: Record<number, string> = {};
      for (const e of d.changed) {
        const h = this.host.handleOf(e.id);
        changes[h] = [e.subscribe, e.publish, e.publishRequest];
        ids[h] = e.id;
      }
      const removals: Record<number, string> = {};
      for (const id of d.removed) removals[this.host.handleOf(id)] = id;
      this.list.emit('ContactsChangedWithID', changes, ids, removals);
      this.list.emit('ContactsChanged', changes, Object.keys(removals).map(Number)); // deprecated, still emitted (spec)
    }
    if (before) for (const m of d.membership) this.groups.emit('GroupsChanged', [this.host.handleOf(m.id)], m.added, m.removed);
    this.list.refresh();
    this.groups.refresh();
  }

  // ---- internals ------------------------------------------------------------------------------

  private get contacts(): ConfabFeatures['contacts'] {
    return this.host.f.contacts;
  }

  private read(): Roster | undefined {
    try {
      return readRoster(this.contacts, this.host.accountId);
    } catch {
      return undefined; // the account was removed: its connection goes
    }
  }

  /** spec GetContactListAttributes: NotYet while the roster has not come; the ContactList attributes are always given. */
  private listAttributes(ifaces: string[]): Record<number, Record<string, Variant>> {
    if (!this.roster) throw new dbus.DBusError(`${TP}.Error.NotYet`, 'the server has not sent the roster yet');
    const handles = [...this.roster.keys()].map((id) => this.host.handleOf(id));
    return this.host.attributes(handles, [...new Set([...ifaces, CONTACT_LIST_IFACE])]);
  }

  /** One call into the daemon per contact, in turn (each is a roster request the server answers). */
  private async each(handles: number[], fn: (id: string) => Promise<void>): Promise<void> {
    const ids = handles.map((h) => {
      if (h === this.host.selfHandle) throw new dbus.DBusError(`${TP}.Error.InvalidArgument`, 'you cannot be on your own contact list');
      return this.host.idOf(h);
    });
    for (const id of ids) await fn(id);
  }

  /** spec RequestSubscription: the contact added to the roster (its alias and groups kept) and asked for its presence (RFC 6121 §3.1.1). */
  private subscribe(id: string): Promise<void> {
    const alias = this.contacts.list(this.host.accountId).find((c) => c.id === id)?.alias ?? '';
    return this.contacts.add(this.host.accountId, id, alias);
  }

  /** spec RemoveContacts: off the roster (RFC 6121 §2.5, both subscriptions cancelled); someone only asking is refused. */
  private async removeContact(id: string): Promise<void> {
    const onRoster = this.contacts.rosterItems(this.host.accountId)?.some((i) => i.id === id);
    if (onRoster) return this.contacts.remove(this.host.accountId, id);
    if (this.roster?.get(id)) return this.contacts.answerSubscription(this.host.accountId, id, false);
    // spec: removing a contact that is not on the list succeeds and does nothing
  }

  private groupsOf(id: string): string[] {
    return [...(this.roster?.get(id)?.groups ?? [])];
  }

  private async setGroups(id: string, groups: string[]): Promise<void> {
    if (!this.contacts.rosterItems(this.host.accountId)?.some((i) => i.id === id)) {
      throw new NotFoundError(`${id} is not on the roster: ask for their presence (RequestSubscription) first`);
    }
    await this.contacts.setGroups(this.host.accountId, id, [...new Set(groups)]);
  }

  /** spec SetGroupMembers: exactly these in the group: the others taken out of it. */
  private async setMembers(group: string, handles: number[]): Promise<void> {
    const want = new Set(handles.map((h) => this.host.idOf(h)));
    for (const [id, e] of this.roster ?? []) {
      if (e.groups.includes(group) && !want.has(id)) await this.setGroups(id, e.groups.filter((g) => g !== group));
    }
    for (const id of want) if (!this.groupsOf(id).includes(group)) await this.setGroups(id, [...this.groupsOf(id), group]);
  }

  /** spec RemoveGroup: the group taken off every member (an XMPP group exists only through its members). */
  private async removeGroup(group: string): Promise<void> {
    for (const [id, e] of this.roster ?? []) if (e.groups.includes(group)) await this.setGroups(id, e.groups.filter((g) => g !== group));
  }

  /** spec RenameGroup: the members moved to the new name (groups are tags here); DoesNotExist for a group that is not there, NotAvailable when the new name is taken. */
  private async renameGroup(from: string, to: string): Promise<void> {
    const all = groupsOf(this.roster);
    if (!all.includes(from)) throw new dbus.DBusError(`${TP}.Error.DoesNotExist`, `there is no group '${from}'`);
    if (all.includes(to)) throw new dbus.DBusError(`${TP}.Error.NotAvailable`, `a group '${to}' exists already`);
    if (from === to) return;
    for (const [id, e] of this.roster ?? []) {
      if (e.groups.includes(from)) await this.setGroups(id, [...e.groups.filter((g) => g !== from), to]);
    }
  }
}
