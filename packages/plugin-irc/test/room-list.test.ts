/** room-list.ts and handlers/room-list.ts: LIST's answers (RFC 2812 §3.2.6) in, rooms out; bad lines skipped and counted. */
import { ConfabError, OfflineError, type ListedRoom, type RoomListEnd } from '@confab/sdk';
import { handle } from '../src/handlers';
import { roomListHandlers } from '../src/handlers/room-list';
import { listedRoom, RoomLister } from '../src/room-list';

const CHANTYPES = ['#', '&'];

describe('a 322 line as a room', () => {
  it('reads channel, count and topic, without IRC formatting or ELIST-style modes', () => {
    expect(listedRoom({ channel: '#a', num_users: 3, topic: 'hello' }, CHANTYPES)).toEqual({ id: '#a', name: '#a', topic: 'hello', members: 3 });
    expect(listedRoom({ channel: '#a', num_users: 0, topic: '\x02bold\x02 \x0304red' }, CHANTYPES)?.topic).toBe('bold red');
    expect(listedRoom({ channel: '&b', num_users: 1, topic: '[+nt] the topic' }, CHANTYPES)?.topic).toBe('the topic');
    expect(listedRoom({ channel: '#c', num_users: 1, topic: '[+ntl 10] x' }, CHANTYPES)?.topic).toBe('x');
    expect(listedRoom({ channel: '#d', num_users: 1 }, CHANTYPES)?.topic).toBe('');
  });

  it('skips what cannot be read', () => {
    for (const bad of [
      {}, // `322 me` with nothing after it
      { channel: '', num_users: 1 },
      { channel: 'nochan', num_users: 1 }, // not a channel prefix of this server
      { channel: '#a b', num_users: 1 },
      { channel: '#a', num_users: Number.NaN }, // `322 me #a many :x`
      { channel: '#a', num_users: -1 },
      { channel: '#a', num_users: 1.5 },
      { channel: 42, num_users: 1 },
    ]) expect([bad, listedRoom(bad, CHANTYPES)]).toEqual([bad, undefined]);
  });
});

function lister(isupport: Record<string, unknown> = { CHANTYPES }) {
  const written: string[][] = [];
  let connected = true;
  const l = new RoomLister({ write: (...line) => {
    if (!connected) throw new OfflineError();
    written.push(line);
  }, isupport: () => isupport, serverName: () => 'irc.test' });
  const ctx = { roomList: l };
  return { l, ctx, written, disconnect: () => (connected = false) };
}

function listing(l: RoomLister, maxRooms = 100, filter?: string) {
  const rooms: ListedRoom[] = [];
  const ac = new AbortController();
  const done = l.list({ maxRooms, filter }, (b) => rooms.push(...b), ac.signal);
  const outcome: { end?: RoomListEnd; err?: ConfabError } = {};
  done.then((e) => (outcome.end = e), (e: ConfabError) => (outcome.err = e));
  return { rooms, ac, done, outcome };
}

describe('LIST', () => {
  it('streams the batches, counts the malformed lines, ends at 323', async () => {
    const { l, ctx, written } = lister();
    const a = listing(l);
    expect(written).toEqual([['LIST']]);
    handle([roomListHandlers], ctx, 'channel list start', undefined);
    handle([roomListHandlers], ctx, 'channel list', [{ channel: '#a', num_users: 2, topic: 'A' }, { channel: undefined, num_users: Number.NaN, topic: '' }]);
    expect(a.rooms.map((r) => r.id)).toEqual(['#a']);
    handle([roomListHandlers], ctx, 'channel list', [{ channel: '#b', num_users: 1, topic: '' }, { channel: '#c', num_users: Number.NaN }]);
    handle([roomListHandlers], ctx, 'channel list end', undefined);
    await expect(a.done).resolves.toEqual({ server: 'irc.test', skipped: 2 });
    expect(a.rooms.map((r) => r.id)).toEqual(['#a', '#b']);
  });

  it('gives no more than maxRooms, and filters by name (a server-side mask with ELIST M)', async () => {
    const { l, ctx, written } = lister({ CHANTYPES, ELIST: 'CMNTU' });
    const a = listing(l, 2, 'Ab');
    expect(written).toEqual([['LIST', '*ab*']]);
    handle([roomListHandlers], ctx, 'channel list', ['#ab1', '#x', '#AB2', '#ab3'].map((channel) => ({ channel, num_users: 1 })));
    handle([roomListHandlers], ctx, 'channel list end', undefined);
    await a.done;
    expect(a.rooms.map((r) => r.id)).toEqual(['#ab1', '#AB2']);
  });

  it('one at a time: a second LIST waits for the first 323; an aborted one drops the rest of its answer', async () => {
    const { l, ctx, written } = lister();
    const a = listing(l);
    const b = listing(l);
    expect(written).toEqual([['LIST']]);
    a.ac.abort();
    await expect(a.done).rejects.toMatchObject({ code: 'Cancelled' });
    handle([roomListHandlers], ctx, 'channel list', [{ channel: '#late', num_users: 1 }]);
    expect(written).toEqual([['LIST']]); // the server is still answering the first
    handle([roomListHandlers], ctx, 'channel list end', undefined);
    expect(written).toEqual([['LIST'], ['LIST']]);
    handle([roomListHandlers], ctx, 'channel list', [{ channel: '#b', num_users: 1 }]);
    handle([roomListHandlers], ctx, 'channel list end', undefined);
    await b.done;
    expect([a.rooms, b.rooms.map((r) => r.id)]).toEqual([[], ['#b']]);
  });

  it('a waiting listing aborted never sends its LIST', async () => {
    const { l, ctx, written } = lister();
    const a = listing(l);
    const b = listing(l);
    b.ac.abort();
    await expect(b.done).rejects.toMatchObject({ code: 'Cancelled' });
    handle([roomListHandlers], ctx, 'channel list end', undefined);
    await a.done;
    expect(written).toEqual([['LIST']]);
  });

  it('RPL_TRYAGAIN (263) and ERR_TOOMANYMATCHES (416) refuse it; other unknown numerics are not its business', async () => {
    const { l, ctx } = lister();
    const a = listing(l);
    expect(handle([roomListHandlers], ctx, 'unknown command', { command: '263', params: ['me', 'WHO', 'later'], tags: {} })).toBe(false);
    expect(handle([roomListHandlers], ctx, 'unknown command', { command: '263', params: ['me', 'LIST', 'Please wait a while and try again.'], tags: {} })).toBe(true);
    await expect(a.done).rejects.toMatchObject({ code: 'NotAvailable', message: expect.stringContaining('Please wait') as unknown });
    const b = listing(l);
    handle([roomListHandlers], ctx, 'unknown command', { command: '416', params: ['me', 'LIST', 'output too large'], tags: {} });
    await expect(b.done).rejects.toMatchObject({ code: 'NotAvailable' });
  });

  it('the connection closing fails the running and the waiting listings Offline; a later one starts afresh', async () => {
    const { l, ctx, written, disconnect } = lister();
    const a = listing(l);
    const b = listing(l);
    l.clear();
    await expect(a.done).rejects.toMatchObject({ code: 'Offline' });
    await expect(b.done).rejects.toMatchObject({ code: 'Offline' });
    const c = listing(l);
    handle([roomListHandlers], ctx, 'channel list end', undefined);
    await c.done;
    disconnect();
    await expect(listing(l).done).rejects.toMatchObject({ code: 'Offline' });
    expect(written).toEqual([['LIST'], ['LIST']]);
  });

  it('answers nobody asked for are ignored', () => {
    const { ctx } = lister();
    expect(() => {
      handle([roomListHandlers], ctx, 'channel list', [{ channel: '#a', num_users: 1 }]);
      handle([roomListHandlers], ctx, 'channel list end', undefined);
    }).not.toThrow();
  });
});
