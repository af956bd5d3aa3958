/** handlers/index.ts and handler.ts: the tables subscribed to a client, in order, guarded. */
import { EventEmitter } from 'node:events';
import { handle, HANDLED, IRC_HANDLERS, subscribe, type HandlerTable, type IrcContext } from '../../src/handlers';
import { eventNames } from '../../src/handlers/handler';
import { fakeContext } from './fake-context';

beforeEach(() => jest.useFakeTimers()); // the registration's timeout
afterEach(() => jest.useRealTimers());

describe('dispatch by table', () => {
  it('listens to every event the connection handles', () => {
    expect(eventNames(IRC_HANDLERS).sort()).toEqual([
      'away', 'back', 'channel info', 'channel list', 'channel list end', 'ctcp request', 'debug', 'invite', 'irc error', 'join', 'kick', 'message', 'mode', 'motd',
      'nick', 'nick in use', 'part', 'ping timeout', 'pong', 'quit', 'raw', 'registered', 'sasl failed', 'socket close', 'topic',
      'unknown command', 'userlist', 'users offline', 'users online', 'whois',
    ]);
  });

  it('stops at the first handler that says HANDLED, and lets everything else go on', () => {
    const seen: string[] = [];
    const first: HandlerTable<unknown> = { a: () => void seen.push('first a'), b: () => (seen.push('first b'), HANDLED) };
    const second: HandlerTable<unknown> = { a: () => void seen.push('second a'), b: () => void seen.push('second b') };
    expect(handle([first, second], {}, 'a', {})).toBe(false);
    expect(handle([first, second], {}, 'b', {})).toBe(true);
    expect(handle([first, second], {}, 'toString', {})).toBe(false); // only the tables' own names
    expect(seen).toEqual(['first a', 'second a', 'first b']);
  });

  it("logs an 'irc error' that no table takes", () => {
    const client = new EventEmitter();
    const { ctx, logged } = fakeContext();
    subscribe(client, ctx, () => true);
    client.emit('irc error', { error: 'no_such_nick', nick: 'bob' }); // a refusal: messaging's
    client.emit('irc error', { error: 'chanop_privs_needed', channel: '#room', reason: "You're not channel operator" });
    expect(logged).toEqual(["irc error chanop_privs_needed #room: You're not channel operator"]);
  });

  it("gives 'nick' to the rooms and to the nick regain", () => {
    const client = new EventEmitter();
    const { ctx, roomChanges, watch } = fakeContext({ ownNick: () => 'me_' }); // the server gave us me_
    subscribe(client, ctx, () => true);
    client.emit('join', { nick: 'me_', channel: '#room' });
    client.emit('nick', { nick: 'me_', new_nick: 'me' });
    expect(roomChanges.at(-1)).toMatchObject({ membersRemoved: ['me_'], reason: 'nick' });
    expect(watch.want).toHaveBeenCalledWith(undefined);
  });

  it('never lets a handler throw into irc-framework: a bad line is logged', () => {
    const client = new EventEmitter();
    const { ctx, logged } = fakeContext();
    const throwing: HandlerTable<IrcContext> = { join: () => { throw new Error('bad line'); } };
    subscribe(client, ctx, () => true, [throwing]);
    expect(() => client.emit('join', {})).not.toThrow();
    const real = new EventEmitter();
    subscribe(real, ctx, () => true);
    expect(() => real.emit('message', null)).not.toThrow(); // what irc-framework never sends
    expect(logged).toEqual(['handling join failed: bad line', expect.stringMatching(/^handling message failed: Cannot read properties of null/)]);
  });

  it('ignores the events of a client that was dropped', () => {
    const client = new EventEmitter();
    const { ctx, roomChanges } = fakeContext();
    let current = true;
    subscribe(client, ctx, () => current);
    current = false;
    client.emit('join', { nick: 'me', channel: '#room' });
    expect(roomChanges).toEqual([]);
  });
});
