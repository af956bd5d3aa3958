/**
 * The unique name calling a method of the dispatcher's objects. dbus-next 0.10 does not hand it to a
 * method's implementation; its method handlers run first, synchronously, for every call, so one that
 * notes the sender and declines the call tells the implementation that runs right after it.
 * Needed where the spec asks who calls: `ChannelDispatchOperation.Claim` (the caller becomes the
 * handler) and `ChannelDispatcher.DelegateChannels` (only a channel's handler may delegate it).
 */
import type dbus from 'dbus-next';

type Bus = ReturnType<typeof dbus.sessionBus>;
type Message = InstanceType<typeof dbus.Message>;

export class CallerTracker {
  private current = '';
  private readonly handler = (msg: Message): boolean => {
    this.current = msg.sender ?? '';
    return false; // not handled here: the exported object answers
  };

  constructor(private readonly bus: Bus) {
    bus.addMethodHandler(this.handler);
  }

  /** The sender of the method call being handled now. */
  get sender(): string {
    return this.current;
  }

  dispose(): void {
    this.bus.removeMethodHandler(this.handler);
  }
}
