/**
 * confabd on the bus: owns `im.confab.Confab1`, exports the root (Manager + ObjectManager), one
 * object per account and per channel, and maps core events to signals.
 *
 * Signals are batched per event-loop turn: whatever the core reported during one turn goes out as
 * one MessagesReceived / MessagesChanged / AccountsChanged array (chunked at SIGNAL_CHUNK), so a flood
 * costs one D-Bus message per batch, not per line (a signal costs ~70 µs of CPU here).
 */
import dbus from 'dbus-next';
import { InvalidArgumentError, type Logger } from '@confab/sdk';
import type { Core } from '../core';
import type { Redactor } from '../log';
import type { MessageRow } from '../messages/messages';
import type { InterfaceSpec } from './contract';
import { ContractObject, type ErrorContext, type Handlers } from './contract-object';
import { OBJECT_MANAGER_SPEC } from './object-manager';
import { foldChange, type PersonChange } from '../people/people';
import { personHandlers } from './person-handlers';
import { ROOT_PATH, accountIdOf, accountPath, channelPath, personPath, toNumber, unwrapVardict, wireMessage } from './wire';

export const BUS_NAME = 'im.confab.Confab1';
const MANAGER = 'im.confab.Confab1.Manager';
const ACCOUNT = 'im.confab.Confab1.Account';
const CHANNEL = 'im.confab.Confab1.Channel';
const PERSON = 'im.confab.Confab1.Person';
const SIGNAL_CHUNK = 1000;
const MAX_PAGE = 1000;

export interface ServiceState {
  readonly version: string;
  failedPlugins(): Array<[string, string]>;
  configError(): string;
  reloadConfig(): void;
}

type Bus = ReturnType<typeof dbus.sessionBus>;

export class DBusService {
  private root!: ContractObject;
  private objectManager!: ContractObject;
  private readonly accounts = new Map<string, ContractObject>();
  private readonly channels = new Map<number, ContractObject>();
  private readonly people = new Map<number, ContractObject>();
  private readonly secretNames = new Map<string, string[]>();
  private readonly ctx: ErrorContext;

  private received: MessageRow[] = [];
  private changed: MessageRow[] = [];
  private statuses: Array<[string, string, string, string]> = [];
  private peopleChanges = new Map<number, PersonChange['change']>();
  private flushScheduled = false;

  constructor(
    private readonly bus: Bus,
    private readonly core: Core,
    private readonly contract: ReadonlyMap<string, InterfaceSpec>,
    private readonly state: ServiceState,
    redactor: Redactor,
    private readonly log: Logger,
  ) {
    this.ctx = { redactor, log };
  }

  /** Exports everything, then asks for the name; resolves once the name is owned. */
  async start(): Promise<void> {
    this.root = new ContractObject(this.spec(MANAGER), this.managerHandlers(), this.ctx);
    this.objectManager = new ContractObject(OBJECT_MANAGER_SPEC, {
      methods: { GetManagedObjects: () => this.managedObjects() },
      properties: {},
    }, this.ctx);
    this.bus.export(ROOT_PATH, this.root.iface);
    this.bus.export(ROOT_PATH, this.objectManager.iface);
    for (const id of this.core.accounts.ids()) this.addAccount(id, false);
    for (const ch of this.core.conversations.all()) this.addChannel(ch.id, false);
    for (const p of this.core.people.table.all()) this.addPerson(p.id, false);

    this.core.accounts.onChanged(({ id, change }) => {
      if (change === 'added') this.addAccount(id, true);
      else if (change === 'removed') this.removeAccount(id);
      else this.refreshAccount(id);
    });
    this.core.conversations.onChanged(({ id, change }) => {
      if (change === 'added') this.addChannel(id, true);
      else if (change === 'removed') this.removeChannel(id);
      else this.channels.get(id)?.refresh();
    });
    this.core.people.onChanged((changes) => this.queue(() => {
      for (const { id, change } of changes) {
        if (change === 'added') this.addPerson(id, true);
        else if (change === 'removed') this.removePerson(id);
        else this.people.get(id)?.refresh();
        foldChange(this.peopleChanges, id, change); // one turn's changes, as People folds one operation's
      }
    }));
    this.core.messages.onReceived((rows) => this.queue(() => this.received.push(...rows)));
    this.core.messages.onChanged((rows) => this.queue(() => this.changed.push(...rows)));
    this.core.accounts.onStatusChanged((r) => this.queue(() => this.statuses.push([accountPath(r.account.id), r.status, r.reason, r.detail])));
    this.core.accounts.onPresenceChanged(() => this.root.refresh());
    this.core.contacts.onChanged((id) => this.accounts.get(id)?.refresh()); // Contacts, without re-reading secrets
    this.core.messages.chatStates.onChatState(({ channelId, contact, state }) => this.root.emit('ChatStateChanged', channelPath(channelId), contact, state));
    this.core.contacts.onSubscriptionRequested(({ accountId, id, message }) => this.root.emit('SubscriptionRequested', accountPath(accountId), id, message));
    this.core.rooms.onInvited(({ accountId, room, by }) => this.root.emit('Invited', accountPath(accountId), room, by));

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

  private spec(name: string): InterfaceSpec {
    const s = this.contract.get(name);
    if (!s) throw new Error(`the D-Bus contract has no interface ${name}`);
    return s;
  }

  private addAccount(id: string, announce: boolean): void {
    if (this.accounts.has(id)) return;
    const obj = new ContractObject(this.spec(ACCOUNT), this.accountHandlers(id), this.ctx);
    this.accounts.set(id, obj);
    this.bus.export(accountPath(id), obj.iface);
    this.refreshSecretNames(id);
    if (announce) this.objectManager.emit('InterfacesAdded', accountPath(id), { [ACCOUNT]: obj.variants() });
  }

  private refreshAccount(id: string): void {
    this.accounts.get(id)?.refresh();
    this.refreshSecretNames(id);
  }

  private refreshSecretNames(id: string): void {
    this.core.accounts.secretNames(id).then(
      (names) => {
        this.secretNames.set(id, names);
        this.accounts.get(id)?.refresh();
      },
      (err: unknown) => this.log.warn('listing the secrets of %s failed: %s', id, (err as Error).message),
    );
  }

  private removeAccount(id: string): void {
    const obj = this.accounts.get(id);
    if (!obj) return;
    this.accounts.delete(id);
    this.secretNames.delete(id);
    this.bus.unexport(accountPath(id), obj.iface);
    this.objectManager.emit('InterfacesRemoved', accountPath(id), [ACCOUNT]);
  }

  private addChannel(id: number, announce: boolean): void {
    if (this.channels.has(id)) return;
    const obj = new ContractObject(this.spec(CHANNEL), this.channelHandlers(id), this.ctx);
    this.channels.set(id, obj);
    this.bus.export(channelPath(id), obj.iface);
    if (announce) this.objectManager.emit('InterfacesAdded', channelPath(id), { [CHANNEL]: obj.variants() });
  }

  private removeChannel(id: number): void {
    const obj = this.channels.get(id);
    if (!obj) return;
    this.channels.delete(id);
    this.bus.unexport(channelPath(id), obj.iface);
    this.objectManager.emit('InterfacesRemoved', channelPath(id), [CHANNEL]);
  }

  private addPerson(id: number, announce: boolean): void {
    if (this.people.has(id)) return;
    const obj = new ContractObject(this.spec(PERSON), personHandlers(this.core, id, pageSize), this.ctx);
    this.people.set(id, obj);
    this.bus.export(personPath(id), obj.iface);
    if (announce) this.objectManager.emit('InterfacesAdded', personPath(id), { [PERSON]: obj.variants() });
  }

  private removePerson(id: number): void {
    const obj = this.people.get(id);
    if (!obj) return;
    this.people.delete(id);
    this.bus.unexport(personPath(id), obj.iface);
    this.objectManager.emit('InterfacesRemoved', personPath(id), [PERSON]);
  }

  private managedObjects(): Record<string, Record<string, Record<string, unknown>>> {
    const out: Record<string, Record<string, Record<string, unknown>>> = {};
    for (const [id, obj] of this.accounts) out[accountPath(id)] = { [ACCOUNT]: obj.variants() };
    for (const [id, obj] of this.channels) out[channelPath(id)] = { [CHANNEL]: obj.variants() };
    for (const [id, obj] of this.people) out[personPath(id)] = { [PERSON]: obj.variants() };
    return out;
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
    for (const id of new Set(received.map((m) => m.channelId))) this.channels.get(id)?.refresh(); // LastActivity, UnreadCount
    for (let i = 0; i < changed.length; i += SIGNAL_CHUNK) {
      this.root.emit('MessagesChanged', changed.slice(i, i + SIGNAL_CHUNK).map((m) => [m.id, channelPath(m.channelId), m.state]));
    }
    if (statuses.length > 0) this.root.emit('AccountsChanged', statuses);
    for (let i = 0; i < people.length; i += SIGNAL_CHUNK) this.root.emit('PeopleChanged', people.slice(i, i + SIGNAL_CHUNK));
  }

  // ---- handlers -----------------------------------------------------------------------------

  private managerHandlers(): Handlers {
    const core = this.core;
    return {
      methods: {
        ListProtocols: () => [...core.accounts.protocols.values()].map((p) => [p.id, p.displayName]).sort((a, b) => a[0].localeCompare(b[0])),
        GetParameters: (protocol: string) =>
          core.accounts.protocol(protocol).parameters.map((s) => [
            s.name,
            s.type,
            [s.required ? 'required' : '', s.secret ? 'secret' : ''].filter(Boolean).join(','),
            s.default === undefined ? '' : Array.isArray(s.default) ? s.default.join(',') : String(s.default),
            s.description,
          ]),
        CreateAccount: async (protocol: string, displayName: string, params: Record<string, { value: unknown }>) =>
          accountPath((await core.accounts.create(protocol, displayName, unwrapVardict(params))).id),
        SetPresence: (status: string, message: string) => core.accounts.setPresence(status, message),
        GetPending: (limit: number) => core.messages.pending(limit).map(wireMessage),
        GetInbox: (limit: number) => core.messages.inbox(limit).map(({ channel, unread }) => [channelPath(channel.id), accountPath(channel.accountId), channel.target, channel.lastActivity, unread]),
        SearchPeople: (text: string, limit: number) => core.people.search(text, pageSize(limit)).map(personPath),
        GetPerson: (account: string, contact: string) => {
          const accountId = accountIdOf(account);
          return personPath(core.people.personOf({ accountId, contactId: core.accounts.runner(accountId).protocol.normalizeContact(contact) }));
        },
        Acknowledge: (ids: unknown[]) => core.messages.acknowledge(ids.map((id) => toNumber(id, 'a message id'))),
        SearchHistory: (query: string, beforeId: bigint, limit: number) =>
          core.messages.search(query, toNumber(beforeId, 'before_id'), pageSize(limit)).map(wireMessage),
        GetMarkup: (ids: unknown[]) => {
          if (ids.length > MAX_PAGE) throw new InvalidArgumentError(`at most ${MAX_PAGE} ids at once`);
          return core.messages.markup(ids.map((id) => toNumber(id, 'a message id')));
        },
        GetFailures: (ids: unknown[]) => {
          if (ids.length > MAX_PAGE) throw new InvalidArgumentError(`at most ${MAX_PAGE} ids at once`);
          return core.messages.failures(ids.map((id) => toNumber(id, 'a message id')));
        },
        ReloadConfig: () => this.state.reloadConfig(),
      },
      properties: {
        Version: () => this.state.version,
        Presence: () => [core.accounts.presence.status, core.accounts.presence.message],
        FailedPlugins: () => this.state.failedPlugins(),
        ConfigError: () => this.state.configError(),
        SecretStore: () => core.accounts.secretStoreKind,
      },
    };
  }

  private accountHandlers(id: string): Handlers {
    const core = this.core;
    const runner = () => core.accounts.runner(id);
    return {
      methods: {
        Update: (set: Record<string, { value: unknown }>, unset: string[]) => core.accounts.update(id, unwrapVardict(set), unset),
        SetDisplayName: (name: string) => core.accounts.setDisplayName(id, name),
        SetEnabled: (enabled: boolean) => core.accounts.setEnabled(id, enabled),
        Reconnect: () => core.accounts.reconnect(id),
        Remove: () => core.accounts.remove(id),
        JoinRoom: (room: string, key: string) => channelPath(core.rooms.join(id, room, key).id),
        OpenDirect: (contact: string) => channelPath(core.conversations.openDirect(id, contact).id),
        OpenConversation: async (target: string) => channelPath((await core.rooms.openConversation(id, target)).id),
        FindConversation: (target: string) => channelPath(core.conversations.findConversation(id, target).id),
        AddContact: (contact: string, alias: string) => core.contacts.add(id, contact, alias),
        RemoveContact: (contact: string) => core.contacts.remove(id, contact),
        GetContactInfo: (contact: string) => core.contacts.info(id, contact),
        AnswerSubscription: (contact: string, allow: boolean) => core.contacts.answerSubscription(id, contact, allow),
      },
      properties: {
        Id: () => id,
        Protocol: () => runner().account.protocol,
        DisplayName: () => runner().account.displayName,
        Identity: () => core.accounts.identity(id),
        Parameters: () => toVardict(runner().account.params),
        SecretsSet: () => this.secretNames.get(id) ?? [],
        Enabled: () => runner().account.enabled,
        Status: () => runner().status,
        StatusReason: () => runner().reason,
        StatusDetail: () => runner().detail,
        NextRetry: () => runner().nextRetry,
        Contacts: () => core.contacts.list(id).map((c) => [c.id, c.alias, c.status, c.message]),
        SubscriptionRequests: () => core.contacts.subscriptionRequests(id).map((r) => [r.id, r.message]),
        OutboxSize: () => core.messages.outboxSize(id),
      },
    };
  }

  private channelHandlers(id: number): Handlers {
    const core = this.core;
    const row = () => core.conversations.get(id);
    return {
      methods: {
        SendMessage: (body: string, kind: string) => core.messages.send(id, body, kind).id,
        SetChatState: (state: string) => core.messages.chatStates.set(id, state),
        GetHistory: (beforeId: bigint, limit: number) =>
          core.messages.history(id, toNumber(beforeId, 'before_id'), pageSize(limit)).map(wireMessage),
        Leave: (message: string) => core.rooms.leave(id, message),
        SetTopic: (topic: string) => core.rooms.setTopic(id, topic),
        Kick: (member: string, reason: string) => core.rooms.kick(id, member, reason),
        Invite: (contact: string) => core.rooms.invite(id, contact),
        SetRole: (member: string, role: string) => core.rooms.setRole(id, member, role),
        SetModes: (modes: string) => core.rooms.setModes(id, modes),
      },
      properties: {
        Account: () => accountPath(row().accountId),
        Kind: () => row().kind,
        Target: () => row().target,
        Joined: () => row().kind === 'direct' || (core.rooms.state(id)?.joined ?? false),
        Topic: () => row().topic,
        Members: () => core.rooms.members(id).map((m) => [m.id, m.name, m.role]),
        Modes: () => core.rooms.state(id)?.modes ?? '',
        LastActivity: () => row().lastActivity,
        UnreadCount: () => core.messages.unreadIn(id),
      },
    };
  }
}

function pageSize(limit: number): number {
  if (limit === 0) return 100;
  if (limit > MAX_PAGE) throw new InvalidArgumentError(`limit must be at most ${MAX_PAGE}`);
  return limit;
}

function toVardict(params: Record<string, unknown>): Record<string, InstanceType<typeof dbus.Variant>> {
  const out: Record<string, InstanceType<typeof dbus.Variant>> = {};
  for (const [k, v] of Object.entries(params)) {
    const sig = typeof v === 'boolean' ? 'b' : typeof v === 'number' ? 'x' : Array.isArray(v) ? 'as' : 's';
    out[k] = new dbus.Variant(sig, v);
  }
  return out;
}
