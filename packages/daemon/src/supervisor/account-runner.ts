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
 * After every successful connect: the presence is applied, rooms marked autojoin are rejoined, the
 * account's contacts are watched, and the outbox is drained in order with a window of unconfirmed sends.
 */
import { join } from 'node:path';
import {
  ConfabError, DisposableStore,
  type Account, type AccountConfig, type Connection, type ConnectionStatus, type ChatStateChange, type ContactPresence, type DeliveryReport, type RosterUpdate, type SubscriptionRequest,
  type IncomingMessage, type Logger, type Presence, type Protocol, type RoomChange, type RoomInvitation,
  type StatusReason,
} from '@confab/sdk';
import type { MessageRow, Store } from '../storage/store';
import { accountContext } from './account-context';
import { backoffDelay, type BackoffPolicy } from './backoff';

export interface RunnerHost {
  readonly store: Store;
  policy(): BackoffPolicy;
  requestedPresence(): Presence;
  /** The parameters with defaults and secrets, for a connection. */
  resolveConfig(account: Account): Promise<AccountConfig>;
  statusChanged(runner: AccountRunner): void;
  messagesReceived(runner: AccountRunner, messages: readonly IncomingMessage[]): void;
  roomChanged(runner: AccountRunner, change: RoomChange): void;
  invited(runner: AccountRunner, invitation: RoomInvitation): void;
  contactPresence(runner: AccountRunner, changes: readonly ContactPresence[]): void;
  roster(runner: AccountRunner, update: RosterUpdate): void;
  subscriptionRequest(runner: AccountRunner, request: SubscriptionRequest): void;
  chatState(runner: AccountRunner, change: ChatStateChange): void;
  /** The peer got or read messages this account sent. */
  delivery(runner: AccountRunner, reports: readonly DeliveryReport[]): void;
  /** A message of the outbox was confirmed or failed. */
  outboxChanged(runner: AccountRunner, message: MessageRow): void;
}

const FATAL: ReadonlySet<StatusReason> = new Set(['auth-failed', 'cert-invalid', 'config-error']);
/** How many sends may await confirmation at once. */
const SEND_WINDOW = 64;
/** A message that fails this many times for reasons other than the connection dropping is failed. */
const MAX_ATTEMPTS = 5;

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
  private draining = false;
  private drainAgain = false;
  private reportedReason: StatusChange | undefined;

  constructor(
    public account: Account,
    readonly protocol: Protocol,
    private readonly host: RunnerHost,
    private readonly log: Logger,
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

  /** Sends what the outbox holds for this account, in order, when connected. */
  kick(): void {
    if (this.status !== 'connected') return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    accountContext.run(this.account.id, () => void this.drain());
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
      const prefix = `account/${this.account.id}/`;
      const settings = this.host.store.settings;
      conn = this.protocol.createConnection(config, {
        log: this.log,
        state: { get: (k) => settings.get<string | undefined>(prefix + k, undefined), set: (k, v) => settings.set(prefix + k, v) },
        cacheDir: accountCacheDir(this.host.store, this.account.id),
      });
    } catch (err) {
      return this.failed(gen, err);
    }
    this.conn = conn;
    this.subs.add(conn.onStatusChanged((s) => {
      if (gen !== this.generation) return;
      if (s.status === 'disconnected') {
        this.reportedReason = s;
        if (this.status === 'connected') this.lost(gen, s.reason, s.detail ?? '');
      }
    }));
    this.subs.add(conn.onMessages((m) => gen === this.generation && this.host.messagesReceived(this, m)));
    if (conn.rooms) this.subs.add(conn.rooms.onRoomChanged((c) => gen === this.generation && this.host.roomChanged(this, c)));
    if (conn.rooms?.onInvited) this.subs.add(conn.rooms.onInvited((i) => gen === this.generation && this.host.invited(this, i)));
    if (conn.contacts) this.subs.add(conn.contacts.onPresence((c) => gen === this.generation && this.host.contactPresence(this, c)));
    if (conn.contacts?.onRoster) this.subs.add(conn.contacts.onRoster((u) => gen === this.generation && this.host.roster(this, u)));
    if (conn.contacts?.onSubscriptionRequest) this.subs.add(conn.contacts.onSubscriptionRequest((r) => gen === this.generation && this.host.subscriptionRequest(this, r)));
    if (conn.onChatState) this.subs.add(conn.onChatState((c) => gen === this.generation && this.host.chatState(this, c)));
    if (conn.onDelivery) this.subs.add(conn.onDelivery((r) => gen === this.generation && this.host.delivery(this, r)));
    if (conn.onReachable) this.subs.add(conn.onReachable(() => gen === this.generation && this.kick()));
    try {
      await conn.connect();
    } catch (err) {
      return this.failed(gen, err);
    }
    if (gen !== this.generation) return;
    this.attempt = 0;
    this.nextRetry = 0;
    if (conn.identity) this.host.store.settings.set(`account/${this.account.id}/identity`, conn.identity);
    this.setStatus('connected', 'requested', '');
    await this.applyPresence();
    this.rejoin(conn);
    conn.contacts?.watch(this.host.store.contacts.forAccount(this.account.id).map((c) => c.id), true);
    this.kick();
  }

  private rejoin(conn: Connection): void {
    if (!conn.rooms) return;
    for (const ch of this.host.store.channels.forAccount(this.account.id)) {
      if (ch.kind !== 'room' || !ch.autojoin) continue;
      conn.rooms.join(ch.target, ch.roomKey ?? undefined).catch((err: unknown) => {
        this.log.warn('rejoining %s failed: %s', ch.target, (err as Error).message);
      });
    }
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

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        const conn = this.connection;
        if (!conn) return;
        const inFlight = new Set<Promise<void>>();
        for (const row of this.host.store.messages.outbox(this.account.id)) {
          if (this.connection !== conn) break;
          const p = this.sendOne(conn, row).finally(() => inFlight.delete(p));
          inFlight.add(p);
          if (inFlight.size >= SEND_WINDOW) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
      } while (this.drainAgain);
    } finally {
      this.draining = false;
    }
  }

  private async sendOne(conn: Connection, row: MessageRow): Promise<void> {
    const store = this.host.store;
    const channel = store.channels.get(row.channelId);
    if (!channel) return;
    try {
      const receipt = await conn.sendMessage({ token: String(row.id), channel: { kind: channel.kind, target: channel.target }, body: row.body, kind: row.kind });
      store.messages.confirm(row.id, { serverTime: receipt.serverTime?.getTime(), protocolId: receipt.protocolId });
    } catch (err) {
      const reason = reasonOf(err);
      if (reason === 'network-error' || this.connection !== conn) return; // stays in the outbox; sent again after reconnecting
      const attempts = store.messages.noteAttempt(row.id);
      this.log.warn('message %d was refused (%s): %s', row.id, reason, (err as Error).message);
      if (err instanceof ConfabError && reason !== 'crashed' || attempts >= MAX_ATTEMPTS) store.messages.fail(row.id, failureText(err));
      else return;
    }
    const updated = store.messages.get(row.id);
    if (updated) this.host.outboxChanged(this, updated);
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

/** What the user reads of a refused message: the error code and the protocol's words (never a secret: plugins' error texts carry none). */
function failureText(err: unknown): string {
  return err instanceof ConfabError ? `${err.code}: ${err.message}` : `Internal: ${String((err as Error)?.message ?? err)}`;
}

/** The account's own address as its connection last told it (Connection.identity), if it did. */
export function connectionIdentity(store: Store, accountId: string): string | undefined {
  return store.settings.get<string | undefined>(`account/${accountId}/identity`, undefined);
}

/** Where an account's fetched files live: <data>/accounts/<id> (ids are [A-Za-z0-9_] only). */
export function accountCacheDir(store: Store, accountId: string): string | undefined {
  return store.dir ? join(store.dir, 'accounts', accountId) : undefined;
}
