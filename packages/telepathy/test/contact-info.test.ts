import { infoFields } from '../src/connections/contact-info';

describe('ContactInfo fields from what Confab knows of a contact', () => {
  it('names the vCard fields it can and marks the rest x-, leaving our avatar file out', () => {
    expect(infoFields({ realname: 'Ada L', nick: 'ada', host: 'h.example', avatar: '/home/u/.cache/a.png', 'Server Info': 'x' })).toEqual([
      ['fn', [], ['Ada L']],
      ['nickname', [], ['ada']],
      ['x-host', [], ['h.example']],
      ['x-server-info', [], ['x']],
    ]);
    expect(infoFields({ jid: 'a@b', subscription: 'both' })).toEqual([['x-jabber', [], ['a@b']], ['x-subscription', [], ['both']]]);
  });
});
