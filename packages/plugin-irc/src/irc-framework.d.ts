/**
 * The parts of irc-framework 4.14 that the plugin uses. irc-framework ships no TypeScript types;
 * these are written from its source (src/client.js, src/commands/handlers/*.js).
 */
declare module 'irc-framework' {
  import { EventEmitter } from 'node:events';

  export interface ClientOptions {
    nick: string;
    username?: string;
    gecos?: string;
    host: string;
    port: number;
    password?: string;
    tls?: boolean;
    encoding?: string;
    version?: string;
    auto_reconnect?: boolean;
    enable_echomessage?: boolean;
    ping_interval?: number;
    ping_timeout?: number;
    message_max_length?: number;
    transport?: new (options: ClientOptions) => EventEmitter;
    [extra: string]: unknown;
  }

  export interface MessageTags {
    [tag: string]: string | undefined;
  }

  export interface MessageEvent {
    type: 'privmsg' | 'notice' | 'action';
    nick: string;
    ident: string;
    hostname: string;
    target: string;
    message: string;
    tags: MessageTags;
    time?: number;
    from_server?: boolean;
    account?: string;
  }

  /** `irc error`: an error numeric or ERROR by name (src/commands/handlers/*.js), e.g. `password_mismatch`, `irc` for ERROR. */
  export interface IrcErrorEvent {
    error: string;
    reason?: string;
    channel?: string;
    nick?: string;
  }

  export interface IrcCommand {
    command: string;
    params: string[];
    tags: MessageTags;
    nick?: string;
  }

  /** RPL_ENDOFWHOIS with what irc-framework collected (src/commands/handlers/user.js). */
  export interface WhoisEvent {
    nick: string;
    error?: string;
    ident?: string;
    hostname?: string;
    actual_hostname?: string;
    real_name?: string;
    server?: string;
    server_info?: string;
    channels?: string;
    idle?: string | number;
    logon?: string | number;
    account?: string;
    away?: string;
    secure?: boolean;
    operator?: string;
    bot?: boolean;
  }

  export interface ParsedIrcLine {
    command: string;
    params: string[];
    tags: MessageTags;
    nick?: string;
  }

  export function ircLineParser(line: string): ParsedIrcLine | null;

  export class Client extends EventEmitter {
    constructor(options: ClientOptions);
    options: ClientOptions;
    user: { nick: string };
    network: {
      cap: { isEnabled(cap: string): boolean; enabled: string[] };
      options: Record<string, unknown>;
      supports(feature: string): unknown;
    };
    connection: EventEmitter & { connected: boolean; transport: EventEmitter | null };
    connected: boolean;
    connect(): void;
    quit(message?: string): void;
    raw(...line: string[]): void;
    requestCap(cap: string | string[]): void;
    changeNick(nick: string): void;
    caseLower(s: string): string;
  }
}
