/** room-list.ts: a MUC service's rooms from disco#items (XEP-0030 §4, XEP-0045 §6.3), paged with RSM (XEP-0059), described by disco#info (§6.4). */
import type { Element } from '@xmpp/client';
import type { ListedRoom } from '@confab/sdk';
import { describedRoom, listedRoom, listMucRooms, NS_DISCO_ITEMS, type IqGet } from '../src/room-list';

// @xmpp/client is ESM only: its `xml` is ltx's createElement (test/stanzas.ts)
jest.mock('@xmpp/client', () => ({ xml: (require('ltx') as { createElement: unknown }).createElement }));
const xml = (require('ltx') as { createElement: (name: string, attrs?: Record<string, string>, ...children: Array<Element | string>) => Element }).createElement;

const INFO = 'http://jabber.org/protocol/disco#info';
const RSM = 'http://jabber.org/protocol/rsm';

const item = (attrs: Record<string, string>) => xml('item', attrs);
const items = (children: Element[], set?: Element) => xml('iq', { type: 'result' }, xml('query', { xmlns: NS_DISCO_ITEMS }, ...children, ...(set ? [set] : [])));
const info = (identities: Array<Record<string, string>>, form?: Record<string, string>) => xml('iq', { type: 'result' }, xml('query', { xmlns: INFO },
  ...identities.map((i) => xml('identity', i)),
  ...(form ? [xml('x', { xmlns: 'jabber:x:data', type: 'result' },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, 'http://jabber.org/protocol/muc#roominfo')),
    ...Object.entries(form).map(([k, v]) => xml('field', { var: k }, xml('value', {}, v))))] : [])));

/** A server: answers by (to, namespace, RSM after); anything else is an error answer. */
function server(answers: Record<string, (q: Element) => Element>, asked: string[] = []): IqGet {
  return async (to, q) => {
    const key = `${to} ${q.attrs.xmlns as string}`;
    asked.push(`${key}${q.getChild('set', RSM)?.getChildText('after') ? ` after ${q.getChild('set', RSM)!.getChildText('after')!}` : ''}`);
    const a = answers[key];
    if (!a) throw Object.assign(new Error('item-not-found'), { condition: 'item-not-found' });
    return a(q);
  };
}

async function list(get: IqGet, opts: { server?: string; maxRooms?: number; filter?: string } = {}, signal = new AbortController().signal) {
  const rooms: ListedRoom[] = [];
  const end = await listMucRooms(get, 'example.org', { maxRooms: 1000, ...opts }, (b) => rooms.push(...b), signal);
  return { rooms, end };
}

describe('reading items and room info', () => {
  it('an item is a room only with a bare room JID', () => {
    expect(listedRoom(item({ jid: 'Lounge@Conference.example.org', name: 'The Lounge' }))).toEqual({ id: 'lounge@conference.example.org', name: 'The Lounge', topic: '' });
    expect(listedRoom(item({ jid: 'quiet@conference.example.org' }))?.name).toBe('quiet');
    for (const bad of [{} as Record<string, string>, { jid: '' }, { jid: 'conference.example.org' }, { jid: 'a@b/c' }, { jid: '@@' }]) expect(listedRoom(item(bad))).toBeUndefined();
  });

  it('disco#info gives the name, subject and occupants where the room says them', () => {
    const room = { id: 'r@c.example.org', name: 'r', topic: '' };
    expect(describedRoom(room, info([{ category: 'conference', type: 'text', name: 'Room R' }], { 'muc#roominfo_subject': 'hi', 'muc#roominfo_occupants': '3' })))
      .toEqual({ id: 'r@c.example.org', name: 'Room R', topic: 'hi', members: 3 });
    expect(describedRoom(room, info([], { 'muc#roominfo_occupants': 'many' }))).toEqual(room);
  });
});

describe('listing a service', () => {
  const service = {
    'example.org http://jabber.org/protocol/disco#items': () => items([item({ jid: 'pubsub.example.org' }), item({ jid: 'conference.example.org' })]),
    'pubsub.example.org http://jabber.org/protocol/disco#info': () => info([{ category: 'pubsub', type: 'service' }]),
    'conference.example.org http://jabber.org/protocol/disco#info': () => info([{ category: 'conference', type: 'text' }]),
    'a@conference.example.org http://jabber.org/protocol/disco#info': () => info([], { 'muc#roominfo_occupants': '2', 'muc#roominfo_subject': 'About A' }),
  };

  it('finds the MUC service, lists its rooms, counts the unreadable items, describes the rooms', async () => {
    const asked: string[] = [];
    const get = server({ ...service, 'conference.example.org http://jabber.org/protocol/disco#items': () => items([item({ jid: 'a@conference.example.org' }), item({ name: 'no jid' }), item({ jid: 'b@conference.example.org', name: 'B' })]) }, asked);
    const { rooms, end } = await list(get);
    expect(end).toEqual({ server: 'conference.example.org', skipped: 1 });
    expect(rooms).toEqual([
      { id: 'a@conference.example.org', name: 'a', topic: 'About A', members: 2 },
      { id: 'b@conference.example.org', name: 'B', topic: '' }, // its disco#info failed: listed as the service named it
    ]);
    expect(asked.slice(0, 3)).toEqual(['example.org http://jabber.org/protocol/disco#items', 'pubsub.example.org http://jabber.org/protocol/disco#info', 'conference.example.org http://jabber.org/protocol/disco#info']);
  });

  it('pages with RSM after each <last/>, stops at maxRooms, and filters', async () => {
    const asked: string[] = [];
    const page = (from: number, n: number, last: boolean) => items(
      Array.from({ length: n }, (_, i) => item({ jid: `r${from + i}@conference.example.org` })),
      xml('set', { xmlns: RSM }, ...(last ? [] : [xml('last', {}, `r${from + n - 1}@conference.example.org`)]), xml('count', {}, '250')),
    );
    const get = server({
      ...service,
      'conference.example.org http://jabber.org/protocol/disco#items': (q) => {
        const after = q.getChild('set', RSM)?.getChildText('after');
        return after === undefined || after === null ? page(0, 100, false) : after === 'r99@conference.example.org' ? page(100, 100, false) : page(200, 50, true);
      },
    }, asked);
    expect((await list(get, { server: 'conference.example.org' })).rooms).toHaveLength(250);
    expect(asked.filter((a) => a.startsWith('conference.example.org http://jabber.org/protocol/disco#items'))).toEqual([
      'conference.example.org http://jabber.org/protocol/disco#items',
      'conference.example.org http://jabber.org/protocol/disco#items after r99@conference.example.org',
      'conference.example.org http://jabber.org/protocol/disco#items after r199@conference.example.org',
    ]);
    expect((await list(get, { server: 'conference.example.org', maxRooms: 150 })).rooms).toHaveLength(150);
    expect((await list(get, { server: 'conference.example.org', filter: 'R24' })).rooms.map((r) => r.id)).toEqual(['r24@conference.example.org', ...Array.from({ length: 10 }, (_, i) => `r24${i}@conference.example.org`)]);
  });

  it('no MUC service is NotCapable; a service refusing is a typed error; an abort is Cancelled', async () => {
    await expect(list(server({ 'example.org http://jabber.org/protocol/disco#items': () => items([]) }))).rejects.toMatchObject({ code: 'NotCapable' });
    await expect(list(server(service), { server: 'nowhere.example.org' })).rejects.toMatchObject({ code: 'NotFound' });
    const ac = new AbortController();
    ac.abort();
    await expect(list(server(service), {}, ac.signal)).rejects.toMatchObject({ code: 'Cancelled' });
  });
});
