/** handlers/channels.ts: one event in, the room change emitted and the line written back. */
import type { ChannelRef } from '@confab/sdk';
import { handle, HANDLED } from '../../src/handlers';
import { channelHandlers } from '../../src/handlers/channels';
import { deferred, fakeContext } from './fake-context';

const tables = [channelHandlers];

/** A context that joined #room (the JOIN answered), its changes recorded from then on. */
function inRoom(isupport: Record<string, unknown> = {}) {
  const r = fakeContext({ isupport: () => isupport });
  handle(tables, r.ctx, 'join', { nick: 'me', channel: '#Room' });
  r.roomChanges.length = 0;
  r.written.length = 0;
  return r;
}

describe('joining and leaving', () => {
  it('our JOIN: the room joined, its modes asked for (MODE), the pending join answered', () => {
    const { ctx, roomChanges, written } = fakeContext();
    const d = deferred<ChannelRef>();
    ctx.joins.set('#room', d);
    handle(tables, ctx, 'join', { nick: 'Me', channel: '#Room' });
    expect(roomChanges).toEqual([{ room: { kind: 'room', target: '#room' }, joined: true, membersAdded: [{ id: 'me', name: 'Me', role: 'member' }] }]);
    expect(written).toEqual([['MODE', '#Room']]);
    expect(d.resolve).toHaveBeenCalledWith({ kind: 'room', target: '#room' });
    expect(ctx.joins.size).toBe(0);
  });

  it("others' JOIN, PART, KICK, QUIT and NICK change the members", () => {
    const { ctx, roomChanges } = inRoom();
    handle(tables, ctx, 'join', { nick: 'Bob', channel: '#room' });
    handle(tables, ctx, 'nick', { nick: 'Bob', new_nick: 'Bobby' });
    handle(tables, ctx, 'kick', { kicked: 'bobby', channel: '#room', nick: 'op', message: 'spam' });
    handle(tables, ctx, 'join', { nick: 'Carol', channel: '#room' });
    handle(tables, ctx, 'part', { nick: 'Carol', channel: '#room', message: 'bye' });
    handle(tables, ctx, 'join', { nick: 'Dave', channel: '#room' });
    handle(tables, ctx, 'quit', { nick: 'Dave', message: 'gone' });
    expect(roomChanges.map((c) => [c.membersAdded?.map((m) => m.name), c.membersRemoved, c.reason])).toEqual([
      [['Bob'], undefined, undefined],
      [['Bobby'], ['bob'], 'nick'],
      [undefined, ['bobby'], 'kicked by op'],
      [['Carol'], undefined, undefined],
      [undefined, ['carol'], 'bye'],
      [['Dave'], undefined, undefined],
      [undefined, ['dave'], 'gone'],
    ]);
  });

  it('our PART answers the pending part; a KICK of us says by whom and why', () => {
    const { ctx, roomChanges } = inRoom();
    const d = deferred<void>();
    ctx.parts.set('#room', d);
    handle(tables, ctx, 'part', { nick: 'me', channel: '#room', message: 'later' });
    expect(d.resolve).toHaveBeenCalled();
    handle(tables, ctx, 'join', { nick: 'me', channel: '#room' });
    handle(tables, ctx, 'kick', { kicked: 'me', channel: '#room', nick: 'op', message: 'out' });
    expect(roomChanges.filter((c) => c.joined === false).map((c) => c.reason)).toEqual(['later', 'kicked by op: out']);
  });

  it('a numeric refusing our JOIN fails it with its meaning', () => {
    const { ctx } = fakeContext();
    const full = deferred<ChannelRef>();
    const missing = deferred<ChannelRef>();
    ctx.joins.set('#full', full);
    ctx.joins.set('#nope', missing);
    expect(handle(tables, ctx, 'irc error', { error: 'channel_is_full', channel: '#Full', reason: 'Cannot join channel (+l)' })).toBe(HANDLED);
    handle(tables, ctx, 'unknown command', { command: '403', params: ['me', '#nope', 'No such channel'], tags: {} });
    expect(full.reject).toHaveBeenCalledWith(expect.objectContaining({ code: 'NotAvailable', message: 'cannot join #Full: the channel is full (471)' }));
    expect(missing.reject).toHaveBeenCalledWith(expect.objectContaining({ code: 'NotFound', message: 'cannot join #nope: no such channel (403)' }));
    expect(ctx.joins.size).toBe(0);
  });

  it('a JOIN refusal nobody waits for goes on (irc error) or is logged (a numeric irc-framework has no name for)', () => {
    const { ctx, logged } = fakeContext();
    expect(handle(tables, ctx, 'irc error', { error: 'channel_is_full', channel: '#full' })).toBe(false);
    handle(tables, ctx, 'unknown command', { command: '403', params: ['me', '#nope', 'No such channel'], tags: {} });
    handle(tables, ctx, 'unknown command', { command: '999', params: ['me', '#x', 'what'], tags: {} });
    expect(logged).toEqual(['irc error 403 #nope: No such channel']);
  });
});

describe('names, topic, modes, invitations', () => {
  it('NAMES gives members with their roles; TOPIC the topic', () => {
    const { ctx, roomChanges } = inRoom();
    handle(tables, ctx, 'userlist', { channel: '#ROOM', users: [{ nick: 'op', modes: ['o'] }, { nick: 'v', modes: ['v'] }] });
    handle(tables, ctx, 'topic', { channel: '#room', topic: 'hello' });
    expect(roomChanges).toEqual([
      { room: { kind: 'room', target: '#room' }, membersAdded: [{ id: 'op', name: 'op', role: 'op' }, { id: 'v', name: 'v', role: 'voice' }] },
      { room: { kind: 'room', target: '#room' }, topic: 'hello' },
    ]);
  });

  it("MODE: prefix modes change a member's role (ISUPPORT PREFIX), list modes are not kept, the rest are the room's", () => {
    const { ctx, roomChanges } = inRoom({ PREFIX: [{ symbol: '@', mode: 'o' }, { symbol: '+', mode: 'v' }], CHANMODES: ['beI', 'k', 'l', 'imnpst'] });
    handle(tables, ctx, 'join', { nick: 'bob', channel: '#room' });
    roomChanges.length = 0;
    handle(tables, ctx, 'mode', { target: '#room', modes: [{ mode: '+o', param: 'bob' }, { mode: '+b', param: '*!*@x' }, { mode: '+l', param: '10' }, { mode: '+m' }] });
    handle(tables, ctx, 'mode', { target: 'me', modes: [{ mode: '+i' }] }); // our user modes
    expect(roomChanges).toEqual([
      { room: { kind: 'room', target: '#room' }, membersAdded: [{ id: 'bob', name: 'bob', role: 'op' }], reason: 'role' },
      { room: { kind: 'room', target: '#room' }, modes: '+lm 10' },
    ]);
  });

  it('RPL_CHANNELMODEIS replaces the room modes, the key hidden', () => {
    const { ctx, roomChanges } = inRoom();
    handle(tables, ctx, 'mode', { target: '#room', modes: [{ mode: '+m' }] });
    handle(tables, ctx, 'channel info', { channel: '#room', modes: [{ mode: '+n' }, { mode: '+k', param: 'secret' }] });
    handle(tables, ctx, 'channel info', { channel: '#room', created_at: 1 }); // RPL_CREATIONTIME: no modes
    expect(roomChanges.map((c) => c.modes)).toEqual(['+m', '+kn']);
  });

  it('an INVITE for us is an invitation; one for someone else (invite-notify) is not', () => {
    const { ctx, invitations } = fakeContext();
    handle(tables, ctx, 'invite', { nick: 'Bob', invited: 'ME', channel: '#Secret' });
    handle(tables, ctx, 'invite', { nick: 'Bob', invited: 'carol', channel: '#secret' });
    expect(invitations).toEqual([{ room: '#secret', by: 'bob' }]);
  });
});
