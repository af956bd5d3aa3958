/**
 * Hostile SIP traffic (issue 5): sipp, a SIP tester no one here wrote, plays a registrar that turns
 * hostile after accepting our REGISTER (test/fixtures/sip/sipp/hostile-registrar.xml): garbage, a
 * truncated request, lying Content-Lengths, a CSeq that contradicts its method, then one MESSAGE
 * 1,000 times as fast as it is answered. The scenario itself checks our clear rejections (400, 413,
 * 482/503) and that an OPTIONS is still answered at the end; here, that the account stayed
 * connected, nothing hostile was stored, and the daemon's memory stayed bounded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sipAccount } from '../fixtures/accounts';
import { REPO_ROOT } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { freePort, portBound, start, until } from '../fixtures/processes';

const SCENARIOS = join(REPO_ROOT, 'test', 'fixtures', 'sip', 'sipp');
const SCENARIO = join(SCENARIOS, 'hostile-registrar.xml');

/** sipp playing `scenario` once as a server on 127.0.0.1:`port`, over UDP (`u1`) or one TCP connection (`t1`). */
const sipp = (scenario: string, port: number, transport: 'u1' | 't1') =>
  start('sipp', ['-sf', join(SCENARIOS, scenario), '-t', transport, '-i', '127.0.0.1', '-p', String(port), '-m', '1', '-timeout', '90', '-nostdin']);

/** Resolves when `p` ended well; otherwise throws with the end of its output. */
const passed = async (p: ReturnType<typeof sipp>) => {
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([p.exited, new Promise<string>((r) => (timer = setTimeout(() => r('timeout'), 80000)))]);
  clearTimeout(timer); // (left running, it kept jest from exiting for 80 s after the file)
  if (code !== 0) throw new Error(`sipp ended with ${String(code)}:\n${p.output().slice(-3000)}`);
};

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

describe('confabd against a hostile SIP registrar (sipp)', () => {
  const { d, received } = withDaemon();

  it('rejects malformed requests clearly, survives a flood, and stays connected (UDP)', async () => {
    const port = await freePort();
    const registrar = sipp('hostile-registrar.xml', port, 'u1');
    await until(() => portBound(port, 'udp'), 10000, 'sipp to listen');
    const rssBefore = rssKiB(d.proc.pid);
    const account = await d.createAccount('sip', 'victim', sipAccount('victim', 'pw', port, 'udp'), { connected: true });
    await passed(registrar);
    expect(await d.accountProp(account, 'Status')).toBe('connected');
    // nothing hostile was taken as a message: the lying ones were refused, the flood answered 482/503
    expect(received.some((m) => m.body === 'short' || m.body === 'x' || m.body === 'flood')).toBe(false);
    expect(rssKiB(d.proc.pid) - rssBefore).toBeLessThan(150 * 1024);
  });

  it('over TCP answers what is framed, closes a stream that breaks framing, and reconnects (garbage next time)', async () => {
    const port = await freePort();
    const rssBefore = rssKiB(d.proc.pid);
    let registrar = sipp('hostile-registrar-tcp.xml', port, 't1');
    await until(() => portBound(port, 'tcp'), 10000, 'sipp to listen'); // (not by connecting: sipp takes one connection)
    const account = await d.createAccount('sip', 'victim-tcp', sipAccount('victim', 'pw', port, 'tcp'), { connected: true });
    await passed(registrar); // 400 for two From headers, 482/503 through the flood, the OPTIONS answered
    // the Content-Length of 4294967295 came last: the flow was closed, and the account knows
    await until(async () => (await d.accountProp(account, 'Status')) !== 'connected', 10000, 'the account to see its flow closed');
    registrar = sipp('garbage-registrar-tcp.xml', port, 't1');
    await d.waitForStatus(account, 'connected', undefined, 30000); // reconnected, with backoff
    await passed(registrar);
    await until(async () => (await d.accountProp(account, 'Status')) !== 'connected', 10000, 'the garbage to close the flow');
    expect(received.some((m) => m.body === 'x' || m.body === 'flood')).toBe(false);
    expect(rssKiB(d.proc.pid) - rssBefore).toBeLessThan(150 * 1024);
    await (await d.account(account)).Remove();
  });
});
