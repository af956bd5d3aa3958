/**
 * The IRC server stopped and started again: the account goes `connecting` with reason
 * `network-error`, reconnects within the backoff, rejoins its channels and sends, in order, what
 * was queued in the outbox while the server was down.
 */
import { toMsg } from '../fixtures/confabd';
import { ircAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient } from '../fixtures/irc/raw-irc-client';
import { until } from '../fixtures/processes';

const ACCOUNT = '/im/confab/Confab1/accounts/irc_phoenix_127_0_0_1';

describe('the IRC server restarted', () => {
  // A first retry no sooner than 1.5 s: time for the test's own client to be back first.
  const { d, use } = withDaemon({ config: JSON.stringify({ reconnect: { initialDelayMs: 3000, maxDelayMs: 6000 }, secretStore: 'file' }) });
  let irc: Ngircd;

  beforeAll(async () => {
    irc = use(await startNgircd());
  });

  it('reconnects, rejoins and drains the outbox', async () => {
    const m = await d.manager();
    const changes: string[][] = [];
    m.on('AccountsChanged', (batch: string[][]) => changes.push(...batch));
    await d.createAccount('irc', 'Phoenix', ircAccount(irc, 'phoenix'), { connected: true });
    const chPath = (await (await d.account(ACCOUNT)).JoinRoom('#back', '')) as string;
    await until(async () => (await d.channelProp(chPath, 'Joined')) === true, 10000, 'joined');

    await irc.stop();
    await d.waitForStatus(ACCOUNT, 'connecting', 'network-error', 10000);
    expect(Number(await d.accountProp(ACCOUNT, 'NextRetry'))).toBeGreaterThan(Date.now() - 1000);
    expect(await d.channelProp(chPath, 'Joined')).toBe(false);

    const ch = await d.channel(chPath);
    const ids: number[] = [];
    for (const text of ['queued one', 'queued two', 'queued three']) ids.push(Number(await ch.SendMessage(text, 'normal')));
    expect(await d.accountProp(ACCOUNT, 'OutboxSize')).toBe(3);

    await irc.restart();
    const raw = use(await connectRawClient(irc.host, irc.port, 'witness'));
    raw.join('#back');
    await raw.waitFor((l) => l.command === '366', 5000);

    await raw.waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith('phoenix!'), 20000);
    for (const text of ['queued one', 'queued two', 'queued three']) {
      await raw.waitFor((l) => l.command === 'PRIVMSG' && l.params[1] === text, 10000);
    }
    const order = raw.lines.filter((l) => l.command === 'PRIVMSG').map((l) => l.params[1]);
    expect(order).toEqual(['queued one', 'queued two', 'queued three']);
    await until(async () => (await d.accountProp(ACCOUNT, 'OutboxSize')) === 0, 10000, 'the outbox to drain');
    const states = ((await ch.GetHistory(0n, 0)) as unknown[][]).map(toMsg).filter((h) => ids.includes(h.id)).map((h) => h.state);
    expect(states).toEqual(['sent', 'sent', 'sent']);
    expect(changes.some((c) => c[0] === ACCOUNT && c[1] === 'connecting' && c[2] === 'network-error')).toBe(true);
    expect(changes.filter((c) => c[0] === ACCOUNT && c[1] === 'connected').length).toBeGreaterThanOrEqual(2);
  });
});
