/**
 * The account parameters (telepathy-rakia's are the model: account, auth-user, password, proxy,
 * transport, registrar expiry) and what a connection makes of them. Free of sip.js.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type AccountParams, type ParamSpec } from '@confab/sdk';
import { iceServerProblem, type AccountIceSettings } from './calls/ice-servers';
import { SIP_TRANSPORTS, type SipTransportName } from './node-transport';
import { parseSipAddress, formatSipAddress } from './sip-uri';

const port = (v: unknown) => (typeof v === 'number' && v >= 1 && v <= 65535 ? undefined : 'must be a port number from 1 to 65535');
const host = (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(v) ? undefined : 'must be a host name or an IP address');
const range = (lo: number, hi: number, unit: string) => (v: unknown) => (typeof v === 'number' && v >= lo && v <= hi ? undefined : `must be from ${lo} to ${hi} ${unit}`);
const uriProblem = (v: unknown) => {
  try {
    parseSipAddress(String(v));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

export type MediaEncryption = 'none' | 'srtp' | 'dtls-srtp';
export const MEDIA_ENCRYPTIONS: readonly MediaEncryption[] = ['none', 'srtp', 'dtls-srtp'];

export const SIP_PARAMETERS: readonly ParamSpec[] = [
  { name: 'uri', type: 'string', required: true, description: 'your SIP address, user@domain (a sip: URI; ;transport=tcp in it chooses the transport)', validate: uriProblem },
  { name: 'password', type: 'string', secret: true, description: 'your password' },
  { name: 'auth-user', type: 'string', description: "the user name for digest authentication, when not the address's user part" },
  { name: 'server', type: 'string', description: "the outbound proxy to connect to, when not the address's domain", validate: host },
  { name: 'port', type: 'int', description: "the proxy's port (default 5060; 5061 for TLS; 80 for WS; 443 for WSS)", validate: port },
  {
    name: 'transport', type: 'string', description: 'udp, tcp, tls, ws or wss (default: from the URI, else udp)',
    validate: (v) => (SIP_TRANSPORTS.includes(v as SipTransportName) ? undefined : `must be one of ${SIP_TRANSPORTS.join(', ')}`),
  },
  { name: 'ws-path', type: 'string', default: '/', description: 'the WebSocket path on the server (RFC 7118)' },
  { name: 'tls-ca', type: 'string', description: 'a PEM file with the CA that signed the server certificate (for self-signed servers)' },
  { name: 'display-name', type: 'string', description: 'the name shown to others (From header)' },
  { name: 'expires', type: 'int', default: 3600, description: 'seconds a registration lasts before it is refreshed (the registrar may shorten it)', validate: range(30, 86400, 'seconds') },
  { name: 'keepalive-interval', type: 'int', default: 30, description: 'seconds between keep-alives (RFC 5626 CRLF, WebSocket ping); 0 for none', validate: range(0, 3600, 'seconds') },
  {
    name: 'media-encryption', type: 'string', default: 'none',
    description: 'calls we place: none (RTP/AVP), srtp (RTP/SAVP keyed by SDES, RFC 4568) or dtls-srtp (UDP/TLS/RTP/SAVPF with ICE, RFC 8445, and DTLS-SRTP, RFC 5763/5764); an SRTP or DTLS-SRTP offer is always accepted',
    validate: (v) => (MEDIA_ENCRYPTIONS.includes(v as MediaEncryption) ? undefined : `must be one of ${MEDIA_ENCRYPTIONS.join(', ')}`),
  },
  { name: 'stun-server', type: 'string', description: 'a STUN server for calls with ICE (dtls-srtp): stun:host[:port] (RFC 7064)', validate: (v) => iceServerProblem(v, 'stun') },
  { name: 'turn-server', type: 'string', description: 'TURN servers for calls with ICE: turn:host[:port][?transport=udp|tcp] or turns:… (RFC 7065), comma-separated', validate: (v) => iceServerProblem(v, 'turn') },
  { name: 'turn-username', type: 'string', description: "the TURN user (with turn-secret: the name in the REST API's username; default the address's user part)" },
  { name: 'turn-password', type: 'string', secret: true, description: 'the TURN password (long-term credentials, RFC 8489 § 9.2)' },
  { name: 'turn-secret', type: 'string', secret: true, description: "the TURN REST API's shared secret (coturn use-auth-secret): time-limited credentials made for each call" },
  { name: 'rtp-timeout', type: 'int', default: 30, description: 'seconds without RTP from the far end (not on hold) after which a call ends media-failed and is hung up; 0 for never', validate: range(0, 3600, 'seconds') },
];

export interface SipSettings {
  /** The address of record, user@domain. */
  readonly aor: string;
  readonly password?: string;
  readonly authUser: string;
  readonly server: string;
  readonly port: number;
  readonly transport: SipTransportName;
  readonly wsPath: string;
  readonly tlsCa?: string;
  readonly displayName?: string;
  readonly expires: number;
  readonly keepAlive: number;
  /** What our own call offers carry (an incoming SRTP offer is answered with SRTP whatever this says). */
  readonly mediaEncryption: MediaEncryption;
  /** Seconds without the far end's RTP before a call ends (0: never). */
  readonly rtpTimeout: number;
  /** The account's STUN/TURN servers (secrets among them). */
  readonly ice: AccountIceSettings;
}

const DEFAULT_PORTS: Readonly<Record<SipTransportName, number>> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 }; // RFC 3261 §19.1.2, RFC 7118 §4

export function accountSettings(params: AccountParams): SipSettings {
  const str = (name: string): string | undefined => (typeof params[name] === 'string' && params[name] ? (params[name] as string) : undefined);
  const raw = String(params.uri ?? '');
  const address = parseSipAddress(raw);
  const transport = (params.transport as SipTransportName | undefined) ?? transportOfUri(raw);
  let tlsCa: string | undefined;
  if (typeof params['tls-ca'] === 'string' && params['tls-ca']) {
    try {
      tlsCa = readFileSync(params['tls-ca'], 'utf8');
    } catch (e) {
      throw new InvalidArgumentError(`tls-ca: ${(e as Error).message}`);
    }
  }
  return {
    aor: formatSipAddress({ user: address.user, host: address.host }),
    password: typeof params.password === 'string' ? params.password : undefined,
    authUser: typeof params['auth-user'] === 'string' && params['auth-user'] ? params['auth-user'] : decodeURIComponent(address.user),
    server: typeof params.server === 'string' && params.server ? params.server : address.host,
    port: typeof params.port === 'number' ? params.port : address.port ?? DEFAULT_PORTS[transport],
    transport,
    wsPath: typeof params['ws-path'] === 'string' ? params['ws-path'] : '/',
    tlsCa,
    displayName: typeof params['display-name'] === 'string' ? params['display-name'] : undefined,
    expires: typeof params.expires === 'number' ? params.expires : 3600,
    keepAlive: typeof params['keepalive-interval'] === 'number' ? params['keepalive-interval'] : 30,
    mediaEncryption: MEDIA_ENCRYPTIONS.includes(params['media-encryption'] as MediaEncryption) ? (params['media-encryption'] as MediaEncryption) : 'none',
    rtpTimeout: typeof params['rtp-timeout'] === 'number' ? params['rtp-timeout'] : 30,
    ice: {
      ...(str('stun-server') ? { stunServer: str('stun-server') } : {}),
      ...(str('turn-server') ? { turnServer: str('turn-server') } : {}),
      ...(str('turn-username') ? { turnUsername: str('turn-username') } : {}),
      ...(str('turn-password') ? { turnPassword: str('turn-password') } : {}),
      ...(str('turn-secret') ? { turnSecret: str('turn-secret') } : {}),
    },
  };
}

/** RFC 3261 §19.1.1: a `transport` URI parameter, or TLS for a sips: URI; UDP otherwise (§18.1.1). */
function transportOfUri(uri: string): SipTransportName {
  const t = /;\s*transport=([a-z]+)/i.exec(uri)?.[1]?.toLowerCase();
  if (t && SIP_TRANSPORTS.includes(t as SipTransportName)) return t as SipTransportName;
  return /^\s*(?:[^<]*<)?sips:/i.test(uri) ? 'tls' : 'udp';
}
