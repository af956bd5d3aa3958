import { ConfabError, InvalidArgumentError, NotFoundError, NotImplementedError, type SendReceipt } from '@confab/sdk';
import type { MessageRow } from '../src/messages/messages';
import { fakeCore, settle, type FakeOptions } from './fakes';

async function withChannel(opts: FakeOptions = {}) {
  const f = fakeCore(opts);
  const id = await f.account();
  const channel = f.core.conversations.openDirect(id, 'bob');
  const changed: MessageRow[] = [];
  f.core.messages.onChanged((rows) => changed.push(...rows));
  return { ...f, id, channel, changed };
}

describe('messages', () => {
  it('refuses what cannot be sent, before anything is stored', async () => {
    const { core, channel, id } = await withChannel();
    expect(() => core.messages.send(channel.id, '', 'normal')).toThrow(InvalidArgumentError);
    expect(() => core.messages.send(channel.id, 'x', 'shout')).toThrow(InvalidArgumentError);
    expect(() => core.messages.send(channel.id, 'x'.repeat(64 * 1024 + 1), 'normal')).toThrow(/longer than 65536 bytes/);
    expect(() => core.messages.send(999, 'x', 'normal')).toThrow(NotFoundError);
    expect(core.messages.outboxSize(id)).toBe(0);
  });

  it('sends in order and confirms: out of the outbox, sent, announced with the account', async () => {
    const { core, conn, channel, id, changed } = await withChannel();
    const accountChanges: string[] = [];
    core.accounts.onChanged((c) => accountChanges.push(c.change));
    conn().send = (m) => Promise.resolve({ protocolId: `p-${m.body}` } as SendReceipt);
    const rows = ['one', 'two', 'three'].map((b) => core.messages.send(channel.id, b, 'normal'));
    expect(rows[0].state).toBe('queued');
    await settle();
    expect(conn().sent.map((m) => m.body)).toEqual(['one', 'two', 'three']);
    expect(conn().sent[0]).toMatchObject({ token: String(rows[0].id), channel: { kind: 'direct', target: 'bob' } });
    expect(changed.map((m) => m.state)).toEqual(['sent', 'sent', 'sent']);
    expect(core.messages.outboxSize(id)).toBe(0);
    expect(accountChanges.length).toBeGreaterThanOrEqual(6); // OutboxSize, at each send and each confirmation
  });

  it('keeps a message through a dropped connection, fails it on a refusal, and after five crashes', async () => {
    const { core, conn, channel, id, changed } = await withChannel();
    conn().send = () => Promise.reject(new ConfabError('NetworkError', 'down'));
    const kept = core.messages.send(channel.id, 'kept', 'normal');
    await settle();
    expect(core.messages.outboxSize(id)).toBe(1);
    conn().send = (m) => (m.body === 'kept' ? Promise.resolve({}) : Promise.reject(new ConfabError('PermissionDenied', 'not here')));
    const refused = core.messages.send(channel.id, 'refused', 'normal');
    await settle();
    expect(changed.map((m) => [m.id, m.state])).toEqual([[kept.id, 'sent'], [refused.id, 'failed']]);
    expect(core.messages.failures([kept.id, refused.id])).toEqual([[refused.id, 'PermissionDenied: not here']]);
    conn().send = () => Promise.reject(new Error('bug'));
    const crashing = core.messages.send(channel.id, 'crashing', 'normal');
    for (let i = 0; i < 5; i++) {
      core.messages.drain(core.accounts.runner(id));
      await settle();
    }
    expect(core.messages.failures([crashing.id])).toEqual([[crashing.id, 'Internal: bug']]);
    expect(core.messages.outboxSize(id)).toBe(0);
  });

  it('drains again when a contact becomes reachable', async () => {
    const { core, conn, channel, id } = await withChannel();
    conn().send = () => Promise.reject(new ConfabError('Offline', 'friend offline'));
    core.messages.send(channel.id, 'later', 'normal');
    await settle();
    conn().send = () => Promise.resolve({});
    conn().reachableE.fire('bob');
    await settle();
    expect(core.messages.outboxSize(id)).toBe(0);
  });

  it('stores received messages before announcing them, once per protocol id, pending until acknowledged', async () => {
    const { core, conn, id } = await withChannel();
    const received: MessageRow[] = [];
    core.messages.onReceived((rows) => received.push(...rows));
    const message = { channel: { kind: 'direct' as const, target: 'Carol' }, sender: { id: 'carol' }, body: 'hi', kind: 'normal' as const, protocolId: 'x1' };
    core.messages.onReceived(() => expect(core.messages.pending(0)).toHaveLength(1)); // committed first
    conn().messagesE.fire([message]);
    conn().messagesE.fire([message]); // redelivered
    expect(received.map((m) => [m.body, m.senderName, m.state])).toEqual([['hi', 'carol', 'received']]);
    const carol = core.conversations.findConversation(id, 'carol');
    expect(core.messages.inbox(0).map((e) => [e.channel.id, e.unread])).toEqual([[carol.id, 1], [expect.any(Number), 0]]);
    core.messages.acknowledge([received[0].id]);
    expect(core.messages.unreadIn(carol.id)).toBe(0);
    expect(core.messages.history(carol.id, 0, 10).map((m) => m.body)).toEqual(['hi']);
    expect(() => core.messages.search('"unbalanced', 0, 10)).toThrow(InvalidArgumentError);
  });

  it('moves sent messages to delivered and read on the peer\'s reports', async () => {
    const { core, conn, channel, changed } = await withChannel();
    const m = core.messages.send(channel.id, 'hello', 'normal');
    await settle();
    changed.length = 0;
    conn().deliveryE.fire([{ token: String(m.id), state: 'read' }, { token: 'not-a-number', state: 'delivered' }]);
    expect(changed.map((r) => [r.id, r.state])).toEqual([[m.id, 'read']]);
  });

  it('announces chat states for existing conversations only, and sends the user\'s', async () => {
    const { core, conn, channel } = await withChannel();
    const states: string[] = [];
    core.messages.chatStates.onChatState((s) => states.push(`${s.channelId} ${s.contact} ${s.state}`));
    conn().chatStateE.fire({ channel: { kind: 'direct', target: 'BOB' }, contact: 'bob', state: 'composing' });
    conn().chatStateE.fire({ channel: { kind: 'direct', target: 'nobody' }, contact: 'nobody', state: 'composing' });
    expect(states).toEqual([`${channel.id} bob composing`]);
    await core.messages.chatStates.set(channel.id, 'paused');
    expect(conn().requests).toContain('chat-state bob paused');
    await expect(core.messages.chatStates.set(channel.id, 'dancing')).rejects.toThrow(InvalidArgumentError);
  });

  it('answers NotImplemented for chat states where the connection has no such facet', async () => {
    const { core, conn, channel } = await withChannel({ without: ['chatStates', 'receipts'] });
    expect(conn().chatStates).toBeUndefined();
    await expect(core.messages.chatStates.set(channel.id, 'composing')).rejects.toThrow(NotImplementedError);
    expect(conn().requests.filter((c) => c.startsWith('chat-state'))).toEqual([]);
  });
});
