/** The handlers of the root object (im.confab.Confab1.Manager): a thin map over the features. */
import { NotImplementedError } from '@confab/sdk';
import type { Features } from '../core';
import type { Handlers } from './contract-object';
import { callOptions } from './call-handlers';
import { accountIdOf, accountPath, callPath, channelPath, messageIds, pageSize, personPath, toNumber, unwrapVardict, wireCallEntry, wireMessage } from './wire';

/** What the manager shows of the daemon itself. */
export interface ServiceState {
  readonly version: string;
  failedPlugins(): Array<[string, string]>;
  configError(): string;
  reloadConfig(): void;
}

export function managerHandlers(f: Features, state: ServiceState): Handlers {
  return {
    methods: {
      ListProtocols: () => [...f.accounts.protocols.values()].map((p) => [p.id, p.displayName]).sort((a, b) => a[0].localeCompare(b[0])),
      GetParameters: (protocol: string) =>
        f.accounts.protocol(protocol).parameters.map((s) => [
          s.name,
          s.type,
          [s.required ? 'required' : '', s.secret ? 'secret' : '', s.live ? 'live' : ''].filter(Boolean).join(','),
          s.default === undefined ? '' : Array.isArray(s.default) ? s.default.join(',') : String(s.default),
          s.description,
        ]),
      CreateAccount: async (protocol: string, displayName: string, params: Record<string, { value: unknown }>) =>
        accountPath((await f.accounts.create(protocol, displayName, unwrapVardict(params))).id),
      SetPresence: (status: string, message: string) => f.accounts.setPresence(status, message),
      GetPending: (limit: number) => f.messages.pending(limit).map(wireMessage),
      GetInbox: (limit: number) => f.messages.inbox(limit).map(({ channel, unread }) => [channelPath(channel.id), accountPath(channel.accountId), channel.target, channel.lastActivity, unread]),
      SearchPeople: (text: string, limit: number) => f.people.search(text, pageSize(limit)).map(personPath),
      GetPerson: (account: string, contact: string) => {
        const accountId = accountIdOf(account);
        return personPath(f.people.personOf({ accountId, contactId: f.accounts.runner(accountId).protocol.normalizeContact(contact) }));
      },
      Acknowledge: (ids: unknown[]) => f.messages.acknowledge(ids.map((id) => toNumber(id, 'a message id'))),
      SearchHistory: (query: string, beforeId: bigint, limit: number) =>
        f.messages.search(query, toNumber(beforeId, 'before_id'), pageSize(limit)).map(wireMessage),
      GetMarkup: (ids: unknown[]) => f.messages.markup(messageIds(ids)),
      GetFailures: (ids: unknown[]) => f.messages.failures(messageIds(ids)),
      GetCalls: (ids: unknown[]) => f.messages.calls(messageIds(ids)).map(wireCallEntry),
      StartCall: async (account: string, target: string, options: Record<string, { value: unknown }>) =>
        callPath(await f.calls.start(accountIdOf(account), target, callOptions(options, { audio: true, video: false }))),
      ListDevices: () => {
        if (!f.media) throw new NotImplementedError('this confabd runs without confab-media');
        return f.media.devices();
      },
      ReloadConfig: () => state.reloadConfig(),
    },
    properties: {
      Version: () => state.version,
      Presence: () => [f.accounts.presence.status, f.accounts.presence.message],
      FailedPlugins: () => state.failedPlugins(),
      ConfigError: () => state.configError(),
      SecretStore: () => f.accounts.secretStoreKind,
    },
  };
}
