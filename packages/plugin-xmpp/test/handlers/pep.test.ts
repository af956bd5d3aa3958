jest.mock('@xmpp/client', () => ({ xml: require('ltx').createElement }));
import { dispatch, XMPP_HANDLERS } from '../../src/handlers';
import { applyBookmarks } from '../../src/handlers/bookmarks';
import { askNick, nickOf } from '../../src/handlers/nick';
import { ME, recordingContext, stanza } from '../stanzas';

/** A PEP notification (XEP-0163 §4.3) of `node` with one item. */
const event = (from: string | undefined, node: string, item: string) =>
  stanza(`<message ${from ? `from='${from}' ` : ''}to='${ME}/confab'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='${node}'>${item}</items></event></message>`);

describe('nicknames (XEP-0172, nick.ts)', () => {
  const NODE = 'http://jabber.org/protocol/nick';

  it('learns a contact\'s nickname from PEP, bounded, and forgets it when they clear it', () => {
    const { ctx, rec } = recordingContext();
    dispatch(XMPP_HANDLERS, ctx, event('Alice@example.org', NODE, `<item><nick xmlns='${NODE}'>  ${'A'.repeat(150)} </nick></item>`));
    expect(ctx.nicks.get('alice@example.org')).toBe('A'.repeat(100));
    dispatch(XMPP_HANDLERS, ctx, event('alice@example.org', NODE, `<item><nick xmlns='${NODE}'/></item>`));
    expect(ctx.nicks.has('alice@example.org')).toBe(false);
    expect(rec.calls).toEqual([]);
  });

  it('asks a contact\'s node (§4.5) and reads the answer', () => {
    expect(askNick('alice@example.org').toString()).toBe(`<iq type="get" to="alice@example.org"><pubsub xmlns="http://jabber.org/protocol/pubsub"><items node="${NODE}" max_items="1"/></pubsub></iq>`);
    expect(nickOf(stanza(`<iq type='result'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='${NODE}'><item><nick xmlns='${NODE}'>Al</nick></item></items></pubsub></iq>`))).toBe('Al');
    expect(nickOf(stanza(`<iq type='result'/>`))).toBeUndefined();
  });
});

describe('avatars as announced (XEP-0084, XEP-0153; handlers/avatars.ts)', () => {
  it('hands PEP metadata to the avatar store', () => {
    const { ctx, rec } = recordingContext();
    const metadata = `<metadata xmlns='urn:xmpp:avatar:metadata'><info id='${'a'.repeat(40)}' type='image/png' bytes='10'/></metadata>`;
    dispatch(XMPP_HANDLERS, ctx, event('bob@example.org', 'urn:xmpp:avatar:metadata', `<item id='${'a'.repeat(40)}'>${metadata}</item>`));
    expect(rec.avatarMetadata).toEqual([{ jid: 'bob@example.org', metadata: expect.stringContaining(`id="${'a'.repeat(40)}"`) }]);
  });

  it('hands a presence\'s vCard photo hash to the store, then the presence to the contacts; never our own', () => {
    const { ctx, rec } = recordingContext();
    dispatch(XMPP_HANDLERS, ctx, stanza(`<presence from='bob@example.org/r'><x xmlns='vcard-temp:x:update'><photo>${'b'.repeat(40)}</photo></x></presence>`));
    dispatch(XMPP_HANDLERS, ctx, stanza(`<presence from='${ME}/phone'><x xmlns='vcard-temp:x:update'><photo>${'b'.repeat(40)}</photo></x></presence>`));
    dispatch(XMPP_HANDLERS, ctx, stanza(`<presence from='bob@example.org/r' type='subscribe'><x xmlns='vcard-temp:x:update'><photo/></x></presence>`));
    expect(rec.avatarPresence).toEqual(['bob@example.org']);
    expect(rec.calls).toEqual(['avatarPresence', 'presence', 'request']);
  });
});

describe('bookmarks (XEP-0402, handlers/bookmarks.ts)', () => {
  const NODE = 'urn:xmpp:bookmarks:1';
  const conference = (autojoin: boolean) => `<conference xmlns='${NODE}' autojoin='${autojoin}'><nick>me</nick></conference>`;

  it('joins a room bookmarked with autojoin, leaves one that stops autojoining or is retracted', () => {
    const { ctx, rec } = recordingContext({ rooms: ['old@muc.example.org', 'gone@muc.example.org'] });
    dispatch(XMPP_HANDLERS, ctx, event(ME, NODE, `<item id='new@muc.example.org'>${conference(true)}</item>`));
    dispatch(XMPP_HANDLERS, ctx, event(undefined, NODE, `<item id='old@muc.example.org'>${conference(false)}</item>`));
    dispatch(XMPP_HANDLERS, ctx, event(ME, NODE, `<retract id='gone@muc.example.org'/>`));
    expect(rec.joined).toEqual([{ room: 'new@muc.example.org', autojoin: true, nick: 'me', password: undefined }]);
    expect(rec.left).toEqual(['old@muc.example.org', 'gone@muc.example.org']);
  });

  it('believes bookmarks only from our own account (XEP-0163 §4.3)', () => {
    const { ctx, rec } = recordingContext();
    dispatch(XMPP_HANDLERS, ctx, event('evil@example.org', NODE, `<item id='trap@muc.example.org'>${conference(true)}</item>`));
    expect(rec.calls).toEqual([]);
  });

  it('applies the bookmarks fetched at login the same way', () => {
    const { ctx, rec } = recordingContext({ rooms: ['in@muc.example.org'] });
    applyBookmarks(ctx, stanza(`<items node='${NODE}'><item id='in@muc.example.org'>${conference(true)}</item><item id='x@muc.example.org'>${conference(true)}</item></items>`));
    expect(rec.joined.map((b) => b.room)).toEqual(['x@muc.example.org']);
  });
});

describe('PEP by node (pep.ts)', () => {
  it('passes a notification of a node no one owns on to the rest of the table', () => {
    const { ctx, rec } = recordingContext();
    dispatch(XMPP_HANDLERS, ctx, stanza(`<message from='bob@example.org/r' type='chat'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:example:other'/></event><body>and a body</body></message>`));
    expect(rec.calls).toEqual(['live']);
  });
});
