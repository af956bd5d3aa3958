import { planImport, type ImportRequest } from '../src/migrate/accounts-cfg';
import { keyList, keyString, parseKeyFile } from '../src/migrate/keyfile';

/** What Mission Control 5.16 wrote in the notes' experiment A, plus accounts of other kinds. */
const CFG = `# Telepathy accounts

[idle/irc/alice0]
manager=idle
protocol=irc
DisplayName=Test\\sIRC
AutomaticPresence=0;;;
param-account=alice
param-port=16667
param-server=127.0.0.1
param-username=alice
param-use-ssl=true
Enabled=true
HasBeenOnline=true
NormalizedName=alice
Nickname=alice

[gabble/jabber/bob_40example_2ecom0]
manager=gabble
protocol=jabber
DisplayName=Bob
AutomaticPresence=3;away;back\\ssoon;
ConnectAutomatically=false
param-account=bob@example.com
param-password=pa;ss word
Enabled=false

[haze/icq/x0]
manager=haze
protocol=icq
`;

const plain = (r: ImportRequest, which: 'params' | 'properties') =>
  Object.fromEntries(Object.entries(r[which]).map(([k, v]) => [k.replace('org.freedesktop.Telepathy.Account.', ''), [v.signature, v.value]]));

describe("Mission Control's accounts.cfg", () => {
  it('is read as GLib writes it: groups, escapes, lists', () => {
    const f = parseKeyFile(CFG);
    expect([...f.keys()]).toEqual(['idle/irc/alice0', 'gabble/jabber/bob_40example_2ecom0', 'haze/icq/x0']);
    expect(keyString('Test\\sIRC\\\\')).toBe('Test IRC\\');
    expect(keyList('3;away;back\\ssoon;')).toEqual(['3', 'away', 'back soon']);
    expect(keyList('a\\;b;c;')).toEqual(['a;b', 'c']);
  });

  it('becomes CreateAccount calls: parameters typed by the CM, the presence Mission Control would have asked', () => {
    const [irc, xmpp, icq] = planImport(parseKeyFile(CFG));
    expect(icq).toEqual({ source: 'haze/icq/x0', skip: 'Confab has no protocol for haze/icq' });
    const a = irc as ImportRequest;
    expect([a.cm, a.protocol, a.displayName]).toEqual(['idle', 'irc', 'Test IRC']);
    expect(plain(a, 'params')).toEqual({ account: ['s', 'alice'], port: ['u', 16667], server: ['s', '127.0.0.1'], username: ['s', 'alice'], 'use-ssl': ['b', true] });
    expect(plain(a, 'properties')).toEqual({
      Enabled: ['b', true], Nickname: ['s', 'alice'], ConnectAutomatically: ['b', true], RequestedPresence: ['(uss)', [2, 'available', '']],
    });
    const b = xmpp as ImportRequest;
    expect(plain(b, 'params')).toEqual({ account: ['s', 'bob@example.com'], password: ['s', 'pa;ss word'] });
    expect(plain(b, 'properties')).toEqual({ Enabled: ['b', false], ConnectAutomatically: ['b', false], AutomaticPresence: ['(uss)', [3, 'away', 'back soon']] });
  });
});
