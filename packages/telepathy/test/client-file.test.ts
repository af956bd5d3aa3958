/** `.client` files (spec 0.27 Client discovery) and channel filters: Polari 43's own file, typo included. */
import { parseClientFile } from '../src/dispatcher/client-file';
import { matches, quality } from '../src/dispatcher/channel-filter';

const POLARI = `[org.freedesktop.Telepathy.Client]
Interfaces=org.freedesktop.Telepathy.Client.Handler;org.freedesktop.Telepathy.Client.Observer

[org.freedesktop.Telepathy.Client.Handler.HandlerChannelFilter 0]
org.freedesktop.Telepathy.Channel.ChannelType s=org.freedesktop.Telepathy.Channel.Type.Text
org.freedesktop.Telepathy.Channel.TargetHandleType u=1

[org.freedesktop.Telepathy.Client.Handler.HandlerChannelFilter 1]
org.freedesktop.Telepathy.Channel.ChannelType s=org.freedesktop.Telepathy.Channel.Type.Text
org.freedesktop.Telepathy.Channel.TargetHandleType u=2

[org.freedesktop.Telepathy.Client.Observer.ObserverChannelFilter 0]
org.freedesktop.Telepathy.Channel.ChannelType s=org.freedesktop.Telepathy.Channel.Type.Text
org.freedesktop.Telepathy.Channel.TargetHandleType u=1

[org.freedesktop.Telepathy.Client.Handler.ObserverChannelFilter 2]
org.freedesktop.Telepathy.Channel.ChannelType s=org.freedesktop.Telepathy.Channel.Type.ServerAuthentication

[org.freedesktop.Telepathy.Client.Observer]
Recover=true
`;

const props = (type: number) => ({
  'org.freedesktop.Telepathy.Channel.ChannelType': { value: 'org.freedesktop.Telepathy.Channel.Type.Text' },
  'org.freedesktop.Telepathy.Channel.TargetHandleType': { value: type },
  'org.freedesktop.Telepathy.Channel.TargetID': { value: '#room' },
});

describe('.client files', () => {
  it("reads Polari 43's file, ignoring the group its typo misnames", () => {
    const c = parseClientFile('Polari', POLARI);
    expect(c.interfaces).toEqual(['org.freedesktop.Telepathy.Client.Handler', 'org.freedesktop.Telepathy.Client.Observer']);
    expect(c.handlerFilters).toHaveLength(2);
    expect(c.observerFilters).toHaveLength(1);
    expect(c.handlerFilters[1].get('org.freedesktop.Telepathy.Channel.TargetHandleType')).toBe(2);
    expect(c.recover).toBe(true);
    expect(c.bypassApproval).toBe(false);
  });

  it('matches filters by value and type, the more specific the better', () => {
    const c = parseClientFile('Polari', POLARI);
    expect(quality(c.handlerFilters, props(2))).toBe(3);
    expect(quality(c.observerFilters, props(2))).toBe(0);
    expect(matches(new Map(), props(1))).toBe(true); // an empty filter takes every channel
    expect(quality([], props(1))).toBe(0); // no filter: nothing (telepathy-glib's temporary handlers)
  });
});
