/**
 * Calls are history (issue 16): every call has an entry in its conversation — in history pages
 * between the messages, in the person's timeline, and, when missed, in the pending queue (unread
 * until acknowledged, as a received message is). Migration 7 gives the calls stored before it theirs.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageRow } from '../src/messages/messages';
import { callSummary } from '../src/messages/call-entries';
import { MIGRATIONS } from '../src/storage/migrations';
import { Store } from '../src/storage/store';
import { entryState, wireCallEntry, wireMessage } from '../src/dbus/wire';
import { fakeCore, settle } from './fakes';

const AUDIO = { audio: true, video: false };
const text = (body: string) => ({ channel: { kind: 'direct' as const, target: 'Carol' }, sender: { id: 'carol' }, body, kind: 'normal' as const });

async function withCarol() {
  const f = fakeCore();
  const id = await f.account();
  const received: MessageRow[] = [];
  const changed: MessageRow[] = [];
  f.core.messages.onReceived((rows) => received.push(...rows));
  f.core.messages.onChanged((rows) => changed.push(...rows));
  return { ...f, id, received, changed };
}

describe('calls in history', () => {
  it('interleaves calls with messages by the time they were stored; paging by id stays exact', async () => {
    const { core, conn, id } = await withCarol();
    conn().messagesE.fire([text('before')]);
    conn().incomingCallE.fire({ id: 'in-1', peer: 'Carol', audio: true, video: false });
    conn().callE.fire({ id: 'in-1', state: 'ended', reason: 'cancelled', detail: 'CANCEL' });
    conn().messagesE.fire([text('between')]);
    const out = await core.calls.start(id, 'carol', AUDIO);
    conn().callE.fire({ id: 'c1', state: 'active' });
    conn().messagesE.fire([text('after')]);
    const carol = core.conversations.findConversation(id, 'carol');

    const all = core.messages.history(carol.id, 0, 10);
    expect(all.map((m) => [m.kind, m.call ? callSummary(m.call) : m.body])).toEqual([
      ['normal', 'before'], ['call', 'Missed call (cancelled)'], ['normal', 'between'], ['call', 'Call (active)'], ['normal', 'after'],
    ]);
    expect(all[3].call).toMatchObject({ id: out, direction: 'outgoing', state: 'active' });
    expect(wireMessage(all[1])).toEqual([all[1].id, `/im/confab/Confab1/channels/${carol.id}`, `/im/confab/Confab1/accounts/${id}`, 'carol', 'carol',
      all[1].call!.startedAt, 'Missed call (cancelled)', 'call', 'ended', false]);
    expect(wireMessage(all[3]).slice(3, 5)).toEqual(['', '']); // we called: no sender, as our own messages
    // Pages end before a call's entry as before a message's: one id space.
    expect(core.messages.history(carol.id, all[3].id, 2).map((m) => m.id)).toEqual([all[1].id, all[2].id]);
    expect(core.messages.history(carol.id, all[2].id, 10).map((m) => m.id)).toEqual([all[0].id, all[1].id]);
    // A search finds words, never a call.
    expect(core.messages.search('call', 0, 10)).toEqual([]);
    // GetCalls: the calls of those entries that are calls'.
    const calls = core.messages.calls(all.map((m) => m.id)).map(wireCallEntry);
    expect(calls.map((c) => [c[0], c[2], c[5], c[6], c[7]])).toEqual([[all[1].id, 'incoming', 'ended', 'cancelled', 'CANCEL'], [all[3].id, 'outgoing', 'active', '', '']]);
    expect(calls[1][1]).toBe(`/im/confab/Confab1/calls/${out}`);
    await core.stop();
  });

  it('a missed incoming call is unread until its entry is acknowledged; an answered or declined one never is', async () => {
    const { core, conn, id, received, changed } = await withCarol();
    conn().incomingCallE.fire({ id: 'in-1', peer: 'Carol', audio: true, video: false });
    conn().callE.fire({ id: 'in-1', state: 'ended', reason: 'no-answer' });
    conn().incomingCallE.fire({ id: 'in-2', peer: 'Carol', audio: true, video: true });
    conn().callE.fire({ id: 'in-2', state: 'active' });
    conn().callE.fire({ id: 'in-2', state: 'ended', reason: 'remote-hangup' });
    conn().incomingCallE.fire({ id: 'in-3', peer: 'Carol', audio: true, video: false });
    conn().callE.fire({ id: 'in-3', state: 'ended', reason: 'declined' });
    const carol = core.conversations.findConversation(id, 'carol');
    const entries = core.messages.history(carol.id, 0, 10);
    const [missed] = entries;
    // Announced as received once, when it ended missed (stored and pending before).
    expect(received.map((m) => [m.id, m.kind, entryState(m)])).toEqual([[missed.id, 'call', 'ended']]);
    expect(core.messages.pending(0).map((m) => m.id)).toEqual([missed.id]);
    expect(core.messages.inbox(0).find((e) => e.channel.id === carol.id)?.unread).toBe(1);
    expect(core.messages.unreadIn(carol.id)).toBe(1);
    expect(core.conversations.get(carol.id).lastActivity).toBe(entries[2].call!.startedAt);
    // Each change of a call's state is a change of its entry.
    expect(changed.filter((m) => m.id === entries[1].id).map(entryState)).toEqual(['active', 'ended']);
    expect(callSummary(entries[1].call!)).toMatch(/^Video call, 0:0\d$/);
    expect(callSummary(entries[2].call!)).toBe('Call not answered (declined)');
    core.messages.acknowledge([missed.id]);
    expect(core.messages.unreadIn(carol.id)).toBe(0);
    expect(core.messages.pending(0)).toEqual([]);
    await core.stop();
  });

  it('the person\'s timeline shows their calls between their messages', async () => {
    const { core, conn, id } = await withCarol();
    await core.contacts.add(id, 'Carol', '');
    const person = core.people.personOf({ accountId: id, contactId: 'carol' });
    conn().messagesE.fire([{ ...text('hello'), serverTime: new Date(Date.now() - 60_000) }]);
    conn().incomingCallE.fire({ id: 'in-1', peer: 'Carol', audio: true, video: false });
    await settle();
    const timeline = core.messages.timeline(person, 0, 10);
    expect(timeline.map((m) => [m.kind, m.call?.state ?? m.body])).toEqual([['normal', 'hello'], ['call', 'ringing']]);
    expect(core.messages.timeline(person, timeline[1].id, 10).map((m) => m.body)).toEqual(['hello']);
    await core.stop();
  });

  it('migration 7 gives the calls stored before it their entries, and keeps pending, outbox and search', () => {
    const dir = mkdtempSync(join(tmpdir(), 'confab-v6-'));
    try {
      const old = new Database(join(dir, 'confab.db'));
      old.pragma('foreign_keys = ON');
      for (const [i, sql] of MIGRATIONS.slice(0, 6).entries()) {
        old.exec(sql);
        old.pragma(`user_version = ${i + 1}`);
      }
      old.exec(`
        INSERT INTO accounts VALUES ('a1', 'fake', 'A', '{}', 1, 0);
        INSERT INTO channels (id, account_id, kind, target, last_activity) VALUES (1, 'a1', 'direct', 'bob', 1000);
        INSERT INTO messages (id, channel_id, sender_id, sender_name, server_time, received_at, body, kind, state, outgoing)
          VALUES (1, 1, 'bob', 'Bob', 1000, 1000, 'hello there', 'normal', 'received', 0),
                 (2, 1, '', '', 1500, 1500, 'still queued', 'normal', 'queued', 1);
        INSERT INTO pending VALUES (1);
        INSERT INTO outbox (message_id, account_id) VALUES (2, 'a1');
        INSERT INTO calls (account_id, channel_id, peer, direction, audio, video, state, end_reason, started_at, ended_at)
          VALUES ('a1', 1, 'bob', 'incoming', 1, 0, 'ended', 'cancelled', 2000, 2100),
                 ('a1', 1, 'bob', 'outgoing', 1, 0, 'ended', 'busy', 3000, 3100);
      `);
      old.close();
      const store = Store.open(dir);
      expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(store.messages.history(1, 0, 10).map((m) => [m.id, m.kind, m.call?.endReason ?? m.body])).toEqual([
        [1, 'normal', 'hello there'], [2, 'normal', 'still queued'], [3, 'call', 'cancelled'], [4, 'call', 'busy'],
      ]);
      expect(store.messages.pending(0).map((m) => m.id)).toEqual([1, 3]);
      expect(store.messages.outbox('a1').map((m) => m.id)).toEqual([2]);
      expect(store.messages.search('hello', 0, 10).map((m) => m.id)).toEqual([1]);
      expect(store.channels.get(1)?.lastActivity).toBe(3000);
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
      // An entry can only be a call's, and a call's entry only one.
      expect(() => store.db.prepare(`INSERT INTO messages (channel_id, sender_id, sender_name, server_time, received_at, body, kind, state, outgoing)
        VALUES (1, '', '', 0, 0, '', 'call', 'sent', 1)`).run()).toThrow(/CHECK/);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
