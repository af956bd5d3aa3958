/**
 * One Telepathy Connection (spec 0.27 `Connection`, with `Interface.Requests`, `Interface.Contacts`,
 * `Interface.Aliasing`, `Interface.SimplePresence`, `Interface.ContactInfo` and, for an account whose server keeps a roster,
 * `Interface.ContactList` and `Interface.ContactGroups`) over one connected Confab account,
 * at `/org/freedesktop/Telepathy/Connection/<cm>/<protocol>/<account id>_<n>` under the well-known
 * name `org.freedesktop.Telepathy.Connection.<cm>.<protocol>.<account id>_<n>`. The name is owned by
 * confabd's own bus connection, beside its other names (D-Bus lets one connection own many), so every
 * object of every connection is served by the one unique name telepathy-glib resolves the name to.
 * `<n>` counts the connections of the daemon's life, so a reconnected account gets a new path and a
 * client never mistakes the new connection for the old one it holds (telepathy-glib caches proxies by path).
 *
 * It exists only while the account is connected: its Status is always Connected (0); when the account
 * disconnects it says StatusChanged(Disconnected, reason), closes its channels and goes.
 */
import dbus from 'dbus-next';
import { InvalidArgumentError, NotImplementedError, type Disposable, type Protocol } from '@confab/sdk';
import type { ConfabFeatures } from '../confab';
import type { Contract } from '../dbus/contract';
import { specOf } from '../dbus/contract';
import { ContractObject, type ObjectContext } from '../dbus/contract-object';
import { tpPresence } from '../accounts/presence';
import type { ChannelHost, ChannelListener } from '../channels/channel-host';
import { ChannelTable } from './channel-table';
import {
  ALIASING_IFACE, CONNECTION_IFACE, CONTACT_GROUPS_IFACE, CONTACT_INFO_IFACE, CONTACT_LIST_IFACE, CONTACTS_IFACE, HANDLE_ROOM, REQUESTS_IFACE, SIMPLE_PRESENCE_IFACE,
  STATUS_CONNECTED, STATUS_DISCONNECTED, TP,
} from './constants';
import {
  CONFAB_STATUS, CONTACT_ATTRIBUTE_INTERFACES, ROSTER_ATTRIBUTE_INTERFACES, STATUSES, contactAttributes, presenceOf, type ContactView,
} from './contact-attributes';
import { ContactInfoObject } from './contact-info';
import { ContactList } from './contact-list';
import { Handles } from './handles';
import { ListedContacts } from './listed-contacts';

type Bus = ReturnType<typeof dbus.sessionBus>;
type Variant = InstanceType<typeof dbus.Variant>;

export interface ConnectionIdentity {
  readonly accountId: string;
  readonly path: string;
  readonly busName: string;
  /** Telepathy's protocol name (GetProtocol). */
  readonly tpProtocol: string;
  readonly protocol: Protocol;
  /** Who the user is on the network, as a contact id (idle: the nick; gabble: the JID). */
  readonly selfId: string;
  readonly canRooms: boolean;
}

export interface ConnectionActions {
  /** spec Connection.Disconnect: the account asks to be offline (as a client's RequestedPresence would). */
  disconnect(): void;
  /** spec Aliasing.SetAliases on the user's own handle: the account's nickname. */
  setNickname(nick: string): void;
}

const INTERFACES = [REQUESTS_IFACE, CONTACTS_IFACE, ALIASING_IFACE, SIMPLE_PRESENCE_IFACE, CONTACT_INFO_IFACE];
const ROSTER_INTERFACES = [...INTERFACES, CONTACT_LIST_IFACE, CONTACT_GROUPS_IFACE];

export class ConnectionObject implements ChannelHost {
  readonly handles = new Handles();
  readonly selfHandle: number;
  readonly selfId: string;
  readonly table: ChannelTable;
  private readonly aliases = new Map<number, string>();
  private readonly connection: ContractObject;
  private readonly presence: ContractObject;
  private readonly aliasing: ContractObject;
  private readonly objects: ContractObject[];
  private readonly listed: ListedContacts;
  private readonly contactList?: ContactList;
  private readonly info: ContactInfoObject;
  private readonly following: Disposable;

  constructor(
    readonly bus: Bus,
    readonly contract: Contract,
    readonly f: ConfabFeatures,
    readonly ctx: ObjectContext,
    readonly id: ConnectionIdentity,
    private readonly actions: ConnectionActions,
    readonly listener: ChannelListener,
  ) {
    this.selfId = this.normalize(id.selfId);
    this.selfHandle = this.handles.contacts.ensure(this.selfId);
    this.aliases.set(this.selfHandle, id.selfId);
    // the server keeps the account's contact list (XMPP roster): ContactList and ContactGroups are served
    const hasRoster = id.protocol.capabilities.serverRoster === true;
    const interfaces = hasRoster ? ROSTER_INTERFACES : INTERFACES;
    this.listed = new ListedContacts(f.contacts, id.accountId);
    this.connection = new ContractObject(specOf(contract, CONNECTION_IFACE), {
      methods: {
        Connect: () => undefined, // already connected: spec says Connect on a connected connection does nothing
        Disconnect: () => actions.disconnect(),
        GetInterfaces: () => interfaces,
        GetProtocol: () => id.tpProtocol,
        GetSelfHandle: () => this.selfHandle,
        GetStatus: () => STATUS_CONNECTED,
        HoldHandles: (type: number, handles: number[]) => void handles.forEach((h) => this.handles.repo(type).inspect(h)), // immortal handles
        ReleaseHandles: () => undefined,
        InspectHandles: (type: number, handles: number[]) => handles.map((h) => this.handles.repo(type).inspect(h)),
        RequestHandles: (type: number, ids: string[]) => ids.map((raw) => this.requestHandle(type, raw)),
        AddClientInterest: () => undefined,
        RemoveClientInterest: () => undefined,
      },
      properties: {
        Interfaces: () => interfaces,
        SelfHandle: () => this.selfHandle,
        SelfID: () => this.selfId,
        Status: () => STATUS_CONNECTED,
        HasImmortalHandles: () => true,
      },
    }, ctx);
    this.table = new ChannelTable(this, id.accountId, id.path, id.canRooms, (raw) => this.normalize(raw));
    const contacts = new ContractObject(specOf(contract, CONTACTS_IFACE), {
      methods: {
        GetContactAttributes: (handles: number[], ifaces: string[]) => this.attributes(handles, ifaces),
        GetContactByID: (raw: string, ifaces: string[]) => {
          const h = this.requestHandle(1, raw);
          return [h, contactAttributes(this.view(h), ifaces, f.accounts.presence)];
        },
      },
      properties: { ContactAttributeInterfaces: () => (hasRoster ? ROSTER_ATTRIBUTE_INTERFACES : CONTACT_ATTRIBUTE_INTERFACES) },
    }, ctx);
    this.aliasing = this.aliasingObject();
    this.presence = this.presenceObject();
    this.info = new ContactInfoObject({ f, contract, ctx, accountId: id.accountId, idOf: (h) => this.handles.contacts.inspect(h) });
    this.objects = [this.connection, this.table.requests, contacts, this.aliasing, this.presence, this.info.object];
    this.contactList = hasRoster ? this.contactListObject() : undefined;
    if (this.contactList) this.objects.push(this.contactList.list, this.contactList.groups);
    this.following = f.contacts.onChanged((accountId) => {
      if (accountId === id.accountId) this.contactsChanged();
    });
  }

  /** Exports the objects, then asks for the bus name; false if another process has it. */
  async serve(): Promise<boolean> {
    for (const o of this.objects) this.bus.export(this.id.path, o.iface);
    const reply = await this.bus.requestName(this.id.busName, dbus.NameFlag.DO_NOT_QUEUE);
    return reply === dbus.RequestNameReply.PRIMARY_OWNER || reply === dbus.RequestNameReply.ALREADY_OWNER;
  }

  /** The account disconnected: spec StatusChanged(Disconnected, reason), its channels closed, the objects withdrawn and the name released. */
  async stop(reason: number): Promise<void> {
    this.following.dispose();
    try {
      this.connection.emit('StatusChanged', STATUS_DISCONNECTED, reason);
      this.table.dispose();
      (this.bus.unexport as (path: string) => void).call(this.bus, this.id.path);
      await this.bus.releaseName(this.id.busName);
    } catch (err) {
      this.ctx.log.debug('stopping connection %s: %s', this.id.path, (err as Error).message); // the bus is going away with the daemon
    }
  }

  /** Confab's presence changed: spec SimplePresence.PresencesChanged for the user's own handle. */
  presenceChanged(): void {
    this.presence.emit('PresencesChanged', { [this.selfHandle]: tpPresence(this.f.accounts.presence) });
  }

  /**
   * The daemon's contacts of this account changed (the roster, a presence, a request): spec
   * SimplePresence.PresencesChanged and Aliasing.AliasesChanged for the contacts concerned, and the
   * ContactList/ContactGroups signals. Never throws: it runs from the daemon's events.
   */
  private contactsChanged(): void {
    try {
      this.contactList?.changed();
      const { presence, alias } = this.listed.changed();
      if (presence.length) {
        this.presence.emit('PresencesChanged', Object.fromEntries(presence.map((c) => {
          const h = this.handles.contacts.ensure(c.id);
          return [h, presenceOf(this.view(h), this.f.accounts.presence)];
        })));
      }
      if (alias.length) this.aliasing.emit('AliasesChanged', alias.map((c) => [this.handles.contacts.ensure(c.id), this.aliasOf(this.handles.contacts.ensure(c.id), false)]));
    } catch (err) {
      this.ctx.log.warn('following the contacts of %s failed: %s', this.id.accountId, (err as Error).message);
    }
  }

  // ---- ChannelHost ----------------------------------------------------------------------------

  contactHandle(raw: string, alias?: string): number {
    const h = this.handles.contacts.ensure(this.normalize(raw));
    if (alias && h !== this.selfHandle) this.aliases.set(h, alias);
    return h;
  }

  closed(channelId: number): void {
    this.table.closed(channelId);
  }

  /** spec Connection.Interface.Aliasing: aliases as the network said them; only one's own can be set. */
  private aliasingObject(): ContractObject {
    const { contract, ctx } = this;
    return new ContractObject(specOf(contract, ALIASING_IFACE), {
      methods: {
        GetAliasFlags: () => 0, // no Connection_Alias_Flag: only one's own alias can be set
        RequestAliases: (handles: number[]) => handles.map((h) => this.aliasOf(h, true)),
        GetAliases: (handles: number[]) => Object.fromEntries(handles.map((h) => [h, this.aliasOf(h, true)])),
        SetAliases: (aliases: Record<string, string>) => this.setAliases(aliases),
      },
      properties: {},
    }, ctx);
  }

  /** spec Connection.Interface.ContactList and ContactGroups, over the daemon's contacts of the account. */
  private contactListObject(): ContactList {
    const { f, contract, ctx } = this;
    return new ContactList({
      f, contract, ctx, accountId: this.id.accountId, selfHandle: this.selfHandle,
      handleOf: (contact) => this.handles.contacts.ensure(contact),
      idOf: (h) => this.handles.contacts.inspect(h),
      attributes: (handles, ifaces) => this.attributes(handles, ifaces),
    });
  }

  /** spec Connection.Interface.SimplePresence: Confab's global presence for oneself, the model's for the account's contacts, unknown for others. */
  private presenceObject(): ContractObject {
    const { contract, ctx, f } = this;
    return new ContractObject(specOf(contract, SIMPLE_PRESENCE_IFACE), {
      methods: {
        SetPresence: (status: string, message: string) => this.setPresence(status, message),
        GetPresences: (handles: number[]) => Object.fromEntries(handles.map((h) => [h, presenceOf(this.view(h, true), f.accounts.presence)])),
      },
      properties: { Statuses: () => STATUSES, MaximumStatusMessageLength: () => 0 },
    }, ctx);
  }

  // ---- internals ------------------------------------------------------------------------------

  /** A target as the protocol normalizes it; kept as given when the protocol cannot read it (the network named it). */
  private normalize(raw: string): string {
    try {
      return this.id.protocol.normalizeContact(raw);
    } catch {
      return raw;
    }
  }

  /** spec RequestHandles / GetContactByID: InvalidHandle for an id the protocol cannot read. */
  private requestHandle(type: number, raw: string): number {
    const repo = this.handles.repo(type);
    if (type === HANDLE_ROOM && !this.id.canRooms) throw new NotImplementedError('this protocol has no rooms');
    let id: string;
    try {
      if (typeof raw !== 'string' || raw.trim() === '') throw new InvalidArgumentError('empty');
      id = this.id.protocol.normalizeContact(raw);
    } catch {
      throw new dbus.DBusError(`${TP}.Error.InvalidHandle`, `'${String(raw)}' is not a valid ${type === HANDLE_ROOM ? 'room' : 'contact'} id here`);
    }
    return repo.ensure(id);
  }

  private view(handle: number, strict = false): ContactView {
    const id = strict ? this.handles.contacts.inspect(handle) : (this.handles.contacts.idOf(handle) ?? '');
    const isSelf = handle === this.selfHandle;
    const listed = isSelf ? undefined : this.listed.get(id);
    const roster = this.contactList && !isSelf ? { entry: this.contactList.entry(id) } : undefined;
    // the name the user gave the contact (the roster's) first, else the one the network said
    return { id, alias: listed?.alias || (this.aliases.get(handle) ?? id), isSelf, listed, roster, info: this.info.fieldsOf(handle) };
  }

  private aliasOf(handle: number, strict: boolean): string {
    return this.view(handle, strict).alias;
  }

  /** spec Contacts.GetContactAttributes: handles never given out are left out, not an error. */
  private attributes(handles: number[], ifaces: string[]): Record<number, Record<string, Variant>> {
    const out: Record<number, Record<string, Variant>> = {};
    for (const h of handles) {
      if (this.handles.contacts.idOf(h) === undefined) continue;
      out[h] = contactAttributes(this.view(h), ifaces, this.f.accounts.presence);
    }
    return out;
  }

  private setAliases(aliases: Record<string, string>): void {
    for (const [h, alias] of Object.entries(aliases)) {
      this.handles.contacts.inspect(Number(h));
      if (Number(h) !== this.selfHandle) throw new NotImplementedError('only your own alias can be set');
      this.actions.setNickname(alias);
    }
  }

  /** spec SimplePresence.SetPresence: Confab's (global) presence. */
  private setPresence(status: string, message: string): void {
    const confab = CONFAB_STATUS[status];
    if (!confab) throw new InvalidArgumentError(`status '${status}' is not one of ${Object.keys(CONFAB_STATUS).join(', ')}`);
    if (confab === 'offline') return this.actions.disconnect();
    this.f.accounts.setPresence(confab, message);
  }
}
