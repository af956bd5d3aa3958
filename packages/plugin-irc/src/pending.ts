/** What the connection keeps while it waits for the server: the two ends of a promise. */
import type { ConfabError, SendReceipt } from '@confab/sdk';

export interface Deferred<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
}

/** A message confirmed by the PONG of the PING sent after it (no echo-message; see irc-connection.ts). */
export interface PendingSend extends Deferred<SendReceipt> {
  readonly target: string;
  /** A refusal numeric about its target came before the PONG. */
  refused?: ConfabError;
}

/** A message confirmed by the echo of its last line (IRCv3 echo-message). */
export interface PendingEcho extends Deferred<SendReceipt> {
  readonly target: string;
  /** Lines still to be echoed. */
  remaining: number;
}
