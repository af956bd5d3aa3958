/**
 * Chat states (typing, paused, gone: XEP-0085 and its kin): news, not history — nothing is stored.
 * What the other side does is announced only for conversations that exist; what the user does is
 * sent when the account is connected and its protocol has chat states.
 */
import {
  CHAT_STATES, Emitter, InvalidArgumentError, NotImplementedError,
  type ChatState, type ChatStateChange,
} from '@confab/sdk';
import type { Accounts, AccountRunner } from '../accounts/accounts';
import type { Conversations } from '../conversations/conversations';

export class ChatStates {
  private readonly emitter = new Emitter<{ channelId: number; contact: string; state: ChatState }>();
  readonly onChatState = this.emitter.event;

  constructor(
    private readonly conversations: Conversations,
    private readonly accounts: Accounts,
  ) {}

  async set(channelId: number, state: string): Promise<void> {
    if (!CHAT_STATES.includes(state as ChatState)) throw new InvalidArgumentError(`state must be one of ${CHAT_STATES.join(', ')}, not '${state}'`);
    const ch = this.conversations.get(channelId);
    const runner = this.accounts.runner(ch.accountId);
    const conn = runner.online();
    if (!conn.chatStates) throw new NotImplementedError(`protocol '${runner.protocol.id}' has no chat states`);
    await conn.chatStates.set({ kind: ch.kind, target: ch.target }, state as ChatState);
  }

  /** What a connection reports (routed by core.ts). */
  changed(runner: AccountRunner, change: ChatStateChange): void {
    const ch = this.conversations.named(runner, change.channel.kind, change.channel.target);
    if (ch) this.emitter.fire({ channelId: ch.id, contact: change.contact, state: change.state });
  }
}
