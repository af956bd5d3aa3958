/**
 * Everything irc-framework tells the connection, dispatched by table (see handler.ts). The
 * connection builds one IrcContext per client; each table sees only its own part of it.
 */
import type { EventEmitter } from 'node:events';
import type { IrcErrorEvent } from 'irc-framework';
import type { Logger } from '@confab/sdk';
import { channelHandlers, type ChannelsContext } from './channels';
import { contactHandlers, type ContactsContext } from './contacts';
import { eventNames, handle, type HandlerTable } from './handler';
import { messagingHandlers, type MessagingContext } from './messaging';
import { registrationHandlers, type RegistrationContext } from './registration';
import { roomListHandlers, type RoomListContext } from './room-list';

export type IrcContext = RegistrationContext & MessagingContext & ChannelsContext & ContactsContext & RoomListContext & { readonly log: Logger };

/** What no table took: logged. */
const fallbackHandlers: HandlerTable<{ readonly log: Logger }> = {
  'irc error': (ctx, e: IrcErrorEvent) => ctx.log.debug('irc error %s %s: %s', e.error, e.channel ?? e.nick ?? '', e.reason ?? ''),
  debug: (ctx, line: string) => ctx.log.debug('%s', line),
};

/**
 * The tables in the order an event goes through them. Order matters twice: `nick` updates the
 * rooms before the nick regain, as it always did; `irc error` reaches the fallback (a log line)
 * only when no table took it. The tables take disjoint sets of errors, so their order is free
 * (LIST's refusals, 263 and 416, are taken first).
 */
export const IRC_HANDLERS: ReadonlyArray<HandlerTable<IrcContext>> = [roomListHandlers, channelHandlers, contactHandlers, messagingHandlers, registrationHandlers, fallbackHandlers];

/**
 * Subscribes `tables` to the client's events. A handler can never throw into irc-framework (a bad
 * line is logged, not fatal), and the events of a client that is no longer `current()` (one we
 * dropped) are ignored: its late events are of no interest.
 */
export function subscribe(client: EventEmitter, ctx: IrcContext, current: () => boolean, tables = IRC_HANDLERS): void {
  for (const event of eventNames(tables)) {
    client.on(event, (e: unknown) => {
      if (!current()) return;
      try {
        handle(tables, ctx, event, e);
      } catch (err) {
        ctx.log.warn('handling %s failed: %s', event, err instanceof Error ? err.message : String(err));
      }
    });
  }
}

export { handle, HANDLED, type Handler, type HandlerTable } from './handler';
