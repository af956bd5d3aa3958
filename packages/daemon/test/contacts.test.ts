import { NotFoundError, OfflineError } from '@confab/sdk';
import { fakeCore, settle } from './fakes';

describe('contacts', () => {
  it('keeps the daemon\'s list where the server has none, watched by the connection, with presence while connected', async () => {
    const { core, conn, account } = fakeCore();
    const id = await account();
    const changed: string[] = [];
    core.contacts.onChanged((a) => changed.push(a));
    await core.contacts.add(id, 'Bob', 'Bobby');
    expect(conn().requests).toContain('watch +bob');
    conn().presenceE.fire([{ id: 'BOB', status: 'away', message: 'lunch' }]);
    expect(core.contacts.list(id)).toEqual([{ id: 'bob', alias: 'Bobby', status: 'away', message: 'lunch' }]);
    expect(core.people.presence(core.people.personOf({ accountId: id, contactId: 'bob' })).status).toBe('away');
    core.accounts.setEnabled(id, false);
    expect(core.contacts.list(id)[0].status).toBe('unknown');
    expect(changed).toEqual([id, id, id]);
    core.accounts.setEnabled(id, true);
    await settle();
    expect(conn().requests).toContain('watch +bob'); // the new connection watches the list
    await core.contacts.remove(id, 'BOB');
    expect(conn().requests).toContain('watch -bob');
    await expect(core.contacts.remove(id, 'bob')).rejects.toThrow(NotFoundError);
  });

  it('mirrors a server roster, full or pushed; a change of it needs the server', async () => {
    const { core, conn, account } = fakeCore({ serverRoster: true });
    const id = await account();
    const roster = (full: boolean, items: string[], removed: string[] = []) =>
      conn().rosterE.fire({ full, items: items.map((i) => ({ id: i, alias: i.toUpperCase(), groups: [], subscription: 'both' })), removed });
    roster(true, ['a', 'b']);
    roster(false, ['c'], ['a']);
    expect(core.contacts.list(id).map((c) => [c.id, c.alias])).toEqual([['b', 'B'], ['c', 'C']]);
    roster(true, ['c']);
    expect(core.contacts.list(id).map((c) => c.id)).toEqual(['c']);
    core.accounts.setEnabled(id, false);
    await expect(core.contacts.add(id, 'd', '')).rejects.toThrow(OfflineError);
  });

  it('keeps subscription requests until answered or disconnected', async () => {
    const { core, conn, account } = fakeCore();
    const id = await account();
    const asked: string[] = [];
    core.contacts.onSubscriptionRequested((r) => asked.push(`${r.id}: ${r.message}`));
    conn().requestE.fire({ id: 'Eve', message: 'hi' });
    expect(asked).toEqual(['eve: hi']);
    expect(core.contacts.subscriptionRequests(id)).toEqual([{ id: 'eve', message: 'hi' }]);
    await core.contacts.answerSubscription(id, 'EVE', true);
    expect(conn().requests).toContain('answer eve true');
    expect(core.contacts.subscriptionRequests(id)).toEqual([]);
    conn().requestE.fire({ id: 'mallory', message: '' });
    core.accounts.setEnabled(id, false);
    expect(core.contacts.subscriptionRequests(id)).toEqual([]);
  });
});
