/**
 * Calls into clients, each bounded in time. A client is someone else's process: it may never answer
 * (a handler stuck in HandleChannels), vanish mid-call (the bus then answers NoReply for it), or not
 * exist (a `.client` file with no D-Bus activation behind it: ServiceUnknown). The dispatcher waits
 * for none of them longer than the bound, and a call given up on leaves nothing behind: dbus-next 0.10
 * keeps a reply handler per serial until a reply comes, so a timed-out call's handler is removed.
 *
 * The calls are written as messages with their exact signatures (spec 0.27 `Client.Handler`,
 * `Client.Observer`, `Client.Approver`), not through proxies: no introspection round trip, and the
 * types are the spec's whatever the client's introspection says.
 */
import dbus from 'dbus-next';
import { APPROVER_IFACE, CLIENT_REQUESTS_IFACE, HANDLER_IFACE, OBSERVER_IFACE, TP, clientPath } from './constants';

type Bus = ReturnType<typeof dbus.sessionBus>;
type Variant = InstanceType<typeof dbus.Variant>;
type Message = InstanceType<typeof dbus.Message>;

/** A channel as dispatched: its path and immutable properties (spec `Channel_Details`). */
export type ChannelDetails = [string, Record<string, Variant>];

export class ClientTimeout extends Error {
  constructor(readonly what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
  }
}

/** dbus-next's reply table, private to it; only entries of calls given up on are deleted from it. */
interface ReplyTable { _methodReturnHandlers?: Record<number, unknown> }

export async function callBounded(bus: Bus, msg: Message, ms: number, what: string): Promise<Message> {
  let timer: NodeJS.Timeout | undefined;
  const call = bus.call(msg) as Promise<Message>;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const table = (bus as unknown as ReplyTable)._methodReturnHandlers;
      if (table && msg.serial !== null) delete table[msg.serial];
      reject(new ClientTimeout(what, ms));
    }, ms);
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function message(dest: string, iface: string, member: string, signature: string, body: unknown[]): Message {
  return new dbus.Message({ destination: dest, path: clientPath(dest), interface: iface, member, signature, body });
}

export interface HandleArgs {
  readonly account: string;
  readonly connection: string;
  readonly channels: readonly ChannelDetails[];
  readonly requestsSatisfied: readonly string[];
  readonly userActionTime: bigint;
  readonly handlerInfo: Record<string, Variant>;
}

/** spec Client.Handler.HandleChannels(o Account, o Connection, a(oa{sv}) Channels, ao Requests_Satisfied, t User_Action_Time, a{sv} Handler_Info). */
export function handleChannels(bus: Bus, client: string, a: HandleArgs, ms: number): Promise<Message> {
  const time = a.userActionTime < 0n ? 0n : a.userActionTime;
  return callBounded(bus, message(client, HANDLER_IFACE, 'HandleChannels', 'ooa(oa{sv})aota{sv}',
    [a.account, a.connection, a.channels, a.requestsSatisfied, time, a.handlerInfo]), ms, `${client}.HandleChannels`);
}

export interface ObserveArgs {
  readonly account: string;
  readonly connection: string;
  readonly channels: readonly ChannelDetails[];
  /** The dispatch operation's path, or "/" for requested channels (spec Observer.ObserveChannels). */
  readonly operation: string;
  readonly requestsSatisfied: readonly string[];
  readonly observerInfo: Record<string, Variant>;
}

/** spec Client.Observer.ObserveChannels(o Account, o Connection, a(oa{sv}) Channels, o Dispatch_Operation, ao Requests_Satisfied, a{sv} Observer_Info). */
export function observeChannels(bus: Bus, client: string, a: ObserveArgs, ms: number): Promise<Message> {
  return callBounded(bus, message(client, OBSERVER_IFACE, 'ObserveChannels', 'ooa(oa{sv})oaoa{sv}',
    [a.account, a.connection, a.channels, a.operation, a.requestsSatisfied, a.observerInfo]), ms, `${client}.ObserveChannels`);
}

/** spec Client.Approver.AddDispatchOperation(a(oa{sv}) Channels, o DispatchOperation, a{sv} Properties). */
export function addDispatchOperation(bus: Bus, client: string, channels: readonly ChannelDetails[], operation: string,
  props: Record<string, Variant>, ms: number): Promise<Message> {
  return callBounded(bus, message(client, APPROVER_IFACE, 'AddDispatchOperation', 'a(oa{sv})oa{sv}', [channels, operation, props]), ms,
    `${client}.AddDispatchOperation`);
}

/** spec Client.Interface.Requests.AddRequest(o Request, a{sv} Properties): the handler predicted for a request is told of it. */
export function addRequest(bus: Bus, client: string, request: string, props: Record<string, Variant>, ms: number): Promise<Message> {
  return callBounded(bus, message(client, CLIENT_REQUESTS_IFACE, 'AddRequest', 'oa{sv}', [request, props]), ms, `${client}.AddRequest`);
}

/** spec Client.Interface.Requests.RemoveRequest(o Request, s Error, s Message): that request failed. */
export function removeRequest(bus: Bus, client: string, request: string, error: string, text: string, ms: number): Promise<Message> {
  return callBounded(bus, message(client, CLIENT_REQUESTS_IFACE, 'RemoveRequest', 'oss', [request, error, text]), ms, `${client}.RemoveRequest`);
}

/** org.freedesktop.DBus.Properties.GetAll of one of a client's interfaces, as plain values. */
export async function clientProperties(bus: Bus, client: string, iface: string, ms: number): Promise<Record<string, unknown>> {
  const reply = await callBounded(bus, new dbus.Message({
    destination: client, path: clientPath(client), interface: 'org.freedesktop.DBus.Properties', member: 'GetAll', signature: 's', body: [iface],
  }), ms, `${client} GetAll(${iface})`);
  const all = (reply.body[0] ?? {}) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.value]));
}

/** A client's error as Telepathy's ChannelRequest.Failed and DelegateChannels carry it: (name, message). */
export function errorOf(err: unknown): [string, string] {
  if (err instanceof ClientTimeout) return ['org.freedesktop.DBus.Error.NoReply', err.message]; // what a D-Bus call's own timeout says
  if (err instanceof dbus.DBusError) return [err.type, err.text];
  return ['org.freedesktop.Telepathy.Error.NotAvailable', err instanceof Error ? err.message : String(err)];
}

/**
 * A client's error as the dispatcher passes it on (ChannelRequest.Failed, Not_Delegated, HandleWith,
 * PresentChannel): a Telepathy error as it is; any other (the bus's ServiceUnknown or NoReply for a
 * handler gone or stuck, a client's own error name) as NotAvailable naming it — Mission Control's
 * rule for Not_Delegated, and its "Handler no longer available" for a request whose handlers failed.
 */
export function telepathyErrorOf(err: unknown): [string, string] {
  const [name, message] = errorOf(err);
  if (name.startsWith(`${TP}.Error.`)) return [name, message];
  return [`${TP}.Error.NotAvailable`, `the handler did not take the channel (${name}: ${message})`];
}
