/**
 * IP addresses as text (what Node's dgram takes and gives) and as the bytes of the packed node
 * format (Tox spec, "Node Info" § "Host Address": IPv4 as 4 big-endian bytes, IPv6 as 16).
 * Text is normalised so that one address has one spelling: IPv4-mapped IPv6 becomes IPv4 (as
 * c-toxcore's ip_port_normalize), IPv6 is written in the RFC 5952 form libuv also prints.
 * @since 0.1.0
 */
import { isIPv4, isIPv6 } from 'node:net';
import { Malformed } from './bytes';

/** A UDP or TCP endpoint. `host` is an IPv4 or IPv6 literal, never a name. @since 0.1.0 */
export interface SocketAddress {
  readonly host: string;
  readonly port: number;
}

/** 4 or 6. Throws `Malformed` for text that is no IP literal. @since 0.1.0 */
export function ipFamily(host: string): 4 | 6 {
  if (isIPv4(host)) return 4;
  if (isIPv6(host)) return 6;
  throw new Malformed(`not an IP address: ${JSON.stringify(host)}`);
}

/** The 4 or 16 bytes of an address, network order. @since 0.1.0 */
export function ipToBytes(host: string): Uint8Array {
  if (ipFamily(host) === 4) return Uint8Array.from(host.split('.').map(Number));
  return ipv6ToBytes(host);
}

/** The normalised text of 4 or 16 address bytes. @since 0.1.0 */
export function bytesToIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) throw new Malformed(`an IP address is 4 or 16 bytes, not ${b.length}`);
  if (isV4Mapped(b)) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  return ipv6ToText(b);
}

/**
 * Spellings already normalised: every datagram in and most out pass here (the sender's address,
 * `sameAddress`, `addressKey`), from a few hundred hosts at most, so parsing each again and again
 * was a hot spot of an idle account. Bounded: emptied when full.
 */
const normalized = new Map<string, string>();
const NORMALIZED_MAX = 4096;
/** `isLan` of hosts already seen (asked for every node a response names), bounded the same way. */
const lan = new Map<string, boolean>();

/** One spelling per address: IPv4-mapped IPv6 as IPv4, IPv6 in RFC 5952 form. @since 0.1.0 */
export function normalizeHost(host: string): string {
  const known = normalized.get(host);
  if (known !== undefined) return known;
  const n = bytesToIp(ipToBytes(host)); // throws for text that is no IP literal: never cached
  if (normalized.size >= NORMALIZED_MAX) normalized.clear();
  normalized.set(host, n);
  return n;
}

/** `host:port` with the host normalised, for maps keyed by endpoint. @since 0.1.0 */
export function addressKey(a: SocketAddress): string {
  return `${normalizeHost(a.host)}|${a.port}`;
}

/** Same port and same address once normalised. @since 0.1.0 */
export function sameAddress(a: SocketAddress, b: SocketAddress): boolean {
  return a.port === b.port && normalizeHost(a.host) === normalizeHost(b.host);
}

/**
 * Whether an address is on a local network, as c-toxcore's ip_is_lan: loopback, RFC 1918,
 * link-local, CGNAT 100.64/10; IPv6 loopback, link-local fe80::/10, unique-local fc00::/7.
 * The DHT never tells a non-LAN peer about LAN nodes.
 * @since 0.1.0
 */
export function isLan(host: string): boolean {
  const known = lan.get(host);
  if (known !== undefined) return known;
  const is = isLanBytes(ipToBytes(normalizeHost(host)));
  if (lan.size >= NORMALIZED_MAX) lan.clear();
  lan.set(host, is);
  return is;
}

function isLanBytes(b: Uint8Array): boolean {
  if (b.length === 4) {
    return b[0] === 127 || b[0] === 10 || (b[0] === 172 && (b[1] & 0xf0) === 16) || (b[0] === 192 && b[1] === 168)
      || (b[0] === 169 && b[1] === 254) || (b[0] === 100 && (b[1] & 0xc0) === 64);
  }
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return true;
  if ((b[0] & 0xfe) === 0xfc) return true;
  return b.every((x, i) => x === (i === 15 ? 1 : 0));
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

function ipv6ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(16);
  let s = text;
  // a trailing dotted IPv4 part (::ffff:1.2.3.4) becomes two groups
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = tail.split('.').map(Number);
    s = `${s.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) throw new Malformed(`bad IPv6 address ${text}`);
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const rest = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? [...head, ...new Array<string>(8 - head.length - rest.length).fill('0'), ...rest] : head;
  if (groups.length !== 8) throw new Malformed(`bad IPv6 address ${text}`);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    if (!/^[0-9a-fA-F]{1,4}$/.test(g) || Number.isNaN(v)) throw new Malformed(`bad IPv6 address ${text}`);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

function ipv6ToText(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[2 * i] << 8) | b[2 * i + 1]);
  // the longest run of two or more zero groups, the first on a tie (RFC 5952 §4.2)
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}
