import { ConfabError, NotFoundError, NotImplementedError, OfflineError } from '@confab/sdk';
import { fakeCore, settle } from './fakes';

describe('rooms', () => {
  it('joins a room (autojoin, key redacted) and rejoins it each time the account is ready', async () => {
    const { core, conn, redactor, account } = fakeCore();
    const id = await account();
    const room = core.rooms.join(id, '#Room', 'sesame');
    expect(room).toMatchObject({ kind: 'room', target: '#room', autojoin: true, roomKey: 'sesame' });
    expect(redactor.redact('sesame')).toBe('***');
    expect(conn().requests).toContain('join #room sesame');
    conn().drop();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the backoff's first retry (fakeCore: 10 ms)
    expect(conn().requests).toEqual(['presence available', 'join #room sesame', 'watch +']);
  });

  it('keeps a joined room\'s state from the connection, and forgets it when the connection goes', async () => {
    const { core, conn, account } = fakeCore();
    const id = await account();
    const changes: string[] = [];
    core.conversations.onChanged(({ id: ch, change }) => changes.push(`${ch} ${change}`));
    conn().roomE.fire({ room: { kind: 'room', target: '#A' }, joined: true, modes: '+t', topic: 'hi', membersAdded: [{ id: 'bob', name: 'Bob', role: 'op' }] });
    const ch = core.conversations.findConversation(id, '#a');
    expect(changes).toEqual([`${ch.id} added`, `${ch.id} changed`]);
    expect(core.rooms.state(ch.id)).toMatchObject({ joined: true, modes: '+t' });
    expect(core.rooms.members(ch.id)).toEqual([{ id: 'bob', name: 'Bob', role: 'op' }]);
    expect(core.conversations.get(ch.id).topic).toBe('hi');
    core.accounts.setEnabled(id, false);
    expect(core.rooms.state(ch.id)).toMatchObject({ joined: false, modes: '' });
    expect(core.rooms.members(ch.id)).toEqual([]);
  });

  it('opens a conversation by what the protocol says the target is, the existing one first', async () => {
    const { core, conn, account } = fakeCore();
    const id = await account();
    const room = await core.rooms.openConversation(id, '#Chat');
    expect(room.kind).toBe('room');
    expect(conn().requests).toContain('join #chat');
    const direct = await core.rooms.openConversation(id, 'Bob');
    expect(direct).toMatchObject({ kind: 'direct', target: 'bob' });
    expect((await core.rooms.openConversation(id, 'BOB')).id).toBe(direct.id);
    expect(() => core.conversations.findConversation(id, 'carol')).toThrow(NotFoundError);
  });

  it('moderates rooms of connected accounts only, and only what the protocol can do', async () => {
    const { core, conn, account } = fakeCore();
    const id = await account();
    const room = core.rooms.join(id, '#r', '');
    const direct = core.conversations.openDirect(id, 'bob');
    expect(() => core.rooms.setModes(direct.id, '+m')).toThrow(NotImplementedError);
    expect(() => core.rooms.kick(room.id, 'bob', '')).toThrow(NotImplementedError); // the fake has no kick
    await core.rooms.setTopic(room.id, 'new');
    expect(conn().requests).toContain('topic #r new');
    core.accounts.setEnabled(id, false);
    expect(() => core.rooms.setTopic(room.id, 'x')).toThrow(OfflineError);
  });

  it('sends what was queued for a room once the room is joined', async () => {
    const { core, conn, account } = fakeCore();
    const id = await account();
    const room = core.rooms.join(id, '#r', '');
    conn().send = () => Promise.reject(new ConfabError('NetworkError', 'not joined yet'));
    core.messages.send(room.id, 'hello', 'normal');
    await settle();
    expect(conn().sent).toHaveLength(1);
    expect(core.messages.outboxSize(id)).toBe(1); // still there
    conn().send = () => Promise.resolve({});
    conn().roomE.fire({ room: { kind: 'room', target: '#r' }, joined: true });
    await settle();
    expect(conn().sent.map((m) => m.body)).toEqual(['hello', 'hello']);
    expect(core.messages.outboxSize(id)).toBe(0);
  });

  it('removes an account with its channels, settings and secrets, channels announced before the account', async () => {
    const { core, store, secrets, conn } = fakeCore();
    const id = (await core.accounts.create('fake', '', { name: 'me', password: 'pw' })).id;
    await settle();
    const room = core.rooms.join(id, '#room', '');
    const state = { get: (k: string) => store.settings.get<string | undefined>(`account/${id}/${k}`, undefined) };
    core.accounts.services(id).state.set('mam', 'x');
    const order: string[] = [];
    core.conversations.onChanged(({ id: ch, change }) => order.push(`channel ${ch} ${change}`));
    core.accounts.onChanged(({ id: a, change }) => order.push(`account ${a} ${change}`));
    await core.accounts.remove(id);
    expect(order.filter((e) => e.endsWith('removed'))).toEqual([`channel ${room.id} removed`, `account ${id} removed`]);
    expect(state.get('mam')).toBeUndefined();
    expect(store.channels.all()).toEqual([]);
    expect(secrets.values.size).toBe(0);
    expect(conn().disposed).toBe(true);
    expect(() => core.accounts.runner(id)).toThrow(NotFoundError);
  });
});
