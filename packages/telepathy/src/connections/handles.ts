/**
 * Handles (spec 0.27 Connection: "Handle", `HasImmortalHandles`): one number per contact and per room
 * a connection has named, stable for the connection's life. Handles are immortal here, so
 * HoldHandles/ReleaseHandles do nothing and nothing is ever freed before the connection goes.
 * Contact and room handles are separate spaces (a contact 1 and a room 1 can both exist), as the spec
 * allows; 0 is never a handle.
 */
import { InvalidArgumentError } from '@confab/sdk';
import dbus from 'dbus-next';
import { HANDLE_CONTACT, HANDLE_ROOM, TP, type HandleType } from './constants';

export class HandleRepo {
  private readonly byId = new Map<string, number>();
  private readonly ids: string[] = [''];

  /** The handle of an id (already normalized), made if new. */
  ensure(id: string): number {
    let h = this.byId.get(id);
    if (h === undefined) {
      h = this.ids.length;
      this.ids.push(id);
      this.byId.set(id, h);
    }
    return h;
  }

  lookup(id: string): number | undefined {
    return this.byId.get(id);
  }

  idOf(handle: number): string | undefined {
    return handle > 0 ? this.ids[handle] : undefined;
  }

  /** The id of a handle; `InvalidHandle` (spec) for one never given out. */
  inspect(handle: number): string {
    const id = this.idOf(handle);
    if (id === undefined) throw new dbus.DBusError(`${TP}.Error.InvalidHandle`, `no handle ${handle}`);
    return id;
  }
}

/** Both spaces of a connection. */
export class Handles {
  readonly contacts = new HandleRepo();
  readonly rooms = new HandleRepo();

  repo(type: number): HandleRepo {
    if (type === HANDLE_CONTACT) return this.contacts;
    if (type === HANDLE_ROOM) return this.rooms;
    throw new InvalidArgumentError(`handle type ${type} is not served (1: contact, 2: room)`);
  }
}

export const isHandleType = (t: number): t is HandleType => t === HANDLE_CONTACT || t === HANDLE_ROOM;
