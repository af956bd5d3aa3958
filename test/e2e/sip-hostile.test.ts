/**
 * Hostile SIP traffic (issue 5): sipp, a SIP tester no one here wrote, plays a registrar that turns
 * hostile after accepting our REGISTER (test/fixtures/sipp/hostile-registrar.xml): garbage, a
 * truncated request, lying Content-Lengths, a CSeq that contradicts its method, then one MESSAGE
 * 1,000 times as fast as it is answered. The scenario itself checks our clear rejections (400, 413,
 * 482/503) and that an OPTIONS is still answered at the end; here, that the account stayed
 * connected, nothing hostile was stored, and the daemon's memory stayed bounded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonFixture, REPO_ROOT, toMsg, v, type Msg } from '../fixtures/confabd';
import { freePort, start, stopAll, until } from '../fixtures/processes';

const SCENARIO = join(REPO_ROOT, 'test', 'fixtures', 'sipp', 'hostile-registrar.xml');

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

describe('confabd against a hostile SIP registrar (sipp)', () => {
  let d: DaemonFixture;
  const received: Msg[] = [];

  beforeAll(async () => {
    d = await DaemonFixture.start();
    (await d.manager()).on('MessagesReceived', (batch: unknown[][]) => received.push(...batch.map(toMsg)));
  });
  afterAll(async () => {
    await d?.stop();
    await stopAll();
  });

  it('rejects malformed requests clearly, survives a flood, and stays connected (UDP)', async () => {
    const port = await freePort();
    const sipp = start('sipp', ['-sf', SCENARIO, '-i', '127.0.0.1', '-p', String(port), '-m', '1', '-timeout', '90', '-nostdin']);
    await new Promise((r) => setTimeout(r, 500));
    const rssBefore = rssKiB(d.proc.pid);
    const account = (await (await d.manager()).CreateAccount('sip', 'victim', {
      uri: v('s', 'victim@127.0.0.1'), password: v('s', 'pw'), server: v('s', '127.0.0.1'), port: v('i', port), transport: v('s', 'udp'),
    })) as string;
    await d.waitForStatus(account, 'connected');
    const code = await Promise.race([sipp.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 80000))]);
    if (code !== 0) throw new Error(`sipp ended with ${String(code)}:\n${sipp.output().slice(-3000)}`);
    expect(await d.accountProp(account, 'Status')).toBe('connected');
    // nothing hostile was taken as a message: the lying ones were refused, the flood answered 482/503
    expect(received.some((m) => m.body === 'short' || m.body === 'x' || m.body === 'flood')).toBe(false);
    expect(rssKiB(d.proc.pid) - rssBefore).toBeLessThan(150 * 1024);
  });
});
