/**
 * One connection attempt that asks a Telepathy client for the account's password, as telepathy-idle
 * does for an account with `password-prompt` (Polari's way: it keeps the password in its keyring and
 * answers). While the account connects, a Connection in status Connecting (spec 0.27 `Connection`,
 * `Connection_Status` 1, with `Interface.Requests` listing the one channel) serves the connection's
 * path and well-known name, and a ServerAuthentication channel (server-auth-channel.ts) is announced
 * with NewChannels and handed to a handler through the ChannelDispatcher, as an unrequested channel.
 *
 * The password the handler gives goes to the daemon for this attempt only (it is never stored). Then:
 * the account connects → the channel says Server_Succeeded and the path is handed over to the
 * ConnectionObject (the Connection says StatusChanged(Connected)); the attempt fails → the channel says
 * Server_Failed with the Telepathy error, the Connection says ConnectionError and
 * StatusChanged(Disconnected, reason), and goes (its path buried: calls answer Disconnected). No
 * password within the bound (`telepathy.handlerTimeoutMs`), an AbortSASL or a Close: the attempt fails
 * with AuthenticationFailed, as idle disconnects when its password manager fails.
 */
import dbus from 'dbus-next';
import { ConfabError, type StatusReason } from '@confab/sdk';
import { connectionError, statusReason } from '../accounts/status';
import type { ChannelListener } from '../channels/channel-host';
import { ServerAuthChannel } from '../channels/server-auth-channel';
import { specOf, type Contract } from '../dbus/contract';
import { ContractObject, type ObjectContext } from '../dbus/contract-object';
import { CONNECTION_IFACE, REQUESTS_IFACE, STATUS_CONNECTED, STATUS_DISCONNECTED, TP } from './constants';
import type { Tombstones } from './tombstones';

type Bus = ReturnType<typeof dbus.sessionBus>;

/** spec Connection_Status Connecting; Connection_Status_Reason Requested. */
const STATUS_CONNECTING = 1;
const REASON_REQUESTED = 1;

export interface PromptIdentity {
  readonly accountId: string;
  readonly path: string;
  readonly busName: string;
  /** Telepathy's protocol name (GetProtocol). */
  readonly tpProtocol: string;
  /** Who the user is on the network (the channel's DefaultUsername). */
  readonly username: string;
}

export interface PromptDeps {
  readonly bus: Bus;
  readonly contract: Contract;
  readonly ctx: ObjectContext;
  readonly tombstones: Tombstones;
  readonly listener: ChannelListener;
  /** The prompt is over (its channel closed after the hand-over, or it failed): forget it. */
  readonly gone: (prompt: PasswordPrompt) => void;
  /** spec Connection.Disconnect while connecting: the account asks to be offline. */
  readonly disconnect: () => void;
}

export class PasswordPrompt {
  readonly channel: ServerAuthChannel;
  private readonly connection: ContractObject;
  private readonly requests: ContractObject;
  /** The Connecting objects are exported and the name asked for (released by fail()). */
  private served = false;
  private exported = false;
  private ended = false;
  private handed = false;
  private timer: NodeJS.Timeout | undefined;
  private waiter?: { resolve: (password: string) => void; reject: (err: Error) => void };
  /** The account's status when the password was given: a later change of it is the attempt's outcome. */
  private attemptMark = '';

  constructor(private readonly deps: PromptDeps, readonly id: PromptIdentity) {
    const { contract, ctx } = deps;
    const notYet = () => {
      throw new dbus.DBusError(`${TP}.Error.Disconnected`, 'the connection is not connected yet: it waits for its password');
    };
    this.connection = new ContractObject(specOf(contract, CONNECTION_IFACE), {
      methods: {
        Connect: () => undefined, // spec: connecting already
        Disconnect: () => deps.disconnect(),
        GetInterfaces: () => [REQUESTS_IFACE],
        GetProtocol: () => id.tpProtocol,
        GetSelfHandle: notYet,
        GetStatus: () => STATUS_CONNECTING,
        HoldHandles: notYet,
        ReleaseHandles: notYet,
        InspectHandles: notYet,
        RequestHandles: notYet,
        AddClientInterest: () => undefined,
        RemoveClientInterest: () => undefined,
      },
      properties: {
        Interfaces: () => [REQUESTS_IFACE],
        SelfHandle: () => 0, // spec: 0 until connected
        SelfID: () => '',
        Status: () => STATUS_CONNECTING,
        HasImmortalHandles: () => true,
      },
    }, ctx);
    this.channel = new ServerAuthChannel({ bus: deps.bus, contract, ctx, path: `${id.path}/ServerAuthentication1`, username: id.username }, {
      password: (value) => this.answered(value),
      aborted: () => this.refused('the Telepathy client aborted the password prompt'),
      closed: (path) => this.channelClosed(path),
    });
    this.requests = new ContractObject(specOf(contract, REQUESTS_IFACE), {
      methods: { CreateChannel: notYet, EnsureChannel: notYet },
      properties: {
        Channels: () => (this.channel.isClosed ? [] : [[this.channel.path, this.channel.immutable()]]),
        RequestableChannelClasses: () => [],
      },
    }, ctx);
  }

  /** Whether the path is the ConnectionObject's now (the account connected with the password). */
  get handedOver(): boolean {
    return this.handed;
  }

  /**
   * Serves the Connecting connection and its channel, tells the dispatcher, and resolves with the
   * password; rejects (AuthenticationFailed) after `timeoutMs`, on AbortSASL or Close, or NotAvailable
   * when the name is taken. `served` is told once the Account may name the path.
   */
  async ask(timeoutMs: number, served: () => void): Promise<string> {
    const { bus } = this.deps;
    bus.export(this.id.path, this.connection.iface);
    bus.export(this.id.path, this.requests.iface);
    this.exported = true;
    this.served = true;
    const reply = await bus.requestName(this.id.busName, dbus.NameFlag.DO_NOT_QUEUE);
    if (reply !== dbus.RequestNameReply.PRIMARY_OWNER && reply !== dbus.RequestNameReply.ALREADY_OWNER) {
      this.ended = true;
      this.served = false;
      this.withdraw();
      this.finish();
      throw new ConfabError('NotAvailable', `${this.id.busName} is taken: the password cannot be asked for`);
    }
    if (this.ended) throw new ConfabError('Cancelled', 'the connection attempt ended');
    served();
    const password = new Promise<string>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
    this.channel.export();
    this.requests.emit('NewChannels', [[this.channel.path, this.channel.immutable()]]); // spec Requests.NewChannels
    this.requests.refresh();
    this.deps.listener.opened({ accountId: this.id.accountId, path: this.id.path }, this.channel, false);
    this.timer = setTimeout(() => this.refused(`no Telepathy client gave the password within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    this.timer.unref();
    return password;
  }

  /**
   * The account's status changed while the password is tried: `mark` is its status as a string. The
   * first change after the password came is the attempt's outcome (connecting again with a failure
   * reason: it failed and a retry waits).
   */
  outcomeChanged(mark: string): boolean {
    return this.channel.answered && this.attemptMark !== '' && mark !== this.attemptMark;
  }

  mark(mark: string): void {
    if (this.attemptMark === '') this.attemptMark = mark;
  }

  /**
   * The account connected with the password: spec Server_Succeeded on the channel, the Connecting
   * objects withdrawn so that the ConnectionObject can take the path (and the name, owned already).
   * The channel stays until the client closes it (Polari does on Succeeded), at most the bound again.
   */
  handOver(timeoutMs: number): void {
    if (this.ended || this.handed) return;
    this.handed = true;
    this.clearTimer();
    this.channel.serverSucceeded();
    this.withdraw();
    this.timer = setTimeout(() => this.channel.close(false), timeoutMs);
    this.timer.unref();
  }

  /** After the ConnectionObject took the path: spec StatusChanged(Connected, Requested) to whoever held the Connecting one. */
  announceConnected(): void {
    this.deps.bus.send(dbus.Message.newSignal(this.id.path, CONNECTION_IFACE, 'StatusChanged', 'uu', [STATUS_CONNECTED, REASON_REQUESTED]));
  }

  /**
   * The attempt failed, or the account went offline, before it connected: Server_Failed on the channel
   * (when a password was being tried), spec ConnectionError + StatusChanged(Disconnected, reason); the
   * channel closed, the path buried, the objects withdrawn, the name released.
   */
  async fail(reason: StatusReason, detail: string): Promise<void> {
    if (this.ended || this.handed) return;
    this.ended = true;
    this.clearTimer();
    this.waiter?.reject(new ConfabError('Cancelled', 'the connection attempt ended'));
    this.waiter = undefined;
    const error = connectionError('disconnected', reason) || `${TP}.Error.Cancelled`;
    const message = this.deps.ctx.redact(detail);
    this.channel.serverFailed(error, message);
    if (this.served) {
      const details = message ? { 'debug-message': new dbus.Variant('s', message) } : {};
      if (reason !== 'requested') this.connection.emit('ConnectionError', error, details); // spec: before StatusChanged, with the same error
      this.connection.emit('StatusChanged', STATUS_DISCONNECTED, statusReason(reason));
    }
    this.channel.close(false);
    this.deps.tombstones.bury(this.id.path);
    this.withdraw();
    this.finish();
    if (!this.served) return;
    try {
      await this.deps.bus.releaseName(this.id.busName);
    } catch (err) {
      this.deps.ctx.log.debug('releasing %s: %s', this.id.busName, (err as Error).message); // the bus is going away with the daemon
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private answered(password: string): void {
    this.clearTimer();
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve(password);
  }

  /** No password for this attempt: it fails with AuthenticationFailed (idle: the password manager failed). */
  private refused(why: string): void {
    const w = this.waiter;
    this.waiter = undefined;
    this.clearTimer();
    if (!this.channel.isClosed) this.channel.close(false);
    w?.reject(new ConfabError('AuthenticationFailed', why));
  }

  private channelClosed(path: string): void {
    if (!this.ended && this.served && !this.handed) {
      this.requests.emit('ChannelClosed', path); // spec Requests.ChannelClosed
      this.requests.refresh();
    }
    this.deps.listener.closed(path);
    if (!this.channel.answered) this.refused('the password prompt was closed');
    if (this.handed) this.finish();
  }

  private withdraw(): void {
    if (!this.exported) return;
    this.exported = false;
    for (const o of [this.connection, this.requests]) {
      try {
        this.deps.bus.unexport(this.id.path, o.iface);
      } catch {
        // withdrawn already
      }
    }
  }

  private finish(): void {
    this.clearTimer();
    this.deps.gone(this);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
