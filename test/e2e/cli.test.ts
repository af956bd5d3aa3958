/**
 * The confab CLI against the real daemon on a private bus: every command, human and --json output,
 * one-line errors with exit 1, usage errors with exit 2, --help everywhere.
 */
import { CLI_MAIN, run } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { until } from '../fixtures/processes';

const SECRET = 'cli-Secret-0042';

describe('the confab CLI', () => {
  const { d } = withDaemon({ testPlugins: true });

  it('adds an account with a secret from stdin, lists and shows it without the secret', async () => {
    const add = await d.cli(['account', 'add', 'faulty', 'Cli Test', '--param', 'name=clitest', '--param', 'crash-after-ms=0', '--password-stdin'], `${SECRET}\n`);
    expect(add).toMatchObject({ code: 0, stdout: 'created account faulty_clitest\n', stderr: '' });
    await d.waitForStatus('/im/confab/Confab1/accounts/faulty_clitest', 'connected');
    const list = await d.cli(['account', 'list']);
    expect(list.stdout).toMatch(/faulty_clitest\s+faulty\s+Cli Test\s+yes\s+connected/);
    const show = await d.cli(['account', 'show', 'faulty_clitest']);
    expect(show.stdout).toMatch(/secrets set\s+password/);
    const json = JSON.parse((await d.cli(['account', 'show', 'faulty_clitest', '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ Id: 'faulty_clitest', Status: 'connected', SecretsSet: ['password'] });
    for (const r of [add, list, show]) expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('sends, shows history, searches, watches and acknowledges', async () => {
    const watch = (await import('../fixtures/processes')).start(process.execPath, [CLI_MAIN, 'watch', '--json'], { env: d.env() });
    await until(() => watch.output().includes('confab: watching'), 10000, 'watch to subscribe');
    const sent = await d.cli(['send', 'faulty_clitest', 'Alice', 'hello', 'alice']);
    expect(sent.stdout).toMatch(/^queued message \d+ in channel \d+\n$/);
    // The echo and the sent state are two signals and two lines, printed as each comes: either may be
    // first (a message line waits for a new channel's target), and neither is there with the other. Wait
    // for each, reading whole lines only.
    const events = () => watch.output().split('\n').slice(0, -1).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event: string; id?: string; state?: string; body?: string });
    const id = /^queued message (\d+) /.exec(sent.stdout)![1];
    await until(() => events().some((e) => e.event === 'message' && e.body === 'echo: hello alice'), 10000, 'watch to show the echo');
    await until(() => events().some((e) => e.event === 'state' && e.id === id && e.state === 'sent'), 10000, 'watch to show the message sent');
    await watch.stop();

    const hist = await d.cli(['history', 'faulty_clitest', 'alice']);
    expect(hist.stdout).toMatch(/<\(me\)> hello alice\n.*<echo> echo: hello alice\n$/);
    const search = JSON.parse((await d.cli(['history', '--search', 'echo', '--json'])).stdout) as Array<{ body: string; id: string }>;
    expect(search.map((m) => m.body)).toEqual(['echo: hello alice']);
    const ack = await d.cli(['ack', search[0].id]);
    expect(ack.stdout).toBe('acknowledged 1 message\n');
    const st = await d.cli(['status', '--json']);
    expect(JSON.parse(st.stdout)).toMatchObject({ Presence: ['available', ''], SecretStore: 'file' });
  });

  it('shows and sets presence, lists protocols and their parameters', async () => {
    expect((await d.cli(['presence', 'away', 'out', 'for', 'lunch'])).stdout).toBe('away (out for lunch)\n');
    expect((await d.cli(['presence'])).stdout).toBe('away (out for lunch)\n');
    await d.cli(['presence', 'available']);
    expect((await d.cli(['protocols'])).stdout).toMatch(/faulty\s+Faulty \(tests only\)\nirc\s+IRC/);
    expect((await d.cli(['protocols', 'irc'])).stdout).toMatch(/password\s+string\s+secret/);
    expect((await d.cli(['status'])).stdout).toMatch(/plugin confab-plugin-broken failed to load: this plugin is broken on purpose/);
  });

  it('fails with one line and exit 1 on errors, exit 2 on usage errors', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['account', 'show', 'nope'], 1, /^confab: no such object: \/im\/confab\/Confab1\/accounts\/nope\n$/],
      [['account', 'add', 'carrier-pigeon', 'x'], 1, /^confab: NotFound: no protocol 'carrier-pigeon'/],
      [['account', 'add', 'faulty', 'x', '--param', 'colour=red'], 2, /no parameter 'colour'/],
      [['account', 'add', 'faulty', 'x', '--param', 'crash-after-ms=soon'], 2, /must be an integer/],
      [['account', 'add', 'faulty', 'x'], 1, /^confab: InvalidArgument: missing required parameter 'name'\n$/],
      [['presence', 'dancing'], 1, /^confab: InvalidArgument: presence must be one of/],
      [['send', '--channel', '999', 'hi'], 1, /no such object/],
      [['history', '--limit', 'many'], 2, /--limit must be a number/],
      [['frobnicate'], 2, /unknown command 'frobnicate'/],
      [['status', '--bogus'], 2, /Unknown option '--bogus'/],
      [['account', 'dance'], 2, /unknown subcommand 'account dance'/],
    ];
    for (const [args, code, pattern] of cases) {
      const r = await d.cli(args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), code]);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(code === 2 && args[0] === 'account' && args[1] === 'dance' ? 10 : 1);
    }
  });

  it('has --help on every command and says plainly when there is no daemon or no bus', async () => {
    for (const cmd of ['status', 'protocols', 'account', 'presence', 'join', 'send', 'watch', 'history', 'ack']) {
      const r = await d.cli([cmd, '--help']);
      expect([cmd, r.code]).toEqual([cmd, 0]);
      expect(r.stdout).toMatch(/usage:\s+confab/);
    }
    expect((await d.cli(['--help'])).stdout).toMatch(/commands:/);
    const noBus = await run(process.execPath, [CLI_MAIN, 'status'], { ...process.env, DBUS_SESSION_BUS_ADDRESS: '' });
    expect(noBus).toMatchObject({ code: 1 });
    expect(noBus.stderr).toMatch(/no session bus/);
    const noDaemon = await run(process.execPath, [CLI_MAIN, 'status'], { ...d.env(), DBUS_SESSION_BUS_ADDRESS: d.bus.address });
    expect(noDaemon.code).toBe(0);
  });
});
