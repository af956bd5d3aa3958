/** The account's parameters (irc-protocol.ts describes and validates them) with their defaults filled in. */
import type { AccountConfig } from '@confab/sdk';

type Params = AccountConfig['params'];

export interface IrcSettings {
  readonly server: string;
  readonly port: number;
  readonly nickname: string;
  readonly username: string;
  readonly realname: string;
  /** The server password (PASS), not a SASL one. */
  readonly password: string | undefined;
  readonly tls: boolean;
  readonly tlsVerify: boolean;
  readonly tlsCa: string | undefined;
  readonly tlsCert: string | undefined;
  readonly quitMessage: string;
  /** Seconds without data from the server before the link is given up. */
  readonly pingTimeout: number;
  readonly sasl: 'plain' | 'external' | 'none';
  readonly saslUsername: string;
  readonly saslPassword: string;
  /** Flood control: lines sent at once, then lines per second. */
  readonly floodBurst: number;
  readonly floodRate: number;
  /** Seconds between ISON polls on servers without MONITOR. */
  readonly isonInterval: number;
}

export function ircSettings(p: Params): IrcSettings {
  return {
    server: String(p.server),
    port: Number(p.port ?? 6667),
    nickname: String(p.nickname),
    username: p.username === undefined ? String(p.nickname) : String(p.username),
    realname: p.realname === undefined ? String(p.nickname) : String(p.realname),
    password: p.password === undefined ? undefined : String(p.password),
    tls: p.tls === true,
    tlsVerify: p['tls-verify'] !== false,
    tlsCa: p['tls-ca'] === undefined ? undefined : String(p['tls-ca']),
    tlsCert: p['tls-client-cert'] === undefined ? undefined : String(p['tls-client-cert']),
    quitMessage: String(p['quit-message'] ?? 'Confab'),
    pingTimeout: Number(p['ping-timeout'] ?? 90),
    sasl: saslChoice(p),
    saslUsername: String(p['sasl-username'] ?? p.nickname),
    saslPassword: p['sasl-password'] === undefined ? '' : String(p['sasl-password']),
    floodBurst: Number(p['flood-burst'] ?? 5),
    floodRate: Number(p['flood-rate'] ?? 2),
    isonInterval: Number(p['ison-interval'] ?? 30),
  };
}

/** Which SASL mechanism the parameters ask for (`auto`: PLAIN with a password, EXTERNAL with only a client certificate). */
function saslChoice(p: Params): 'plain' | 'external' | 'none' {
  const m = String(p['sasl-mechanism'] ?? 'auto');
  if (m === 'plain' || m === 'external' || m === 'none') return m;
  if (p['sasl-password'] !== undefined) return 'plain';
  if (p['tls-client-cert'] !== undefined && p.tls === true) return 'external';
  return 'none';
}
