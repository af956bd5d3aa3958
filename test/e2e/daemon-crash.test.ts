/**
 * kill -9 of confabd in the middle of an incoming stream, then a restart: every message confabd
 * announced before the kill is in history, messages after the restart are all there, nothing is
 * stored twice, and what no client acknowledged is still pending.
 */
import { toMsg } from '../fixtures/confabd';
import { ircAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { until } from '../fixtures/processes';

const ACCOUNT = '/im/confab/Confab1/accounts/irc_crashy_127_0_0_1';

// ngircd lets one client send a burst of ~10 lines, then ~3 lines/s (measured): the stream comes from
// SENDERS raw clients at once, each numbering its own lines.
const SENDERS = 10;

describe('confabd killed with -9 mid-stream', () => {
  const { d, received: announced, use } = withDaemon();
  let irc: Ngircd;
  let raw: RawIrcClient;
  const senders: RawIrcClient[] = [];

  beforeAll(async () => {
    irc = use(await startNgircd());
    raw = use(await connectRawClient(irc.host, irc.port, 'watcher'));
    for (let i = 0; i < SENDERS; i++) senders.push(use(await connectRawClient(irc.host, irc.port, `s${i}`)));
  });

  it('loses nothing it announced, stores nothing twice, and keeps unacknowledged messages pending', async () => {
    const m = await d.manager();
    await d.createAccount('irc', 'Crashy', ircAccount(irc, 'crashy'), { connected: true });
    for (const c of [raw, ...senders]) {
      c.join('#stream');
      await c.waitFor((l) => l.command === '366', 5000);
    }
    const chPath = (await (await d.account(ACCOUNT)).JoinRoom('#stream', '')) as string;
    await raw.waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith('crashy!'), 10000);

    // The stream: 40 numbered lines from each sender; the kill lands in the middle of it.
    for (let i = 0; i < 40; i++) for (const [k, c] of senders.entries()) c.privmsg('#stream', `before s${k} ${i}`);
    await until(() => announced.length >= 20, 15000, '20 messages');
    const acked = announced.slice(0, 20).map((a) => a.id);
    await m.Acknowledge(acked.map(BigInt));
    await until(() => announced.length >= 60, 15000, '60 messages');
    await d.kill();
    const announcedBeforeKill = announced.map((a) => a.body);
    expect(announcedBeforeKill.length).toBeLessThan(400); // the kill did land mid-stream

    const mark = raw.lines.length;
    await d.restart();
    await d.waitForStatus(ACCOUNT, 'connected');
    // (ngircd may not have seen the killed connection go yet: then we are crashy_ until the nick is free)
    await raw.waitFor((l) => l.command === 'JOIN' && /^crashy_*!/.test(l.prefix) && l.params[0] === '#stream', 30000, mark).catch((e: Error) => {
      // seen once in seven full runs, never alone: say what the daemon did, for whoever meets it next
      throw new Error(`${e.message}\nnon-PRIVMSG lines since the restart: ${raw.lines.slice(mark).filter((l) => l.command !== 'PRIVMSG').map((l) => l.raw).join(' | ')}\n` +
        `daemon: ${d.proc.output().split('\n').filter((l) => /crashy|join|connect/i.test(l)).slice(-10).join('\n')}`);
    });
    for (let i = 0; i < 20; i++) for (const [k, c] of senders.entries()) c.privmsg('#stream', `after s${k} ${i}`);

    const all = () => d.history(chPath);
    // every message after the restart, counted once each: one stored twice is for the assertions below to
    // name, not a wait that never ends
    await until(async () => new Set((await all()).map((h) => h.body).filter((b) => b.startsWith('after '))).size === 20 * SENDERS, 40000, 'every message after the restart');
    const history = (await all()).map((h) => h.body);

    expect(new Set(history).size).toBe(history.length); // nothing twice
    for (const body of announcedBeforeKill) expect(history).toContain(body); // nothing announced was lost
    for (let k = 0; k < SENDERS; k++) {
      const afters = history.filter((b) => b.startsWith(`after s${k} `)).map((b) => Number(b.split(' ')[2]));
      expect(afters).toEqual(Array.from({ length: 20 }, (_, i) => i)); // all, in order
      const befores = history.filter((b) => b.startsWith(`before s${k} `)).map((b) => Number(b.split(' ')[2]));
      expect(befores).toEqual([...befores].sort((a, b) => a - b)); // in order
    }

    const pending = ((await (await d.manager()).GetPending(0)) as unknown[][]).map(toMsg);
    const pendingIds = new Set(pending.map((p) => p.id));
    for (const id of acked) expect(pendingIds.has(id)).toBe(false);
    expect(pending.length).toBe(history.length - acked.length);
  }, 180000); // longer than its waits added up, so that a wait that fails names itself (jest's 60 s would cut it short)
});
