/**
 * The Connection objects of the connected accounts: one made when a Confab account becomes connected
 * (its bus name owned before the Account's `Connection` property names it, since telepathy-glib
 * resolves the name's owner as soon as it reads the path), and withdrawn when it is not any more.
 * Routes what the daemon announces — stored messages, changed conversations, the presence — to the
 * connection of the account concerned.
 */
import type dbus from 'dbus-next';
import type { Logger } from '@confab/sdk';
import type { ConfabFeatures, ConfabMessage } from '../confab';
import type { Contract } from '../dbus/contract';
import type { ObjectContext } from '../dbus/contract-object';
import { statusReason } from '../accounts/status';
import { tableFor } from '../params';
import { connectionNames } from '../names';
import { ConnectionObject, type ConnectionActions } from './connection-object';
import type { ChannelListener, TextChannelRef } from '../channels/channel-host';
import type { TextChannel } from '../channels/text-channel';

type Variants = Record<string, { signature?: string; value: unknown }>;

/** Told nothing: until a ChannelDispatcher listens. */
const NOBODY: ChannelListener = { opened: () => undefined, closed: () => undefined };

type Bus = ReturnType<typeof dbus.sessionBus>;

export class Connections {
  private readonly live = new Map<string, ConnectionObject>();
  private readonly starting = new Set<string>();
  private serial = 0;
  private listener: ChannelListener = NOBODY;
  /** Callers waiting for an account's connection to be served (ChannelRequests made while it connects). */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly bus: Bus,
    private readonly contract: Contract,
    private readonly f: ConfabFeatures,
    private readonly ctx: ObjectContext,
    private readonly actions: (accountId: string) => ConnectionActions,
    /** The account's Telepathy view must be refreshed (its Connection came or went). */
    private readonly accountChanged: (accountId: string) => void,
  ) {}

  /** The path of the account's connection, once its name is owned. */
  pathOf(accountId: string): string | undefined {
    return this.live.get(accountId)?.id.path;
  }

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
    const want = run?.status === 'connected';
    const have = this.live.get(accountId);
    if (want && !have && !this.starting.has(accountId)) void this.start(accountId);
    if (!want && have) void this.stop(accountId, statusReason(run?.reason ?? 'requested'));
  }

  /** Every connection goes (the adapter stops). */
  async stopAll(): Promise<void> {
    for (const id of [...this.live.keys()]) await this.stop(id, statusReason('requested'));
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
    const names = connectionNames(table.cm, table.protocol, `${accountId}_${++this.serial}`);
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
    this.log.debug('account %s: Telepathy connection %s', accountId, names.path);
    this.accountChanged(accountId);
    for (const wake of [...(this.waiters.get(accountId) ?? [])]) wake();
  }

  private async stop(accountId: string, reason: number): Promise<void> {
    const conn = this.live.get(accountId);
    if (!conn) return;
    this.live.delete(accountId);
    this.accountChanged(accountId); // Connection '/' first: no client should make a proxy of a path about to go
    await conn.stop(reason);
  }

  private get log(): Logger {
    return this.ctx.log;
  }
}
