/** handlers/contacts.ts: one event in, the presence reported and the WHOIS answered. */
import type { ContactInfo } from '@confab/sdk';
import { handle } from '../../src/handlers';
import { contactHandlers } from '../../src/handlers/contacts';
import { deferred, fakeContext } from './fake-context';

const tables = [contactHandlers];

describe('presence', () => {
  it('MONITOR/ISON answers go to the watch', () => {
    const { ctx, watch } = fakeContext();
    handle(tables, ctx, 'users online', { nicks: ['bob'] });
    handle(tables, ctx, 'users offline', { nicks: ['carol'] });
    expect(watch.online).toHaveBeenCalledWith(['bob']);
    expect(watch.offline).toHaveBeenCalledWith(['carol']);
  });

  it("away-notify and RPL_AWAY: others' away and back, never our own", () => {
    const { ctx, watch } = fakeContext();
    handle(tables, ctx, 'away', { nick: 'bob', message: 'lunch' });
    handle(tables, ctx, 'away', { nick: 'carol' });
    handle(tables, ctx, 'back', { nick: 'bob' });
    handle(tables, ctx, 'away', { nick: 'me', message: 'out', self: true });
    handle(tables, ctx, 'back', { nick: 'me', self: true });
    expect(watch.away.mock.calls).toEqual([['bob', 'lunch'], ['carol', ''], ['bob', undefined]]);
  });
});

describe('WHOIS', () => {
  it('answers everyone waiting for that nick with what the server said, and notes away', () => {
    const { ctx, watch } = fakeContext();
    const a = deferred<ContactInfo>();
    const b = deferred<ContactInfo>();
    ctx.whois.set('bob', [a, b]);
    handle(tables, ctx, 'whois', { nick: 'Bob', ident: 'bob', hostname: 'h', actual_hostname: '10.0.0.1', real_name: 'Bob B', account: 'bobacct', logon: 0, away: 'lunch', secure: true, bot: false, server: '' });
    const info = { nick: 'Bob', username: 'bob', host: '10.0.0.1', realname: 'Bob B', account: 'bobacct', signon: '1970-01-01T00:00:00.000Z', away: 'lunch', secure: 'yes' };
    expect(a.resolve).toHaveBeenCalledWith(info);
    expect(b.resolve).toHaveBeenCalledWith(info);
    expect(watch.away).toHaveBeenCalledWith('Bob', 'lunch');
    expect(ctx.whois.size).toBe(0);
  });

  it('no such nick: NotFound', () => {
    const { ctx, watch } = fakeContext();
    const d = deferred<ContactInfo>();
    ctx.whois.set('ghost', [d]);
    handle(tables, ctx, 'whois', { nick: 'ghost', error: 'no_such_nick' });
    expect(d.reject).toHaveBeenCalledWith(expect.objectContaining({ code: 'NotFound', message: 'no one is using the nickname ghost' }));
    expect(watch.away).not.toHaveBeenCalled();
  });
});
