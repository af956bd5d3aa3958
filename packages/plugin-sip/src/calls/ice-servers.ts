/**
 * The STUN and TURN servers of one call (RFC 8445 § 5.1.1.2: server-reflexive and relayed candidates):
 * the account's own (`stun-server`, `turn-server` with `turn-username` and `turn-password`, or
 * `turn-secret` for the TURN REST API's time-limited credentials), then the daemon's (`calls.iceServers`
 * in confabd's configuration, ConnectionServices.iceServers). Credentials are secrets: they go to
 * confab-media's session options only, never into a log line, a property or an error text.
 * Free of sip.js.
 */
import { createHmac } from 'node:crypto';
import type { IceServerConfig } from '@confab/sdk';
import type { IceServer } from '@confab/media';

/** The account's STUN/TURN parameters (sip-settings.ts). */
export interface AccountIceSettings {
  /** `stun:host[:port]` (RFC 7064), or a bare `host[:port]`. */
  readonly stunServer?: string;
  /** `turn:`/`turns:` URIs (RFC 7065), comma-separated, or a bare `host[:port]` (TURN over UDP). */
  readonly turnServer?: string;
  readonly turnUsername?: string;
  /** Long-term credential (RFC 8489 § 9.2). */
  readonly turnPassword?: string;
  /** The TURN REST API's shared secret (coturn's `static-auth-secret`). */
  readonly turnSecret?: string;
}

/** How long time-limited TURN credentials are made to last: a day, as the TURN REST API draft suggests. */
export const REST_TTL_S = 86_400;

/**
 * The TURN REST API's credentials (draft-uberti-behave-turn-rest-00 § 2.2, coturn `use-auth-secret`):
 * username `<expiry unix time>:<user>`, password base64(HMAC-SHA1(secret, username)).
 */
export function restCredentials(secret: string, user: string, nowMs: number, ttlS = REST_TTL_S): { username: string; credential: string } {
  const username = `${Math.floor(nowMs / 1000) + ttlS}:${user}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** `stun:`/`turn:` URI of a setting (RFC 7064 § 3.1, RFC 7065 § 3.1); a bare host[:port] gets `scheme`. */
export function iceUri(value: string, scheme: 'stun' | 'turn'): string {
  const v = value.trim();
  return /^(stuns?|turns?):/i.test(v) ? v : `${scheme}:${v}`;
}

/** A problem with a stun-server/turn-server parameter's value, for the parameter's validator. */
export function iceServerProblem(value: unknown, scheme: 'stun' | 'turn'): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'must be a URI or host[:port]';
  for (const part of value.split(',')) {
    // RFC 7064 § 3.1 / RFC 7065 § 3.1: scheme ":" host [":" port] ["?transport=" udp/tcp]
    const ok = /^(?:(?:stuns?|turns?):)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?(?:\?transport=(?:udp|tcp))?$/i.test(part.trim());
    if (!ok) return `must be ${scheme}:host[:port] (RFC ${scheme === 'stun' ? '7064' : '7065'}), comma-separated`;
  }
  return undefined;
}

/** The servers a call's session gets: the account's first, then the daemon's. `user` names us in REST usernames. */
export function callIceServers(account: AccountIceSettings, global: readonly IceServerConfig[], user: string, nowMs = Date.now()): IceServer[] {
  const out: IceServer[] = [];
  if (account.stunServer) out.push({ urls: account.stunServer.split(',').map((u) => iceUri(u, 'stun')) });
  if (account.turnServer) {
    const urls = account.turnServer.split(',').map((u) => iceUri(u, 'turn'));
    if (account.turnSecret) out.push({ urls, ...restCredentials(account.turnSecret, account.turnUsername || user, nowMs) });
    else out.push({ urls, ...(account.turnUsername ? { username: account.turnUsername } : {}), ...(account.turnPassword ? { credential: account.turnPassword } : {}) });
  }
  for (const g of global) out.push({ urls: [...g.urls], ...(g.username ? { username: g.username } : {}), ...(g.credential ? { credential: g.credential } : {}) });
  return out;
}
