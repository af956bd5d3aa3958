/**
 * The Connection objects of the connected accounts: one made when a Confab account becomes connected
 * (its bus name owned before the Account's `Connection` property names it, since telepathy-glib
 * resolves the name's owner as soon as it reads the path), and withdrawn when it is not any more.
 * Routes what the daemon announces — stored messages, changed conversations, the presence — to the
 * connection of the account concerned.
 */
import type dbus from 'dbus-next';
import type { Logger } from '@confab/sdk';
import type { ConfabAccountRun, ConfabFeatures, ConfabMessage } from '../confab';
import type { Contract } from '../dbus/contract';
import type { ObjectContext } from '../dbus/contract-object';
import { statusReason } from '../accounts/status';
import { tableFor } from '../params';
import { connectionNames } from '../names';
import { ConnectionObject, type ConnectionActions } from './connection-object';
import type { ChannelListener, TextChannelRef } from '../channels/channel-host';
import type { TextChannel } from '../channels/text-channel';
import { TpState } from '../accounts/tp-state';
import { PasswordPrompt } from './password-prompt';
import { Tombstones } from './tombstones';

type Variants = Record<string, { signature?: string; value: unknown }>;

/** Told nothing: until a ChannelDispatcher listens. */
const NOBODY: ChannelListener = { opened: () => undefined, closed: () => undefined };

type Bus = ReturnType<typeof dbus.sessionBus>;

/**
 * The daemon's hook for one connection attempt of an account that has no value for some secret
 * parameters (`missing`): the values to use for that attempt only (never stored), or undefined to go
 * on without them; a rejection fails the attempt with its error. (packages/daemon's
 * `Accounts.setSecretPrompt` takes it.)
 */
export type SecretPrompt = (accountId: string, missing: readonly string[]) => Promise<Record<string, string> | undefined>;

/** What marks an attempt's outcome: the account's status, reason and detail together. */
const markOf = (run: ConfabAccountRun | undefined): string => (run ? `${run.status}/${run.reason}/${run.detail}` : 'gone');

export class Connections {
  private readonly live = new Map<string, ConnectionObject>();
  private readonly starting = new Set<string>();
  private serial = 0;
  private listener: ChannelListener = NOBODY;
  /** Callers waiting for an account's connection to be served (ChannelRequests made while it connects). */
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Accounts connecting with a password asked of a Telepathy client (password-prompt.ts). */
  private readonly prompts = new Map<string, PasswordPrompt>();
  /** Connections gone: calls on them answer Disconnected (tombstones.ts). */
  private readonly tombstones: Tombstones;

  constructor(
    private readonly bus: Bus,
    private readonly contract: Contract,
    private readonly f: ConfabFeatures,
    private readonly ctx: ObjectContext,
    private readonly actions: (accountId: string) => ConnectionActions,
    /** The account's Telepathy view must be refreshed (its Connection came or went). */
    private readonly accountChanged: (accountId: string) => void,
    /** How long a Telepathy client may take to give a password asked for (telepathy.handlerTimeoutMs). */
    private readonly promptTimeoutMs: number,
  ) {
    this.tombstones = new Tombstones(bus);
  }

  /** The path of the account's connection, once its name is owned (a Connecting one while its password is asked). */
  pathOf(accountId: string): string | undefined {
    const prompt = this.prompts.get(accountId);
    return this.live.get(accountId)?.id.path ?? (prompt && !prompt.handedOver ? prompt.id.path : undefined);
  }

  /**
   * The SecretPrompt the daemon calls: an account whose Telepathy parameter `password-prompt` is true
   * (idle's; Polari sets it and keeps the password in its keyring) and that has no password on Confab
   * has it asked of a Telepathy client, through a ServerAuthentication channel, for this attempt.
   */
  readonly askPassword: SecretPrompt = async (accountId, missing) => {
    const run = this.f.accounts.find(accountId);
    if (run?.status !== 'connecting') return undefined; // an attempt given up already (the account was switched off meanwhile)
    const table = tableFor(run.account.protocol);
    const param = table.rows.find((r) => r.tp === 'password')?.confab;
    if (!param || !missing.includes(param)) return undefined;
    const kept = new TpState(this.f.accounts.services(accountId).state).read().kept['password-prompt'];
    if (kept?.[1] !== true) return undefined;
    await this.prompts.get(accountId)?.fail('network-error', 'a new connection attempt began'); // an earlier attempt's, failed and retried
    const names = connectionNames(table.cm, table.protocol, `${accountId}_${++this.serial}`);
    const accountParam = table.rows.find((r) => r.tp === 'account')?.confab;
    const self = accountParam ? run.account.params[accountParam] : undefined;
    const prompt = new PasswordPrompt({
      bus: this.bus, contract: this.contract, ctx: this.ctx, tombstones: this.tombstones, listener: this.listenerProxy,
      gone: (p) => {
        if (this.prompts.get(accountId) === p) this.prompts.delete(accountId);
        this.accountChanged(accountId);
      },
      disconnect: () => this.actions(accountId).disconnect(),
    }, {
      accountId, ...names, tpProtocol: table.protocol,
      username: typeof self === 'string' && self ? self : this.f.accounts.identity(accountId),
    });
    this.prompts.set(accountId, prompt);
    this.log.info('account %s: its password is asked of a Telepathy client (%s)', accountId, prompt.channel.path);
    const password = await prompt.ask(this.promptTimeoutMs, () => this.accountChanged(accountId));
    prompt.mark(markOf(this.f.accounts.find(accountId)));
    return { [param]: password };
  };

  /** Whoever listens at the time of the event (the dispatcher comes after the Connections are made). */
  private readonly listenerProxy: ChannelListener = {
    opened: (c, ch, requested) => this.listener.opened(c, ch, requested),
    closed: (path) => this.listener.closed(path),
  };

  /** The ChannelDispatcher, told of every channel opened and closed from now on. */
  listen(listener: ChannelListener): void {
    this.listener = listener;
  }

  /** A channel requested through the ChannelDispatcher on the account's connection (undefined: not connected). */
  async request(accountId: string, req: Variants, ensure: boolean): Promise<{ yours: boolean; channel: TextChannelRef; connectionPath: string } | undefined> {
    const conn = this.live.get(accountId);
    if (!conn) return undefined;
    const { yours, channel } = await conn.table.requestChannel(req, ensure);
    return { yours, channel, connectionPath: conn.id.path };
  }

  /**
   * Resolves true once the account's connection is served, false after `ms` or at once when the account
   * is not on its way (disabled, offline): a request made while the account connects waits for it, as
   * Mission Control's do.
   */
  whenServed(accountId: string, ms: number): Promise<boolean> {
    if (this.live.has(accountId)) return Promise.resolve(true);
    const run = this.f.accounts.find(accountId);
    if (!run || run.status === 'disconnected' && !run.account.enabled) return Promise.resolve(false);
    return new Promise((resolve) => {
      const set = this.waiters.get(accountId) ?? new Set<() => void>();
      this.waiters.set(accountId, set);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0) this.waiters.delete(accountId);
        resolve(ok);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      set.add(wake);
    });
  }

  /** A channel by its path, with its connection (PresentChannel, DelegateChannels). */
  channelAt(path: string): { channel: TextChannel; accountId: string; connectionPath: string } | undefined {
    for (const c of this.live.values()) {
      if (!path.startsWith(`${c.id.path}/`)) continue;
      const channel = c.table.all().find((ch) => ch.path === path);
      if (channel) return { channel, accountId: c.id.accountId, connectionPath: c.id.path };
    }
    return undefined;
  }

  /** Follows the account's status (after any change of it, or its removal). */
  follow(accountId: string): void {
    const run = this.f.accounts.find(accountId);
    const prompt = this.prompts.get(accountId);
    if (prompt && !prompt.handedOver) {
      const failed = !run || run.status === 'disconnected' || (run.status === 'connecting' && prompt.outcomeChanged(markOf(run)));
      if (failed) void prompt.fail(run?.reason ?? 'requested', run?.detail ?? '');
    }
    const want = run?.status === 'connected';
    const have = this.live.get(accountId);
    if (want && !have && !this.starting.has(accountId)) void this.start(accountId);
    if (!want && have) void this.stop(accountId, statusReason(run?.reason ?? 'requested'));
  }

  /** Every connection goes (the adapter stops). */
  async stopAll(): Promise<void> {
    for (const p of [...this.prompts.values()]) await p.fail('requested', '');
    for (const id of [...this.live.keys()]) await this.stop(id, statusReason('requested'));
    this.tombstones.dispose();
  }

  received(messages: readonly ConfabMessage[]): void {
    for (const m of messages) this.live.get(m.accountId)?.table.received(m);
  }

  /** Messages acknowledged on Confab (by any client): the channels that showed them say so. */
  acknowledged(ids: readonly number[]): void {
    for (const c of this.live.values()) c.table.acknowledged(ids);
  }

  conversationChanged(id: number, change: 'added' | 'removed' | 'changed'): void {
    for (const c of this.live.values()) c.table.changed(id, change);
  }

  presenceChanged(): void {
    for (const c of this.live.values()) c.presenceChanged();
  }

  private async start(accountId: string): Promise<void> {
    const run = this.f.accounts.find(accountId);
    if (!run) return;
    this.starting.add(accountId);
    const table = tableFor(run.account.protocol);
    const prompt = this.prompts.get(accountId);
    const asked = prompt && !prompt.handedOver && prompt.outcomeChanged(markOf(run)) ? prompt : undefined;
    // Connected with a password a client gave: the Connecting connection's path and name become this one's.
    const names = asked ? { path: asked.id.path, busName: asked.id.busName } : connectionNames(table.cm, table.protocol, `${accountId}_${++this.serial}`);
    const accountParam = table.rows.find((r) => r.tp === 'account')?.confab;
    const selfParam = accountParam ? run.account.params[accountParam] : undefined;
    const conn = new ConnectionObject(this.bus, this.contract, this.f, this.ctx, {
      accountId,
      ...names,
      tpProtocol: table.protocol,
      protocol: run.protocol,
      selfId: typeof selfParam === 'string' && selfParam ? selfParam : this.f.accounts.identity(accountId),
      canRooms: run.protocol.capabilities.channelClasses.some((c) => c.kind === 'room'),
    }, this.actions(accountId), {
      opened: (c, ch, requested) => this.listener.opened(c, ch, requested),
      closed: (path) => this.listener.closed(path),
    });
    let owned = false;
    asked?.handOver(this.promptTimeoutMs);
    try {
      owned = await conn.serve();
    } catch (err) {
      this.log.warn('serving the Telepathy connection of %s failed: %s', accountId, (err as Error).message);
    }
    this.starting.delete(accountId);
    if (!owned) {
      this.log.warn('%s is taken: account %s has no Telepathy connection', names.busName, accountId);
      await conn.stop(statusReason('requested'));
      return;
    }
    if (this.f.accounts.find(accountId)?.status !== 'connected') {
      await conn.stop(statusReason(this.f.accounts.find(accountId)?.reason ?? 'requested')); // it went while the name was asked for
      return;
    }
    this.live.set(accountId, conn);
    asked?.announceConnected();
    this.log.debug('account %s: Telepathy connection %s', accountId, names.path);
    this.accountChanged(accountId);
    for (const wake of [...(this.waiters.get(accountId) ?? [])]) wake();
  }

  private async stop(accountId: string, reason: number): Promise<void> {
    const conn = this.live.get(accountId);
    if (!conn) return;
    this.live.delete(accountId);
    this.accountChanged(accountId); // Connection '/' first: no client should make a proxy of a path about to go
    this.tombstones.bury(conn.id.path); // from now on calls on it and its channels answer Disconnected, not UnknownMethod
    await conn.stop(reason);
  }

  private get log(): Logger {
    return this.ctx.log;
  }
}
