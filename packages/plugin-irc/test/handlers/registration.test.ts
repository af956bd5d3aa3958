/** handlers/registration.ts: one event in, the registration's outcome and the lines back out. */
import { ConfabError } from '@confab/sdk';
import { handle, HANDLED } from '../../src/handlers';
import { MOTD_WAIT_MS, registrationHandlers } from '../../src/handlers/registration';
import { fakeContext } from './fake-context';

const tables = [registrationHandlers];

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('the welcome (001)', () => {
  it('connects, and starts the contact watch at the end of the MOTD, once', () => {
    const { ctx, outcome, watch } = fakeContext();
    handle(tables, ctx, 'registered', { nick: 'me' });
    expect(outcome.welcomed).toHaveBeenCalledTimes(1);
    expect(watch.want).not.toHaveBeenCalled(); // we have the nick we asked for
    expect(ctx.startWatch).not.toHaveBeenCalled();
    handle(tables, ctx, 'motd', {});
    handle(tables, ctx, 'motd', {});
    jest.advanceTimersByTime(MOTD_WAIT_MS);
    expect(ctx.startWatch).toHaveBeenCalledTimes(1);
  });

  it('starts the watch anyway when the server never ends its MOTD', () => {
    const { ctx } = fakeContext();
    handle(tables, ctx, 'registered', { nick: 'me' });
    jest.advanceTimersByTime(MOTD_WAIT_MS);
    expect(ctx.startWatch).toHaveBeenCalledTimes(1);
  });

  it('watches for the nick we asked for when the server gave us another', () => {
    const { ctx, watch } = fakeContext();
    handle(tables, ctx, 'registered', { nick: 'me_' });
    expect(watch.want).toHaveBeenCalledWith('me');
    handle(tables, ctx, 'nick', { nick: 'me_', new_nick: 'ME' }); // regained (RFC 1459 case)
    expect(watch.want).toHaveBeenLastCalledWith(undefined);
  });

  it('is ignored after a failure: the registration settles once', () => {
    const { ctx, outcome } = fakeContext();
    handle(tables, ctx, 'irc error', { error: 'password_mismatch' });
    handle(tables, ctx, 'registered', { nick: 'me' });
    expect(outcome.welcomed).not.toHaveBeenCalled();
    expect(outcome.failed).toHaveBeenCalledTimes(1);
  });

  it('fails with network-error when none comes in time', () => {
    const { ctx, outcome } = fakeContext();
    expect(ctx.registration.settled).toBe(false);
    jest.advanceTimersByTime(30_000);
    expect(outcome.failed).toHaveBeenCalledWith(expect.objectContaining({ code: 'NetworkError', message: 'no welcome from irc.test within 30 s' }), 'network-error');
    handle(tables, ctx, 'registered', { nick: 'me' });
    expect(outcome.welcomed).not.toHaveBeenCalled();
  });
});

describe('refusals', () => {
  it.each([
    [{ error: 'password_mismatch' }, 'AuthenticationFailed', 'irc.test refused the password (464)', 'auth-failed'],
    [{ error: 'banned_from_network', reason: 'go away' }, 'PermissionDenied', 'irc.test bans this connection (465): go away', 'protocol-error'],
    [{ error: 'irc', reason: 'Access denied: Bad password?' }, 'AuthenticationFailed', 'irc.test refused the login: Access denied: Bad password?', 'auth-failed'],
  ])('%p fails the registration', (event, code, message, reason) => {
    const { ctx, outcome } = fakeContext();
    expect(handle(tables, ctx, 'irc error', event)).toBe(HANDLED);
    expect(outcome.failed).toHaveBeenCalledWith(expect.objectContaining({ code, message }), reason);
  });

  it('leaves errors about other things to the other tables', () => {
    const { ctx, outcome } = fakeContext();
    expect(handle(tables, ctx, 'irc error', { error: 'no_such_nick', nick: 'bob' })).toBe(false);
    expect(outcome.failed).not.toHaveBeenCalled();
  });

  it.each([
    [{ reason: 'capability_missing' }, 'irc.test does not offer SASL'],
    [{ reason: 'unsupported_mechanism' }, 'irc.test does not offer SASL PLAIN'],
    [{ reason: 'fail', message: 'Invalid credentials' }, 'irc.test refused the SASL login: Invalid credentials'],
  ])('a SASL failure %p is auth-failed, never an anonymous login', (event, message) => {
    const { ctx, outcome } = fakeContext({ settings: { server: 'irc.test', port: 6667, nickname: 'me', pingTimeout: 90, sasl: 'plain' } });
    handle(tables, ctx, 'sasl failed', event);
    expect(outcome.failed).toHaveBeenCalledWith(new ConfabError('AuthenticationFailed', message), 'auth-failed');
  });

  it('tries nick_ and nick__, then fails with name-in-use', () => {
    const { ctx, outcome } = fakeContext();
    handle(tables, ctx, 'nick in use', {});
    handle(tables, ctx, 'nick in use', {});
    expect((ctx.changeNick as jest.Mock).mock.calls).toEqual([['me_'], ['me__']]);
    handle(tables, ctx, 'nick in use', {});
    expect(outcome.failed).toHaveBeenCalledWith(expect.objectContaining({ code: 'NameInUse', message: 'the nickname me is in use on irc.test' }), 'name-in-use');
  });

  it('does nothing about a nick refused after the welcome', () => {
    const { ctx } = fakeContext();
    handle(tables, ctx, 'registered', { nick: 'me' });
    handle(tables, ctx, 'nick in use', {});
    expect(ctx.changeNick).not.toHaveBeenCalled();
  });
});

describe('the socket closing', () => {
  it('before the welcome: cert-invalid when the certificate was the problem', () => {
    const err = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const { ctx, outcome } = fakeContext({ socketError: () => err });
    handle(tables, ctx, 'socket close', undefined);
    expect(outcome.failed).toHaveBeenCalledWith(expect.objectContaining({ code: 'CertificateInvalid' }), 'cert-invalid');
  });

  it("after the welcome: the link is lost, with the server's ERROR as the reason", () => {
    const { ctx } = fakeContext();
    handle(tables, ctx, 'registered', { nick: 'me' });
    handle(tables, ctx, 'irc error', { error: 'irc', reason: 'Closing link: (me@host) [Excess Flood]' });
    handle(tables, ctx, 'socket close', undefined);
    expect(ctx.lost).toHaveBeenCalledWith('network-error', 'irc.test: Closing link: (me@host) [Excess Flood]');
  });

  it('after a ping timeout, says so', () => {
    const { ctx } = fakeContext();
    handle(tables, ctx, 'registered', { nick: 'me' });
    handle(tables, ctx, 'ping timeout', {});
    handle(tables, ctx, 'socket close', undefined);
    expect(ctx.lost).toHaveBeenCalledWith('network-error', 'irc.test: no answer from the server for 90 s (ping timeout)');
  });

  it('after disconnect() asked for it: requested', () => {
    const { ctx } = fakeContext({ quitRequested: () => true });
    handle(tables, ctx, 'registered', { nick: 'me' });
    handle(tables, ctx, 'socket close', undefined);
    expect(ctx.lost).toHaveBeenCalledWith('requested', 'irc.test:6667 closed the connection');
  });
});
