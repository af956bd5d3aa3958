import { dispatch, HANDLED, matches, type StanzaHandler } from '../../src/handlers/handler';
import { stanza } from '../stanzas';

describe('the stanza table (handler.ts)', () => {
  const seen: string[] = [];
  const handler = (name: string, h: Partial<StanzaHandler<unknown>>, result?: boolean): StanzaHandler<unknown> => ({
    stanza: 'message',
    ...h,
    handle: () => (seen.push(name), result),
  });
  beforeEach(() => (seen.length = 0));

  it('asks the handlers in order until one says HANDLED', () => {
    const table = [handler('a', {}), handler('b', {}, HANDLED), handler('c', {})];
    expect(dispatch(table, undefined, stanza(`<message/>`))).toBe(true);
    expect(seen).toEqual(['a', 'b']);
  });

  it('keys handlers by stanza, type and child element (name + namespace)', () => {
    const table = [
      handler('presence', { stanza: 'presence' }),
      handler('error', { type: 'error' }),
      handler('receipt', { children: [['received', 'urn:xmpp:receipts']] }),
      handler('body', { children: [['body']] }),
    ];
    expect(dispatch(table, undefined, stanza(`<message type='chat'><received xmlns='urn:xmpp:other'/><body>hi</body></message>`))).toBe(false);
    expect(seen).toEqual(['body']);
    seen.length = 0;
    dispatch(table, undefined, stanza(`<message type='error'><received xmlns='urn:xmpp:receipts'/></message>`));
    expect(seen).toEqual(['error', 'receipt']);
    expect(matches(handler('x', { stanza: 'presence' }), stanza(`<iq/>`))).toBe(false);
  });
});
