import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/storage/store';

function withAccount(store: Store) {
  store.accounts.insert({ id: 'a1', protocol: 'irc', displayName: 'A', params: { server: 'x' }, enabled: true });
  return store.channels.ensure('a1', 'room', '#c').row;
}

const incoming = (channelId: number, body: string, protocolId: string | null = null) => ({
  channelId, accountId: 'a1', senderId: 'bob', senderName: 'Bob', serverTime: 1000, body, kind: 'normal' as const, outgoing: false, protocolId,
});

describe('the store', () => {
  it('runs its migrations once and reopens', () => {
    const dir = mkdtempSync(join(tmpdir(), 'confab-store-'));
    const s1 = Store.open(dir);
    withAccount(s1);
    s1.close();
    const s2 = Store.open(dir);
    expect(s2.accounts.all().map((a) => a.id)).toEqual(['a1']);
    expect(s2.db.pragma('journal_mode', { simple: true })).toBe('wal');
    s2.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores received messages as pending and acknowledges them', () => {
    const s = Store.memory();
    const ch = withAccount(s);
    const rows = s.messages.storeReceived([incoming(ch.id, 'one'), incoming(ch.id, 'two')]);
    expect(rows.map((r) => [r.body, r.state, r.accountId])).toEqual([['one', 'received', 'a1'], ['two', 'received', 'a1']]);
    expect(s.messages.pending(0)).toHaveLength(2);
    expect(s.messages.unreadIn(ch.id)).toBe(2);
    expect(s.messages.acknowledge([rows[0].id, 9999])).toEqual({ channels: new Set([ch.id]), acknowledged: [rows[0].id] }); // the channels whose count went down, the ids that were pending
    expect(s.messages.pending(0).map((r) => r.body)).toEqual(['two']);
    expect(s.messages.unread()).toEqual(new Map([[ch.id, 1]]));
  });

  it('stores a message with a known protocol id once', () => {
    const s = Store.memory();
    const ch = withAccount(s);
    s.messages.storeReceived([incoming(ch.id, 'hi', 'msgid-1')]);
    const again = s.messages.storeReceived([incoming(ch.id, 'hi', 'msgid-1'), incoming(ch.id, 'new', 'msgid-2')]);
    expect(again.map((r) => r.body)).toEqual(['new']);
    expect(s.messages.history(ch.id, 0, 10)).toHaveLength(2);
  });

  it('keeps outgoing messages in the outbox until confirmed', () => {
    const s = Store.memory();
    const ch = withAccount(s);
    const m = s.messages.enqueue('a1', { channelId: ch.id, senderId: '', senderName: '', body: 'out', kind: 'normal' });
    expect(m.state).toBe('queued');
    expect(s.messages.outbox('a1').map((r) => r.id)).toEqual([m.id]);
    s.messages.confirm(m.id, { serverTime: 5, protocolId: 'p1' });
    expect(s.messages.outbox('a1')).toHaveLength(0);
    expect(s.messages.get(m.id)).toMatchObject({ state: 'sent', serverTime: 5, protocolId: 'p1' });
  });

  it('pages history and searches it', () => {
    const s = Store.memory();
    const ch = withAccount(s);
    s.messages.storeReceived(Array.from({ length: 25 }, (_, i) => incoming(ch.id, `line ${i} ${i % 5 === 0 ? 'banana' : 'apple'}`)));
    const last = s.messages.history(ch.id, 0, 10);
    expect(last.map((r) => r.body.split(' ')[1])).toEqual(['15', '16', '17', '18', '19', '20', '21', '22', '23', '24']);
    const before = s.messages.history(ch.id, last[0].id, 10);
    expect(before[9].body.split(' ')[1]).toBe('14');
    const found = s.messages.search('banana', 0, 100);
    expect(found.map((r) => r.body.split(' ')[1])).toEqual(['20', '15', '10', '5', '0']);
    expect(() => s.messages.search('"unbalanced', 0, 10)).toThrow();
  });

  it('removing an account removes its channels, messages and queues', () => {
    const s = Store.memory();
    const ch = withAccount(s);
    s.messages.storeReceived([incoming(ch.id, 'x')]);
    s.messages.enqueue('a1', { channelId: ch.id, senderId: '', senderName: '', body: 'y', kind: 'normal' });
    s.accounts.delete('a1');
    expect(s.channels.all()).toHaveLength(0);
    expect(s.messages.pending(0)).toHaveLength(0);
    expect(s.messages.search('x OR y', 0, 10)).toHaveLength(0);
  });

  it('keeps contacts per account, in the order added, with an alias', () => {
    const s = Store.memory();
    withAccount(s);
    s.contacts.add('a1', 'bob', '');
    s.contacts.add('a1', 'alice', 'Alice');
    s.contacts.add('a1', 'bob', 'Bobby'); // again: renames, keeps its place
    expect(s.contacts.forAccount('a1').map((c) => [c.id, c.alias])).toEqual([['bob', 'Bobby'], ['alice', 'Alice']]);
    expect(s.contacts.remove('a1', 'carol')).toBe(false);
    expect(s.contacts.remove('a1', 'bob')).toBe(true);
    expect(s.contacts.has('a1', 'bob')).toBe(false);
    s.accounts.delete('a1');
    expect(s.contacts.forAccount('a1')).toEqual([]);
  });

  it('moves outgoing messages to delivered and read, forward only, for their own account only', () => {
    const s = Store.memory();
    const ch = withAccount(s);
    const out = (body: string) => s.messages.enqueue('a1', { channelId: ch.id, senderId: 'me', senderName: 'Me', body, kind: 'normal' });
    const [m1, m2, m3] = [out('one'), out('two'), out('three')];
    s.messages.confirm(m1.id, {});
    expect(s.messages.advance('other-account', m1.id, 'delivered')).toEqual([]);
    expect(s.messages.advance('a1', m2.id, 'delivered').map((r) => [r.id, r.state])).toEqual([[m2.id, 'delivered']]);
    s.messages.confirm(m2.id, {}); // the receipt came first: the confirmation does not take it back
    expect(s.messages.advance('a1', m2.id, 'read').map((r) => [r.body, r.state])).toEqual([['one', 'read'], ['two', 'read']]);
    expect(s.messages.advance('a1', m1.id, 'delivered')).toEqual([]); // never backwards
    expect([m2.id, m3.id].map((id) => s.messages.get(id)?.state)).toEqual(['read', 'queued']);
  });

  it('keeps the markup of a formatted message beside its plain body', () => {
    const s = Store.memory();
    const ch = withAccount(s);
    const [plain, fancy] = s.messages.storeReceived([incoming(ch.id, 'plain'), { ...incoming(ch.id, 'bold'), markup: '<span weight="bold">bold</span>' }]);
    expect(s.messages.markup([plain.id, fancy.id])).toEqual([[fancy.id, '<span weight="bold">bold</span>']]);
  });
});
