/**
 * An IQ request for the calls, answered through the stream's `stanza` events. @xmpp/iq's caller
 * attaches its handler to the reply only once its send has resolved, and with stream management
 * (XEP-0198) a send resolves when the server acknowledges the stanza — after a fast reply from the
 * server itself (XEP-0215's service-unavailable) has already been routed: an error reply is then an
 * unhandled rejection, which ends confabd. Here the reply is awaited from before the send.
 */
import { randomBytes } from 'node:crypto';
import type { Element, XmppClient } from '@xmpp/client';
import { ConfabError } from '@confab/sdk';

/** RFC 6120 §8.3: an IQ error reply, as the error the caller sees (its condition in the message). */
export class IqError extends Error {
  constructor(readonly condition: string, readonly element: Element) {
    super(condition);
  }
}

export function requestIq(xmpp: XmppClient, iq: Element, timeoutMs: number): Promise<Element> {
  const id = iq.attrs.id ?? `c${randomBytes(8).toString('hex')}`;
  iq.attrs.id = id;
  return new Promise<Element>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      xmpp.off('stanza', onStanza);
    };
    const onStanza = (s: Element) => {
      if (s.name !== 'iq' || s.attrs.id !== id || (s.attrs.type !== 'result' && s.attrs.type !== 'error')) return;
      done();
      if (s.attrs.type === 'result') return resolve(s);
      const err = s.getChild('error');
      const condition = err?.children.find((c): c is Element => typeof c !== 'string' && c.name !== 'text')?.name ?? 'undefined-condition';
      reject(new IqError(condition, err ?? s));
    };
    const timer = setTimeout(() => {
      done();
      reject(new ConfabError('NetworkError', `no answer to an IQ within ${timeoutMs} ms`));
    }, timeoutMs);
    xmpp.on('stanza', onStanza);
    xmpp.send(iq).catch((err: unknown) => {
      done();
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}
