/**
 * Owning the Telepathy names. Whoever holds `org.freedesktop.Telepathy.AccountManager` is where every
 * Telepathy client goes: when another process has it (Mission Control, started by D-Bus activation or
 * its systemd unit before confabd), the adapter says so — which process, and how to switch — and
 * confabd goes on without it (docs/telepathy.md § Switching from Mission Control).
 */
import dbus from 'dbus-next';
import { readFileSync } from 'node:fs';
import type { Logger } from '@confab/sdk';

type Bus = ReturnType<typeof dbus.sessionBus>;

/** Asks for `name` without queueing; true when this connection owns it now. */
export async function ownName(bus: Bus, name: string): Promise<boolean> {
  const reply = await bus.requestName(name, dbus.NameFlag.DO_NOT_QUEUE);
  return reply === dbus.RequestNameReply.PRIMARY_OWNER || reply === dbus.RequestNameReply.ALREADY_OWNER;
}

/** Who holds `name`: "<command> (pid N, :1.x)", or the unique name alone when the bus does not say. */
export async function holderOf(bus: Bus, name: string): Promise<string> {
  try {
    const obj = await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
    const iface = obj.getInterface('org.freedesktop.DBus');
    const unique = (await iface.GetNameOwner(name)) as string;
    try {
      const pid = (await iface.GetConnectionUnixProcessID(unique)) as number;
      const command = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      return `${command} (pid ${pid}, ${unique})`;
    } catch {
      return unique; // another user's process, or one already gone
    }
  } catch {
    return 'another process';
  }
}

/** Logs, once and clearly, that a Telepathy name is someone else's. */
export async function reportHeld(bus: Bus, name: string, log: Logger, consequence: string): Promise<void> {
  log.warn('%s is owned by %s: %s (docs/telepathy.md: switching from Mission Control)', name, await holderOf(bus, name), consequence);
}
