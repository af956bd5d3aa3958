import type { Element } from '@xmpp/client';
import { discoInfoVia, roomOrDirect, type DiscoIdentity } from '../src/room-discovery';

/** A server as service discovery sees it: identities by JID; an absent JID answers with an error. */
function server(entities: Record<string, DiscoIdentity[]>, asked: string[] = []) {
  return async (jid: string) => {
    asked.push(jid);
    return entities[jid];
  };
}

const CONFERENCE = { category: 'conference', type: 'text' };
const SERVER = { category: 'server', type: 'im' };

describe('is a JID a room (XEP-0030, XEP-0045 §6)', () => {
  const entities = {
    'lounge@conference.example.org': [CONFERENCE],
    'conference.example.org': [CONFERENCE],
    'example.org': [SERVER],
    'alice@example.org': [{ category: 'account', type: 'registered' }],
  };

  it('takes an address with a conference identity for a room, and anyone else for a person', async () => {
    expect(await roomOrDirect('lounge@conference.example.org', server(entities))).toBe('room');
    expect(await roomOrDirect('alice@example.org', server(entities))).toBe('direct');
  });

  it('asks the domain when the address does not exist: a room not created yet on a MUC service is a room', async () => {
    const asked: string[] = [];
    expect(await roomOrDirect('new@conference.example.org', server(entities, asked))).toBe('room');
    expect(asked).toEqual(['new@conference.example.org', 'conference.example.org']);
    expect(await roomOrDirect('bob@example.org', server(entities))).toBe('direct'); // a server answering for its user with an error
    expect(await roomOrDirect('x@nowhere.example', server(entities))).toBe('direct');
  });

  it('never asks about a bare domain, and cannot tell when nothing answers', async () => {
    const asked: string[] = [];
    expect(await roomOrDirect('conference.example.org', server(entities, asked))).toBe('direct');
    expect(asked).toEqual([]);
    expect(await roomOrDirect('lounge@conference.example.org', () => Promise.reject(new Error('timeout')))).toBeUndefined();
  });
});

describe('disco#info over an IQ (XEP-0030 §3.1)', () => {
  /** The result IQ a MUC room gives (XEP-0045 §6.4, example 10), as much of an Element as is read. */
  const result = (identities: DiscoIdentity[]) => ({
    getChild: (name: string, xmlns?: string) => (name === 'query' && xmlns === 'http://jabber.org/protocol/disco#info'
      ? { getChildren: (n: string) => (n === 'identity' ? identities.map((attrs) => ({ attrs })) : []) }
      : undefined),
  }) as unknown as Element;

  it('asks with a disco#info query and reads the identities', async () => {
    const sent: Array<[string, string]> = [];
    const info = discoInfoVia(async (to, q) => (sent.push([to, q.xmlns]), result([CONFERENCE])));
    expect(await info('lounge@conference.example.org')).toEqual([CONFERENCE]);
    expect(sent).toEqual([['lounge@conference.example.org', 'http://jabber.org/protocol/disco#info']]);
  });

  it('takes an error answer for "no such entity" and lets a timeout through', async () => {
    const stanzaError = Object.assign(new Error('item-not-found'), { condition: 'item-not-found' });
    expect(await discoInfoVia(() => Promise.reject(stanzaError))('gone@conference.example.org')).toBeUndefined();
    await expect(discoInfoVia(() => Promise.reject(new Error('timeout')))('slow@example.org')).rejects.toThrow('timeout');
  });
});
