jest.mock('@xmpp/client', () => ({ xml: require('ltx').createElement }));
import { dispatch, XMPP_HANDLERS } from '../../src/handlers';
import { bounceHandlers } from '../../src/handlers/bounces';
import { carbonHandlers } from '../../src/handlers/carbons';
import { chatHandlers } from '../../src/handlers/chat';
import { chatStateHandlers } from '../../src/handlers/chat-states';
import { receiptHandlers } from '../../src/handlers/receipts';
import { roomHandlers } from '../../src/handlers/rooms';
import { recordingContext, stanza } from '../stanzas';

describe('one-to-one messages (RFC 6121 §5, chat.ts)', () => {
  it('stores a chat message with its sender, time and our server\'s stanza-id, and sends the receipt it asks for (XEP-0184 §5.1)', () => {
    const { ctx, rec } = recordingContext();
    dispatch(chatHandlers, ctx, stanza(`<message from='Alice@example.org/phone' to='me@example.org' type='chat' id='m1'><body>/me waves</body>` +
      `<delay xmlns='urn:xmpp:delay' stamp='2026-01-02T03:04:05Z'/><stanza-id xmlns='urn:xmpp:sid:0' by='me@example.org' id='arch-1'/>` +
      `<stanza-id xmlns='urn:xmpp:sid:0' by='evil@example.org' id='forged'/><request xmlns='urn:xmpp:receipts'/></message>`));
    expect(rec.live).toEqual([{ m: {
      channel: { kind: 'direct', target: 'alice@example.org' },
      sender: { id: 'alice@example.org', name: 'Alice' },
      body: 'waves',
      kind: 'action',
      serverTime: new Date('2026-01-02T03:04:05Z'),
      protocolId: 'arch-1',
      outgoing: false,
    } }]);
    expect(rec.sent).toEqual([`<message to="Alice@example.org/phone" id="confab-r1"><received xmlns="urn:xmpp:receipts" id="m1"/></message>`]);
    expect(rec.calls).toEqual(['live', 'send']); // stored first, then acknowledged
  });

  it('takes ours from another client as outgoing, asks no receipt of it, and leaves groupchat and headline alone', () => {
    const { ctx, rec } = recordingContext();
    dispatch(chatHandlers, ctx, stanza(`<message from='me@example.org/laptop' to='bob@example.org' id='x'><body>hi</body><request xmlns='urn:xmpp:receipts'/></message>`));
    dispatch(chatHandlers, ctx, stanza(`<message from='bob@example.org/r' type='headline'><body>news</body></message>`));
    expect(rec.live.map(({ m }) => [m.channel.target, m.outgoing, m.sender.name])).toEqual([['bob@example.org', true, 'me@example.org']]);
    expect(rec.sent).toEqual([]);
  });
});

describe('receipts and markers (XEP-0184, XEP-0333, receipts.ts)', () => {
  it('reports our messages delivered or read, and lets the message go on', () => {
    const { ctx, rec } = recordingContext();
    const handled = dispatch(receiptHandlers, ctx, stanza(`<message from='bob@example.org/r'><received xmlns='urn:xmpp:receipts' id='confab-t1'/>` +
      `<displayed xmlns='urn:xmpp:chat-markers:0' id='confab-t2'/><received xmlns='urn:xmpp:chat-markers:0' id='someone-else'/></message>`));
    expect(handled).toBe(false);
    expect(rec.delivered).toEqual([[{ token: 't1', state: 'delivered' }, { token: 't2', state: 'read' }]]);
  });

  it('ignores the receipts our own other clients send', () => {
    const { ctx, rec } = recordingContext();
    dispatch(receiptHandlers, ctx, stanza(`<message from='me@example.org/phone'><received xmlns='urn:xmpp:receipts' id='confab-t1'/></message>`));
    expect(rec.delivered).toEqual([]);
  });
});

describe('chat states (XEP-0085, chat-states.ts)', () => {
  it('reports the other side composing in a one-to-one chat, not our own nor a groupchat', () => {
    const { ctx, rec } = recordingContext();
    dispatch(chatStateHandlers, ctx, stanza(`<message from='bob@example.org/r' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`));
    dispatch(chatStateHandlers, ctx, stanza(`<message from='me@example.org/r' type='chat'><paused xmlns='http://jabber.org/protocol/chatstates'/></message>`));
    dispatch(chatStateHandlers, ctx, stanza(`<message from='room@muc.example.org/n' type='groupchat'><paused xmlns='http://jabber.org/protocol/chatstates'/></message>`));
    expect(rec.chatStates).toEqual([{ channel: { kind: 'direct', target: 'bob@example.org' }, contact: 'bob@example.org', state: 'composing' }]);
  });
});

describe('carbons (XEP-0280, carbons.ts)', () => {
  const carbon = (from: string, kind: 'sent' | 'received') => stanza(`<message from='${from}' to='me@example.org/confab'><${kind} xmlns='urn:xmpp:carbons:2'>` +
    `<forwarded xmlns='urn:xmpp:forward:0'><message from='me@example.org/phone' to='bob@example.org' type='chat'><body>from my phone</body></message></forwarded></${kind}></message>`);

  it('stores what another client of ours sent as outgoing, without advancing the archive mark', () => {
    const { ctx, rec } = recordingContext();
    expect(dispatch(carbonHandlers, ctx, carbon('me@example.org', 'sent'))).toBe(true);
    expect(rec.emitted.map((m) => [m.channel.target, m.body, m.outgoing])).toEqual([['bob@example.org', 'from my phone', true]]);
    expect(rec.live).toEqual([]);
  });

  it('believes no carbon from anyone else (§11), and takes it anyway', () => {
    const { ctx, rec } = recordingContext();
    expect(dispatch(carbonHandlers, ctx, carbon('evil@example.org', 'received'))).toBe(true);
    expect(rec.emitted).toEqual([]);
  });
});

describe('bounced messages (RFC 6120 §8.3, bounces.ts)', () => {
  it('fails our message with the error\'s condition', () => {
    const { ctx, rec } = recordingContext();
    dispatch(bounceHandlers, ctx, stanza(`<message from='nobody@example.org' type='error' id='confab-t1'><body>hi</body>` +
      `<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`));
    expect(rec.bounced.map(({ id, error }) => [id, error.code, error.message])).toEqual([['confab-t1', 'NotFound', 'the server refused the message: item-not-found']]);
  });
});

describe('rooms first (XEP-0045, rooms.ts)', () => {
  it('stores a room\'s message as the room\'s, and passes on what is not a room\'s', () => {
    const m = { channel: { kind: 'room' as const, target: 'lounge@muc.example.org' }, sender: { id: 'bob', name: 'bob' }, body: 'hi', kind: 'normal' as const, outgoing: false };
    const { ctx, rec } = recordingContext({ muc: { onMessage: (s) => (s.attrs.from?.startsWith('lounge@') ? m : undefined) } });
    expect(dispatch(roomHandlers, ctx, stanza(`<message from='lounge@muc.example.org/bob' type='groupchat'><body>hi</body></message>`))).toBe(true);
    expect(dispatch(roomHandlers, ctx, stanza(`<message from='bob@example.org/r' type='chat'><body>hi</body></message>`))).toBe(false);
    expect(rec.live).toEqual([{ m, room: 'lounge@muc.example.org' }]);
  });
});

describe('the order of the table (handlers/index.ts)', () => {
  it('gives a message\'s receipt, chat state and body to each in turn', () => {
    const { ctx, rec } = recordingContext();
    dispatch(XMPP_HANDLERS, ctx, stanza(`<message from='bob@example.org/r' type='chat' id='m2'><body>hello</body><active xmlns='http://jabber.org/protocol/chatstates'/>` +
      `<received xmlns='urn:xmpp:chat-markers:0' id='confab-t9'/></message>`));
    expect(rec.calls).toEqual(['delivered', 'chatState', 'live']);
  });

  it('ends the chain at a carbon, an archive result or an error: what they carry is no live message', () => {
    const { ctx, rec } = recordingContext();
    dispatch(XMPP_HANDLERS, ctx, stanza(`<message from='me@example.org' type='chat'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>` +
      `<message from='me@example.org/phone' to='bob@example.org' type='chat'><body>copy</body></message></forwarded></sent><body>outer</body></message>`));
    dispatch(XMPP_HANDLERS, ctx, stanza(`<message from='me@example.org'><result xmlns='urn:xmpp:mam:2' queryid='nobody-asked' id='a1'/><body>outer</body></message>`));
    dispatch(XMPP_HANDLERS, ctx, stanza(`<message from='bob@example.org/r' type='error' id='x'><body>outer</body></message>`));
    expect(rec.calls).toEqual(['emit', 'bounced']);
  });

  it('gives a room\'s stanza to the room only', () => {
    const { ctx, rec } = recordingContext({ muc: { onMessage: () => 'handled', onPresence: () => true } });
    dispatch(XMPP_HANDLERS, ctx, stanza(`<message from='lounge@muc.example.org/bob' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/><body>pm</body></message>`));
    dispatch(XMPP_HANDLERS, ctx, stanza(`<presence from='lounge@muc.example.org/bob'><x xmlns='vcard-temp:x:update'><photo/></x></presence>`));
    expect(rec.calls).toEqual([]);
  });
});
