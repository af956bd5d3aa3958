/**
 * The IRC tests' flood (COUNT numbered lines from one raw client, test/fixtures/irc/flood.ts) into a
 * room that a telepathy-glib client (tp-flood.py) has joined through the account's Connection, the
 * account made and connected with mc-tool. On Confab the client gets every line once, in order, and
 * acknowledges them as it goes, so none is left pending on Confab's own queue either.
 *
 * Beside it, the same flood through Mission Control + telepathy-idle (activated on a private bus of
 * their own, killed by PID at the end) to the same client: what idle loses, merges or reorders is
 * printed and kept in test/artifacts/telepathy-flood.json — a figure, not an assertion.
 *
 * The room is ensured on the Connection (Requests.EnsureChannel), as a ChannelDispatcher does for its
 * client, on both stacks: Mission Control leaves such a channel alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { sendFlood } from '../fixtures/irc/flood';
import { startInspircd, type Inspircd } from '../fixtures/irc/inspircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { until } from '../fixtures/processes';
import { judgeFlood, startFloodClient, waitReceived, type FloodClient, type FloodVerdict } from '../fixtures/telepathy/flood-client';
import { startMissionControlBus } from '../fixtures/telepathy/mission-control';
import { connectedIrcAccount, tpPath } from '../fixtures/telepathy/tp-account';

const COUNT = 20_000;
const ROOM = '#flood';

interface Run { verdict: FloodVerdict; sentMs: number; deliveredMs: number; perSecond: number }
const figures: Record<string, Run> = {};

describe(`a ${COUNT}-line IRC flood to a telepathy-glib client in the room`, () => {
  const { d, use } = withDaemon({ env: { CONFAB_LOG_LEVEL: 'info' } });
  let irc: Inspircd;
  let raw: RawIrcClient;

  beforeAll(async () => {
    irc = use(await startInspircd());
    raw = use(await connectRawClient(irc.host, irc.port, 'flooder'));
    raw.join(ROOM);
    await raw.waitFor((l) => l.command === '366', 5000); // RPL_ENDOFNAMES
  });

  afterAll(() => {
    const dir = join(REPO_ROOT, 'test', 'artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'telepathy-flood.json'), JSON.stringify({ count: COUNT, figures }, null, 2) + '\n');
  });

  /** The client joins as `nick`, the flood goes in; resolves with what the client reported. */
  async function flood(env: NodeJS.ProcessEnv, nick: string): Promise<{ client: FloodClient; run: Run; pending: number }> {
    const name = await connectedIrcAccount(env, irc, nick);
    const client = startFloodClient(env, tpPath(name), ROOM);
    const from = raw.lines.length;
    await client.joined;
    await raw.waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith(`${nick}!`), 10000, from);
    const t0 = Date.now();
    const sentMs = await sendFlood(raw, ROOM, COUNT);
    await waitReceived(client, COUNT, 15000, 150000);
    // acknowledged as it went: wait for the last batch's answer
    const { received } = await client.status();
    await until(async () => (await client.status()).acked >= received, 10000, 'the last acknowledgements');
    const deliveredMs = Date.now() - t0;
    const report = await client.report();
    const run = { verdict: judgeFlood(report, COUNT), sentMs, deliveredMs, perSecond: Math.round((report.seqs.length * 1e9) / Math.max(1, report.last_ns - report.first_ns)) };
    if (report.samples.length) console.log(`${nick}: bodies not as sent, e.g. ${JSON.stringify(report.samples.slice(0, 3))}`);
    console.log(`${nick}: ${JSON.stringify(run)}`);
    return { client, run, pending: report.pending };
  }

  it('Confab: every line once, in order, acknowledged on Telepathy and so on Confab', async () => {
    const { client, run, pending } = await flood(d.env(), 'confabsink');
    figures.confabd = run;
    try {
      expect(run.verdict).toEqual({ received: COUNT, missing: 0, duplicated: 0, outOfOrder: 0, merged: 0, changed: 0 });
      expect(pending).toBe(0);
      const stillPending = (await (await d.manager()).GetPending(0)) as unknown[][];
      expect(stillPending.filter((m) => String(m[6]).startsWith('flood ')).length).toBe(0);
    } finally {
      await client.quit();
    }
  }, 180000);

  it('Mission Control + telepathy-idle, beside it: what idle loses or merges, as a figure', async () => {
    const mc = await startMissionControlBus();
    try {
      const { client, run } = await flood(mc.env(), 'idlesink');
      figures['telepathy-idle'] = run;
      const pids = await mc.peerPids();
      expect(pids.missionControl).toBeGreaterThan(0); // it was Mission Control that answered
      expect(pids.idle).toBeGreaterThan(0);
      await client.quit();
    } finally {
      await mc.stop();
    }
  }, 180000);
});
