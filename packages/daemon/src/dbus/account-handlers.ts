/** The handlers of one account's object (im.confab.Confab1.Account): a thin map over the features. */
import dbus from 'dbus-next';
import type { Logger } from '@confab/sdk';
import type { Features } from '../core';
import { listingRequest } from './room-listing-wire';
import type { Handlers } from './contract-object';
import { channelPath, unwrapVardict } from './wire';

/**
 * The names of each account's secrets that have a value (SecretsSet), read from the secret store
 * when the account appears or changes: the store may be another process, and a property getter
 * cannot wait for it.
 */
export class SecretNames {
  private readonly names = new Map<string, string[]>();

  constructor(
    private readonly f: Features,
    /** Told once the names of an account were read. */
    private readonly read: (accountId: string) => void,
    private readonly log: Logger,
  ) {}

  get(accountId: string): string[] {
    return this.names.get(accountId) ?? [];
  }

  refresh(accountId: string): void {
    this.f.accounts.secretNames(accountId).then(
      (names) => {
        this.names.set(accountId, names);
        this.read(accountId);
      },
      (err: unknown) => this.log.warn('listing the secrets of %s failed: %s', accountId, (err as Error).message),
    );
  }

  delete(accountId: string): void {
    this.names.delete(accountId);
  }
}

export function accountHandlers(f: Features, id: string, secretNames: SecretNames): Handlers {
  const runner = () => f.accounts.runner(id);
  return {
    methods: {
      Update: (set: Record<string, { value: unknown }>, unset: string[]) => f.accounts.update(id, unwrapVardict(set), unset),
      SetDisplayName: (name: string) => f.accounts.setDisplayName(id, name),
      SetEnabled: (enabled: boolean) => f.accounts.setEnabled(id, enabled),
      Reconnect: () => f.accounts.reconnect(id),
      Remove: () => f.accounts.remove(id),
      JoinRoom: (room: string, key: string) => channelPath(f.rooms.join(id, room, key).id),
      OpenDirect: (contact: string) => channelPath(f.conversations.openDirect(id, contact).id),
      OpenConversation: async (target: string) => channelPath((await f.rooms.openConversation(id, target)).id),
      FindConversation: (target: string) => channelPath(f.conversations.findConversation(id, target).id),
      AddContact: (contact: string, alias: string) => f.contacts.add(id, contact, alias),
      RemoveContact: (contact: string) => f.contacts.remove(id, contact),
      GetContactInfo: (contact: string) => f.contacts.info(id, contact),
      AnswerSubscription: (contact: string, allow: boolean) => f.contacts.answerSubscription(id, contact, allow),
      ListRooms: (options: Record<string, { value: unknown }>) => f.roomListings.start(id, listingRequest(unwrapVardict(options))),
      StopListingRooms: (listing: number) => f.roomListings.stop(id, listing),
    },
    properties: {
      Id: () => id,
      Protocol: () => runner().account.protocol,
      DisplayName: () => runner().account.displayName,
      Identity: () => f.accounts.identity(id),
      Parameters: () => toVardict(runner().account.params),
      SecretsSet: () => secretNames.get(id),
      Enabled: () => runner().account.enabled,
      Status: () => runner().status,
      StatusReason: () => runner().reason,
      StatusDetail: () => runner().detail,
      NextRetry: () => runner().nextRetry,
      Contacts: () => f.contacts.list(id).map((c) => [c.id, c.alias, c.status, c.message]),
      SubscriptionRequests: () => f.contacts.subscriptionRequests(id).map((r) => [r.id, r.message]),
      OutboxSize: () => f.messages.outboxSize(id),
    },
  };
}

function toVardict(params: Record<string, unknown>): Record<string, InstanceType<typeof dbus.Variant>> {
  const out: Record<string, InstanceType<typeof dbus.Variant>> = {};
  for (const [k, v] of Object.entries(params)) {
    const sig = typeof v === 'boolean' ? 'b' : typeof v === 'number' ? 'x' : Array.isArray(v) ? 'as' : 's';
    out[k] = new dbus.Variant(sig, v);
  }
  return out;
}
