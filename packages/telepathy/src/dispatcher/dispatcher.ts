/**
 * The ChannelDispatcher (spec 0.27 `ChannelDispatcher` + `Interface.OperationList`) at
 * `/org/freedesktop/Telepathy/ChannelDispatcher`, beside the AccountManager on confabd's bus connection.
 *
 * Requested channels: `Create/EnsureChannel[WithHints]` make a ChannelRequest; on `Proceed` the
 * channel is requested on the account's connection, observers are told (`ObserveChannels`, dispatch
 * operation "/"), and it is handed to a handler (`HandleChannels` with `request-properties`): the
 * preferred handler when one is named — even if its filters do not match, as Mission Control does for
 * telepathy-glib's temporary handlers, whose filter list is empty —, else the best matching one. An
 * existing channel (Ensure's Yours=false) goes back to its handler, or to the preferred one with the
 * `DelegateToPreferredHandler` hint. The request then says `SucceededWithChannel` + `Succeeded`, or
 * `Failed` (the channel it made is closed: nobody took it).
 *
 * Incoming channels (a message in a conversation with no channel): a ChannelDispatchOperation goes to
 * the matching observers, then to approvers unless the best handler bypasses approval or no approver
 * wants it, then to the handlers in order of preference until one takes it. When none does (none
 * running, none activatable), the channel waits: its messages stay pending on Confab's queue, and a
 * handler that comes on the bus later is given it (redelivery).
 *
 * A handler that leaves the bus (its unique name gone) loses its channels: they are closed quietly (a
 * room stays joined on Confab); a private chat with messages still pending comes back unrequested and
 * is dispatched again. Every call into a client is bounded (`handlerTimeoutMs`): a handler that never
 * answers fails the dispatch with NoReply, and nothing waits for it.
 */
import dbus from 'dbus-next';
import type { Logger } from '@confab/sdk';
import { InvalidArgumentError } from '@confab/sdk';
import type { ChannelListener, ConnectionRef, TextChannelRef } from '../channels/channel-host';
import type { ConfabFeatures } from '../confab';
import type { Connections } from '../connections/connections';
import { specOf, type Contract } from '../dbus/contract';
import { ContractObject, type ObjectContext } from '../dbus/contract-object';
import { toTelepathyError } from '../dbus/errors';
import { accountPath } from '../names';
import { tableFor } from '../params';
import { CallerTracker } from './caller';
import { clientDirs } from './client-file';
import { addDispatchOperation, errorOf, handleChannels, observeChannels, type ChannelDetails } from './client-calls';
import { ClientRegistry, type DBusNames } from './client-registry';
import { CD_IFACE, CD_PATH, CDO_PATH_BASE, CLIENT_BUS_PREFIX, DELEGATE_HINT, OPERATION_LIST_IFACE, TP } from './constants';
import { OperationObject, type Decision } from './operation-object';
import { RequestObject, type Variants } from './request-object';

type Bus = ReturnType<typeof dbus.sessionBus>;
/** How long a request made while its account connects waits for the connection. */
const CONNECT_WAIT_MS = 30000;
type Variant = InstanceType<typeof dbus.Variant>;

export interface DispatcherOptions {
  /** The longest any client call may take (HandleChannels, ObserveChannels, GetAll). */
  readonly handlerTimeoutMs: number;
  /** Where `.client` files are looked for (default: `$XDG_DATA_HOME` and `$XDG_DATA_DIRS`). */
  readonly clientDirs?: readonly string[];
}

/** A channel on its way, or handed: where it lives. */
interface Placed {
  readonly accountId: string;
  readonly connectionPath: string;
  readonly channel: TextChannelRef;
}

/** Who handles a channel: the bus name it was given to, and the process (unique name) behind it. */
interface Handler { readonly busName: string; readonly unique: string }

export class ChannelDispatcher implements ChannelListener {
  private readonly cd: ContractObject;
  private readonly opList: ContractObject;
  private readonly registry: ClientRegistry;
  private readonly caller: CallerTracker;
  private readonly requests = new Map<string, RequestObject>();
  private readonly operations = new Map<string, OperationObject>();
  /** Channel path → its handler. */
  private readonly handled = new Map<string, Handler>();
  /** Unrequested channels no handler took yet: given to the next handler that comes. */
  private readonly waiting = new Map<string, Placed>();
  /** Channels being dispatched now (never twice at once). */
  private readonly inFlight = new Set<string>();
  private requestSerial = 0;
  private operationSerial = 0;
  private readonly subs: Array<{ dispose(): void }> = [];

  constructor(
    private readonly bus: Bus,
    names: DBusNames,
    private readonly contract: Contract,
    private readonly f: ConfabFeatures,
    private readonly connections: Connections,
    private readonly ctx: ObjectContext,
    private readonly opts: DispatcherOptions,
  ) {
    this.registry = new ClientRegistry(bus, names, opts.clientDirs ?? clientDirs(), ctx.log, opts.handlerTimeoutMs);
    this.caller = new CallerTracker(bus);
    const req = (ensure: boolean) => (account: string, props: Variants, time: bigint, handler: string, hints?: Variants) =>
      this.createRequest({ account, props, time: BigInt(time), handler, hints: hints ?? {}, ensure });
    this.cd = new ContractObject(specOf(contract, CD_IFACE), {
      methods: {
        CreateChannel: req(false),
        EnsureChannel: req(true),
        CreateChannelWithHints: req(false),
        EnsureChannelWithHints: req(true),
        DelegateChannels: (channels: string[], time: bigint, preferred: string) => this.delegate(channels, BigInt(time), preferred, this.caller.sender),
        PresentChannel: (channel: string, time: bigint) => this.present(channel, BigInt(time)),
      },
      properties: {
        Interfaces: () => [OPERATION_LIST_IFACE],
        SupportsRequestHints: () => true,
      },
    }, ctx);
    this.opList = new ContractObject(specOf(contract, OPERATION_LIST_IFACE), {
      properties: {
        // spec OperationList.DispatchOperations: those not finished
        DispatchOperations: () => [...this.operations.values()].filter((o) => !o.finished).map((o) => [o.path, o.properties()]),
      },
    }, ctx);
  }

  /** Clients found (bus and files), the objects exported; the caller then asks for the name. */
  async start(): Promise<void> {
    await this.registry.start();
    this.subs.push(this.registry.onClientAppeared((name) => this.clientAppeared(name)));
    this.subs.push(this.registry.onUniqueNameGone((unique) => this.processGone(unique)));
    this.bus.export(CD_PATH, this.cd.iface);
    this.bus.export(CD_PATH, this.opList.iface);
    this.connections.listen(this);
  }

  stop(): void {
    for (const s of this.subs.splice(0)) s.dispose();
    this.registry.stop();
    this.caller.dispose();
    for (const r of this.requests.values()) r.fail(`${TP}.Error.Terminated`, 'the dispatcher stopped');
    for (const o of this.operations.values()) o.finish();
    this.requests.clear();
    this.operations.clear();
    (this.bus.unexport as (path: string) => void).call(this.bus, CD_PATH);
  }

  /** What is held now, for tests and leak checks: requests, operations, handled and waiting channels. */
  counts(): { requests: number; operations: number; handled: number; waiting: number; inFlight: number } {
    return { requests: this.requests.size, operations: this.operations.size, handled: this.handled.size, waiting: this.waiting.size, inFlight: this.inFlight.size };
  }

  // ---- ChannelListener ------------------------------------------------------------------------

  opened(conn: ConnectionRef, channel: TextChannelRef, requested: boolean): void {
    if (requested) return; // requested ones are dispatched by their request (or were asked of the connection directly, by a client that handles them)
    void this.dispatchIncoming({ accountId: conn.accountId, connectionPath: conn.path, channel });
  }

  closed(path: string): void {
    this.handled.delete(path);
    this.waiting.delete(path);
    for (const o of this.operations.values()) if (o.spec.channel[0] === path) o.lost(`${TP}.Error.Terminated`, 'the channel closed');
  }

  // ---- requested channels ---------------------------------------------------------------------

  /** spec ChannelDispatcher.CreateChannel / EnsureChannel (+WithHints): a ChannelRequest, waiting for Proceed. */
  private createRequest(a: { account: string; props: Variants; time: bigint; handler: string; hints: Variants; ensure: boolean }): string {
    const accountId = this.accountIdOf(a.account);
    if (typeof a.props !== 'object' || a.props === null) throw new InvalidArgumentError('Requested_Properties is a{sv}');
    if (a.handler !== '' && !a.handler.startsWith(CLIENT_BUS_PREFIX)) {
      throw new InvalidArgumentError(`Preferred_Handler '${a.handler}' is not a client's bus name (${CLIENT_BUS_PREFIX}…)`);
    }
    const path = `${CD_PATH}/Request${++this.requestSerial}`;
    const r = new RequestObject(this.bus, this.contract, this.ctx, path, {
      account: a.account, accountId, request: a.props, userActionTime: a.time, preferredHandler: a.handler, hints: a.hints, ensure: a.ensure,
    }, (req) => void this.proceed(req));
    this.requests.set(path, r);
    r.export();
    return path;
  }

  /** spec ChannelRequest.Proceed: the channel requested, observed, handled. */
  private async proceed(r: RequestObject): Promise<void> {
    const done = () => this.requests.delete(r.path);
    const { spec } = r;
    let got: Awaited<ReturnType<Connections['request']>>;
    try {
      await this.connections.whenServed(spec.accountId, CONNECT_WAIT_MS); // an account connecting: its connection is waited for
      if (r.cancelled) return void done();
      got = await this.connections.request(spec.accountId, spec.request, spec.ensure);
    } catch (err) {
      const e = err instanceof dbus.DBusError ? err : this.ctxError(err, 'ChannelRequest.Proceed');
      r.fail(e.type, e.text);
      return void done();
    }
    if (!got) {
      r.fail(`${TP}.Error.Disconnected`, 'the account is not connected');
      return void done();
    }
    const { channel, yours, connectionPath } = got;
    if (r.cancelled) {
      if (yours) channel.closeQuietly(); // made for a request that is no more: nobody will handle it
      return void done();
    }
    const placed: Placed = { accountId: spec.accountId, connectionPath, channel };
    const current = this.handled.get(channel.path);
    const delegate = spec.hints[DELEGATE_HINT]?.value === true;
    let target = spec.preferredHandler;
    if (current && !(delegate && target !== '')) target = current.busName; // spec: an existing channel goes back to its handler
    if (target === '') target = (await this.registry.handlers(channel.immutable()))[0]?.busName ?? '';
    if (target === '') {
      r.fail(`${TP}.Error.NotImplemented`, 'no Telepathy client can handle this channel');
      if (yours) channel.closeQuietly();
      return void done();
    }
    this.inFlight.add(channel.path);
    try {
      if (yours) await this.observe(placed, '/', [r.path], { 'request-properties': this.requestProps([r]) });
      await this.handleWith(target, placed, [r], spec.userActionTime);
      this.waiting.delete(channel.path);
      r.succeed(connectionPath, channel.path, channel.immutable());
    } catch (err) {
      const [name, message] = errorOf(err);
      this.ctx.log.warn('handing %s to %s failed: %s: %s', channel.path, target, name, message);
      r.fail(name, message);
      if (yours && !channel.isClosed) channel.closeQuietly(); // spec: a requested channel no handler took is closed
    } finally {
      this.inFlight.delete(channel.path);
      done();
    }
  }

  // ---- incoming channels ----------------------------------------------------------------------

  /** An unrequested channel: observers, approvers, a handler (or it waits for one). */
  private async dispatchIncoming(p: Placed): Promise<void> {
    const path = p.channel.path;
    if (this.inFlight.has(path) || this.handled.has(path) || p.channel.isClosed) return;
    this.inFlight.add(path);
    const props = p.channel.immutable();
    const handlers = await this.registry.handlers(props);
    const op = new OperationObject(this.bus, this.contract, this.ctx, `${CDO_PATH_BASE}${this.operationSerial++}`, {
      account: this.accountPathOf(p.accountId), connection: p.connectionPath, channel: [path, props], possibleHandlers: handlers.map((h) => h.busName),
    }, () => this.caller.sender);
    this.operations.set(op.path, op);
    op.export();
    this.opList.emit('NewDispatchOperation', op.path, op.properties());
    try {
      await this.observe(p, op.path, [], {});
      if (p.channel.isClosed) return;
      const approvers = handlers[0]?.bypassApproval ? [] : await this.registry.approvers(props);
      if (approvers.length > 0 && (await this.approve(op, p, approvers.map((a) => a.busName)))) return;
      await this.toFirstHandler(p, handlers.map((h) => h.busName));
    } finally {
      this.inFlight.delete(path);
      op.finish();
      this.operations.delete(op.path);
      this.opList.emit('DispatchOperationFinished', op.path);
    }
  }

  /** Tries the handlers in order; when none takes the channel it waits for one (its messages stay pending on Confab). */
  private async toFirstHandler(p: Placed, handlers: readonly string[]): Promise<boolean> {
    for (const h of handlers) {
      if (p.channel.isClosed) return false;
      try {
        await this.handleWith(h, p, [], 0n);
        this.waiting.delete(p.channel.path);
        return true;
      } catch (err) {
        const [name, message] = errorOf(err);
        this.ctx.log.info('handler %s did not take %s: %s: %s', h, p.channel.path, name, message);
      }
    }
    if (!p.channel.isClosed) {
      this.waiting.set(p.channel.path, p);
      this.ctx.log.info('no Telepathy handler took %s: it waits for one (its messages stay pending)', p.channel.path);
    }
    return false;
  }

  /**
   * spec Client.Approver.AddDispatchOperation to each approver; then the first decision (HandleWith,
   * Claim) is applied. False when no approver accepted the operation (then the handlers are tried).
   */
  private async approve(op: OperationObject, p: Placed, approvers: readonly string[]): Promise<boolean> {
    let settle: () => void = () => undefined;
    const decided = new Promise<void>((resolve) => {
      settle = resolve;
    });
    op.awaitDecision(async (d: Decision) => {
      try {
        await this.applyDecision(d, p, op);
      } finally {
        settle();
      }
    });
    const results = await Promise.allSettled(approvers.map((a) =>
      addDispatchOperation(this.bus, a, [op.spec.channel], op.path, op.properties(), this.opts.handlerTimeoutMs)));
    if (!results.some((r) => r.status === 'fulfilled')) return false;
    // An approver has it: wait for its decision (the user's: not bounded), or for the channel to close.
    const closed = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (p.channel.isClosed || op.finished) {
          clearInterval(timer);
          resolve();
        }
      }, 500);
      void decided.then(() => clearInterval(timer));
    });
    await Promise.race([decided, closed]);
    return true;
  }

  private async applyDecision(d: Decision, p: Placed, op: OperationObject): Promise<void> {
    if (d.kind === 'claim') {
      this.handled.set(p.channel.path, { busName: d.caller, unique: d.caller }); // spec Claim: the caller handles it
      this.waiting.delete(p.channel.path);
      return;
    }
    const handler = d.handler !== '' ? d.handler : op.spec.possibleHandlers[0];
    if (!handler) throw new dbus.DBusError(`${TP}.Error.NotImplemented`, 'no handler can take this channel');
    try {
      await this.handleWith(handler, p, [], d.userActionTime);
      this.waiting.delete(p.channel.path);
    } catch (err) {
      const [name, message] = errorOf(err);
      this.waiting.set(p.channel.path, p);
      throw new dbus.DBusError(name, message);
    }
  }

  // ---- DelegateChannels, PresentChannel --------------------------------------------------------

  /** spec ChannelDispatcher.DelegateChannels: only the channels the caller handles; each to the preferred (or best other) handler. */
  private async delegate(channels: string[], time: bigint, preferred: string, caller: string): Promise<[string[], Record<string, [string, string]>]> {
    const delegated: string[] = [];
    const notDelegated: Record<string, [string, string]> = {};
    for (const path of channels) {
      const current = this.handled.get(path);
      const where = this.connections.channelAt(path);
      if (!current || !where || current.unique !== caller) {
        notDelegated[path] = [`${TP}.Error.NotYours`, 'you do not handle this channel'];
        continue;
      }
      const p: Placed = { accountId: where.accountId, connectionPath: where.connectionPath, channel: where.channel };
      const others = (await this.registry.handlers(where.channel.immutable())).map((h) => h.busName).filter((n) => n !== current.busName);
      const target = preferred !== '' ? preferred : others[0];
      if (!target) {
        notDelegated[path] = [`${TP}.Error.NotCapable`, 'no other handler can take this channel'];
        continue;
      }
      try {
        await this.handleWith(target, p, [], time);
        delegated.push(path);
      } catch (err) {
        notDelegated[path] = errorOf(err);
      }
    }
    return [delegated, notDelegated];
  }

  /** spec ChannelDispatcher.PresentChannel: handed again to its handler (which raises it), or dispatched when nobody has it yet. */
  private async present(path: string, time: bigint): Promise<void> {
    const where = this.connections.channelAt(path);
    if (!where) throw new InvalidArgumentError(`no channel ${path}`);
    const p: Placed = { accountId: where.accountId, connectionPath: where.connectionPath, channel: where.channel };
    const current = this.handled.get(path);
    if (!current) {
      const best = (await this.registry.handlers(where.channel.immutable()))[0]?.busName;
      if (!best) throw new dbus.DBusError(`${TP}.Error.NotImplemented`, 'no Telepathy client can handle this channel');
      return this.handleWith(best, p, [], time).catch((err: unknown) => Promise.reject(new dbus.DBusError(...errorOf(err))));
    }
    await this.handleWith(current.busName, p, [], time).catch((err: unknown) => Promise.reject(new dbus.DBusError(...errorOf(err))));
  }

  // ---- the calls --------------------------------------------------------------------------------

  /** spec Client.Handler.HandleChannels; on success the channel is the handler's (its process noted from the reply). */
  private async handleWith(busName: string, p: Placed, reqs: readonly RequestObject[], time: bigint): Promise<void> {
    const reply = await handleChannels(this.bus, busName, {
      account: this.accountPathOf(p.accountId),
      connection: p.connectionPath,
      channels: [[p.channel.path, p.channel.immutable()]],
      requestsSatisfied: reqs.map((r) => r.path),
      userActionTime: time,
      handlerInfo: { 'request-properties': this.requestProps(reqs) },
    }, this.opts.handlerTimeoutMs);
    if (p.channel.isClosed) return;
    const unique = reply.sender ?? (await this.registry.ownerOf(busName)) ?? busName;
    this.handled.set(p.channel.path, { busName, unique });
  }

  /** spec Client.Observer.ObserveChannels to every matching observer, all at once, each bounded; failures are logged, never fatal. */
  private async observe(p: Placed, operation: string, requests: readonly string[], info: Record<string, Variant>): Promise<void> {
    const observers = await this.registry.observers(p.channel.immutable());
    await Promise.all(observers.map(async (o) => {
      try {
        await observeChannels(this.bus, o.busName, {
          account: this.accountPathOf(p.accountId), connection: p.connectionPath, channels: [[p.channel.path, p.channel.immutable()]] as ChannelDetails[],
          operation, requestsSatisfied: requests, observerInfo: info,
        }, this.opts.handlerTimeoutMs);
      } catch (err) {
        this.ctx.log.info('observer %s did not observe %s: %s', o.busName, p.channel.path, errorOf(err).join(': '));
      }
    }));
  }

  private requestProps(reqs: readonly RequestObject[]): Variant {
    return new dbus.Variant('a{oa{sv}}', Object.fromEntries(reqs.map((r) => [r.path, r.properties()])));
  }

  // ---- clients coming and going ---------------------------------------------------------------

  /** A client came: the channels waiting for a handler that it wants are dispatched again (redelivery). */
  private clientAppeared(busName: string): void {
    void (async () => {
      const d = await this.registry.describe(busName);
      if (!d || d.handlerFilters.length === 0) return;
      for (const p of [...this.waiting.values()]) {
        if ((await this.registry.handlers(p.channel.immutable())).some((h) => h.busName === busName)) {
          this.waiting.delete(p.channel.path);
          await this.dispatchIncoming(p);
        }
      }
    })();
  }

  /** A process left the bus: the channels it handled are closed (spec: as Mission Control does); a private chat with messages pending comes back and is dispatched again. */
  private processGone(unique: string): void {
    for (const [path, h] of [...this.handled]) {
      if (h.unique !== unique) continue;
      this.handled.delete(path);
      const where = this.connections.channelAt(path);
      this.ctx.log.info('handler %s of %s left the bus: the channel is closed', h.busName, path);
      where?.channel.closeQuietly();
    }
  }

  // ---- accounts ---------------------------------------------------------------------------------

  /** The Confab account of a Telepathy account path; InvalidArgument when it is none of ours. */
  private accountIdOf(path: string): string {
    const id = typeof path === 'string' ? path.split('/').pop() ?? '' : '';
    if (!this.f.accounts.find(id) || this.accountPathOf(id) !== path) throw new InvalidArgumentError(`no account ${String(path)}`);
    return id;
  }

  private accountPathOf(accountId: string): string {
    const run = this.f.accounts.find(accountId);
    const table = tableFor(run?.account.protocol ?? '');
    return accountPath(table.cm, table.protocol, accountId);
  }

  private ctxError(err: unknown, where: string): InstanceType<typeof dbus.DBusError> {
    return toTelepathyError(err, this.ctx.redact, this.ctx.log, where);
  }
}
