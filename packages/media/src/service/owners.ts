/**
 * Sessions belong to the bus connection that created them: when that client goes away (confabd
 * killed with -9, a crashed plugin host), its sessions are closed and their pipelines released, so
 * nothing is left sending to a peer nobody signals for any more.
 *
 * dbus-next hands method handlers no message, so a low-level handler notes the sender of each
 * CreateSession just before the (synchronous) dispatch to the interface.
 * @since 0.1.0
 */
import type dbus from 'dbus-next';

type Bus = ReturnType<typeof dbus.sessionBus>;
interface LowLevelBus {
  addMethodHandler(fn: (msg: { member?: string; sender?: string }) => boolean): void;
}
interface DBusDaemon {
  on(signal: 'NameOwnerChanged', fn: (name: string, oldOwner: string, newOwner: string) => void): void;
}

export class Owners {
  private caller = '';
  private readonly sessions = new Map<string, Set<string>>();

  constructor(private readonly bus: Bus, private readonly onGone: (paths: string[]) => void) {}

  async start(): Promise<void> {
    (this.bus as unknown as LowLevelBus).addMethodHandler((msg) => {
      if (msg.member === 'CreateSession') this.caller = msg.sender ?? '';
      return false;
    });
    const obj = await this.bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
    const daemon = obj.getInterface('org.freedesktop.DBus') as unknown as DBusDaemon;
    daemon.on('NameOwnerChanged', (name, _old, now) => {
      if (now !== '' || !this.sessions.has(name)) return;
      const paths = [...this.sessions.get(name)!];
      this.sessions.delete(name);
      this.onGone(paths);
    });
  }

  /** Records that the caller of the CreateSession being dispatched owns `path`. */
  own(path: string): void {
    if (!this.caller) return;
    let set = this.sessions.get(this.caller);
    if (!set) this.sessions.set(this.caller, (set = new Set()));
    set.add(path);
  }

  release(path: string): void {
    for (const set of this.sessions.values()) set.delete(path);
  }
}
