import { Emitter, type Event } from './events';
import type { ConnectionStatus, StatusChange, StatusReason } from './model';

/**
 * A connection's status and its one way to change (issue 15: the four connections each had their
 * own `setStatus`, and they differed). The rules, for every plugin:
 * - a change fires when the status changes, and also when it stays `disconnected` with another
 *   reason or detail (a connection refused before it began, e.g. `config-error`, still says why);
 *   an identical repeat is skipped (xmpp.js `connection/index.js` `_status()`), so the daemon never
 *   sees one disconnect twice;
 * - after `dispose()` nothing fires, and the status can only go to `disconnected`: a late event of
 *   a dying socket cannot bring a released connection back to `connected`.
 * @since 0.5.0
 */
export class StatusHolder {
  private current: StatusChange = { status: 'disconnected', reason: 'none' };
  private readonly emitter = new Emitter<StatusChange>();
  private disposed = false;
  /** What `Connection.onStatusChanged` returns. */
  readonly onChanged: Event<StatusChange> = this.emitter.event;

  get status(): ConnectionStatus {
    return this.current.status;
  }

  /** The last change, with its reason and detail. */
  get last(): StatusChange {
    return this.current;
  }

  /** Moves to `status` for `reason`; returns whether the change was announced. */
  set(status: ConnectionStatus, reason: StatusReason, detail?: string): boolean {
    if (this.disposed) {
      if (status === 'disconnected') this.current = { status, reason, detail };
      return false;
    }
    const last = this.current;
    if (last.status === status && (status !== 'disconnected' || (last.reason === reason && last.detail === detail))) return false;
    this.current = { status, reason, detail };
    this.emitter.fire(this.current);
    return true;
  }

  dispose(): void {
    this.disposed = true;
    this.emitter.dispose();
  }
}
