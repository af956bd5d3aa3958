/**
 * One account's connection lifecycle (the supervisor's unit):
 *
 *   disconnected --start--> connecting --connect() ok--> connected
 *        ^                      |  ^                         |
 *        | fatal reason         |  | backoff timer            | lost (network-error, crashed)
 *        +----------------------+  +------ connecting <-------+
 *
 * While it waits to retry, the account is `connecting` with the reason of the last failure and
 * `nextRetry` set. Fatal reasons (auth-failed, cert-invalid, config-error) stop retrying: the user must
 * change something (Update, Reconnect). A generation number ties events to the connection they came
 * from, so a late event of a dropped connection is ignored.
 *
 * After every successful connect the presence is applied, then the host hears that the account is
 * ready: what waits for a connection goes then (rooms rejoined, contacts watched, the outbox drained),
 * each by the feature that owns it. The runner knows no feature: it hands each new connection to the
 * host to route its events (`attach`), every subscription tied to that connection's generation.
 */
import {
  ConfabError, DisposableStore, OfflineError,
  type Account, type AccountConfig, type AccountParams, type Connection, type ConnectionServices, type ConnectionStatus, type Event,
  type Logger, type Presence, type Protocol, type StatusReason,
} from '@confab/sdk';
import { accountContext } from './account-context';
import { backoffDelay, type BackoffPolicy } from './backoff';

/** Subscribes to one of a connection's events for as long as that connection is the runner's. */
export type Subscribe = <T>(event: Event<T>, listener: (e: T) => void) => void;

/** What a runner asks of, and reports to, whoever keeps the accounts. */
export interface RunnerHost {
  policy(): BackoffPolicy;
  requestedPresence(): Presence;
  /** The parameters with defaults and secrets, for a connection. */
  resolveConfig(account: Account): Promise<AccountConfig>;
  /** What the account's connections are given besides the log: the state kept between sessions, the cache folder. */
  services(accountId: string): Omit<ConnectionServices, 'log'>;
  /** The connection said who the account is (Connection.identity); told just before `connected`. */
  identified(accountId: string, identity: string): void;
  /** A new connection: route its events (`on` drops them with the connection). */
  attach(runner: AccountRunner, conn: Connection, on: Subscribe): void;
  statusChanged(runner: AccountRunner): void;
  /** Connected, with the presence applied: what waited for a connection may go now. */
  ready(runner: AccountRunner): void;
}

const FATAL: ReadonlySet<StatusReason> = new Set(['auth-failed', 'cert-invalid', 'config-error']);

export function reasonOf(err: unknown): StatusReason {
  if (!(err instanceof ConfabError)) return 'crashed';
  switch (err.code) {
    case 'AuthenticationFailed': return 'auth-failed';
    case 'CertificateInvalid': return 'cert-invalid';
    case 'NameInUse': return 'name-in-use';
    case 'NetworkError': case 'Offline': case 'NotAvailable': case 'Cancelled': return 'network-error';
    case 'InvalidArgument': case 'InvalidConfig': return 'config-error';
    case 'Internal': return 'crashed';
    default: return 'protocol-error';
  }
}

export class AccountRunner {
  status: ConnectionStatus = 'disconnected';
  reason: StatusReason = 'none';
  detail = '';
  nextRetry = 0;

  private conn: Connection | undefined;
  private subs = new DisposableStore();
  private generation = 0;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private reportedReason: StatusChange | undefined;

  constructor(
    public account: Account,
    readonly protocol: Protocol,
    private readonly host: RunnerHost,
    /** The account's log: what the features do with its connection is logged here too. */
    readonly log: Logger,
  ) {}

  get connection(): Connection | undefined {
    return this.status === 'connected' ? this.conn : undefined;
  }

  /** Connects if the account should be online, disconnects if not. */
  sync(): void {
    const want = this.account.enabled && this.host.requestedPresence().status !== 'offline';
    if (want && this.status === 'disconnected' && !FATAL.has(this.reason)) this.start();
    if (!want && (this.status !== 'disconnected' || this.timer)) void this.stop();
  }

  /** Connects now, skipping any backoff wait; clears a fatal state. */
  start(): void {
    this.attempt = 0;
    accountContext.run(this.account.id, () => void this.connect('requested'));
  }

  async stop(): Promise<void> {
    this.generation++;
    this.clearTimer();
    const conn = this.conn;
    this.teardown();
    this.setStatus('disconnected', 'requested', '');
    if (conn) {
      try {
        await accountContext.run(this.account.id, () => conn.disconnect());
      } catch (err) {
        this.log.warn('disconnect failed: %s', (err as Error).message);
      } finally {
        conn.dispose();
      }
    }
  }

  /** The plugin threw where nobody could catch it: end this connection only, and retry. */
  crashed(err: unknown): void {
    this.log.error('the connection crashed: %s', err instanceof Error ? (err.stack ?? err.message) : String(err));
    const conn = this.conn;
    // A connection already let go (the account stopped or reconnected) threw on its way out: there is
    // nothing to end, and retrying would bring back an account the user switched off.
    if (!conn) return;
    this.generation++;
    this.teardown();
    try {
      conn.dispose();
    } catch {
      // it is already broken; the crash above is what gets reported
    }
    this.scheduleRetry('crashed', err instanceof Error ? err.message : String(err));
  }

  /** The live connection, or an Offline error (saying `why` it matters, if given). */
  online(why?: string): Connection {
    const conn = this.connection;
    if (!conn) throw new OfflineError(`account '${this.account.id}' is not connected${why ? `: ${why}` : ''}`);
    return conn;
  }

  /**
   * Hands parameters the user changed to the live connection (Connection.applyParams), when every
   * one is `live`. False when the connection cannot take them so: the caller reconnects instead.
   */
  async applyParams(changed: AccountParams, unset: readonly string[]): Promise<boolean> {
    const conn = this.connection;
    const live = (name: string) => this.protocol.parameters.some((s) => s.name === name && s.live === true);
    if (!conn?.applyParams || ![...Object.keys(changed), ...unset].every(live)) return false;
    try {
      await accountContext.run(this.account.id, () => conn.applyParams!(changed, unset));
    } catch (err) {
      this.log.warn('the connection could not apply the new parameters, reconnecting: %s', (err as Error).message);
      return false;
    }
    if (conn.identity && conn === this.connection) this.host.identified(this.account.id, conn.identity);
    return true;
  }

  async applyPresence(): Promise<void> {
    const conn = this.connection;
    if (!conn) return;
    try {
      await conn.setPresence(this.host.requestedPresence());
    } catch (err) {
      this.log.warn('setting presence failed: %s', (err as Error).message);
    }
  }

  private async connect(why: StatusReason): Promise<void> {
    this.clearTimer();
    const gen = ++this.generation;
    const old = this.conn;
    this.teardown();
    old?.dispose();
    this.reportedReason = undefined;
    this.setStatus('connecting', why === 'requested' ? 'requested' : this.reason, this.detail);
    let conn: Connection;
    try {
      const config = await this.host.resolveConfig(this.account);
      if (gen !== this.generation) return;
      conn = this.protocol.createConnection(config, { log: this.log, ...this.host.services(this.account.id) });
    } catch (err) {
      return this.failed(gen, err);
    }
    this.conn = conn;
    this.attach(gen, conn);
    try {
      await conn.connect();
    } catch (err) {
      return this.failed(gen, err);
    }
    if (gen !== this.generation) return;
    this.attempt = 0;
    this.nextRetry = 0;
    if (conn.identity) this.host.identified(this.account.id, conn.identity);
    this.setStatus('connected', 'requested', '');
    await this.applyPresence();
    // A connection replaced or stopped meanwhile is not ready; the one after it will be.
    if (gen === this.generation) this.host.ready(this);
  }

  private attach(gen: number, conn: Connection): void {
    const on: Subscribe = (event, listener) => {
      this.subs.add(event((e) => {
        if (gen === this.generation) listener(e);
      }));
    };
    on(conn.onStatusChanged, (s) => {
      if (s.status !== 'disconnected') return;
      this.reportedReason = s;
      if (this.status === 'connected') this.lost(gen, s.reason, s.detail ?? '');
    });
    this.host.attach(this, conn, on);
  }

  private failed(gen: number, err: unknown): void {
    if (gen !== this.generation) return;
    const conn = this.conn;
    this.teardown();
    conn?.dispose();
    const reason = this.reportedReason && this.reportedReason.reason !== 'requested' ? this.reportedReason.reason : reasonOf(err);
    const detail = err instanceof Error ? err.message : String(err);
    this.log.warn('connecting failed (%s): %s', reason, detail);
    if (FATAL.has(reason)) this.setStatus('disconnected', reason, detail);
    else this.scheduleRetry(reason, detail);
  }

  private lost(gen: number, reason: StatusReason, detail: string): void {
    if (gen !== this.generation) return;
    this.generation++;
    const conn = this.conn;
    this.teardown();
    conn?.dispose();
    this.log.warn('connection lost (%s) %s', reason, detail);
    if (reason === 'requested') reason = 'network-error'; // the server ended it, not the user
    if (FATAL.has(reason)) this.setStatus('disconnected', reason, detail);
    else this.scheduleRetry(reason, detail);
  }

  private scheduleRetry(reason: StatusReason, detail: string): void {
    this.clearTimer();
    const delay = backoffDelay(this.host.policy(), this.attempt++);
    this.nextRetry = Date.now() + delay;
    this.setStatus('connecting', reason, detail);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      accountContext.run(this.account.id, () => void this.connect(reason));
    }, delay);
  }

  private setStatus(status: ConnectionStatus, reason: StatusReason, detail: string): void {
    if (status !== 'connecting') this.nextRetry = 0;
    if (status === this.status && reason === this.reason && detail === this.detail) return;
    this.status = status;
    this.reason = reason;
    this.detail = detail;
    this.host.statusChanged(this);
  }

  private teardown(): void {
    this.subs.dispose();
    this.subs = new DisposableStore();
    this.conn = undefined;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

type StatusChange = { reason: StatusReason; detail?: string };
