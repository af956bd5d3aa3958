/**
 * Connections that went away still answer. When an account disconnects, its Connection's objects are
 * withdrawn and its bus name released; a client that still holds a proxy of it — telepathy-glib
 * addresses a connection by the unique name its well-known name resolved to, which is confabd's and
 * stays on the bus — would get dbus-next's `UnknownMethod` for any call. Instead every method call on
 * the connection's path or below it (its channels) is answered with
 * `org.freedesktop.Telepathy.Error.Disconnected`, "Connection is disconnected": what a
 * telepathy-glib connection manager such as telepathy-idle answers on a connection that is no longer
 * connected (telepathy-glib's `TP_BASE_CONNECTION_ERROR_IF_NOT_CONNECTED`).
 *
 * A path is buried before its objects go, so a call that arrives while the name is still owned gets
 * the same answer. Bounded: the last MAX connections, each for TTL_MS; paths are never reused in a
 * daemon's life (connections.ts numbers them), so a tombstone never hides a live object.
 * Introspection and Peer calls are left to dbus-next (an empty node, a Ping answered).
 */
import dbus from 'dbus-next';
import { CONNECTION_PATH_BASE } from '../names';
import { TP } from './constants';

type Bus = Pick<ReturnType<typeof dbus.sessionBus>, 'addMethodHandler' | 'removeMethodHandler' | 'send'>;
type Message = InstanceType<typeof dbus.Message>;

/** dbus-next 0.10's types declare newError's first argument as a string; it takes the call it answers. */
const newError = dbus.Message.newError as unknown as (call: Message, name: string, text: string) => Message;

const MAX = 64;
const TTL_MS = 10 * 60 * 1000;
/** A connection path split on '/': '', org, freedesktop, Telepathy, Connection, <cm>, <protocol>, <name>. */
const CONNECTION_PATH_PARTS = 8;
const LEFT_TO_DBUS_NEXT = new Set(['org.freedesktop.DBus.Introspectable', 'org.freedesktop.DBus.Peer']);
const NO_REPLY_EXPECTED = 1;

export class Tombstones {
  /** Connection path → when it was buried (ms since the epoch). */
  private readonly buried = new Map<string, number>();
  private installed = false;
  private readonly handler = (msg: Message): boolean => this.answer(msg);

  constructor(private readonly bus: Bus, private readonly now: () => number = Date.now) {}

  /** From now on, calls on `path` and below it are answered Disconnected. */
  bury(path: string): void {
    this.buried.delete(path);
    this.buried.set(path, this.now());
    while (this.buried.size > MAX) this.buried.delete(this.buried.keys().next().value as string);
    if (!this.installed) {
      this.bus.addMethodHandler(this.handler);
      this.installed = true;
    }
  }

  /** Whether calls on `path` are answered so now (tests, the adapter's own checks). */
  has(path: string): boolean {
    const at = this.buried.get(path);
    return at !== undefined && this.now() - at < TTL_MS;
  }

  dispose(): void {
    if (this.installed) this.bus.removeMethodHandler(this.handler);
    this.installed = false;
    this.buried.clear();
  }

  /** dbus-next's method handler: true when the call was answered here. */
  private answer(msg: Message): boolean {
    const path = msg.path ?? '';
    if (!path.startsWith(CONNECTION_PATH_BASE) || LEFT_TO_DBUS_NEXT.has(msg.interface ?? '')) return false;
    const root = path.split('/').slice(0, CONNECTION_PATH_PARTS).join('/');
    if (!this.buried.has(root)) return false;
    if (!this.has(root)) {
      this.buried.delete(root);
      return false;
    }
    if ((msg.flags & NO_REPLY_EXPECTED) === 0) {
      this.bus.send(newError(msg, `${TP}.Error.Disconnected`, 'Connection is disconnected'));
    }
    return true;
  }
}
