import { diffRoster, entryOf, groupsOf, readRoster, SUB_ASK, SUB_NO, SUB_YES } from '../src/connections/roster-state';
import type { ConfabContacts } from '../src/confab';

const item = (id: string, subscription: string, groups: string[] = []) => ({ id, alias: '', subscription, groups });

describe('the roster as ContactList sees it', () => {
  it('maps RFC 6121 subscriptions to subscribe/publish states', () => {
    expect(entryOf(item('a@x', 'none'), undefined)).toMatchObject({ subscribe: SUB_NO, publish: SUB_NO });
    expect(entryOf(item('a@x', 'none+ask'), undefined)).toMatchObject({ subscribe: SUB_ASK, publish: SUB_NO });
    expect(entryOf(item('a@x', 'to'), 'let me in')).toMatchObject({ subscribe: SUB_YES, publish: SUB_ASK, publishRequest: 'let me in' });
    expect(entryOf(item('a@x', 'from'), undefined)).toMatchObject({ subscribe: SUB_NO, publish: SUB_YES });
    expect(entryOf(item('a@x', 'both', ['b', 'a', 'b']), 'stale')).toMatchObject({ subscribe: SUB_YES, publish: SUB_YES, publishRequest: '', groups: ['a', 'b'] });
  });

  it('is waiting until the server sent the roster, and lists who asks to see us', () => {
    const contacts = (items: ReturnType<typeof item>[] | undefined) => ({
      rosterItems: () => items,
      subscriptionRequests: () => [{ id: 'asker@x', message: 'hi' }],
    }) as unknown as ConfabContacts;
    expect(readRoster(contacts(undefined), 'acc')).toBeUndefined();
    const r = readRoster(contacts([item('a@x', 'both', ['G'])]), 'acc')!;
    expect([...r.keys()].sort()).toEqual(['a@x', 'asker@x']);
    expect(r.get('asker@x')).toMatchObject({ subscribe: SUB_NO, publish: SUB_ASK, publishRequest: 'hi', groups: [] });
  });

  it('says what changed: states, removals, groups made and emptied, memberships', () => {
    const before = new Map([['a@x', entryOf(item('a@x', 'to', ['Work']), undefined)], ['b@x', entryOf(item('b@x', 'both', ['Old']), undefined)]]);
    const after = new Map([['a@x', entryOf(item('a@x', 'both', ['Work', 'Home']), undefined)], ['c@x', entryOf(item('c@x', 'none+ask'), undefined)]]);
    const d = diffRoster(before, after);
    expect(d.changed.map((e) => e.id).sort()).toEqual(['a@x', 'c@x']);
    expect(d.removed).toEqual(['b@x']);
    expect(d.groupsCreated).toEqual(['Home']);
    expect(d.groupsRemoved).toEqual(['Old']);
    expect(d.membership).toEqual([{ id: 'a@x', added: ['Home'], removed: [] }, { id: 'b@x', added: [], removed: ['Old'] }]);
    expect(groupsOf(after)).toEqual(['Home', 'Work']);
    expect(diffRoster(after, after)).toMatchObject({ changed: [], removed: [], groupsCreated: [], groupsRemoved: [], membership: [] });
  });
});
