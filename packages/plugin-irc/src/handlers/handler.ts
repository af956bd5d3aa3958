/**
 * Inbound dispatch by table, the way irc-framework dispatches lines (`handlers[command]`,
 * src/commands/handler.js): each concern (registration, messaging, channels, contacts) exports a
 * table from irc-framework's event names to small handlers of one event, each given a context that
 * holds only what it needs. A handler that returns HANDLED says the event was its own, and the
 * tables after it do not see it (telepathy-idle's IDLE_PARSER_HANDLER_HANDLED, src/idle-parser.h);
 * any other return lets the event go on.
 */

/** Returned by a handler that took the event: the handlers after it are not asked. */
export const HANDLED = true;

export type Handler<C, E> = (ctx: C, e: E) => boolean | void;

/** Event name → its handler. `never`: each handler takes its own event's shape. */
export type HandlerTable<C> = Readonly<Record<string, Handler<C, never>>>;

/** Runs `event`'s handlers, table by table, until one says HANDLED; whether one did. */
export function handle<C>(tables: ReadonlyArray<HandlerTable<C>>, ctx: C, event: string, e: unknown): boolean {
  for (const table of tables) {
    const handler = Object.hasOwn(table, event) ? (table[event] as Handler<C, unknown>) : undefined;
    if (handler?.(ctx, e) === HANDLED) return true;
  }
  return false;
}

/** Every event some table handles, each once. */
export function eventNames<C>(tables: ReadonlyArray<HandlerTable<C>>): string[] {
  return [...new Set(tables.flatMap((t) => Object.keys(t)))];
}
