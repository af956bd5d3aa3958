/**
 * Conversations: every channel of every account — direct or room — with its stable id (the D-Bus
 * object path), found by the target as the network names it or as the user types it
 * (conversations/targets.ts). Owns the channels table's rows; the room columns of a row (autojoin,
 * key, topic) and the rooms' live state are rooms/'s, the messages in a channel messages/'.
 */
import {
  ConfabError, Emitter, InvalidArgumentError, NotFoundError,
  type ChannelKind,
} from '@confab/sdk';
import type { Accounts, AccountRunner } from '../accounts/accounts';
import type { People } from '../people/people';
import { availability } from '../people/presence';
import type { ChannelRow, ChannelsTable } from '../storage/channels';
import { channelTarget } from './targets';

export type { ChannelRow } from '../storage/channels';

export interface ChannelChange {
  readonly id: number;
  readonly change: 'added' | 'removed' | 'changed';
}

export class Conversations {
  private readonly changedEmitter = new Emitter<ChannelChange>();
  /** A channel was made or removed, or something shown of it changed (last activity, unread count, room state). */
  readonly onChanged = this.changedEmitter.event;

  constructor(
    private readonly table: ChannelsTable,
    private readonly accounts: Accounts,
    private readonly people: People,
  ) {}

  // ---- reading ------------------------------------------------------------------------------

  /** The channel; NotFound if there is none with that id. */
  get(id: number): ChannelRow {
    const ch = this.table.get(id);
    if (!ch) throw new NotFoundError(`no channel '${id}'`);
    return ch;
  }

  /** The channel, if there is one with that id. */
  byId(id: number): ChannelRow | undefined {
    return this.table.get(id);
  }

  /** Every channel, in id order. */
  all(): ChannelRow[] {
    return this.table.all();
  }

  /** The channel with this target (as stored: normalized), if there is one. */
  find(accountId: string, kind: ChannelKind, target: string): ChannelRow | undefined {
    return this.table.find(accountId, kind, target);
  }

  /** The channel a connection names, if it exists. */
  named(runner: AccountRunner, kind: ChannelKind, raw: string): ChannelRow | undefined {
    return this.table.find(runner.account.id, kind, channelTarget(runner, kind, raw, false));
  }

  /** The channel a connection names (`strict`: one the user typed, which the protocol must be able to read), made if new. */
  ensure(runner: AccountRunner, kind: ChannelKind, raw: string, strict = false): ChannelRow {
    const { row, created } = this.table.ensure(runner.account.id, kind, channelTarget(runner, kind, raw, strict));
    if (created) this.changedEmitter.fire({ id: row.id, change: 'added' });
    return row;
  }

  /** The account's existing conversation with a target as the user typed it, a room before a direct one. */
  existing(accountId: string, raw: string): ChannelRow | undefined {
    const runner = this.accounts.runner(accountId);
    for (const kind of ['room', 'direct'] as const) {
      const found = this.table.find(accountId, kind, channelTarget(runner, kind, raw, false));
      if (found) return found;
    }
    return undefined;
  }

  /** The account's existing conversation with a target as the user typed it, a room before a direct one; NotFound if there is none. */
  findConversation(accountId: string, raw: string): ChannelRow {
    const known = this.existing(accountId, raw);
    if (!known) throw new NotFoundError(`no conversation with '${raw}' on account '${accountId}'`);
    return known;
  }

  // ---- opening ------------------------------------------------------------------------------

  openDirect(accountId: string, contact: string): ChannelRow {
    const runner = this.accounts.runner(accountId);
    if (contact.trim() === '') throw new InvalidArgumentError('the contact is empty');
    return this.ensure(runner, 'direct', contact, true);
  }

  /**
   * A conversation with a person: the direct channel of their best contact for the medium — one
   * whose protocol can do it, online before offline (most available first), then the one last used,
   * then the first linked.
   */
  openWithPerson(personId: number, media: string): ChannelRow {
    if (media !== 'text' && media !== 'call') throw new InvalidArgumentError(`media must be text or call, not '${media}'`);
    this.people.get(personId);
    const candidates = this.people.contacts(personId).flatMap((c, order) => {
      const runner = this.accounts.find(c.accountId);
      if (!runner?.protocol.capabilities.channelClasses.some((k) => k.kind === 'direct' && k.media === media)) return [];
      const online = runner.status === 'connected' ? availability(c.status) : -1;
      const used = this.table.find(c.accountId, 'direct', c.contactId)?.lastActivity ?? 0;
      return [{ c, online, used, order }];
    });
    candidates.sort((a, b) => b.online - a.online || b.used - a.used || a.order - b.order);
    const best = candidates[0];
    if (!best) throw new ConfabError('NotCapable', `none of person ${personId}'s accounts can start a ${media} conversation`);
    return this.openDirect(best.c.accountId, best.c.contactId);
  }

  // ---- what the other features report -------------------------------------------------------

  /** Something shown of the channel changed: announce it. */
  changed(id: number): void {
    this.changedEmitter.fire({ id, change: 'changed' });
  }

  /** These channels went with their account (their rows are gone already). */
  removed(ids: readonly number[]): void {
    for (const id of ids) this.changedEmitter.fire({ id, change: 'removed' });
  }
}
