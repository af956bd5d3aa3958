/**
 * confabd on the bus: owns `im.confab.Confab1`, exports the root (Manager + ObjectManager) and one
 * object per account, channel, person and call, and maps the features' events to signals. The handlers
 * of each kind of object are in their own file (manager-, account-, channel-, person-, call-handlers.ts);
 * they talk to the features only.
 *
 * Signals are batched per event-loop turn: whatever the features reported during one turn goes out
 * as one MessagesReceived / MessagesChanged / AccountsChanged / PeopleChanged array (chunked at
 * SIGNAL_CHUNK), so a flood costs one D-Bus message per batch, not per line (a signal costs ~70 µs of
 * CPU here).
 */
import dbus from 'dbus-next';
import type { Logger } from '@confab/sdk';
import type { Features } from '../core';
import type { Redactor } from '../log';
import type { MessageRow } from '../messages/messages';
import { foldChange, type PersonChange } from '../people/people';
import { accountHandlers, SecretNames } from './account-handlers';
import { callHandlers } from './call-handlers';
import { channelHandlers } from './channel-handlers';
import type { InterfaceSpec } from './contract';
import { ContractObject, type ErrorContext } from './contract-object';
import { ExportedObjects, type ObjectKind } from './exported-objects';
import { managerHandlers, type ServiceState } from './manager-handlers';
import { OBJECT_MANAGER_SPEC } from './object-manager';
import { personHandlers } from './person-handlers';
import { wireRoom } from './room-listing-wire';
import { ROOT_PATH, accountPath, callPath, channelPath, entryState, personPath, wireMessage } from './wire';

export type { ServiceState } from './manager-handlers';

export const BUS_NAME = 'im.confab.Confab1';
const MANAGER = 'im.confab.Confab1.Manager';
const ACCOUNT = 'im.confab.Confab1.Account';
const CHANNEL = 'im.confab.Confab1.Channel';
const PERSON = 'im.confab.Confab1.Person';
const CALL = 'im.confab.Confab1.Call';
const SIGNAL_CHUNK = 1000;

type Bus = ReturnType<typeof dbus.sessionBus>;

export class DBusService {
  private root!: ContractObject;
  private objectManager!: ContractObject;
  private accounts!: ExportedObjects<string>;
  private channels!: ExportedObjects<number>;
  private people!: ExportedObjects<number>;
  private calls!: ExportedObjects<number>;
  private readonly ctx: ErrorContext;

  private received: MessageRow[] = [];
  private changed: MessageRow[] = [];
  private statuses: Array<[string, string, string, string]> = [];
  private peopleChanges = new Map<number, PersonChange['change']>();
  private flushScheduled = false;

  constructor(
    private readonly bus: Bus,
    private readonly features: Features,
    private readonly contract: ReadonlyMap<string, InterfaceSpec>,
    private readonly state: ServiceState,
    redactor: Redactor,
    private readonly log: Logger,
  ) {
    this.ctx = { redactor, log };
  }

  /** Exports everything, then asks for the name; resolves once the name is owned. */
  async start(): Promise<void> {
    this.exportObjects();
    this.follow();
    const reply = await this.bus.requestName(BUS_NAME, dbus.NameFlag.DO_NOT_QUEUE);
    if (reply !== dbus.RequestNameReply.PRIMARY_OWNER && reply !== dbus.RequestNameReply.ALREADY_OWNER) {
      throw new Error(`${BUS_NAME} is already owned on this bus: is another confabd running?`);
    }
  }

  /** Re-reads the manager's own properties (after a config reload). */
  refreshRoot(): void {
    this.root.refresh();
  }

  // ---- objects ------------------------------------------------------------------------------

  private exportObjects(): void {
    const f = this.features;
    this.root = new ContractObject(this.spec(MANAGER), managerHandlers(f, this.state), this.ctx);
    this.objectManager = new ContractObject(OBJECT_MANAGER_SPEC, {
      methods: { GetManagedObjects: () => this.managedObjects() },
      properties: {},
    }, this.ctx);
    this.bus.export(ROOT_PATH, this.root.iface);
    this.bus.export(ROOT_PATH, this.objectManager.iface);

    const secretNames = new SecretNames(f, (id) => this.accounts.refresh(id), this.log);
    this.accounts = this.objects({
      spec: this.spec(ACCOUNT),
      path: accountPath,
      handlers: (id) => accountHandlers(f, id, secretNames),
      added: (id) => secretNames.refresh(id),
      changed: (id) => secretNames.refresh(id), // Update may have set or unset one
      removed: (id) => secretNames.delete(id),
    });
    this.channels = this.objects({ spec: this.spec(CHANNEL), path: channelPath, handlers: (id) => channelHandlers(f, id) });
    this.people = this.objects({ spec: this.spec(PERSON), path: personPath, handlers: (id) => personHandlers(f, id) });
    this.calls = this.objects({ spec: this.spec(CALL), path: callPath, handlers: (id) => callHandlers(f, id) });
    for (const id of f.accounts.ids()) this.accounts.add(id, false);
    for (const ch of f.conversations.all()) this.channels.add(ch.id, false);
    for (const id of f.people.ids()) this.people.add(id, false);
    for (const id of f.calls.ids()) this.calls.add(id, false);
  }

  private objects<K>(kind: ObjectKind<K>): ExportedObjects<K> {
    return new ExportedObjects(this.bus, this.objectManager, kind, this.ctx);
  }

  private spec(name: string): InterfaceSpec {
    const s = this.contract.get(name);
    if (!s) throw new Error(`the D-Bus contract has no interface ${name}`);
    return s;
  }

  private managedObjects(): Record<string, Record<string, Record<string, unknown>>> {
    const out: Record<string, Record<string, Record<string, unknown>>> = {};
    this.accounts.managed(out);
    this.channels.managed(out);
    this.people.managed(out);
    this.calls.managed(out);
    return out;
  }

  // ---- the features' events -----------------------------------------------------------------

  private follow(): void {
    const f = this.features;
    f.accounts.onChanged((c) => this.accounts.follow(c));
    f.conversations.onChanged((c) => this.channels.follow(c));
    f.people.onChanged((changes) => this.queue(() => {
      for (const c of changes) {
        this.people.follow(c);
        foldChange(this.peopleChanges, c.id, c.change); // one turn's changes, as People folds one operation's
      }
    }));
    f.messages.onReceived((rows) => this.queue(() => this.received.push(...rows)));
    f.messages.onChanged((rows) => this.queue(() => this.changed.push(...rows)));
    f.accounts.onStatusChanged((r) => this.queue(() => this.statuses.push([accountPath(r.account.id), r.status, r.reason, r.detail])));
    f.accounts.onPresenceChanged(() => this.root.refresh());
    f.contacts.onChanged((id) => this.accounts.refresh(id)); // Contacts, without re-reading secrets
    f.messages.chatStates.onChatState(({ channelId, contact, state }) => this.root.emit('ChatStateChanged', channelPath(channelId), contact, state));
    f.contacts.onSubscriptionRequested(({ accountId, id, message }) => this.root.emit('SubscriptionRequested', accountPath(accountId), id, message));
    f.calls.onChanged((c) => this.calls.follow(c));
    f.calls.onIncoming(({ id, peer }) => this.root.emit('IncomingCall', callPath(id), peer));
    f.calls.onDtmf(({ id, digit }) => this.calls.emit(id, 'DtmfReceived', digit));
    f.rooms.onInvited(({ accountId, room, by }) => this.root.emit('Invited', accountPath(accountId), room, by));
    f.roomListings.onRooms(({ accountId, listing, rooms }) => {
      for (let i = 0; i < rooms.length; i += SIGNAL_CHUNK) this.accounts.emit(accountId, 'RoomsListed', listing, rooms.slice(i, i + SIGNAL_CHUNK).map(wireRoom));
    });
    f.roomListings.onFinished((e) => this.accounts.emit(e.accountId, 'RoomListingFinished', e.listing, e.state, e.detail, e.server, e.count, e.skipped));
  }

  // ---- signals, batched per event-loop turn -------------------------------------------------

  private queue(add: () => void): void {
    add();
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const received = this.received.splice(0);
    const changed = this.changed.splice(0);
    const statuses = this.statuses.splice(0);
    const people = [...this.peopleChanges].map(([id, change]) => [personPath(id), change]);
    this.peopleChanges = new Map();
    for (let i = 0; i < received.length; i += SIGNAL_CHUNK) {
      this.root.emit('MessagesReceived', received.slice(i, i + SIGNAL_CHUNK).map(wireMessage));
    }
    for (const id of new Set(received.map((m) => m.channelId))) this.channels.refresh(id); // LastActivity, UnreadCount
    for (let i = 0; i < changed.length; i += SIGNAL_CHUNK) {
      this.root.emit('MessagesChanged', changed.slice(i, i + SIGNAL_CHUNK).map((m) => [m.id, channelPath(m.channelId), entryState(m)]));
    }
    if (statuses.length > 0) this.root.emit('AccountsChanged', statuses);
    for (let i = 0; i < people.length; i += SIGNAL_CHUNK) this.root.emit('PeopleChanged', people.slice(i, i + SIGNAL_CHUNK));
  }
}
