/** What a Text channel needs of the connection that serves it. */
import type dbus from 'dbus-next';
import type { ConfabFeatures } from '../confab';
import type { Contract } from '../dbus/contract';
import type { ObjectContext } from '../dbus/contract-object';
import type { Handles } from '../connections/handles';

export type Bus = Pick<ReturnType<typeof dbus.sessionBus>, 'export' | 'unexport'>;

export interface ChannelHost {
  readonly bus: Bus;
  readonly contract: Contract;
  readonly ctx: ObjectContext;
  readonly f: ConfabFeatures;
  readonly handles: Handles;
  readonly selfHandle: number;
  readonly selfId: string;
  /** The handle of a contact the network named (normalized by the protocol), its alias remembered. */
  contactHandle(id: string, alias?: string): number;
  /** The channel closed itself (Close, or its room was left): the connection forgets it and says ChannelClosed. */
  closed(channelId: number): void;
}
