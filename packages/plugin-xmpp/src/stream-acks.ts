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
