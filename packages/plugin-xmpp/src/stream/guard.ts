/**
 * A hostile server's stream, refused before the parser sees it. @xmpp/client parses whatever the
 * server sends, however long (it has no limit), and its parser (ltx) silently swallows everything
 * after a `<!`. Here, before the parser: a stanza — or anything between two top-level elements —
 * over MAX_STANZA_CHARS closes the stream with `policy-violation` (RFC 6120 §4.9.3.14), a DTD,
 * entity declaration or comment with `restricted-xml` (§4.9.3.18). The client's `_onData` is
 * wrapped before the first socket is attached (it binds the method then).
 */
import type { XmppClient } from '@xmpp/client';
import type { Logger } from '@confab/sdk';
import { destroySocket } from './failures';

/** The longest stanza accepted from a server (prosody's own c2s limit is 256 KiB). */
export const MAX_STANZA_CHARS = 1024 * 1024;

export function guardStream(xmpp: XmppClient, log: Logger): void {
  const internals = xmpp as unknown as { _onData(data: Buffer): void; _streamError(condition: string): Promise<void> };
  const parse = internals._onData.bind(xmpp);
  let unparsed = 0;
  xmpp.on('element', () => {
    unparsed = 0;
  });
  let lastByte = 0;
  let closed = false;
  const refuse = (condition: string, why: string) => {
    if (closed) return;
    closed = true;
    log.warn('xmpp: %s; closing the stream (%s)', why, condition);
    internals._streamError(condition).catch(() => undefined);
    // The stream error is written at once; waiting for the server to close its side (its timeout is
    // ours, 30 s) would leave a hostile server the connection: the socket goes after a moment.
    setTimeout(() => destroySocket(xmpp), 200).unref();
  };
  xmpp.on('connect', () => {
    closed = false;
    unparsed = 0;
    lastByte = 0;
  });
  internals._onData = (data: Buffer) => {
    if (closed) return;
    // RFC 6120 §11.1: no DTD, no entity declarations, no comments in a stream. "<!" starts every
    // one of them and cannot occur anywhere else ('<' is always escaped in text and attributes).
    // ltx would swallow everything after it silently: a hang, or an entity bomb.
    if (data.indexOf('<!') >= 0 || (lastByte === 0x3c && data[0] === 0x21)) return refuse('restricted-xml', 'the server sent a DTD, an entity declaration or a comment');
    lastByte = data[data.length - 1] ?? 0;
    unparsed += data.length;
    if (unparsed > MAX_STANZA_CHARS) return refuse('policy-violation', `the server sent more than ${MAX_STANZA_CHARS} bytes without finishing a stanza`);
    parse(data);
  };
}
