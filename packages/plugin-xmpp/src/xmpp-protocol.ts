/**
 * XMPP as a Confab protocol: its parameters (telepathy-gabble's are the model), contact
 * normalization (bare JIDs, RFC 7622) and account naming.
 */
import {
  normalizeAddress,
  type AccountConfig, type AccountParams, type Connection, type ConnectionServices, type ParamSpec, type Protocol, type ProtocolCapabilities,
} from '@confab/sdk';
import { normalizeJid } from './jid';
import { XmppConnection } from './xmpp-connection';

const port = (v: unknown) => (typeof v === 'number' && v >= 1 && v <= 65535 ? undefined : 'must be a port number from 1 to 65535');
const host = (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(v) ? undefined : 'must be a host name or an IP address');
const jidProblem = (v: unknown) => {
  try {
    const j = normalizeJid(String(v));
    return j.includes('@') ? undefined : 'must be user@domain';
  } catch (e) {
    return (e as Error).message;
  }
};

export const XMPP_PARAMETERS: readonly ParamSpec[] = [
  { name: 'jid', type: 'string', required: true, description: 'your address, user@domain', validate: jidProblem },
  { name: 'password', type: 'string', secret: true, description: 'your password' },
  { name: 'server', type: 'string', description: "the server to connect to, when not the JID's domain", validate: host },
  { name: 'port', type: 'int', default: 5222, description: 'the port (5222 for STARTTLS; 5223 for direct TLS)', validate: port },
  { name: 'direct-tls', type: 'bool', default: false, description: 'connect with TLS from the first byte (XEP-0368) instead of STARTTLS' },
  { name: 'tls-ca', type: 'string', description: 'a PEM file with the CA that signed the server certificate (for self-signed servers)' },
  { name: 'resource', type: 'string', default: 'confab', description: 'the resource (this device)' },
  {
    name: 'ping-interval', type: 'int', default: 60,
    description: 'seconds between liveness pings (XEP-0199); a server silent for as long again is given up',
    validate: (v) => (typeof v === 'number' && v >= 1 && v <= 3600 ? undefined : 'must be from 1 to 3600 seconds'),
  },
  { name: 'nickname', type: 'string', description: "the nick in rooms (default: the JID's user part)" },
];

export const XMPP_CAPABILITIES: ProtocolCapabilities = {
  channelClasses: [{ kind: 'direct', media: 'text' }, { kind: 'room', media: 'text' }, { kind: 'direct', media: 'call' }],
  presenceStatuses: ['available', 'away', 'busy', 'invisible', 'offline'],
  writableContactFields: [],
  serverRoster: true,
};

export class XmppProtocol implements Protocol {
  readonly id = 'xmpp';
  readonly displayName = 'XMPP';
  readonly parameters = XMPP_PARAMETERS;
  readonly capabilities = XMPP_CAPABILITIES;

  normalizeContact(id: string): string {
    return normalizeJid(id);
  }

  /** A bare JID is an address (RFC 7622 §3: localpart@domainpart); a domain-only JID is a service, not a person. */
  contactAddress(id: string): string | undefined {
    return normalizeAddress(normalizeJid(id));
  }

  identifyAccount(params: AccountParams): string {
    return normalizeJid(String(params.jid));
  }

  createConnection(account: AccountConfig, services: ConnectionServices): Connection {
    return new XmppConnection(account, services.log, services.state, services.cacheDir, services.media);
  }
}
