/**
 * `confab-media serve`: owns im.confab.Media1 on the session bus (DBUS_SESSION_BUS_ADDRESS), exports
 * the manager at /im/confab/Media1 and one object per session. When the bus connection drops, every
 * session is closed and the process exits: confabd restarts it on the next call.
 * @since 0.1.0
 */
import dbus from 'dbus-next';
import { ConfabError } from '@confab/sdk';
import { Devices, type DeviceInfo } from '../devices/monitor';
import { gi } from '../gst/gi';
import { livePipelines } from '../gst/pipeline';
import type { ErrorSink } from '../gst/safe';
import { createSession as newSession, type MediaSession } from '../session/media-session';
import { loadContract, type InterfaceSpec } from './contract';
import { ContractObject } from './contract-object';
import { Owners } from './owners';
import { sessionObject } from './session-object';
import { toSessionOptions, type VariantDict } from './variants';

export const BUS_NAME = 'im.confab.Media1';
export const ROOT_PATH = '/im/confab/Media1';

const deviceTuple = (d: DeviceInfo) => [d.id, d.deviceClass, d.name, d.kind];

export async function serve(report: ErrorSink): Promise<void> {
  const contract = await loadContract();
  const spec = (name: string): InterfaceSpec => {
    const s = contract.get(name);
    if (!s) throw new Error(`the contract has no ${name}`);
    return s;
  };
  const bus = dbus.sessionBus();
  const sessions = new Map<string, MediaSession>();
  const devices = new Devices(report);
  // a client that leaves the bus takes its sessions with it
  const owners = new Owners(bus, (paths) => {
    for (const path of paths) void sessions.get(path)?.close('closed', 'its client left the bus');
  });
  await owners.start();
  let next = 1;
  const createSession = (d: VariantDict): string => {
    const id = String(next++);
    const path = `${ROOT_PATH}/sessions/${id}`;
    const s = newSession(`s${process.pid}_${id}`, toSessionOptions(d), report);
    sessions.set(path, s);
    owners.own(path);
    const obj = sessionObject(spec('im.confab.Media1.Session'), s, report, () => {
      sessions.delete(path);
      owners.release(path);
      // removed on the next turn: the StateChanged signal has gone out from this object first
      setImmediate(() => bus.unexport(path, obj.iface));
    });
    bus.export(path, obj.iface);
    return path;
  };
  const manager = new ContractObject(
    spec('im.confab.Media1.Manager'),
    {
      methods: {
        CreateSession: createSession,
        ListDevices: () => devices.list().map(deviceTuple),
        GetDiagnostics: () => ({
          sessions: new dbus.Variant('u', sessions.size),
          pipelines: new dbus.Variant('u', livePipelines()),
          gstreamer: new dbus.Variant('s', gi().Gst.version().slice(0, 3).join('.')),
        }),
      },
      properties: {},
    },
    report,
  );
  devices.onAdded((d) => manager.emit('DeviceAdded', deviceTuple(d)));
  devices.onRemoved((d) => manager.emit('DeviceRemoved', deviceTuple(d)));
  devices.start();
  bus.export(ROOT_PATH, manager.iface);
  const reply = await bus.requestName(BUS_NAME, dbus.NameFlag.DO_NOT_QUEUE);
  if (reply !== dbus.RequestNameReply.PRIMARY_OWNER) throw new ConfabError('NameInUse', `${BUS_NAME} is already owned on this bus`);
  await new Promise<void>((resolve) => {
    onBusGone(bus, resolve);
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await Promise.all([...sessions.values()].map((s) => s.close('closed')));
  devices.stop();
  bus.disconnect();
}

/**
 * Calls `fn` once the bus connection is gone (the bus daemon stopped, the session ended). dbus-next
 * 0.10 says so on its MessageBus only at the next write (`error`); its connection's `end` says it at
 * once, but the connection is a private field: read here, in this one place.
 */
function onBusGone(bus: ReturnType<typeof dbus.sessionBus>, fn: () => void): void {
  bus.on('error', () => fn());
  (bus as unknown as { _connection?: { on(event: 'end', f: () => void): void } })._connection?.on('end', () => fn());
}
