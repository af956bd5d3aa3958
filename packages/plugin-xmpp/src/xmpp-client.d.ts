/**
 * The parts of @xmpp/client 0.14 the plugin uses. It ships no TypeScript types; these are written
 * from its source (packages/client/index.js, connection/index.js, xml/lib/Element.js).
 */
declare module '@xmpp/client' {
  import { EventEmitter } from 'node:events';

  export interface Element {
    name: string;
    attrs: Record<string, string | undefined>;
    children: Array<Element | string>;
    is(name: string, xmlns?: string): boolean;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    text(): string;
    toString(): string;
  }

  export interface Jid {
    local: string;
    domain: string;
    resource: string;
    bare(): Jid;
    toString(): string;
  }

  export interface ClientOptions {
    service: string;
    domain: string;
    resource?: string;
    username: string;
    password: string;
    timeout?: number;
    /** Replaces username/password: called with the library's authenticate and the usable mechanisms. */
    credentials?: (
      authenticate: (credentials: { username: string; password: string }, mechanism: string) => Promise<void>,
      mechanisms: string[],
      fast: unknown,
      entity: { isSecure(): boolean },
    ) => Promise<void>;
  }

  export interface XmppClient extends EventEmitter {
    jid: Jid | null;
    status: string;
    /** A net.Socket over TCP; @xmpp/tls's wrapper (holding the TLSSocket as .socket) over direct TLS. */
    socket: unknown;
    reconnect: { stop(): void; delay: number; reconnect(): Promise<void> };
    streamManagement: { enabled: boolean };
    iqCaller: { request(stanza: Element, timeout?: number): Promise<Element> };
    /** The saslmechanisms factory: its `_mechs` list is what SASL offers, in order of preference. */
    saslFactory: { _mechs: Array<{ name: string; mech: new () => unknown }> };
    iqCallee: {
      get(ns: string, name: string, handler: (ctx: { stanza: Element; element: Element }) => unknown): void;
      set(ns: string, name: string, handler: (ctx: { stanza: Element; element: Element }) => unknown): void;
    };
    start(): Promise<Jid>;
    stop(): Promise<void>;
    send(...stanzas: Element[]): Promise<void>;
    sendMany(stanzas: Element[]): Promise<void>;
    socketParameters?(service: string): unknown;
  }

  export function client(options: ClientOptions): XmppClient;
  export function xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: Array<Element | string>): Element;
  export function jid(s: string): Jid;
}
