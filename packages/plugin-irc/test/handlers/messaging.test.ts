/** handlers/messaging.ts: one event in, the message emitted or the send settled, the line written back. */
import type { MessageEvent } from 'irc-framework';
import { handle, HANDLED } from '../../src/handlers';
import { messagingHandlers } from '../../src/handlers/messaging';
import type { PendingEcho, PendingSend } from '../../src/pending';
import { deferred, fakeContext } from './fake-context';

const tables = [messagingHandlers];

function privmsg(over: Partial<MessageEvent>): MessageEvent {
  return { type: 'privmsg', nick: 'Bob', ident: 'bob', hostname: 'host', target: '#Room', message: 'hi', tags: {}, ...over };
}

describe('messages in', () => {
  it('a room message: case-folded target, formatting as markup, server time and msgid', () => {
    const { ctx, received } = fakeContext();
    handle(tables, ctx, 'message', privmsg({ message: '\x02bold\x02 text', time: Date.UTC(2026, 0, 1), tags: { msgid: 'abc' } }));
    expect(received).toEqual([{
      channel: { kind: 'room', target: '#room' },
      sender: { id: 'bob', name: 'Bob' },
      body: 'bold text',
      markup: '<span weight="bold">bold</span> text',
      kind: 'normal',
      serverTime: new Date(Date.UTC(2026, 0, 1)),
      protocolId: 'abc',
      outgoing: undefined,
    }]);
  });

  it('a private message is in the conversation with its sender; a NOTICE and an ACTION keep their kind', () => {
    const { ctx, received } = fakeContext();
    handle(tables, ctx, 'message', privmsg({ target: 'me', type: 'notice' }));
    handle(tables, ctx, 'message', privmsg({ target: 'me', type: 'action' }));
    expect(received.map((m) => [m.channel, m.kind])).toEqual([[{ kind: 'direct', target: 'bob' }, 'notice'], [{ kind: 'direct', target: 'bob' }, 'action']]);
  });

  it("ignores the server's own notices", () => {
    const { ctx, received } = fakeContext();
    handle(tables, ctx, 'message', privmsg({ from_server: true, nick: '' }));
    expect(received).toEqual([]);
  });

  it('our echo confirms the oldest message to that target once its last line came back', () => {
    const { ctx, received } = fakeContext();
    const d = deferred();
    ctx.echoes.push({ target: 'bob', remaining: 2, ...d } as PendingEcho);
    handle(tables, ctx, 'message', privmsg({ nick: 'Me', target: 'Bob', message: 'one' }));
    expect(d.resolve).not.toHaveBeenCalled();
    handle(tables, ctx, 'message', privmsg({ nick: 'Me', target: 'Bob', message: 'two', tags: { msgid: 'm2' } }));
    expect(d.resolve).toHaveBeenCalledWith({ serverTime: undefined, protocolId: 'm2' });
    expect(ctx.echoes).toEqual([]);
    expect(received).toEqual([]);
  });

  it('our message sent from elsewhere (no pending echo) comes in as outgoing; a labeled echo does not', () => {
    const { ctx, received } = fakeContext();
    handle(tables, ctx, 'message', privmsg({ nick: 'me', target: 'Bob', tags: { label: 'cf1' } }));
    handle(tables, ctx, 'message', privmsg({ nick: 'me', target: 'Bob' }));
    expect(received.map((m) => [m.channel.target, m.outgoing])).toEqual([['bob', true]]);
  });
});

describe('confirmations and refusals', () => {
  it('the PONG of the PING after a message confirms it', () => {
    const { ctx } = fakeContext();
    const d = deferred();
    ctx.sends.set('confab-7', { target: 'bob', ...d } as PendingSend);
    handle(tables, ctx, 'pong', { message: 'confab-8' });
    expect(d.resolve).not.toHaveBeenCalled();
    handle(tables, ctx, 'pong', { message: 'confab-7' });
    expect(d.resolve).toHaveBeenCalledWith({});
    expect(ctx.sends.size).toBe(0);
  });

  it('a refusal before the PONG fails the message when the PONG comes', () => {
    const { ctx } = fakeContext();
    const d = deferred();
    ctx.sends.set('confab-7', { target: 'bob', ...d } as PendingSend);
    expect(handle(tables, ctx, 'irc error', { error: 'no_such_nick', nick: 'Bob', reason: 'No such nick/channel' })).toBe(HANDLED);
    handle(tables, ctx, 'pong', { message: 'confab-7' });
    expect(d.reject).toHaveBeenCalledWith(expect.objectContaining({ code: 'NotFound', message: 'Bob: No such nick/channel' }));
  });

  it('a refusal fails a message waiting for its echo at once', () => {
    const { ctx } = fakeContext();
    const d = deferred();
    ctx.echoes.push({ target: '#room', remaining: 1, ...d } as PendingEcho);
    handle(tables, ctx, 'irc error', { error: 'cannot_send_to_channel', channel: '#Room' });
    expect(d.reject).toHaveBeenCalledWith(expect.objectContaining({ code: 'NotCapable', message: '#Room: cannot_send_to_channel' }));
    expect(ctx.echoes).toEqual([]);
  });

  it('leaves other errors to the other tables', () => {
    const { ctx } = fakeContext();
    expect(handle(tables, ctx, 'irc error', { error: 'channel_is_full', channel: '#room' })).toBe(false);
  });

  it('feeds server lines to the replies only while something waits for one', () => {
    const feed = jest.fn();
    const { ctx } = fakeContext({ replies: { size: 0, feed } });
    handle(tables, ctx, 'raw', { line: '@label=cf1 ACK', from_server: true });
    expect(feed).not.toHaveBeenCalled();
    const waiting = fakeContext({ replies: { size: 1, feed } }).ctx;
    handle(tables, waiting, 'raw', { line: 'PRIVMSG #c :hi', from_server: false }); // ours, going out
    handle(tables, waiting, 'raw', { line: '@label=cf1 ACK', from_server: true });
    expect(feed).toHaveBeenCalledWith(expect.objectContaining({ command: 'ACK', tags: expect.objectContaining({ label: 'cf1' }) }));
    expect(feed).toHaveBeenCalledTimes(1);
  });
});

describe('CTCP', () => {
  it('answers PING with its own argument, as a NOTICE', () => {
    const { ctx, written } = fakeContext();
    handle(tables, ctx, 'ctcp request', { nick: 'bob', type: 'PING', message: '\x01PING 1234\x01' });
    handle(tables, ctx, 'ctcp request', { nick: 'bob', type: 'VERSION', message: '\x01VERSION\x01' }); // irc-framework answers it
    expect(written).toEqual([['NOTICE', 'bob', '\x01PING 1234\x01']]);
  });
});
