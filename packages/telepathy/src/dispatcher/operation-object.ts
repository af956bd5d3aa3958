/**
 * One ChannelDispatchOperation (spec 0.27 `ChannelDispatchOperation`) at
 * `/org/freedesktop/Telepathy/DispatchOperation/do<n>`: an incoming channel on its way to a handler,
 * shown to observers (ObserveChannels names it) and approvers (AddDispatchOperation). An approver
 * decides with `HandleWith[Time]` (a handler, or "" for the best) or `Claim` (it handles the channel
 * itself); the operation ends with `Finished` and is withdrawn. A channel that closes meanwhile is
 * `ChannelLost`.
 */
import dbus from 'dbus-next';
import { specOf, type Contract } from '../dbus/contract';
import { ContractObject, type ObjectContext } from '../dbus/contract-object';
import type { ChannelDetails } from './client-calls';
import { CDO_IFACE, CLIENT_BUS_PREFIX, TP } from './constants';

type Bus = Pick<ReturnType<typeof dbus.sessionBus>, 'export' | 'unexport'>;
type Variant = InstanceType<typeof dbus.Variant>;

/** What an approver decided: a handler (by bus name, "" for the best), or the caller itself. */
export type Decision = { kind: 'handle-with'; handler: string; userActionTime: bigint } | { kind: 'claim'; caller: string };

export interface OperationSpec {
  readonly account: string;
  readonly connection: string;
  readonly channel: ChannelDetails;
  readonly possibleHandlers: readonly string[];
}

export class OperationObject {
  private readonly object: ContractObject;
  private decide?: (d: Decision) => Promise<void>;
  finished = false;

  constructor(
    private readonly bus: Bus,
    contract: Contract,
    ctx: ObjectContext,
    readonly path: string,
    readonly spec: OperationSpec,
    /** The unique name calling the current method (Claim makes it the handler). */
    private readonly caller: () => string,
  ) {
    this.object = new ContractObject(specOf(contract, CDO_IFACE), {
      methods: {
        HandleWith: (handler: string) => this.decided({ kind: 'handle-with', handler, userActionTime: 0n }),
        HandleWithTime: (handler: string, time: bigint) => this.decided({ kind: 'handle-with', handler, userActionTime: BigInt(time) }),
        Claim: () => this.decided({ kind: 'claim', caller: this.caller() }),
      },
      properties: {
        Interfaces: () => [],
        Connection: () => spec.connection,
        Account: () => spec.account,
        Channels: () => (this.finished ? [] : [spec.channel]),
        PossibleHandlers: () => [...spec.possibleHandlers],
      },
    }, ctx);
  }

  export(): void {
    this.bus.export(this.path, this.object.iface);
  }

  /** The properties as NewDispatchOperation and AddDispatchOperation carry them (fully qualified). */
  properties(): Record<string, Variant> {
    const q = (n: string) => `${CDO_IFACE}.${n}`;
    return {
      [q('Interfaces')]: new dbus.Variant('as', []),
      [q('Connection')]: new dbus.Variant('o', this.spec.connection),
      [q('Account')]: new dbus.Variant('o', this.spec.account),
      [q('PossibleHandlers')]: new dbus.Variant('as', [...this.spec.possibleHandlers]),
    };
  }

  /** Waits for an approver's decision: `apply` runs it (a HandleWith answers once the handler has the channel). */
  awaitDecision(apply: (d: Decision) => Promise<void>): void {
    this.decide = apply;
  }

  /**
   * The approvers lose the decision (none came within the bound, or they all left): true when none had
   * started one — a later HandleWith or Claim is then NotYours —, false when one is being applied.
   */
  withdraw(): boolean {
    if (!this.decide) return false;
    this.decide = undefined;
    return true;
  }

  /** spec ChannelDispatchOperation.ChannelLost: the channel closed before a handler had it. */
  lost(error: string, message: string): void {
    if (this.finished) return;
    this.object.emit('ChannelLost', this.spec.channel[0], error, message);
  }

  /** spec ChannelDispatchOperation.Finished, then the object goes. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.decide = undefined;
    this.object.emit('Finished');
    (this.bus.unexport as (path: string) => void).call(this.bus, this.path);
  }

  private async decided(d: Decision): Promise<void> {
    const apply = this.decide;
    // spec: a decision after another one (or after the end) is NotYours
    if (!apply || this.finished) throw new dbus.DBusError(`${TP}.Error.NotYours`, 'this dispatch operation has been decided already');
    // spec HandleWith: InvalidArgument for a name that is not a client's (the decision is still open)
    if (d.kind === 'handle-with' && d.handler !== '' && !d.handler.startsWith(CLIENT_BUS_PREFIX)) {
      throw new dbus.DBusError(`${TP}.Error.InvalidArgument`, `'${d.handler}' is not a client's bus name`);
    }
    this.decide = undefined;
    await apply(d);
  }
}
