/**
 * The outbox drain: sends what an account's outbox holds, in order, with a window of unconfirmed
 * sends, whenever the account may send — ready after connecting, a contact reachable again, a room
 * joined, a message queued. A message leaves the outbox only when the protocol confirms it, or when
 * it is failed for good (a refusal, or too many attempts); a dropped connection leaves it there, to
 * be sent again once the account is ready again.
 */
import { ConfabError, type Connection } from '@confab/sdk';
import type { ChannelRow } from '../storage/channels';
import type { MessageRow, MessagesTable, QueuedRow } from '../storage/messages';
import { accountContext } from '../supervisor/account-context';
import { reasonOf, type AccountRunner } from '../supervisor/account-runner';

/** How many sends may await confirmation at once. */
const SEND_WINDOW = 64;
/** A message that fails this many times for reasons other than the connection dropping is failed. */
const MAX_ATTEMPTS = 5;

export class Outbox {
  // Per runner, as a runner is per account session of the daemon (an account removed and made again
  // with the same id gets a new one).
  private readonly draining = new Set<AccountRunner>();
  private readonly again = new Set<AccountRunner>();

  constructor(
    private readonly table: MessagesTable,
    private readonly channel: (id: number) => ChannelRow | undefined,
    /** A message left the outbox (confirmed or failed). */
    private readonly changed: (accountId: string, message: MessageRow) => void,
  ) {}

  /** Sends what the outbox holds for the account, in order, when connected. */
  kick(runner: AccountRunner): void {
    if (runner.status !== 'connected') return;
    if (this.draining.has(runner)) {
      this.again.add(runner);
      return;
    }
    accountContext.run(runner.account.id, () => void this.drain(runner));
  }

  /** As `kick`, only when something waits (a room joined: messages queued for it while it was being joined may go now). */
  kickIfQueued(runner: AccountRunner): void {
    if (this.table.outboxSize(runner.account.id) > 0) this.kick(runner);
  }

  private async drain(runner: AccountRunner): Promise<void> {
    this.draining.add(runner);
    try {
      do {
        this.again.delete(runner);
        const conn = runner.connection;
        if (!conn) return;
        const inFlight = new Set<Promise<void>>();
        for (const row of this.table.outbox(runner.account.id)) {
          if (runner.connection !== conn) break;
          const p = this.sendOne(runner, conn, row).finally(() => inFlight.delete(p));
          inFlight.add(p);
          if (inFlight.size >= SEND_WINDOW) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
      } while (this.again.has(runner));
    } finally {
      this.draining.delete(runner);
      this.again.delete(runner);
    }
  }

  private async sendOne(runner: AccountRunner, conn: Connection, row: QueuedRow): Promise<void> {
    const channel = this.channel(row.channelId);
    if (!channel) return;
    try {
      const receipt = await conn.sendMessage({ token: String(row.id), channel: { kind: channel.kind, target: channel.target }, body: row.body, kind: row.kind });
      this.table.confirm(row.id, { serverTime: receipt.serverTime?.getTime(), protocolId: receipt.protocolId });
    } catch (err) {
      const reason = reasonOf(err);
      if (reason === 'network-error' || runner.connection !== conn) return; // stays in the outbox; sent again after reconnecting
      const attempts = this.table.noteAttempt(row.id);
      runner.log.warn('message %d was refused (%s): %s', row.id, reason, (err as Error).message);
      if (err instanceof ConfabError && reason !== 'crashed' || attempts >= MAX_ATTEMPTS) this.table.fail(row.id, failureText(err));
      else return;
    }
    const updated = this.table.get(row.id);
    if (updated) this.changed(runner.account.id, updated);
  }
}

/** What the user reads of a refused message: the error code and the protocol's words (never a secret: plugins' error texts carry none). */
function failureText(err: unknown): string {
  return err instanceof ConfabError ? `${err.code}: ${err.message}` : `Internal: ${String((err as Error)?.message ?? err)}`;
}
