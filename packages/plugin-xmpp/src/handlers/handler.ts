/**
 * Inbound stanzas by table (issue 15), the way xmpp.js keys what it handles by element name and
 * namespace (packages/stream-features: `use(name, xmlns, handler)`; packages/iq: callee handlers by
 * `xmlns` and child name) and passes a stanza along its middleware until one takes it
 * (packages/middleware). Each concern — one module per XEP — exports handlers, each for a stanza
 * (`message` or `presence`), optionally only of one `type`, and optionally only when the stanza
 * carries one of the `children` (name + namespace) it is about. A handler gets a context that holds
 * only what it needs. The handlers are tried in the order of the table: one that returns HANDLED
 * took the stanza and the rest do not see it (telepathy-idle's IDLE_PARSER_HANDLER_HANDLED,
 * src/idle-parser.h); any other return is "not mine", and the stanza goes on.
 */
import type { Element } from '@xmpp/client';

/** Returned by a handler that took the stanza: the handlers after it are not asked. */
export const HANDLED = true;

/** A child element a handler is about: its name, and its namespace (any, when left out). */
export type ChildKey = readonly [name: string, xmlns?: string];

export interface StanzaHandler<C> {
  readonly stanza: 'message' | 'presence';
  /** Only stanzas whose `type` attribute is this one. */
  readonly type?: string;
  /** Only stanzas with at least one of these children; every stanza of its kind when left out. */
  readonly children?: readonly ChildKey[];
  readonly handle: (ctx: C, stanza: Element) => boolean | void;
}

/** Handlers in the order a stanza goes through them. */
export type HandlerTable<C> = ReadonlyArray<StanzaHandler<C>>;

/** Whether `stanza` is one `h` is for. */
export function matches(h: StanzaHandler<never>, stanza: Element): boolean {
  if (h.stanza !== stanza.name) return false;
  if (h.type !== undefined && stanza.attrs.type !== h.type) return false;
  return !h.children || h.children.some(([name, xmlns]) => stanza.getChild(name, xmlns) !== undefined);
}

/** Runs the stanza through the table until a handler says HANDLED; whether one did. */
export function dispatch<C>(table: HandlerTable<C>, ctx: C, stanza: Element): boolean {
  for (const h of table) {
    if (matches(h, stanza) && h.handle(ctx, stanza) === HANDLED) return true;
  }
  return false;
}

/**
 * An IQ request handler (RFC 6120 §8.2.3), keyed as @xmpp/iq's callee keys them: type, child name
 * and namespace. It returns the result's child, an <error/>, or true for an empty result.
 */
export interface IqHandler<C> {
  readonly type: 'get' | 'set';
  readonly name: string;
  readonly xmlns: string;
  readonly handle: (ctx: C, iq: { stanza: Element; element: Element }) => unknown;
}

/** Registers the IQ handlers with @xmpp/iq's callee (which answers every other request service-unavailable). */
export function serveIqs<C>(callee: { get: IqRegister; set: IqRegister }, table: ReadonlyArray<IqHandler<C>>, ctx: C): void {
  for (const h of table) callee[h.type](h.xmlns, h.name, (iq) => h.handle(ctx, iq));
}

type IqRegister = (xmlns: string, name: string, handler: (iq: { stanza: Element; element: Element }) => unknown) => void;
