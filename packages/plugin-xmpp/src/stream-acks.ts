/**
 * XEP-0198 acknowledgements as outbox confirmations: the stream-management module of @xmpp/client
 * emits `ack` for every stanza the server has counted (§4 <a h=…/>) and `fail` for those it never
 * will (the session could not be resumed). A sent message waits here for one or the other, by id.
 */
import type { Element } from '@xmpp/client';
import { EventEmitter } from 'node:events';

export interface StreamManagement extends EventEmitter {
  enabled: boolean;
  id: string;
  inbound: number;
}

const NS_SM = 'urn:xmpp:sm:3';
const STANZAS = new Set(['message', 'presence', 'iq']);

/**
 * Keeps the count of handled stanzas (XEP-0198 §4 'h') right from <enabled/> on. @xmpp/stream-management
 * 0.14 zeroes it when its promise for <enabled/> settles — a microtask after the whole socket read
 * was parsed — so stanzas that came in the same read as <enabled/> (and any <a/> we sent for an
 * <r/> among them) were counted, then forgotten: our next <a h/> went below the previous one and
 * prosody closed the stream ("Client acknowledged less stanzas than already acknowledged"). Here
 * that zeroing becomes "the stanzas seen since <enabled/>"; every other write passes through.
 */
export function keepInboundCount(entity: EventEmitter, sm: StreamManagement): void {
  let value = sm.inbound;
  let sinceEnabled: number | undefined;
  entity.on('element', (el: Element) => {
    if (el.is('enabled', NS_SM)) sinceEnabled = 0; // §4: counting starts on <enabled/>
    else if (sinceEnabled !== undefined && STANZAS.has(el.name)) sinceEnabled++;
  });
  Object.defineProperty(sm, 'inbound', {
    configurable: true,
    enumerable: true,
    get: () => value,
    set: (v: number) => {
      if (v !== 0) return void (value = v); // a stanza counted
      value = sinceEnabled ?? 0; // the library's late reset after <enabled/>, or a new session
      sinceEnabled = undefined;
    },
  });
  entity.on('disconnect', () => (sinceEnabled = undefined));
}

export class StreamAcks {
  private readonly waiting = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();

  constructor(sm: StreamManagement, private readonly failure: () => Error) {
    sm.on('ack', (stanza: Element) => this.settle(stanza, undefined));
    sm.on('fail', (stanza: Element) => this.settle(stanza, this.failure()));
  }

  /** Resolves when the server acknowledged the stanza with this id; rejects if it never will. */
  wait(id: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(id);
        reject(this.failure());
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: () => (clearTimeout(t), resolve()),
        reject: (e) => (clearTimeout(t), reject(e)),
      });
    });
  }

  failAll(): void {
    for (const w of this.waiting.values()) w.reject(this.failure());
    this.waiting.clear();
  }

  private settle(stanza: Element, error: Error | undefined): void {
    const id = stanza?.attrs?.id;
    const w = id ? this.waiting.get(id) : undefined;
    if (!w) return;
    this.waiting.delete(id!);
    if (error) w.reject(error);
    else w.resolve();
  }
}
