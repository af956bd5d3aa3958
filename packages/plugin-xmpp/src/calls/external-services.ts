/**
 * XEP-0215 (External Service Discovery) → STUN/TURN servers for ICE: the server is asked once for
 * its services (`<services xmlns='urn:xmpp:extdisco:2'/>`, §4; prosody's turn_external module
 * answers with a coturn `turn` and `stun` and time-limited credentials, §6), and the `stun`, `turn`
 * and `turns` ones become confab-media's iceServers (RFC 7064/7065 URIs). Kept until the first
 * credential expires (at most 10 minutes); a server without the service costs one round trip per
 * 10 minutes. Credentials are secrets: they go to confab-media only, never to a log.
 */
import { xml, type Element } from '@xmpp/client';
import type { IceServer } from '@confab/media';
import { NS_EXTDISCO } from './jingle-ns';

const KEEP_MS = 10 * 60_000;
const ASK_TIMEOUT_MS = 2000;
const MAX_SERVICES = 8;
const HOST = /^[A-Za-z0-9.-]{1,253}$|^\[?[0-9A-Fa-f:.]{2,45}\]?$/;

/** The services of one `<services/>` answer we can use for ICE, with their expiry (ms since the epoch, or undefined). */
export function iceServersOf(services: Element | undefined, now = Date.now()): { servers: IceServer[]; expires?: number } {
  const servers: IceServer[] = [];
  let expires: number | undefined;
  for (const s of (services?.getChildren('service') ?? []).slice(0, 32)) {
    const a = s.attrs as Record<string, string | undefined>;
    const type = a.type;
    if (type !== 'stun' && type !== 'turn' && type !== 'turns') continue;
    const host = a.host ?? '';
    const port = a.port !== undefined && /^\d{1,5}$/.test(a.port) && Number(a.port) > 0 && Number(a.port) < 65536 ? a.port : undefined;
    const transport = a.transport === 'tcp' || a.transport === 'udp' ? a.transport : undefined;
    if (!HOST.test(host)) continue;
    const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    // RFC 7065 § 3.1: turn:host:port?transport=udp|tcp; RFC 7064 § 3.1: stun:host:port
    const url = `${type}:${h}${port ? `:${port}` : ''}${type !== 'stun' && transport ? `?transport=${transport}` : ''}`;
    const creds = type === 'stun' ? {} : { username: a.username ?? '', credential: a.password ?? '' };
    if (type !== 'stun' && (!creds.username || !creds.credential)) continue; // XEP-0215 §3.2: a TURN service without credentials would need a credentials request (§5): not done
    servers.push({ urls: [url], ...creds });
    const e = a.expires !== undefined ? Date.parse(a.expires) : NaN;
    if (Number.isFinite(e)) expires = Math.min(expires ?? e, e);
    if (servers.length >= MAX_SERVICES) break;
  }
  return { servers, ...(expires !== undefined && expires > now ? { expires } : {}) };
}

/** The ICE servers of one connection's server, asked for when a call needs them. */
export class ExternalServices {
  private cached?: { servers: IceServer[]; until: number };

  constructor(private readonly ask: (iq: Element, timeoutMs: number) => Promise<Element>, private readonly domain: () => string) {}

  async iceServers(): Promise<IceServer[]> {
    const now = Date.now();
    if (this.cached && this.cached.until > now) return this.cached.servers;
    let answer: Element | undefined;
    try {
      answer = (await this.ask(xml('iq', { type: 'get', to: this.domain() }, xml('services', { xmlns: NS_EXTDISCO })), ASK_TIMEOUT_MS)).getChild('services', NS_EXTDISCO);
    } catch {
      answer = undefined; // the server has no external services (service-unavailable) or did not answer: ICE on host candidates only
    }
    const { servers, expires } = iceServersOf(answer, now);
    this.cached = { servers, until: Math.min(expires ?? Infinity, now + KEEP_MS) - 5000 };
    return servers;
  }
}
