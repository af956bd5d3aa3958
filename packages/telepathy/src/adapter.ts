/**
 * The Telepathy adapter: serves Telepathy's AccountManager and Account objects over confabd's accounts,
 * and a Connection (with its Text channels) for each connected account, on confabd's own bus connection. Started by the composition root after the native service (so the
 * accounts it shows are the ones im.confab.Confab1 shows), before the accounts connect.
 *
 * Order matters: every object is exported, then the names are asked for, so a client that sees the
 * name sees every account. AccountManager first: without it the adapter serves nothing (and withdraws
 * its objects); MissionControl5 second, only so that telepathy-glib's ping does not D-Bus-activate the
 * real Mission Control next to us.
 */
import type dbus from 'dbus-next';
import { DisposableStore, type Logger } from '@confab/sdk';
import { AccountManager } from './accounts/account-manager';
import { AccountOps } from './accounts/account-ops';
import { Connections, type SecretPrompt } from './connections/connections';
import type { ConfabFeatures } from './confab';
import { loadContract } from './dbus/contract';
import type { Redact } from './dbus/errors';
import { allowIntegerKeys } from './dbus/integer-keys';
import { ownName, reportHeld } from './bus-names';
import { AM_BUS_NAME, MC5_BUS_NAME } from './names';
import { ChannelDispatcher } from './dispatcher/dispatcher';
import { CD_BUS_NAME } from './dispatcher/constants';
import type { DBusNames } from './dispatcher/client-registry';

/** How long a Telepathy client may take to answer HandleChannels (and any call the dispatcher makes to it), by default. */
export const DEFAULT_HANDLER_TIMEOUT_MS = 30000;

type Bus = ReturnType<typeof dbus.sessionBus>;

export interface TelepathyOptions {
  readonly bus: Bus;
  readonly features: ConfabFeatures;
  /** Takes secrets out of a text bound for the bus (the daemon's Redactor). */
  readonly redact: Redact;
  readonly log: Logger;
  /** The longest the ChannelDispatcher waits for a client's answer (HandleChannels…); DEFAULT_HANDLER_TIMEOUT_MS if unset. */
  readonly handlerTimeoutMs?: number;
  /**
   * Sets (undefined: removes) who the daemon asks, for one connection attempt, the secret parameters an
   * account has no value for: the adapter asks a Telepathy client's password (ServerAuthentication) for
   * an account with `password-prompt`. The daemon's `Accounts.setSecretPrompt`; absent: no prompts.
   */
  readonly setSecretPrompt?: (prompt: SecretPrompt | undefined) => void;
}

export class TelepathyAdapter {
  private readonly subs = new DisposableStore();
  private manager?: AccountManager;
  private connections?: Connections;
  private dispatcher?: ChannelDispatcher;
  private readonly owned: string[] = [];

  private constructor(private readonly opts: TelepathyOptions) {}

  /** Serves AccountManager if its name is free; resolves either way (`serving` says which). */
  static async start(opts: TelepathyOptions): Promise<TelepathyAdapter> {
    const adapter = new TelepathyAdapter(opts);
    await adapter.serve();
    return adapter;
  }

  get serving(): boolean {
    return this.manager !== undefined;
  }

  private async serve(): Promise<void> {
    const { bus, features: f, log } = this.opts;
    const ctx = { redact: this.opts.redact, log };
    allowIntegerKeys(); // Telepathy's handle-keyed dictionaries (dbus/integer-keys.ts)
    const contract = await loadContract();
    let connections: Connections | undefined = undefined;
    const ops = new AccountOps(f, log, (id) => connections?.pathOf(id));
    const manager = new AccountManager(bus, contract, f, ops, ctx);
    connections = new Connections(bus, contract, f, ctx, (id) => ({
      disconnect: () => ops.setRequestedPresence(id, [1, 'offline', '']),
      setNickname: (nick) => ops.setNickname(id, nick),
    }), (id) => manager.refresh(id), this.opts.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS);
    const conns = connections;
    manager.export();
    // Followed from now on: the native API serves already, and an account may come while the name is asked for.
    this.subs.add(f.accounts.onChanged(({ id, change }) => {
      manager.follow(id, change); // a status change is one too
      if (this.manager) conns.follow(id); // connections only once the AccountManager is ours
    }));
    this.subs.add(f.accounts.onPresenceChanged(() => {
      manager.refreshAll();
      conns.presenceChanged();
    }));
    this.subs.add(f.messages.onReceived((rows) => conns.received(rows)));
    this.subs.add(f.messages.onAcknowledged((ids) => conns.acknowledged(ids)));
    this.subs.add(f.conversations.onChanged(({ id, change }) => conns.conversationChanged(id, change)));
    if (!(await ownName(bus, AM_BUS_NAME))) {
      await reportHeld(bus, AM_BUS_NAME, log, 'Telepathy clients (mc-tool, Polari) will use it, not Confab; going on without the Telepathy adapter');
      this.subs.dispose();
      manager.unexport();
      return;
    }
    this.owned.push(AM_BUS_NAME);
    if (await ownName(bus, MC5_BUS_NAME)) this.owned.push(MC5_BUS_NAME);
    else await reportHeld(bus, MC5_BUS_NAME, log, 'Mission Control is running beside Confab');
    await this.serveDispatcher(contract, conns);
    if (this.dispatcher) this.opts.setSecretPrompt?.(conns.askPassword); // a password is asked of the handlers only our dispatcher knows
    this.manager = manager;
    this.connections = conns;
    for (const id of f.accounts.ids()) conns.follow(id); // accounts connected already (a restarted adapter)
    log.info('serving Telepathy as %s (%d accounts)', this.owned.join(' and '), f.accounts.ids().length);
  }

  /** The ChannelDispatcher beside the AccountManager: its clients found, its object exported, then its name asked for. */
  private async serveDispatcher(contract: Awaited<ReturnType<typeof loadContract>>, conns: Connections): Promise<void> {
    const { bus, features: f, log } = this.opts;
    const names = (await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus') as unknown as DBusNames;
    const dispatcher = new ChannelDispatcher(bus, names, contract, f, conns, { redact: this.opts.redact, log }, {
      handlerTimeoutMs: this.opts.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS,
    });
    await dispatcher.start();
    if (!(await ownName(bus, CD_BUS_NAME))) {
      await reportHeld(bus, CD_BUS_NAME, log, 'channels requested through it will not reach Confab');
      dispatcher.stop();
      return;
    }
    this.owned.push(CD_BUS_NAME);
    this.dispatcher = dispatcher;
  }

  /** Withdraws the objects and lets the names go. */
  async stop(): Promise<void> {
    this.opts.setSecretPrompt?.(undefined);
    this.dispatcher?.stop();
    this.dispatcher = undefined;
    this.subs.dispose();
    await this.connections?.stopAll();
    this.connections = undefined;
    this.manager?.unexport();
    this.manager = undefined;
    for (const name of this.owned.splice(0)) {
      try {
        await this.opts.bus.releaseName(name);
      } catch {
        // the bus is going away with the daemon: nothing left to release
      }
    }
  }
}
