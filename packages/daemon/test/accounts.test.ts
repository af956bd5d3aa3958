import { InvalidArgumentError, NotFoundError, type Protocol } from '@confab/sdk';
import { accountIdentity, newAccountId, splitSecrets } from '../src/accounts/params';
import { fakeCore, fakeProtocol, settle } from './fakes';

describe('account parameters', () => {
  const protocol = fakeProtocol([]);

  it('keeps secrets apart from the stored parameters', () => {
    expect(splitSecrets(protocol, { name: 'me', password: 'hunter2' })).toEqual({ plain: { name: 'me' }, secret: { password: 'hunter2' } });
  });

  it('makes an id usable in an object path, numbered when taken', () => {
    expect(newAccountId('irc', 'me@irc.example.org', () => false)).toBe('irc_me_irc_example_org');
    const taken = new Set(['irc_x', 'irc_x_1']);
    expect(newAccountId('irc', 'x', (id) => taken.has(id))).toBe('irc_x_2');
    expect(newAccountId('irc', '@@@', () => false)).toBe('irc');
  });

  it('names the account by what its connection said, else by the protocol, else by its id', () => {
    const account = { id: 'fake_me', params: { name: 'me' } };
    expect(accountIdentity(protocol, account, 'told')).toBe('told');
    expect(accountIdentity(protocol, account, undefined)).toBe('me');
    const failing = { ...protocol, identifyAccount: () => { throw new Error('no'); } } as Protocol;
    expect(accountIdentity(failing, account, undefined)).toBe('fake_me');
  });
});

describe('accounts', () => {
  it('creates an account with its secret in the secret store (redacted), connects it, and announces it', async () => {
    const { core, store, secrets, redactor, conn } = fakeCore();
    const changes: string[] = [];
    core.accounts.onChanged(({ id, change }) => changes.push(`${id} ${change}`));
    const id = await core.accounts.create('fake', '', { name: 'Me', password: 'hunter2' }).then((a) => a.id);
    expect(id).toBe('fake_Me');
    expect(store.accounts.get(id)?.params).toEqual({ name: 'Me' });
    expect(secrets.values.get(`${id}/password`)).toBe('hunter2');
    expect(redactor.redact('pw hunter2')).toBe('pw ***');
    await settle();
    expect(core.accounts.runner(id).status).toBe('connected');
    expect(conn().requests).toContain('presence available');
    expect(changes[0]).toBe(`${id} added`);
    expect(core.accounts.identity(id)).toBe('Me');
  });

  it('refuses unknown protocols and accounts, and unsetting what is required', async () => {
    const { core, account } = fakeCore();
    await expect(core.accounts.create('nope', '', {})).rejects.toThrow(NotFoundError);
    expect(() => core.accounts.runner('nobody')).toThrow(NotFoundError);
    const id = await account();
    await expect(core.accounts.update(id, {}, ['name'])).rejects.toThrow(InvalidArgumentError);
    await expect(core.accounts.update(id, {}, ['colour'])).rejects.toThrow(InvalidArgumentError);
  });

  it('disconnects when disabled or when the presence is offline, and connects again', async () => {
    const { core, account } = fakeCore();
    const id = await account();
    core.accounts.setEnabled(id, false);
    await settle();
    expect(core.accounts.runner(id).status).toBe('disconnected');
    expect(() => core.accounts.reconnect(id)).toThrow(/disabled/);
    core.accounts.setEnabled(id, true);
    await settle();
    expect(core.accounts.runner(id).status).toBe('connected');
    core.accounts.setPresence('offline', '');
    await settle();
    expect(core.accounts.runner(id).status).toBe('disconnected');
    expect(() => core.accounts.setPresence('sleepy', '')).toThrow(InvalidArgumentError);
  });
});
