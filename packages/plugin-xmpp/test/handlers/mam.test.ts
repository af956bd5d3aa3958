jest.mock('@xmpp/client', () => ({ xml: require('ltx').createElement }));
import type { Element } from '@xmpp/client';
import { silentLogger as log, type AccountState, type IncomingMessage } from '@confab/sdk';
import { dispatch } from '../../src/handlers';
import { toIncoming } from '../../src/handlers/chat';
import { Archive, mamHandlers } from '../../src/handlers/mam';
import { ME, stanza } from '../stanzas';

/** An archive of our own account with these messages (archive id → body, oldest first), answering XEP-0313 queries a page at a time. */
function server(archive: Array<[id: string, body: string, from?: string]>, pageSize: number) {
  const queries: string[] = [];
  const fire: IncomingMessage[][] = [];
  const stored = new Map<string, string>();
  const state = { get: (k: string) => stored.get(k), set: (k: string, v: string) => void stored.set(k, v) } as AccountState;
  let ids = 0;
  const own = new Archive({
    jid: () => ME,
    fire: (messages) => void fire.push([...messages]),
    nextId: () => ++ids,
    ownMessage: (inner, archived) => toIncoming(inner, ME, (j) => j, archived),
    roomMessage: () => undefined,
    state,
    log,
  });
  const session = {
    ownJid: `${ME}/confab`,
    current: () => true,
    /** XEP-0313 §4.2: the results as messages (through the stanza table), then the <fin/>. */
    request: async (iq: Element) => {
      const query = iq.getChild('query', 'urn:xmpp:mam:2')!;
      const after = query.getChild('set')?.getChildText('after');
      queries.push(after ?? (query.getChild('set')?.getChild('before') ? 'before' : '?'));
      const start = after ? archive.findIndex(([id]) => id === after) + 1 : Math.max(0, archive.length - pageSize);
      const page = archive.slice(start, start + pageSize);
      for (const [id, body, from] of page) {
        dispatch(mamHandlers, { jid: ME, archive: own }, stanza(`<message to='${ME}/confab'><result xmlns='urn:xmpp:mam:2' queryid='${query.attrs.queryid}' id='${id}'>` +
          `<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2026-01-01T00:00:00Z'/>` +
          `<message from='${from ?? 'bob@example.org/r'}' to='${ME}' type='chat'><body>${body}</body></message></forwarded></result></message>`));
      }
      const complete = start + pageSize >= archive.length;
      return stanza(`<iq type='result'><fin xmlns='urn:xmpp:mam:2' complete='${complete}'><set xmlns='http://jabber.org/protocol/rsm'>` +
        `${page.length ? `<last>${page[page.length - 1]![0]}</last>` : ''}</set></fin></iq>`);
    },
  };
  return { own, session, queries, fire, stored };
}

describe('the archive catch-up (XEP-0313, mam.ts)', () => {
  const archive: Array<[string, string, string?]> = [['a1', 'one'], ['a2', 'two'], ['a3', 'mine', `${ME}/confab`], ['a4', 'four'], ['a5', 'five']];

  it('takes only the newest page the first time, and remembers where it stopped', async () => {
    const s = server(archive, 2);
    await s.own.catchUp(s.session);
    expect(s.queries).toEqual(['before']);
    expect(s.fire.map((ms) => ms.map((m) => [m.body, m.protocolId]))).toEqual([[['four', 'a4'], ['five', 'a5']]]);
    expect(s.stored.get('mam-last')).toBe('a5');
  });

  it('then fetches everything after the mark, page by page, skipping what this very client sent', async () => {
    const s = server(archive, 2);
    s.stored.set('mam-last', 'a1');
    await s.own.catchUp(s.session);
    expect(s.queries).toEqual(['a1', 'a3']); // the second page says it is complete
    expect(s.fire.flat().map((m) => m.body)).toEqual(['two', 'four', 'five']);
    expect(s.fire.flat()[0]!.serverTime).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(s.stored.get('mam-last')).toBe('a5');
  });

  it('lets live messages advance the mark only once caught up', () => {
    const s = server([], 2);
    const m = (id: string): IncomingMessage => ({ channel: { kind: 'direct', target: 'bob@example.org' }, sender: { id: 'bob@example.org', name: 'bob' }, body: id, kind: 'normal', protocolId: id, outgoing: false });
    s.own.loggedIn();
    s.own.live(m('live-1'));
    expect(s.stored.get('mam-last')).toBeUndefined();
    s.own.ownDone();
    s.own.live(m('live-2'));
    expect(s.stored.get('mam-last')).toBe('live-2');
    expect(s.fire.flat().map((x) => x.body)).toEqual(['live-1', 'live-2']);
  });
});

describe('archive results (XEP-0313 §5.1.2)', () => {
  it('believes a result only from the archive asked, and only for a query we made', () => {
    const items: Array<{ forwarded: Element; archiveId?: string }> = [];
    const ctx = { jid: ME, archive: { page: (id: string) => (id === 'mam1' ? { from: 'lounge@muc.example.org', items } : undefined) } };
    const result = (from: string, queryid: string) => stanza(`<message from='${from}'><result xmlns='urn:xmpp:mam:2' queryid='${queryid}' id='r-${from}'>` +
      `<forwarded xmlns='urn:xmpp:forward:0'><message from='lounge@muc.example.org/bob' type='groupchat'><body>hi</body></message></forwarded></result></message>`);
    expect(dispatch(mamHandlers, ctx, result('evil@example.org', 'mam1'))).toBe(true);
    expect(dispatch(mamHandlers, ctx, result('lounge@muc.example.org', 'mam2'))).toBe(true);
    dispatch(mamHandlers, ctx, result('Lounge@muc.example.org', 'mam1'));
    expect(items.map((i) => i.archiveId)).toEqual(['r-Lounge@muc.example.org']);
  });
});
