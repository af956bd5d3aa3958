/**
 * Tox as a Confab protocol: parameters, contact ids (public keys; a Tox ID is accepted wherever a
 * contact is named) and account naming. The friend list lives in the profile, like a server roster:
 * adding sends a friend request, a received request is a subscription request (as for XMPP).
 */
import type { AccountConfig, AccountParams, Connection, ConnectionServices, ParamSpec, Protocol, ProtocolCapabilities } from '@confab/sdk';
import { parseContact } from './tox-contacts';
import { TOX_PARAMETERS } from './tox-settings';

export const TOX_CAPABILITIES: ProtocolCapabilities = {
  channelClasses: [{ kind: 'direct', media: 'text' }, { kind: 'direct', media: 'call' }, { kind: 'room', media: 'text' }], // calls: ToxAV (av/); rooms: conferences (conference/)
  presenceStatuses: ['available', 'away', 'busy', 'offline'],
  writableContactFields: [],
  serverRoster: true,
};

export class ToxProtocol implements Protocol {
  readonly id = 'tox';
  readonly displayName = 'Tox';
  readonly parameters: readonly ParamSpec[] = TOX_PARAMETERS;
  readonly capabilities = TOX_CAPABILITIES;

  normalizeContact(id: string): string {
    return parseContact(id).id;
  }

  identifyAccount(params: AccountParams): string {
    return typeof params.name === 'string' && params.name ? params.name : 'Tox';
  }

  createConnection(account: AccountConfig, services: ConnectionServices): Connection {
    const { ToxConnection } = require('./tox-connection') as typeof import('./tox-connection');
    return new ToxConnection(account, services);
  }
}
