/**
 * Outgoing flood control: 2,000 messages queued at once over D-Bus go out through an inspircd port
 * that disconnects flooders (inspircd: "Excess Flood" past 200 lines of penalty, which decays by 400
 * lines once a second: a raw burst is cut there, shown first) — paced by the account's token bucket, all are confirmed, in order, with no disconnect.
 */
import { ircAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startInspircd, type Inspircd } from '../fixtures/irc/inspircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { until } from '../fixtures/processes';

const COUNT = 2000;
const ACCOUNT = '/im/confab/Confab1/accounts/irc_burster_127_0_0_1';

describe('a burst of sends', () => {
  const { d, use } = withDaemon();
  let irc: Inspircd;
  let rx: RawIrcClient;

  beforeAll(async () => {
    irc = use(await startInspircd());
    rx = use(await connectRawClient(irc.host, irc.port, 'rx'));
  });

  it('a raw client bursting on the strict port is disconnected (the server really enforces it)', async () => {
    const tx = await connectRawClient(irc.host, irc.strictPort, 'rawburst');
    tx.send(Array.from({ length: 500 }, (_, i) => `PRIVMSG rx :raw ${i}`).join('\r\n'));
    await tx.waitFor((l) => l.command === 'ERROR' && /Excess Flood/.test(l.params[0] ?? ''), 10000);
    tx.close();
  });

  it(`${COUNT} messages queued at once are all sent, confirmed and in order, without a disconnect`, async () => {
    const m = await d.manager();
    const changes: string[][] = [];
    m.on('AccountsChanged', (batch: string[][]) => changes.push(...batch));
    // Stay under the strict class: burst + one second of rate below its threshold of 200.
    await d.createAccount('irc', 'Burster', ircAccount({ host: irc.host, port: irc.strictPort }, 'burster', { 'flood-burst': 50, 'flood-rate': 120 }), { connected: true });
    const ch = await d.channel((await (await d.account(ACCOUNT)).OpenDirect('rx')) as string);
    for (let i = 0; i < COUNT; i++) await ch.SendMessage(`burst ${i}`, 'normal');
    await until(async () => rx.lines.filter((l) => l.command === 'PRIVMSG' && l.params[1]?.startsWith('burst ')).length === COUNT, 60000, `all ${COUNT} at the receiver`);
    await until(async () => (await d.accountProp(ACCOUNT, 'OutboxSize')) === 0, 20000, 'the outbox to drain');
    const got = rx.lines.filter((l) => l.command === 'PRIVMSG' && l.params[1]?.startsWith('burst ')).map((l) => l.params[1]);
    expect(got).toEqual(Array.from({ length: COUNT }, (_, i) => `burst ${i}`));
    const afterConnect = changes.slice(changes.findIndex((c) => c[0] === ACCOUNT && c[1] === 'connected') + 1);
    expect(afterConnect.filter((c) => c[0] === ACCOUNT).map((c) => c.slice(1).join(' '))).toEqual([]);
    expect(await d.accountProp(ACCOUNT, 'Status')).toBe('connected');
  }, 120000);
});
