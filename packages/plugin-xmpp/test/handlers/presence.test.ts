jest.mock('@xmpp/client', () => ({ xml: require('ltx').createElement }));
import { dispatch, XMPP_HANDLERS } from '../../src/handlers';
import { presenceHandlers } from '../../src/handlers/presence';
import { PresenceBook } from '../../src/roster';
import { ME, recordingContext, stanza } from '../stanzas';

describe('contacts\' presence and subscription requests (RFC 6121 §3, §4; presence.ts)', () => {
  it('aggregates a contact\'s resources (the most available wins) and reports only changes', () => {
    const { ctx, rec } = recordingContext();
    const withBook = { ...ctx, book: new PresenceBook() };
    dispatch(presenceHandlers, withBook, stanza(`<presence from='bob@example.org/a'><show>away</show><status>lunch</status></presence>`));
    dispatch(presenceHandlers, withBook, stanza(`<presence from='bob@example.org/b'><show>dnd</show></presence>`));
    dispatch(presenceHandlers, withBook, stanza(`<presence from='bob@example.org/a'><show>away</show><status>lunch</status></presence>`));
    dispatch(presenceHandlers, withBook, stanza(`<presence from='bob@example.org/b' type='unavailable'/>`));
    expect(rec.presence).toEqual([
      [{ id: 'bob@example.org', status: 'away', message: 'lunch' }],
      [{ id: 'bob@example.org', status: 'busy', message: '' }],
      [{ id: 'bob@example.org', status: 'away', message: 'lunch' }],
    ]);
  });

  it('surfaces a subscription request with its message, and leaves what the roster push says to it', () => {
    const { ctx, rec } = recordingContext();
    dispatch(XMPP_HANDLERS, ctx, stanza(`<presence from='carol@example.org' type='subscribe'><status>it is Carol</status></presence>`));
    dispatch(XMPP_HANDLERS, ctx, stanza(`<presence from='carol@example.org' type='subscribed'/>`));
    dispatch(XMPP_HANDLERS, ctx, stanza(`<presence from='${ME}/phone'/>`));
    expect(rec.requests).toEqual([{ id: 'carol@example.org', message: 'it is Carol' }]);
    expect(rec.calls).toEqual(['request']);
  });
});
