import { Emitter, type Account, type Presence, type Protocol } from '@confab/sdk';
import { AccountOps } from '../src/accounts/account-ops';
import { createAccount } from '../src/accounts/create-account';
import { requestedPresence, tpEnabled } from '../src/accounts/properties';
import type { ConfabAccountChange, ConfabAccounts, ConfabFeatures } from '../src/confab';
import dbus from 'dbus-next';

const v = (signature: string, value: unknown) => new dbus.Variant(signature, value);
const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } } as never;

/** The accounts feature as far as the adapter uses it: accounts in a map, settings in a map, calls recorded. */
function fakeAccounts(): ConfabAccounts & { calls: string[]; accounts: Map<string, Account> } {
  const protocol = { id: 'irc', parameters: [{ name: 'nickname', type: 'string', required: true, description: '' }, { name: 'server', type: 'string', description: '' }, { name: 'password', type: 'string', secret: true, description: '' }] } as unknown as Protocol;
  const accounts = new Map<string, Account>();
  const settings = new Map<string, string>();
  const changed = new Emitter<ConfabAccountChange>();
  const calls: string[] = [];
  let presence: Presence = { status: 'available', message: '' };
  const save = (id: string, change: Partial<Account>) => {
    accounts.set(id, { ...accounts.get(id)!, ...change });
    changed.fire({ id, change: 'changed' });
  };
  return {
    calls, accounts,
    protocols: new Map([['irc', protocol]]),
    get presence() { return presence; },
    ids: () => [...accounts.keys()],
    find: (id) => (accounts.has(id) ? { account: accounts.get(id)!, protocol, status: 'disconnected', reason: 'requested', detail: '' } : undefined),
    identity: (id) => `${String(accounts.get(id)?.params.nickname)}@server`,
    create: async (p, displayName, params) => {
      const { password, ...plain } = params;
      calls.push(`create ${p} ${JSON.stringify(plain)} secret:${password !== undefined}`);
      const a: Account = { id: `irc_${String(params.nickname)}`, protocol: p, displayName, params: plain as Account['params'], enabled: true };
      accounts.set(a.id, a);
      changed.fire({ id: a.id, change: 'added' });
      return a;
    },
    update: async (id, set, unset) => {
      calls.push(`update ${JSON.stringify(set)} ${JSON.stringify(unset)}`);
      save(id, { params: { ...accounts.get(id)!.params, ...(set as Account['params']) } });
    },
    setDisplayName: (id, displayName) => save(id, { displayName }),
    setEnabled: (id, enabled) => {
      calls.push(`enabled ${enabled}`);
      save(id, { enabled });
    },
    reconnect: (id) => calls.push(`reconnect ${id}`),
    remove: async (id) => void accounts.delete(id),
    setPresence: (status, message) => {
      calls.push(`presence ${status}`);
      presence = { status: status as Presence['status'], message };
    },
    services: (id) => ({ state: { get: (k) => settings.get(`${id}/${k}`), set: (k, val) => void settings.set(`${id}/${k}`, val) } }),
    onChanged: changed.event,
    onPresenceChanged: new Emitter<Presence>().event,
  };
}

describe('accounts made and switched from Telepathy', () => {
  let accounts: ReturnType<typeof fakeAccounts>;
  let f: Pick<ConfabFeatures, 'accounts'>;
  let ops: AccountOps;
  beforeEach(() => {
    accounts = fakeAccounts();
    f = { accounts };
    ops = new AccountOps(f, silent);
  });

  it("are created disabled (mc-tool's add), their password going to the daemon as a secret parameter", async () => {
    const id = await createAccount(f, ops, 'idle', 'irc', 'Test', { account: v('s', 'alice'), server: v('s', 'h'), password: v('s', 'pw') }, {});
    expect(accounts.calls).toEqual(['create irc {"nickname":"alice","server":"h"} secret:true', 'enabled false']);
    const s = ops.snapshot(id);
    expect([tpEnabled(s), requestedPresence(s)]).toEqual([false, [0, '', '']]);
  });

  it("connect once Enabled and an online presence are both asked (Polari's CreateAccount with Enabled, then RequestedPresence)", async () => {
    const id = await createAccount(f, ops, 'idle', 'irc', '', { account: v('s', 'alice') }, { 'org.freedesktop.Telepathy.Account.Enabled': v('b', true) });
    expect(accounts.accounts.get(id)!.enabled).toBe(false); // no presence requested yet
    ops.setRequestedPresence(id, [2, 'available', '']);
    expect(accounts.accounts.get(id)!.enabled).toBe(true);
    ops.setRequestedPresence(id, [1, 'offline', '']); // Polari quitting
    expect([accounts.accounts.get(id)!.enabled, tpEnabled(ops.snapshot(id))]).toEqual([false, true]);
  });

  it("make an online request Confab's presence when it is offline or another", async () => {
    const id = await createAccount(f, ops, 'idle', 'irc', '', { account: v('s', 'alice') }, {});
    accounts.setPresence('offline', '');
    ops.setEnabled(id, true);
    ops.setRequestedPresence(id, [3, 'away', 'lunch']);
    expect(accounts.presence).toEqual({ status: 'away', message: 'lunch' });
    expect(accounts.accounts.get(id)!.enabled).toBe(true);
  });

  it("follow a switch made on Confab's own API", async () => {
    const id = await createAccount(f, ops, 'idle', 'irc', '', { account: v('s', 'alice') }, {});
    accounts.setEnabled(id, true); // confab account enable
    ops.reconcile(id);
    expect([tpEnabled(ops.snapshot(id)), requestedPresence(ops.snapshot(id))]).toEqual([true, [2, 'available', '']]);
    accounts.setEnabled(id, false);
    ops.reconcile(id);
    expect(tpEnabled(ops.snapshot(id))).toBe(false);
  });

  it('refuse properties CreateAccount does not take, or of the wrong type, before anything is made', async () => {
    await expect(createAccount(f, ops, 'idle', 'irc', '', { account: v('s', 'a') }, { 'org.freedesktop.Telepathy.Account.Enabled': v('s', 'yes') })).rejects.toThrow('must be of type b');
    await expect(createAccount(f, ops, 'idle', 'irc', '', { account: v('s', 'a') }, { 'com.example.Whatever': v('b', true) })).rejects.toThrow('cannot be given');
    await expect(createAccount(f, ops, 'gabble', 'jabber', '', {}, {})).rejects.toThrow('no protocol for gabble/jabber');
    expect(accounts.calls).toEqual([]);
  });

  it('set the nickname through the protocol parameter, and a Reconnect of an account meant offline does nothing', async () => {
    const id = await createAccount(f, ops, 'idle', 'irc', '', { account: v('s', 'alice') }, {});
    ops.setNickname(id, 'alice2');
    ops.setNickname(id, 'alice2');
    ops.reconnect(id);
    expect(accounts.calls.slice(2)).toEqual(['update {"nickname":"alice2"} []']);
  });
});
