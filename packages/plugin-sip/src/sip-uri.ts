/**
 * SIP addresses as Confab contact ids: `user@host[:port]`, the scheme, display name, angle brackets,
 * URI parameters and headers taken off (RFC 3261 §19.1.1). The host is compared case-insensitively,
 * the user part case-sensitively (§19.1.4), so only the host is lowercased. Free of sip.js.
 */
import { InvalidArgumentError } from '@confab/sdk';

export interface SipAddress {
  readonly user: string;
  readonly host: string;
  readonly port?: number;
}

// userinfo: unreserved / escaped / user-unreserved (RFC 3261 §25.1); host: hostname, IPv4 or [IPv6].
const USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])$/;

/** Parses what a user may type or a peer may send: `sip:alice@example.org;transport=tcp`, `"Alice" <sip:alice@example.org>`, `alice@example.org`. */
export function parseSipAddress(input: string): SipAddress {
  let s = input.trim();
  const bracket = /<([^>]*)>/.exec(s);
  if (bracket) s = bracket[1].trim();
  s = s.replace(/^sips?:/i, '');
  s = s.split(/[;?]/, 1)[0];
  const at = s.lastIndexOf('@');
  if (at <= 0) throw new InvalidArgumentError(`'${input}' is not a SIP address (user@host)`);
  const user = s.slice(0, at);
  let host = s.slice(at + 1);
  let port: number | undefined;
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(host);
  if (m && m[2] !== undefined && !host.endsWith(']')) {
    host = m[1];
    port = Number(m[2]);
    if (port < 1 || port > 65535) throw new InvalidArgumentError(`'${input}' has a bad port`);
  }
  if (!USER.test(user)) throw new InvalidArgumentError(`'${input}' has a bad user part`);
  if (!HOST.test(host)) throw new InvalidArgumentError(`'${input}' has a bad host`);
  return { user, host: host.toLowerCase().replace(/\.$/, ''), port };
}

/** The canonical contact id. */
export function formatSipAddress(a: SipAddress): string {
  return `${a.user}@${a.host}${a.port !== undefined ? `:${a.port}` : ''}`;
}

export function normalizeSipAddress(input: string): string {
  return formatSipAddress(parseSipAddress(input));
}

/** The id as a SIP URI for a Request-URI or To header. */
export function sipUri(id: string): string {
  return `sip:${normalizeSipAddress(id)}`;
}
