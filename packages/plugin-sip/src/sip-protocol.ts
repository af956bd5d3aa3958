/**
 * SIP as a Confab protocol: parameters, contact ids (user@host, RFC 3261 §19.1) and account naming.
 * Contacts are kept by the daemon (SIP has no roster); their presence comes by SUBSCRIBE.
 */
import {
  normalizeAddress,
  type AccountConfig, type AccountParams, type Connection, type ConnectionServices, type ParamSpec, type Protocol, type ProtocolCapabilities,
} from '@confab/sdk';
import { SIP_PARAMETERS } from './sip-settings';
import { normalizeSipAddress, parseSipAddress, formatSipAddress } from './sip-uri';

export const SIP_CAPABILITIES: ProtocolCapabilities = {
  channelClasses: [{ kind: 'direct', media: 'text' }, { kind: 'direct', media: 'call' }],
  presenceStatuses: ['available', 'away', 'busy', 'invisible', 'offline'],
  writableContactFields: [],
};

export class SipProtocol implements Protocol {
  readonly id = 'sip';
  readonly displayName = 'SIP';
  readonly parameters: readonly ParamSpec[] = SIP_PARAMETERS;
  readonly capabilities = SIP_CAPABILITIES;

  normalizeContact(id: string): string {
    return normalizeSipAddress(id);
  }

  /** user@host without a port is an address people share across networks (addresses.ts). */
  contactAddress(id: string): string | undefined {
    const a = parseSipAddress(id);
    return normalizeAddress(formatSipAddress({ user: a.user, host: a.host }));
  }

  identifyAccount(params: AccountParams): string {
    const a = parseSipAddress(String(params.uri));
    return formatSipAddress({ user: a.user, host: a.host });
  }

  createConnection(account: AccountConfig, services: ConnectionServices): Connection {
    // Loaded here, not at the top: sip.js is an ES module, and the rest of the plugin loads without it.
    const { SipConnection } = require('./sip-connection') as typeof import('./sip-connection');
    return new SipConnection(account, services.log, services.media);
  }
}
