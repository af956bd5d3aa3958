import dbus from 'dbus-next';
import type { Account, Protocol, StatusReason } from '@confab/sdk';
import { accountProperties, nickname, type AccountSnapshot } from '../src/accounts/properties';
import { confabPresence, tpPresence } from '../src/accounts/presence';
import { connectionError, statusReason } from '../src/accounts/status';
import type { TpFields } from '../src/accounts/tp-state';
import { tableFor } from '../src/params';

const protocol = { id: 'irc', parameters: [{ name: 'nickname', type: 'string', description: '' }, { name: 'password', type: 'string', secret: true, description: '' }] } as unknown as Protocol;
const TP: TpFields = { icon: '', service: '', connectAutomatically: true, hasBeenOnline: false, kept: {}, uriSchemes: [], avatar: ['', ''], supersedes: [] };

function snap(over: { account?: Partial<Account>; status?: 'connected' | 'connecting' | 'disconnected'; reason?: StatusReason; detail?: string; tp?: Partial<TpFields> } = {}): AccountSnapshot {
  const account: Account = { id: 'irc_alice', protocol: 'irc', displayName: 'Alice', params: { nickname: 'alice' }, enabled: true, ...over.account };
  return {
    run: { account, protocol, status: over.status ?? 'disconnected', reason: over.reason ?? 'requested', detail: over.detail ?? '' },
    presence: { status: 'available', message: '' },
    identity: 'alice@irc.example',
    tp: { ...TP, ...over.tp },
  };
}
const props = (s: AccountSnapshot) => accountProperties(tableFor('irc'), s);

describe('Account properties', () => {
  it('are all there, with the D-Bus types telepathy-glib reads (u numbers, (uss) tuples, o paths)', () => {
    const p = props(snap({ status: 'connected' }));
    expect(Object.keys(p).sort()).toEqual([
      'AutomaticPresence', 'ChangingPresence', 'ConnectAutomatically', 'Connection', 'ConnectionError', 'ConnectionErrorDetails',
      'ConnectionStatus', 'ConnectionStatusReason', 'CurrentPresence', 'DisplayName', 'Enabled', 'HasBeenOnline', 'Icon', 'Interfaces',
      'Nickname', 'NormalizedName', 'Parameters', 'RequestedPresence', 'Service', 'Supersedes', 'Valid',
    ]);
    expect(p).toMatchObject({
      ConnectionStatus: 0, ConnectionStatusReason: 1, ConnectionError: '', Connection: '/', CurrentPresence: [2, 'available', ''],
      RequestedPresence: [2, 'available', ''], ChangingPresence: false, HasBeenOnline: true, Enabled: true, Valid: true,
      Nickname: 'alice', NormalizedName: 'alice@irc.example',
    });
    expect((p.Parameters as Record<string, InstanceType<typeof dbus.Variant>>).account.value).toBe('alice');
  });

  it('of an account made on Confab follow its enabled: disabled is not Enabled and requests offline', () => {
    expect(props(snap({ account: { enabled: false } }))).toMatchObject({ Enabled: false, RequestedPresence: [1, 'offline', ''], CurrentPresence: [1, 'offline', ''] });
  });

  it("keep Telepathy's Enabled apart from its requested presence (Polari's quit asks offline, Enabled stays)", () => {
    expect(props(snap({ account: { enabled: false }, tp: { enabled: true, requested: 'offline' } }))).toMatchObject({ Enabled: true, RequestedPresence: [1, 'offline', ''] });
    expect(props(snap({ account: { enabled: false }, tp: { enabled: false, requested: 'unset' } }))).toMatchObject({ Enabled: false, RequestedPresence: [0, '', ''] });
  });

  it('say why a connection failed, in the names Polari switches on, with the detail for debugging', () => {
    const p = props(snap({ status: 'connecting', reason: 'auth-failed', detail: 'bad password' }));
    expect(p).toMatchObject({ ConnectionStatus: 1, ConnectionStatusReason: 3, ConnectionError: 'org.freedesktop.Telepathy.Error.AuthenticationFailed', ChangingPresence: true });
    expect((p.ConnectionErrorDetails as Record<string, { value: unknown }>)['debug-message'].value).toBe('bad password');
    expect(props(snap({ reason: 'requested' })).ConnectionErrorDetails).toEqual({});
    expect(connectionError('disconnected', 'cert-invalid')).toBe('org.freedesktop.Telepathy.Error.Cert.Untrusted');
    expect(connectionError('connected', 'network-error')).toBe('');
    expect(statusReason('name-in-use')).toBe(5);
  });

  it('take the nickname from the protocol parameter, else what Telepathy set, else the identity', () => {
    expect(nickname(tableFor('irc'), snap({ tp: { nickname: 'ignored' } }))).toBe('alice');
    expect(nickname(tableFor('tox'), snap({ account: { params: {} }, tp: { nickname: 'set' } }))).toBe('set');
    expect(nickname(tableFor('tox'), snap({ account: { params: {} } }))).toBe('alice@irc.example');
  });
});

describe('presence', () => {
  it("is Confab's, as Telepathy types and statuses", () => {
    expect(tpPresence({ status: 'invisible', message: 'x' })).toEqual([5, 'hidden', 'x']);
    expect(tpPresence({ status: 'busy', message: '' })).toEqual([6, 'busy', '']);
  });

  it('requested by type; extended away is away; unknown and error cannot be requested', () => {
    expect(confabPresence([2, 'available', 'hi'])).toEqual({ status: 'available', message: 'hi' });
    expect(confabPresence([4, 'xa', ''])).toEqual({ status: 'away', message: '' });
    expect(confabPresence([0, '', ''])).toBe('unset');
    expect(() => confabPresence([8, 'error', ''])).toThrow('cannot be requested');
    expect(() => confabPresence(['2', 'available', ''])).toThrow('(u type, s status, s message)');
  });
});
