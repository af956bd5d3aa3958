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
  /** Told of every channel opened (after NewChannels) and closed (after ChannelClosed): the dispatcher's view. */
  readonly listener: ChannelListener;
}

/** What the ChannelDispatcher is told of a connection's channels (src/dispatcher). */
export interface ChannelListener {
  /** A channel opened; `requested` false when the network started it (a message came). */
  opened(connection: ConnectionRef, channel: TextChannelRef, requested: boolean): void;
  closed(channelPath: string): void;
}

/** A connection as the dispatcher names it. */
export interface ConnectionRef {
  readonly accountId: string;
  readonly path: string;
}

/** A channel as the dispatcher needs it. */
export interface TextChannelRef {
  readonly path: string;
  immutable(): Record<string, InstanceType<typeof dbus.Variant>>;
  /** Closed for the dispatcher (its handler left): a room stays joined on Confab, as Confab holds it. */
  closeQuietly(): void;
  readonly isClosed: boolean;
}
