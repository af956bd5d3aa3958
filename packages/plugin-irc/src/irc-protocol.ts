/**
 * IRC as a Confab protocol: its parameters (telepathy-idle's `protocol.c` table is the model),
 * contact normalization and account naming.
 */
import type {
  AccountConfig, AccountParams, ChannelKind, Connection, ConnectionServices, ParamSpec, Protocol, ProtocolCapabilities,
} from '@confab/sdk';
import { nickProblem, normalizeTarget, targetKind } from './casemap';
import { IrcConnection } from './irc-connection';

const port = (v: unknown) => (typeof v === 'number' && v >= 1 && v <= 65535 ? undefined : 'must be a port number from 1 to 65535');
const nonEmpty = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? undefined : 'must not be empty');
const host = (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(v) ? undefined : 'must be a host name or an IP address');

export const IRC_PARAMETERS: readonly ParamSpec[] = [
  { name: 'server', type: 'string', required: true, description: 'the IRC server host name or address', validate: host },
  { name: 'port', type: 'int', default: 6667, description: 'the server port (6697 is the usual TLS port)', validate: port },
  { name: 'nickname', type: 'string', required: true, description: 'your nickname', validate: (v) => nickProblem(String(v)) },
  { name: 'username', type: 'string', description: 'the user name (ident); defaults to the nickname', validate: nonEmpty },
  { name: 'realname', type: 'string', description: 'the real name shown in WHOIS', validate: nonEmpty },
  { name: 'password', type: 'string', secret: true, description: 'the server password (PASS)' },
  { name: 'tls', type: 'bool', default: false, description: 'connect with TLS' },
  { name: 'tls-verify', type: 'bool', default: true, description: "verify the server's TLS certificate (leave on)" },
  { name: 'tls-ca', type: 'string', description: 'a PEM file with the CA that signed the server certificate (for self-signed servers)' },
  { name: 'tls-client-cert', type: 'string', description: 'a PEM file with a client certificate and its key' },
  { name: 'quit-message', type: 'string', default: 'Confab', description: 'the message sent with QUIT' },
  {
    name: 'ping-timeout', type: 'int', default: 90,
    description: 'seconds of silence from the server before the connection is given up (we PING every third of it)',
    validate: (v) => (typeof v === 'number' && v >= 3 && v <= 3600 ? undefined : 'must be from 3 to 3600 seconds'),
  },
  {
    name: 'flood-burst', type: 'int', default: 5, description: 'lines sent at once before flood control paces them',
    validate: (v) => (typeof v === 'number' && v >= 1 && v <= 10_000 ? undefined : 'must be from 1 to 10000'),
  },
  {
    name: 'flood-rate', type: 'int', default: 2, description: 'lines per second after the burst (raise it only for servers that allow more)',
    validate: (v) => (typeof v === 'number' && v >= 1 && v <= 10_000 ? undefined : 'must be from 1 to 10000'),
  },
  {
    name: 'ison-interval', type: 'int', default: 30,
    description: "seconds between presence checks of the contacts (ISON) on servers without MONITOR",
    validate: (v) => (typeof v === 'number' && v >= 1 && v <= 3600 ? undefined : 'must be from 1 to 3600 seconds'),
  },
  {
    name: 'sasl-mechanism', type: 'string', default: 'auto',
    description: 'SASL: auto (PLAIN when sasl-password is set, EXTERNAL when only tls-client-cert is), plain, external or none',
    validate: (v) => (['auto', 'plain', 'external', 'none'].includes(String(v)) ? undefined : 'must be auto, plain, external or none'),
  },
  { name: 'sasl-username', type: 'string', description: 'the services account to log in to (default: the nickname)', validate: nonEmpty },
  { name: 'sasl-password', type: 'string', secret: true, description: 'the services account password (SASL PLAIN)' },
];

export const IRC_CAPABILITIES: ProtocolCapabilities = {
  channelClasses: [
    { kind: 'direct', media: 'text' },
    { kind: 'room', media: 'text' },
  ],
  presenceStatuses: ['available', 'away', 'busy', 'offline'],
  writableContactFields: [],
};

export class IrcProtocol implements Protocol {
  readonly id = 'irc';
  readonly displayName = 'IRC';
  readonly parameters = IRC_PARAMETERS;
  readonly capabilities = IRC_CAPABILITIES;

  normalizeContact(id: string): string {
    return normalizeTarget(id);
  }

  /** Offline, a channel is what starts with one of RFC 2812's prefixes (§1.3); connected, the server's CHANTYPES decide (IrcConnection.rooms.kindOf). */
  targetKind(target: string): ChannelKind {
    return targetKind(target);
  }

  identifyAccount(params: AccountParams): string {
    return `${String(params.nickname)}@${String(params.server)}`;
  }

  createConnection(account: AccountConfig, services: ConnectionServices): Connection {
    return new IrcConnection(account, services.log);
  }
}
