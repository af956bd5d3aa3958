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
 * is dispatched again. Every call into a client is bounded (`handlerTimeoutMs`), and so is the wait for
 * an approver's decision: a handler that never answers fails the dispatch (NotAvailable naming NoReply),
 * and nothing waits for it. An observer with Recover that comes is told of the channels open now.
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
import { watchApproval } from './approval-wait';
import { CallerTracker } from './caller';
import { quality, type ChannelFilter, type ChannelProperties } from './channel-filter';
import { clientDirs } from './client-file';
import { addDispatchOperation, addRequest, errorOf, handleChannels, observeChannels, removeRequest, telepathyErrorOf, type ChannelDetails } from './client-calls';
import { ClientRegistry, type DBusNames } from './client-registry';
import { CD_IFACE, CD_PATH, CDO_PATH_BASE, CLIENT_BUS_PREFIX, CLIENT_REQUESTS_IFACE, DELEGATE_HINT, OBSERVER_IFACE, OPERATION_LIST_IFACE, TP } from './constants';
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
  /** Every channel open now (an observer with Recover is told of them when it comes). */
  private readonly open = new Map<string, Placed>();
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
    this.open.set(channel.path, { accountId: conn.accountId, connectionPath: conn.path, channel });
    if (requested) return; // requested ones are dispatched by their request (or were asked of the connection directly, by a client that handles them)
    void this.dispatchIncoming({ accountId: conn.accountId, connectionPath: conn.path, channel });
  }

  closed(path: string): void {
    this.open.delete(path);
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
    await this.tellPredictedHandler(r);
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
      this.ctx.log.warn('handing %s to %s failed: %s', channel.path, target, errorOf(err).join(': '));
      r.fail(...telepathyErrorOf(err));
      if (yours && !channel.isClosed) channel.closeQuietly(); // spec: a requested channel no handler took is closed
    } finally {
      this.inFlight.delete(channel.path);
      done();
    }
  }

  /**
   * spec Client.Interface.Requests.AddRequest: the handler the request will most likely go to (the
   * preferred one, else the best whose filters match the request), when it has that interface, is told
   * of it at Proceed, and told RemoveRequest if the request fails. Neither call is waited for (Mission
   * Control sends them as signals); D-Bus keeps their order before HandleChannels.
   */
  private async tellPredictedHandler(r: RequestObject): Promise<void> {
    const { preferredHandler, request } = r.spec;
    const predicted = preferredHandler !== '' && (this.registry.isRunning(preferredHandler) || (await this.registry.describe(preferredHandler)))
      ? preferredHandler
      : (await this.registry.handlers(request as ChannelProperties))[0]?.busName;
    if (!predicted || !(await this.registry.describe(predicted))?.interfaces.includes(CLIENT_REQUESTS_IFACE)) return;
    const quiet = (what: string) => (err: unknown) => this.ctx.log.debug('%s to %s: %s', what, predicted, errorOf(err).join(': '));
    addRequest(this.bus, predicted, r.path, r.properties(), this.opts.handlerTimeoutMs).catch(quiet('AddRequest'));
    r.onFail = (error, message) => void removeRequest(this.bus, predicted, r.path, error, message, this.opts.handlerTimeoutMs).catch(quiet('RemoveRequest'));
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
   * Claim) is applied. False when no approver decided (none accepted the operation, none decided within
   * the bound — approval-wait.ts —, or all that accepted it left the bus), or when the handler an approver
   * chose refused: then the handlers are tried in order. A decision after that is NotYours.
   */
  private async approve(op: OperationObject, p: Placed, approvers: readonly string[]): Promise<boolean> {
    let settle: (taken: boolean) => void = () => undefined;
    const decided = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    op.awaitDecision(async (d: Decision) => {
      let taken = false;
      try {
        taken = await this.applyDecision(d, p, op);
      } finally {
        settle(taken);
      }
    });
    const results = await Promise.allSettled(approvers.map((a) =>
      addDispatchOperation(this.bus, a, [op.spec.channel], op.path, op.properties(), this.opts.handlerTimeoutMs)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.ctx.log.info('approver %s did not take %s: %s', approvers[i], op.path, errorOf(r.reason).join(': '));
    });
    const accepted = new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.sender ?? ''] : [])));
    if (accepted.size === 0) {
      op.withdraw();
      return false;
    }
    // An approver has it: its decision, the channel closing, every approver that accepted leaving, or the bound.
    const gone = this.registry.onUniqueNameGone((unique) => accepted.delete(unique));
    const watch = watchApproval(() => p.channel.isClosed || op.finished, () => accepted.size, this.opts.handlerTimeoutMs);
    try {
      const first = await Promise.race([decided, watch.ended]);
      if (first === 'closed') return true;
      if (first !== 'given-up') return first;
      if (!op.withdraw()) return await decided; // a decision came just now: it is applied
      this.ctx.log.info('no approver decided %s within %d ms (or they left): it goes to the handlers', op.path, this.opts.handlerTimeoutMs);
      return false;
    } finally {
      watch.dispose();
      gone.dispose();
    }
  }

  /** Applies an approver's decision; true when the channel found its handler, false when the one chosen refused (the approver is told). */
  private async applyDecision(d: Decision, p: Placed, op: OperationObject): Promise<boolean> {
    if (d.kind === 'claim') {
      // spec ChannelDispatchOperation.Claim: the caller handles it (known by its client name, for PresentChannel and DelegateChannels)
      const busName = (await this.registry.handlerOwnedBy(d.caller)) ?? d.caller;
      this.handled.set(p.channel.path, { busName, unique: d.caller });
      this.waiting.delete(p.channel.path);
      return true;
    }
    const handler = d.handler !== '' ? d.handler : op.spec.possibleHandlers[0];
    if (!handler) throw new dbus.DBusError(`${TP}.Error.NotImplemented`, 'no handler can take this channel');
    try {
      await this.handleWith(handler, p, [], d.userActionTime);
      this.waiting.delete(p.channel.path);
      return true;
    } catch (err) {
      this.ctx.log.info('handler %s chosen by an approver did not take %s: %s', handler, p.channel.path, errorOf(err).join(': '));
      throw new dbus.DBusError(...telepathyErrorOf(err));
    }
  }

  // ---- DelegateChannels, PresentChannel --------------------------------------------------------

  /**
   * spec ChannelDispatcher.DelegateChannels: every channel must be one the caller handles (else the call
   * fails, InvalidArgument for a channel unknown, NotYours for another's, as Mission Control answers);
   * each is then offered to the preferred handler first, then to the other handlers that want it (never
   * the caller), until one takes it; a channel none takes stays the caller's and is in Not_Delegated with
   * the first refusal (NotCapable when there was nobody to ask).
   */
  private async delegate(channels: string[], time: bigint, preferred: string, caller: string): Promise<[string[], Record<string, [string, string]>]> {
    if (preferred !== '' && !preferred.startsWith(CLIENT_BUS_PREFIX)) throw new InvalidArgumentError(`Preferred_Handler '${preferred}' is not a client's bus name`);
    const todo: Array<{ p: Placed; current: Handler }> = [];
    for (const path of channels) {
      const where = this.connections.channelAt(path);
      const current = this.handled.get(path);
      if (!where) throw new InvalidArgumentError(`no channel ${path}`);
      if (!current || current.unique !== caller) throw new dbus.DBusError(`${TP}.Error.NotYours`, `you do not handle ${path}`);
      todo.push({ p: { accountId: where.accountId, connectionPath: where.connectionPath, channel: where.channel }, current });
    }
    const delegated: string[] = [];
    const notDelegated: Record<string, [string, string]> = {};
    for (const { p, current } of todo) {
      const matching = (await this.registry.handlers(p.channel.immutable())).map((h) => h.busName);
      const mine = new Set<string>([current.busName]);
      for (const name of matching) if (name !== preferred && (await this.registry.ownerOf(name)) === caller) mine.add(name);
      const targets = [...new Set([...(preferred !== '' ? [preferred] : []), ...matching])].filter((n) => !mine.has(n));
      let first: [string, string] | undefined;
      for (const target of targets) {
        try {
          await this.handleWith(target, p, [], time);
          delegated.push(p.channel.path);
          first = undefined;
          break;
        } catch (err) {
          first ??= telepathyErrorOf(err);
          this.ctx.log.info('delegating %s to %s failed: %s', p.channel.path, target, errorOf(err).join(': '));
        }
      }
      if (!delegated.includes(p.channel.path)) notDelegated[p.channel.path] = first ?? [`${TP}.Error.NotCapable`, 'no other handler can take this channel'];
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
      return this.handleWith(best, p, [], time).catch((err: unknown) => Promise.reject(new dbus.DBusError(...telepathyErrorOf(err))));
    }
    await this.handleWith(current.busName, p, [], time).catch((err: unknown) => Promise.reject(new dbus.DBusError(...telepathyErrorOf(err))));
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
  private async observe(p: Placed, operation: string, requests: readonly string[], info: Record<string, Variant>, only?: readonly string[]): Promise<void> {
    const observers = only?.map((busName) => ({ busName })) ?? await this.registry.observers(p.channel.immutable());
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
      if (d?.recover) await this.recover(busName, d);
      if (!d || d.handlerFilters.length === 0) return;
      for (const p of [...this.waiting.values()]) {
        if ((await this.registry.handlers(p.channel.immutable())).some((h) => h.busName === busName)) {
          this.waiting.delete(p.channel.path);
          await this.dispatchIncoming(p);
        }
      }
    })();
  }

  /**
   * spec Client.Observer.Recover: an observer that comes (or comes back) is told of the channels that
   * exist already, one ObserveChannels each, dispatch operation "/", `recovering` true in Observer_Info.
   * Channels being dispatched now are left out: their dispatch tells observers itself.
   */
  private async recover(busName: string, d: { interfaces: readonly string[]; observerFilters: readonly ChannelFilter[] }): Promise<void> {
    if (!d.interfaces.includes(OBSERVER_IFACE)) return;
    for (const p of [...this.open.values()]) {
      if (p.channel.isClosed || this.inFlight.has(p.channel.path) || quality(d.observerFilters, p.channel.immutable()) === 0) continue;
      await this.observe(p, '/', [], { recovering: new dbus.Variant('b', true) }, [busName]);
    }
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
