import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeAddress, silentLogger, type ContactPresence } from '@confab/sdk';
import { People, type PersonChange } from '../src/people/people';
import { Store } from '../src/storage/store';

const XMPP = ['x1', 'x2'];
const IRC = 'i1';

/** A store with two XMPP accounts and one IRC account, and People over it (ids are addresses on XMPP only). */
function setup(store = Store.memory()) {
  for (const id of [...XMPP, IRC]) {
    if (!store.accounts.exists(id)) store.accounts.insert({ id, protocol: id === IRC ? 'irc' : 'xmpp', displayName: id, params: {}, enabled: true });
  }
  const presence = new Map<string, ContactPresence>();
  const people = new People(store.db, store.people, {
    addressOf: (account, id) => (account === IRC ? undefined : normalizeAddress(id)),
    presenceOf: (account, id) => presence.get(`${account}/${id}`),
  }, silentLogger);
  const events: PersonChange[] = [];
  people.onChanged((batch) => events.push(...batch));
  const add = (accountId: string, contactId: string, alias = '') => {
    store.contacts.add(accountId, contactId, alias);
    people.sync();
    return { accountId, contactId };
  };
  const remove = (accountId: string, contactId: string) => {
    store.contacts.remove(accountId, contactId);
    people.sync();
  };
  return { store, people, events, add, remove, presence };
}

describe('people', () => {
  it('makes contacts that share an address one person, and says why', () => {
    const { people, add } = setup();
    const a = add('x1', 'carol@example.org');
    const b = add('x2', 'carol@example.org');
    expect(people.personOf(a)).toBe(people.personOf(b));
    const contacts = people.contacts(people.personOf(a));
    expect(contacts.map((c) => [c.accountId, c.reason])).toEqual([
      ['x1', 'its own person'],
      ['x2', 'same address carol@example.org as carol@example.org on x1'],
    ]);
  });

  it('never links on a display name alone', () => {
    const { people, add } = setup();
    const a = add('x1', 'carol@example.org', 'Carol');
    const b = add(IRC, 'carol', 'Carol');
    expect(people.personOf(a)).not.toBe(people.personOf(b));
  });

  it('links by an address a contact gave for themselves (WHOIS), older person kept', () => {
    const { people, add, events } = setup();
    const irc = add(IRC, 'carol');
    const jid = add('x1', 'carol@example.org');
    const older = people.personOf(irc);
    events.length = 0;
    people.learned(irc, ['xmpp:Carol@Example.org', 'not an address']);
    expect(people.personOf(jid)).toBe(older);
    expect(people.contacts(older).find((c) => c.accountId === 'x1')?.reason).toBe('same address carol@example.org as carol on i1');
    expect(events).toContainEqual({ id: older, change: 'changed' });
    expect(events.some((e) => e.change === 'removed')).toBe(true);
    expect(people.search('example.org', 10)).toEqual([older]);
  });

  it('keeps a link made by hand across a restart and across the contact leaving and coming back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'confab-people-'));
    try {
      let t = setup(Store.open(dir));
      const dave = t.add('x1', 'dave@example.org');
      const dmitri = t.add(IRC, 'dmitri');
      const person = t.people.personOf(dave);
      t.people.link(person, dmitri);
      expect(t.people.contacts(person).map((c) => [c.contactId, c.reason])).toEqual([['dave@example.org', 'its own person'], ['dmitri', 'linked by hand']]);
      t.store.close();

      t = setup(Store.open(dir));
      t.people.sync();
      expect(t.people.personOf(dmitri)).toBe(person);
      t.remove(IRC, 'dmitri'); // gone from the list…
      expect(t.people.contacts(person)).toHaveLength(1);
      t.add(IRC, 'dmitri'); // …and back: the user's link is remembered
      expect(t.people.personOf(dmitri)).toBe(person);
      t.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never undoes an unlink automatically', () => {
    const { people, add, remove } = setup();
    const a = add('x1', 'carol@example.org');
    const b = add('x2', 'carol@example.org');
    const irc = add(IRC, 'carol');
    people.learned(irc, ['carol@example.org']);
    const person = people.personOf(a);
    expect(people.contacts(person)).toHaveLength(3);

    const alone = people.unlink(person, b);
    expect(alone).not.toBe(person);
    expect(people.contacts(alone).map((c) => c.reason)).toEqual(['unlinked by hand']);
    people.learned(irc, ['carol@example.org', 'carol@other.example']); // new evidence, same address
    people.sync();
    remove('x2', 'carol@example.org');
    add('x2', 'carol@example.org'); // the same address arriving again
    expect(people.personOf(b)).not.toBe(person);
    expect(people.contacts(person)).toHaveLength(2);

    people.link(person, b); // the user changes their mind: that wins
    expect(people.personOf(b)).toBe(person);
  });

  it('refuses what makes no sense with typed errors', () => {
    const { people, add } = setup();
    const a = add('x1', 'carol@example.org');
    const p = people.personOf(a);
    expect(() => people.unlink(p, a)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => people.get(999)).toThrow(expect.objectContaining({ code: 'NotFound' }));
    expect(() => people.link(p, { accountId: 'x1', contactId: 'nobody@example.org' })).toThrow(expect.objectContaining({ code: 'NotFound' }));
    expect(() => people.merge(p, p)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => people.search('  ', 5)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('merges two people, keeping the alias, and takes the most available presence', () => {
    const { people, add, presence } = setup();
    const a = add('x1', 'carol@example.org');
    const irc = add(IRC, 'carol');
    const p = people.personOf(a);
    const q = people.personOf(irc);
    people.setAlias(q, 'Carol C.');
    people.merge(p, q);
    expect(() => people.get(q)).toThrow();
    expect(people.get(p).alias).toBe('Carol C.');
    expect(people.presence(p)).toEqual({ status: 'unknown', message: '' });
    presence.set('i1/carol', { id: 'carol', status: 'away', message: 'lunch' });
    expect(people.presence(p)).toEqual({ status: 'away', message: 'lunch' });
    presence.set('x1/carol@example.org', { id: 'carol@example.org', status: 'available', message: '' });
    expect(people.presence(p).status).toBe('available');
    presence.set('x1/carol@example.org', { id: 'carol@example.org', status: 'offline', message: '' });
    expect(people.presence(p)).toEqual({ status: 'away', message: 'lunch' });
  });

  it('shows a person\'s messages from every account in one timeline, in server-time order', () => {
    const { store, people, add } = setup();
    const a = add('x1', 'carol@example.org');
    const irc = add(IRC, 'carol');
    const p = people.personOf(a);
    people.link(p, irc);
    const cx = store.channels.ensure('x1', 'direct', 'carol@example.org').row;
    const ci = store.channels.ensure(IRC, 'direct', 'carol').row;
    const other = store.channels.ensure(IRC, 'direct', 'mallory').row;
    const msg = (channelId: number, accountId: string, body: string, serverTime: number) => ({
      channelId, accountId, senderId: 'carol', senderName: 'carol', serverTime, body, kind: 'normal' as const, outgoing: false, protocolId: null,
    });
    store.messages.storeReceived([msg(cx.id, 'x1', 'three', 3000), msg(ci.id, IRC, 'one', 1000), msg(other.id, IRC, 'not hers', 1500), msg(ci.id, IRC, 'four', 4000), msg(cx.id, 'x1', 'two', 2000)]);
    const all = store.messages.timeline(p, 0, 100);
    expect(all.map((m) => [m.body, m.accountId])).toEqual([['one', IRC], ['two', 'x1'], ['three', 'x1'], ['four', IRC]]);
    const page = store.messages.timeline(p, 0, 2);
    expect(page.map((m) => m.body)).toEqual(['three', 'four']);
    expect(store.messages.timeline(p, page[0].id, 2).map((m) => m.body)).toEqual(['one', 'two']);
    expect(store.messages.timeline(p, 123456, 2)).toEqual([]);
  });

  it('removes people whose contacts all went, with their account', () => {
    const { store, people, add, events } = setup();
    const a = add('x2', 'erin@example.org');
    const p = people.personOf(a);
    events.length = 0;
    store.accounts.delete('x2');
    people.sync();
    expect(events).toEqual([{ id: p, change: 'removed' }]);
    expect(people.table.all()).toEqual([]);
  });
});
