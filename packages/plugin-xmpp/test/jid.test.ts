import { normalizeJid } from '../src/jid';

describe('JIDs', () => {
  it('normalizes to the bare JID, folding the localpart and domain', () => {
    expect(normalizeJid(' Alice@Example.ORG/Phone ')).toBe('alice@example.org');
    expect(normalizeJid('conference.localhost')).toBe('conference.localhost');
  });

  it('refuses what RFC 7622 does not allow', () => {
    for (const bad of ['a b@x', 'a"b@x', 'a<b@x', '@', 'a@', 'a@b c']) expect(() => normalizeJid(bad)).toThrow(/not a valid JID/);
  });
});
