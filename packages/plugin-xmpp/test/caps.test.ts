import { capsVersion, FEATURES, IDENTITY } from '../src/caps';

describe('entity capabilities (XEP-0115)', () => {
  it('computes the example of XEP-0115 §5.2', () => {
    const features = ['http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items', 'http://jabber.org/protocol/muc', 'http://jabber.org/protocol/caps'];
    expect(capsVersion({ category: 'client', type: 'pc', name: 'Exodus 0.9.1' }, features)).toBe('QgayPKawpkPSDYmwT/WM94uAlu0=');
  });

  it('gives our own a stable hash over sorted features', () => {
    expect(capsVersion(IDENTITY, FEATURES)).toBe(capsVersion(IDENTITY, [...FEATURES].reverse()));
  });
});
