/**
 * A flood of 20,000 numbered messages through a real server (inspircd, flood limits raised) arrives
 * in confabd's history complete, in order, none merged or split, none twice — and the daemon is
 * announcing them in batches, not one signal per line. (inspircd itself takes ~1,000 lines/s from one
 * client here, with fakelag off: that, not confabd, sets this test's pace.)
 */
import { ircAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startInspircd, type Inspircd } from '../fixtures/irc/inspircd';
import { floodBody, sendFlood } from '../fixtures/irc/flood';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { until } from '../fixtures/processes';

const COUNT = 20_000;
const ACCOUNT = '/im/confab/Confab1/accounts/irc_sink_127_0_0_1';

describe('a flood into confabd', () => {
  const { d, use } = withDaemon({ env: { CONFAB_LOG_LEVEL: 'info' } });
  let irc: Inspircd;
  let raw: RawIrcClient;

  beforeAll(async () => {
    irc = use(await startInspircd());
    raw = use(await connectRawClient(irc.host, irc.port, 'flooder'));
  });

  it(`stores ${COUNT} numbered messages complete and in order`, async () => {
    let signals = 0;
    let announced = 0;
    const m = await d.manager();
    m.on('MessagesReceived', (batch: unknown[][]) => {
      signals++;
      announced += batch.length;
    });
    await d.createAccount('irc', 'Sink', ircAccount(irc, 'sink'), { connected: true });
    raw.join('#flood');
    await raw.waitFor((l) => l.command === '366', 5000);
    const chPath = (await (await d.account(ACCOUNT)).JoinRoom('#flood', '')) as string;
    await raw.waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith('sink!'), 10000);

    const t0 = Date.now();
    const sentMs = await sendFlood(raw, '#flood', COUNT);
    await until(() => announced >= COUNT, 60000, `all ${COUNT} to be announced (${announced} so far)`);
    const elapsed = Date.now() - t0;

    const history = await d.history(chPath);
    expect(history).toHaveLength(COUNT);
    for (let j = 0; j < COUNT; j++) {
      if (history[j].body !== floodBody(j)) {
        throw new Error(`message ${j} is wrong: ${JSON.stringify(history[j].body)}`);
      }
    }
    expect(signals).toBeLessThan(COUNT / 5); // batched
    console.log(`sender done after ${sentMs} ms; ${COUNT} messages in ${elapsed} ms through inspircd into history (${Math.round((COUNT * 1000) / elapsed)}/s), ${signals} MessagesReceived signals`);
  }, 120000);
});
