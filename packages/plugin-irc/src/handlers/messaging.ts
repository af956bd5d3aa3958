/**
 * Messages in (PRIVMSG, NOTICE, CTCP ACTION: RFC 2812 §3.3) and the answers that confirm or refuse
 * the ones we sent: our own echo (IRCv3 echo-message), the PONG of the PING sent after a message,
 * a refusal numeric about its target, and the raw lines that answer a labeled or PING-closed
 * command (replies.ts). CTCP PING is answered here.
 */
import { ircLineParser, type IrcErrorEvent, type MessageEvent } from 'irc-framework';
import { ConfabError, type IncomingMessage } from '@confab/sdk';
import { isChannelName, rfc1459Lower } from '../casemap';
import { parseFormatting } from '../formatting';
import type { PendingEcho, PendingSend } from '../pending';
import type { ParsedLine, PendingReplies } from '../replies';
import { HANDLED, type HandlerTable } from './handler';

export interface MessagingContext {
  /** Our nick now. */
  ownNick(): string;
  /** Writes a line we originate, through flood control. */
  write(...line: string[]): void;
  /** Messages waiting for their echo, oldest first. */
  readonly echoes: PendingEcho[];
  /** Messages waiting for their PONG, by the PING's token. */
  readonly sends: Map<string, PendingSend>;
  readonly replies: Pick<PendingReplies, 'size' | 'feed'>;
  /** A message for the daemon (handed over in batches). */
  received(m: IncomingMessage): void;
}

export const messagingHandlers: HandlerTable<MessagingContext> = {
  message: (ctx, e: MessageEvent) => {
    if (e.from_server || !e.nick) return; // server notices (before registration, MOTD-style): not a conversation
    const own = rfc1459Lower(e.nick) === rfc1459Lower(ctx.ownNick());
    const inRoom = isChannelName(e.target);
    const target = inRoom ? rfc1459Lower(e.target) : rfc1459Lower(own ? e.target : e.nick);
    if (own && e.tags?.label) return; // a labeled echo: replies.ts matched it to its message
    if (own && confirmEcho(ctx, target, e)) return; // the echo of our own message: it is in the outbox
    const { text, markup } = parseFormatting(e.message); // mIRC formatting: plain text + Pango markup
    ctx.received({
      channel: { kind: inRoom ? 'room' : 'direct', target },
      sender: { id: rfc1459Lower(e.nick), name: e.nick },
      body: text,
      markup,
      kind: e.type === 'privmsg' ? 'normal' : e.type,
      serverTime: e.time ? new Date(e.time) : undefined, // IRCv3 server-time
      protocolId: e.tags?.msgid, // IRCv3 message-ids
      outgoing: own || undefined,
    });
  },
  pong: (ctx, e: { message?: string }) => {
    const token = e.message ?? '';
    const pending = ctx.sends.get(token);
    if (!pending) return;
    ctx.sends.delete(token);
    if (pending.refused) pending.reject(pending.refused);
    else pending.resolve({});
  },
  // CTCP PING is answered with its own argument (CTCP spec, "PING"); VERSION irc-framework answers
  // from its `version` option. Replies go through flood control: a CTCP flood cannot flood us off.
  'ctcp request': (ctx, e: { nick: string; type: string; message: string }) => {
    if (e.type?.toUpperCase() !== 'PING') return;
    const arg = e.message.replace(/^\x01?PING ?/i, '').replace(/\x01$/, '').slice(0, 64);
    ctx.write('NOTICE', e.nick, `\x01PING${arg ? ` ${arg}` : ''}\x01`);
  },
  raw: (ctx, e: { line: string; from_server: boolean }) => {
    // Answers to our commands are matched on the raw line, before irc-framework dispatches it.
    if (!e.from_server || ctx.replies.size === 0) return;
    const line = ircLineParser(e.line) as ParsedLine | null;
    if (line) ctx.replies.feed(line);
  },
  'irc error': (ctx, e: IrcErrorEvent) => refuseSend(ctx, e.error, e.channel ?? e.nick, e.reason),
};

/** Matches an echo to the oldest unconfirmed message to that target; false when it is not one of ours. */
function confirmEcho(ctx: MessagingContext, target: string, e: MessageEvent): boolean {
  const i = ctx.echoes.findIndex((x) => x.target === target);
  if (i < 0) return false;
  const pending = ctx.echoes[i];
  if (--pending.remaining > 0) return true;
  ctx.echoes.splice(i, 1);
  pending.resolve({ serverTime: e.time ? new Date(e.time) : undefined, protocolId: e.tags?.msgid });
  return true;
}

/**
 * A refusal of a message (RFC 2812 §5.2: 401 ERR_NOSUCHNICK, 404 ERR_CANNOTSENDTOCHAN…) comes
 * before the PONG that follows it: mark the oldest unconfirmed send to that target.
 */
function refuseSend(ctx: MessagingContext, error: string, subject: string | undefined, reason: string | undefined): boolean {
  const refusal = error === 'no_such_nick' ? 'NotFound' : error === 'cannot_send_to_channel' || error === 'cannot_send_to_user' ? 'NotCapable' : undefined;
  if (!refusal) return false;
  const name = subject ? rfc1459Lower(subject) : '';
  const echo = ctx.echoes.findIndex((x) => x.target === name);
  if (echo >= 0) {
    // No echo will come for a refused line: fail the message now.
    const [pending] = ctx.echoes.splice(echo, 1);
    pending.reject(new ConfabError(refusal, `${subject}: ${reason ?? error}`));
    return HANDLED;
  }
  for (const s of ctx.sends.values()) {
    if (s.target === name && !s.refused) {
      s.refused = new ConfabError(refusal, `${subject}: ${reason ?? error}`);
      break;
    }
  }
  return HANDLED;
}
