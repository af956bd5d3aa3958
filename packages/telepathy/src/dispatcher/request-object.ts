/**
 * One ChannelRequest (spec 0.27 `ChannelRequest`) at `/org/freedesktop/Telepathy/ChannelDispatcher/Request<n>`:
 * made by the dispatcher's Create/EnsureChannel[WithHints], started by the client's `Proceed`, ended by
 * `Failed(error, message)` or `SucceededWithChannel` then `Succeeded`, after which it is withdrawn.
 * `Cancel` before the end fails it with `Cancelled`.
 */
import dbus from 'dbus-next';
import { specOf, type Contract } from '../dbus/contract';
import { ContractObject, type ObjectContext } from '../dbus/contract-object';
import { REQUEST_IFACE, TP } from './constants';

type Bus = Pick<ReturnType<typeof dbus.sessionBus>, 'export' | 'unexport'>;
type Variant = InstanceType<typeof dbus.Variant>;
export type Variants = Record<string, { signature?: string; value: unknown }>;

export interface RequestSpec {
  readonly account: string;
  readonly accountId: string;
  readonly request: Variants;
  readonly userActionTime: bigint;
  readonly preferredHandler: string;
  readonly hints: Variants;
  readonly ensure: boolean;
}

export type RequestState = 'new' | 'proceeding' | 'done';

export class RequestObject {
  private readonly object: ContractObject;
  state: RequestState = 'new';
  cancelled = false;
  /** Told when the request fails (the dispatcher's RemoveRequest to the handler it told with AddRequest). */
  onFail?: (error: string, message: string) => void;

  constructor(
    private readonly bus: Bus,
    contract: Contract,
    ctx: ObjectContext,
    readonly path: string,
    readonly spec: RequestSpec,
    private readonly proceed: (r: RequestObject) => void,
  ) {
    this.object = new ContractObject(specOf(contract, REQUEST_IFACE), {
      methods: {
        // spec ChannelRequest.Proceed: once only
        Proceed: () => {
          if (this.state !== 'new') throw new dbus.DBusError(`${TP}.Error.NotAvailable`, 'this request has proceeded already');
          this.state = 'proceeding';
          this.proceed(this);
        },
        // spec ChannelRequest.Cancel: Failed(Cancelled) now; a channel made meanwhile is not handed to anyone
        Cancel: () => {
          if (this.state === 'done') throw new dbus.DBusError(`${TP}.Error.NotAvailable`, 'this request is over');
          this.cancelled = true;
          this.fail(`${TP}.Error.Cancelled`, 'cancelled by the client');
        },
      },
      properties: {
        Account: () => spec.account,
        UserActionTime: () => spec.userActionTime,
        PreferredHandler: () => spec.preferredHandler,
        Requests: () => [spec.request],
        Interfaces: () => [],
        Hints: () => spec.hints,
      },
    }, ctx);
  }

  export(): void {
    this.bus.export(this.path, this.object.iface);
  }

  /** The properties as `request-properties` carries them (fully qualified; spec Handler_Info). */
  properties(): Record<string, Variant> {
    const q = (n: string) => `${REQUEST_IFACE}.${n}`;
    return {
      [q('Account')]: new dbus.Variant('o', this.spec.account),
      [q('Requests')]: new dbus.Variant('aa{sv}', [this.spec.request]),
      [q('UserActionTime')]: new dbus.Variant('x', this.spec.userActionTime),
      [q('Interfaces')]: new dbus.Variant('as', []),
      [q('PreferredHandler')]: new dbus.Variant('s', this.spec.preferredHandler),
      [q('Hints')]: new dbus.Variant('a{sv}', this.spec.hints),
    };
  }

  /** spec ChannelRequest.Failed, then the object goes. */
  fail(error: string, message: string): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.onFail?.(error, message);
    this.object.emit('Failed', error, message);
    this.unexport();
  }

  /** spec ChannelRequest.SucceededWithChannel then Succeeded, then the object goes. */
  succeed(connection: string, channel: string, channelProps: Record<string, Variant>): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.object.emit('SucceededWithChannel', connection, {}, channel, channelProps);
    this.object.emit('Succeeded');
    this.unexport();
  }

  private unexport(): void {
    (this.bus.unexport as (path: string) => void).call(this.bus, this.path);
  }
}
