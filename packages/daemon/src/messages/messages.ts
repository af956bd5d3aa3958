/**
 * Messages: sending (through the outbox), receiving, delivery reports, the pending queue that
 * clients acknowledge, history, a person's timeline and search. Owns the messages table with its
 * pending and outbox queues. Calls are history too: each call has an entry (kind `call`) that the
 * calls table writes with it; here those entries are announced as their calls change, and a missed
 * call's entry is pending like a received message (so one Acknowledge covers both).
 *
 * Invariants kept here:
 * - a received message is committed (with its pending row) before `onReceived` fires;
 * - an outgoing message is committed to the outbox before any plugin sees it, and leaves it only when
 *   the protocol confirms it (messages/outbox.ts).
 */
import {
  Emitter, InvalidArgumentError, MESSAGE_KINDS,
  type DeliveryReport, type IncomingMessage, type MessageKind,
} from '@confab/sdk';
import type { Accounts, AccountRunner } from '../accounts/accounts';
import type { ChannelRow, Conversations } from '../conversations/conversations';
import { isMissed, type CallRow } from '../storage/calls';
import type { MessageRow, MessagesTable } from '../storage/messages';
import { ChatStates } from './chat-states';
import { Outbox } from './outbox';

export type { MessageRow } from '../storage/messages';

/** The longest message body accepted over D-Bus (plugins split long ones for their protocol). */
const MAX_BODY_BYTES = 64 * 1024;

export class Messages {
  private readonly receivedEmitter = new Emitter<readonly MessageRow[]>();
  /** New messages, committed, one batch per connection event. */
  readonly onReceived = this.receivedEmitter.event;
  private readonly changedEmitter = new Emitter<readonly MessageRow[]>();
  /** Messages whose delivery state changed. */
  readonly onChanged = this.changedEmitter.event;
  private readonly acknowledgedEmitter = new Emitter<readonly number[]>();
  /** Messages taken out of the pending queue (by any client), after the change is committed. */
  readonly onAcknowledged = this.acknowledgedEmitter.event;
  readonly chatStates: ChatStates;
  private readonly outbox: Outbox;
  /** The state each call's entry was last announced in, until the call leaves the bus. */
  private readonly callStates = new Map<number, string>();

  constructor(
    private readonly table: MessagesTable,
    private readonly conversations: Conversations,
    private readonly accounts: Accounts,
  ) {
    this.chatStates = new ChatStates(conversations, accounts);
    this.outbox = new Outbox(table, (id) => conversations.byId(id), (accountId, message) => {
      this.changedEmitter.fire([message]);
      accounts.changed(accountId); // OutboxSize
    });
  }

  // ---- reading ------------------------------------------------------------------------------

  /** Received messages no client acknowledged yet, oldest first (`limit` 0: all). */
  pending(limit: number): MessageRow[] {
    return this.table.pending(limit);
  }

  /** One channel's pending messages, oldest first. */
  pendingIn(channelId: number): MessageRow[] {
    return this.table.pendingIn(channelId);
  }

  /** Every channel of every account, most recently active first, with its unread count (the pending queue). */
  inbox(limit: number): Array<{ channel: ChannelRow; unread: number }> {
    const unread = this.table.unread();
    const rows = this.conversations.all().sort((a, b) => b.lastActivity - a.lastActivity || b.id - a.id);
    return (limit > 0 ? rows.slice(0, limit) : rows).map((channel) => ({ channel, unread: unread.get(channel.id) ?? 0 }));
  }

  /** A page of a channel's history, oldest first: `limit` messages before `beforeId` (0: newest). */
  history(channelId: number, beforeId: number, limit: number): MessageRow[] {
    return this.table.history(this.conversations.get(channelId).id, beforeId, limit);
  }

  /** A page of a person's timeline (their direct conversations on every account), oldest first. */
  timeline(personId: number, beforeId: number, limit: number): MessageRow[] {
    return this.table.timeline(personId, beforeId, limit);
  }

  /** Full-text search (FTS5 query syntax), newest first; a bad query is InvalidArgument. */
  search(query: string, beforeId: number, limit: number): MessageRow[] {
    try {
      return this.table.search(query, beforeId, limit);
    } catch (err) {
      throw new InvalidArgumentError(`bad search query: ${(err as Error).message}`);
    }
  }

  /** The markup of those of the messages that have formatting, as [id, markup]. */
  markup(ids: readonly number[]): Array<[number, string]> {
    return this.table.markup(ids);
  }

  /** The calls of those of the entries that are calls' entries, as [entry id, call]. */
  calls(ids: readonly number[]): Array<[number, CallRow]> {
    return ids.flatMap((id): Array<[number, CallRow]> => {
      const call = this.table.get(id)?.call;
      return call ? [[id, call]] : [];
    });
  }

  /** Why those of the messages that failed did, as [id, failure]. */
  failures(ids: readonly number[]): Array<[number, string]> {
    return this.table.failures(ids);
  }

  unreadIn(channelId: number): number {
    return this.table.unreadIn(channelId);
  }

  outboxSize(accountId: string): number {
    return this.table.outboxSize(accountId);
  }

  // ---- what the user does -------------------------------------------------------------------

  send(channelId: number, body: string, kind: string): MessageRow {
    const ch = this.conversations.get(channelId);
    if (!MESSAGE_KINDS.includes(kind as MessageKind)) throw new InvalidArgumentError(`kind must be one of ${MESSAGE_KINDS.join(', ')}, not '${kind}'`);
    if (body.length === 0) throw new InvalidArgumentError('the message is empty');
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new InvalidArgumentError(`the message is longer than ${MAX_BODY_BYTES} bytes`);
    const runner = this.accounts.runner(ch.accountId);
    const row = this.table.enqueue(ch.accountId, { channelId, senderId: '', senderName: '', body, kind: kind as MessageKind });
    this.accounts.changed(ch.accountId); // OutboxSize
    this.conversations.changed(ch.id); // LastActivity
    this.outbox.kick(runner);
    return row;
  }

  /** Takes messages out of the pending queue. */
  acknowledge(ids: readonly number[]): void {
    const { channels, acknowledged } = this.table.acknowledge(ids);
    for (const id of channels) this.conversations.changed(id); // UnreadCount
    if (acknowledged.length > 0) this.acknowledgedEmitter.fire(acknowledged);
  }

  // ---- what the connections report (routed by core.ts) --------------------------------------

  received(runner: AccountRunner, messages: readonly IncomingMessage[]): void {
    const accountId = runner.account.id;
    const batch = messages.map((m) => {
      const row = this.conversations.ensure(runner, m.channel.kind, m.channel.target);
      return {
        channelId: row.id,
        accountId,
        senderId: m.sender.id,
        senderName: m.sender.name ?? m.sender.id,
        serverTime: (m.serverTime ?? new Date()).getTime(),
        body: m.body,
        kind: m.kind,
        outgoing: m.outgoing ?? false,
        protocolId: m.protocolId ?? null,
        markup: m.markup ?? null,
      };
    });
    const rows = this.table.storeReceived(batch); // committed before it is announced
    if (rows.length > 0) this.receivedEmitter.fire(rows);
  }

  /** The peer got or read messages this account sent. */
  delivery(runner: AccountRunner, reports: readonly DeliveryReport[]): void {
    const changed: MessageRow[] = [];
    for (const r of reports) {
      const id = Number(r.token);
      if (!Number.isSafeInteger(id)) continue;
      changed.push(...this.table.advance(runner.account.id, id, r.state));
    }
    if (changed.length > 0) this.changedEmitter.fire(changed);
  }

  /**
   * A call was stored, changed or left the bus (Calls.onChanged): its entry shows it. A new entry
   * moves the channel's LastActivity; each change of the call's state is a change of its entry; the
   * change that ends it missed made the entry pending (in the same transaction), and it is announced
   * as received then, as a received message is.
   */
  callChanged(callId: number, change: 'added' | 'removed' | 'changed'): void {
    if (change === 'removed') {
      this.callStates.delete(callId);
      return;
    }
    const entry = this.table.byCall(callId);
    if (!entry?.call) return; // its account was removed meanwhile
    const before = this.callStates.get(callId);
    this.callStates.set(callId, entry.call.state);
    if (before === entry.call.state) return; // muted or unmuted: nothing the entry shows
    if (change === 'added') this.conversations.changed(entry.channelId); // LastActivity
    else this.changedEmitter.fire([entry]);
    if (isMissed(entry.call)) this.receivedEmitter.fire([entry]);
  }

  /** The account may send now (ready, or a contact reachable again): the outbox is drained. */
  drain(runner: AccountRunner): void {
    this.outbox.kick(runner);
  }

  /** A room of the account was joined: messages queued for it while it was being joined may go now. */
  roomJoined(runner: AccountRunner): void {
    this.outbox.kickIfQueued(runner);
  }
}
