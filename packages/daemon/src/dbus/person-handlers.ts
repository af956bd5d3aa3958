/** The handlers of one person's object (im.confab.Confab1.Person): a thin map over the features. */
import type { Features } from '../core';
import type { Handlers } from './contract-object';
import { accountIdOf, accountPath, channelPath, pageSize, personIdOf, personPath, toNumber, wireMessage } from './wire';

export function personHandlers(f: Features, id: number): Handlers {
  const people = f.people;
  const contact = (account: string, contactId: string) => {
    const accountId = accountIdOf(account);
    const runner = f.accounts.runner(accountId);
    return { accountId, contactId: runner.protocol.normalizeContact(contactId) };
  };
  return {
    methods: {
      SetAlias: (alias: string) => people.setAlias(id, alias),
      Link: (account: string, contactId: string) => people.link(id, contact(account, contactId)),
      Unlink: (account: string, contactId: string) => personPath(people.unlink(id, contact(account, contactId))),
      Merge: (other: string) => people.merge(id, personIdOf(other)),
      OpenConversation: (media: string) => channelPath(f.conversations.openWithPerson(id, media).id),
      GetTimeline: (beforeId: bigint, limit: number) => {
        people.get(id);
        return f.messages.timeline(id, toNumber(beforeId, 'before_id'), pageSize(limit)).map(wireMessage);
      },
    },
    properties: {
      Id: () => id,
      Alias: () => people.get(id).alias,
      Name: () => people.name(id),
      Presence: () => {
        const p = people.presence(id);
        return [p.status, p.message];
      },
      Contacts: () => people.contacts(id).map((c) => [accountPath(c.accountId), c.contactId, c.alias, c.status, c.message, c.reason]),
      Addresses: () => people.addresses(id),
    },
  };
}
