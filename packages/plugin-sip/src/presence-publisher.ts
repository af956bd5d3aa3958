/**
 * Our presence PUBLISHed (RFC 3903) on sip.js's user agent core, in place of sip.js's Publisher.
 *
 * Why not sip.js's Publisher: its `publish()` resolves when the request is sent, not when it is
 * answered, so two publishes overlap (a registration's first PUBLISH and the presence the daemon
 * sets right after); when a server without presence refuses both, the second refusal makes its
 * state machine go Terminated → Unpublished, which throws inside the transport's receive path
 * ("Invalid state transition from Terminated to Unpublished") and took the whole account down.
 *
 * Here one request is in flight at a time and each waits for its final answer; a change made
 * meanwhile is sent afterwards, with the newest body only. A refusal that says the server has no
 * presence for us (404, 405, 482 — our own PUBLISH routed back to us —, 489, 501, …) switches
 * publishing off for this registration, with one log line; a timeout or a transport failure leaves
 * it on for the next change or refresh. Free of the daemon; no throw leaves it.
 */
import type { Core, URI } from 'sip.js';
import type { Logger } from '@confab/sdk';
import { errorCodeOf } from './sip-errors';

type UserAgentCore = Core.UserAgentCore;
type IncomingResponseMessage = Core.IncomingResponseMessage;

export interface PresencePublisherOptions {
  /** The event package (RFC 3903 §4: `presence`, RFC 3856). */
  readonly event: string;
  readonly contentType: string;
  /** Seconds asked for in Expires (RFC 3903 §4.1); the server may grant less. */
  readonly expires: number;
  readonly log: Logger;
}

/** The four kinds of PUBLISH (RFC 3903 §4): initial, refresh, modify, remove. */
interface Publication {
  readonly body?: string;
  readonly expires: number;
}

export class PresencePublisher {
  /** The entity tag of our publication at the server (RFC 3903 §4.1, SIP-ETag / SIP-If-Match). */
  private etag?: string;
  private expires: number;
  private refreshTimer?: NodeJS.Timeout;
  /** The body the server last took, for publishing again after a 412. */
  private lastBody?: string;
  /** The newest body not yet sent; undefined when nothing waits. */
  private waiting?: string;
  private running?: Promise<void>;
  /** The server refused our presence: nothing more is sent for this registration. */
  private off = false;
  private closed = false;

  constructor(private readonly core: UserAgentCore, private readonly aor: URI, private readonly options: PresencePublisherOptions) {
    this.expires = options.expires;
  }

  /** Whether the server refused our presence for this registration. */
  get refused(): boolean {
    return this.off;
  }

  /** Publishes `body` (or, when a publish is in flight, after it, unless a newer body comes). Never rejects. */
  publish(body: string): Promise<void> {
    if (this.off || this.closed) return Promise.resolve();
    this.waiting = body;
    this.running ??= this.drain().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Removes our publication (RFC 3903 §4.5: Expires 0 with SIP-If-Match) and stops refreshing. Never rejects. */
  async close(): Promise<void> {
    this.closed = true;
    this.waiting = undefined;
    this.clearRefresh();
    await this.running;
    if (this.etag !== undefined && !this.off) await this.send({ expires: 0 });
    this.etag = undefined;
  }

  /** Stops refreshing without a word to the server (the transport is gone). */
  dispose(): void {
    this.closed = true;
    this.waiting = undefined;
    this.clearRefresh();
  }

  private async drain(): Promise<void> {
    while (this.waiting !== undefined && !this.off && !this.closed) {
      const body = this.waiting;
      this.waiting = undefined;
      // RFC 3903 §4.3: a modify carries the new body and SIP-If-Match; an initial one has no tag
      await this.send({ body, expires: this.expires });
    }
  }

  /** Sends one PUBLISH and handles its final answer; one retry for 412 and 423. */
  private async send(p: Publication, retried = false): Promise<void> {
    this.clearRefresh();
    const response = await this.request(p);
    if (!response) return; // the core could not even send it: logged in request()
    const status = response.statusCode ?? 500;
    if (status >= 200 && status < 300) return this.accepted(response, p);
    if (status === 412 && !retried && p.expires !== 0) {
      // RFC 3903 §4.4 / §6 step 4: the server does not know our entity tag (it expired, or the server
      // restarted): publish again as an initial publication
      this.etag = undefined;
      return this.send({ body: p.body ?? this.lastBody, expires: p.expires }, true);
    }
    const minExpires = Number(response.getHeader('min-expires'));
    if (status === 423 && !retried && Number.isInteger(minExpires) && minExpires > p.expires) {
      this.expires = minExpires; // RFC 3903 §6 step 5, RFC 3261 §21.4.17: Interval Too Brief
      return this.send({ ...p, expires: minExpires }, true);
    }
    if (p.expires === 0) return; // a removal refused: nothing to keep
    const code = errorCodeOf(status);
    if (code === 'NetworkError') {
      this.options.log.debug('PUBLISH: %d %s; tried again with the next change', status, response.reasonPhrase ?? '');
      return;
    }
    this.off = true;
    this.etag = undefined;
    this.options.log.info('the server does not take our presence (PUBLISH: %d %s): not published for this registration', status, response.reasonPhrase ?? '');
  }

  private accepted(response: IncomingResponseMessage, p: Publication): void {
    if (p.body !== undefined) this.lastBody = p.body;
    if (p.expires === 0) {
      this.etag = undefined;
      return;
    }
    this.etag = response.getHeader('sip-etag') ?? this.etag; // RFC 3903 §11.3.1
    const granted = Number(response.getHeader('expires')); // RFC 3903 §6 step 9: the server may shorten it
    const expires = Number.isInteger(granted) && granted > 0 && granted <= p.expires ? granted : p.expires;
    if (this.closed || this.etag === undefined) return;
    // RFC 3903 §4.2: refresh before it expires — a PUBLISH with SIP-If-Match and no body
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      if (this.running || this.off || this.closed) return;
      this.running = this.send({ expires: this.expires }).finally(() => { this.running = undefined; });
    }, Math.max(1, expires * 0.9) * 1000);
    this.refreshTimer.unref();
  }

  /** One PUBLISH through the core, resolved with its final response (sip.js answers 401/407 challenges itself). */
  private request(p: Publication): Promise<IncomingResponseMessage | undefined> {
    const headers = [`Event: ${this.options.event}`, `Expires: ${p.expires}`];
    if (this.etag !== undefined) headers.push(`SIP-If-Match: ${this.etag}`); // RFC 3903 §11.3.2
    const body = p.body === undefined ? undefined : { contentDisposition: 'render', contentType: this.options.contentType, content: p.body };
    return new Promise((resolve) => {
      try {
        const message = this.core.makeOutgoingRequestMessage('PUBLISH', this.aor, this.aor, this.aor, {}, headers, body);
        this.core.publish(message, {
          onAccept: (r) => resolve(r.message),
          onReject: (r) => resolve(r.message),
          onRedirect: (r) => resolve(r.message),
        });
      } catch (err) {
        this.options.log.debug('PUBLISH not sent: %s', (err as Error).message);
        resolve(undefined);
      }
    });
  }

  private clearRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }
}
