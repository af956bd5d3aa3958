/**
 * telepathy-idle (the IRC backend of Telepathy) as a bench subject: started on our private bus without
 * Mission Control (IDLE_PERSIST=1 keeps it alive; IDLE_HTFU=1 turns off its 2 s per line output
 * throttle, as real-peers.md advises), driven over D-Bus with the Telepathy spec's calls:
 * ConnectionManager.RequestConnection, Connection.Connect, Requests.EnsureChannel, and Text.Received
 * (acknowledged in batches with AcknowledgePendingMessages so that its pending list does not grow).
 */
import dbus from 'dbus-next';
import { start, until, type Started } from '../../test/fixtures/processes';
import type { Subject } from './subject';

const CM_NAME = 'org.freedesktop.Telepathy.ConnectionManager.idle';
const CM_PATH = '/org/freedesktop/Telepathy/ConnectionManager/idle';
const TEXT = 'org.freedesktop.Telepathy.Channel.Type.Text';

export async function startTelepathyIdle(busAddress: string, server: string, port: number, nick: string): Promise<Subject> {
  const proc: Started = start('/usr/lib/telepathy/telepathy-idle', [], {
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: busAddress, IDLE_PERSIST: '1', IDLE_HTFU: '1' },
  });
  const bus = dbus.sessionBus({ busAddress });
  const dbusIface = (await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
  await until(async () => (await dbusIface.NameHasOwner(CM_NAME)) as boolean, 10000, 'telepathy-idle on the bus');
  const cm = (await bus.getProxyObject(CM_NAME, CM_PATH)).getInterface('org.freedesktop.Telepathy.ConnectionManager');
  const [busName, path] = (await cm.RequestConnection('irc', {
    account: new dbus.Variant('s', nick),
    server: new dbus.Variant('s', server),
    port: new dbus.Variant('q', port),
  })) as [string, string];
  const connObj = await bus.getProxyObject(busName, path);
  const conn = connObj.getInterface('org.freedesktop.Telepathy.Connection');
  let status = 2;
  conn.on('StatusChanged', (s: number) => (status = s));
  await conn.Connect();
  await until(() => status === 0, 20000, 'telepathy-idle to connect'); // 0 = CONNECTED
  const requests = (await bus.getProxyObject(busName, path)).getInterface('org.freedesktop.Telepathy.Connection.Interface.Requests');
  const listeners: Array<(t: string) => void> = [];

  return {
    name: 'telepathy-idle',
    pid: proc.pid,
    onText: (cb) => listeners.push(cb),
    // Telepathy signals messages per channel object: one match rule per channel, and the bus allows
    // 512 per connection — so the memory phase (1,000 rooms) joins without listening.
    async joinRooms(rooms, listen = true) {
      // At most 32 calls in flight: the bus limits pending replies per connection.
      for (let i = 0; i < rooms.length; i += 32) await Promise.all(rooms.slice(i, i + 32).map(async (room) => {
        const [, chPath] = (await requests.EnsureChannel({
          'org.freedesktop.Telepathy.Channel.ChannelType': new dbus.Variant('s', TEXT),
          'org.freedesktop.Telepathy.Channel.TargetHandleType': new dbus.Variant('u', 2), // ROOM
          'org.freedesktop.Telepathy.Channel.TargetID': new dbus.Variant('s', room),
        })) as [boolean, string, unknown];
        if (!listen) return;
        const text = (await bus.getProxyObject(busName, chPath)).getInterface(TEXT);
        let ids: number[] = [];
        let flush: NodeJS.Timeout | undefined;
        text.on('Received', (id: number, _ts: number, _sender: number, _type: number, _flags: number, body: string) => {
          for (const l of listeners) l(body);
          ids.push(id);
          flush ??= setTimeout(() => {
            flush = undefined;
            const batch = ids;
            ids = [];
            text.AcknowledgePendingMessages(batch).catch(() => undefined);
          }, 50);
        });
      }));
    },
    async stop() {
      await conn.Disconnect().catch(() => undefined);
      bus.disconnect();
      await proc.stop();
    },
  };
}
