/**
 * confabd keeps confab-media (DESIGN.md § Processes, docs/calls.md): it starts it on the first call
 * that needs it, ends every active call `media-failed` when it dies (kill -9), keeps messaging going
 * meanwhile, starts it again on the next call, and stops it when confabd stops. The calls here are
 * the test plugin's scripted ones (a call to 'media' asks for confab-media as a protocol's would);
 * real calls through it are shown with SIP (sip-calls tests).
 */
import { withDaemon } from '../fixtures/jest/with-daemon';
import { until } from '../fixtures/processes';

const CALL = 'im.confab.Confab1.Call';
const MEDIA = 'im.confab.Media1';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('confab-media kept by confabd', () => {
  const { d } = withDaemon({
    testPlugins: true,
    config: JSON.stringify({ reconnect: { initialDelayMs: 200, maxDelayMs: 2000 }, secretStore: 'file', calls: { ringTimeoutMs: 1500 } }),
  });
  let account: string;

  beforeAll(async () => {
    account = await d.createAccount('faulty', 'Media', { name: 'media-user' }, { connected: true });
  });

  const bus = async () => (await d.client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
  const mediaPid = async (): Promise<number | undefined> => {
    const b = await bus();
    if (!(await b.NameHasOwner(MEDIA))) return undefined;
    return Number(await b.GetConnectionUnixProcessID(MEDIA));
  };
  const stateIs = (path: string, state: string, reason?: string) =>
    until(async () => (await d.prop(path, CALL, 'State')) === state && (reason === undefined || (await d.prop(path, CALL, 'EndReason')) === reason), 20000, `${path} to be ${state} ${reason ?? ''}`);
  const start = async (target: string) => (await (await d.manager()).StartCall(account, target, {})) as string;

  it('is not started before a call needs it, then is started by the first call', async () => {
    await stateIs(await start('alice'), 'active'); // the scripted call that needs no media
    expect(await mediaPid()).toBeUndefined();
    const path = await start('media');
    await stateIs(path, 'active');
    expect(await mediaPid()).toBeGreaterThan(0);
    await (await d.object(path)).getInterface(CALL).Hangup();
    await stateIs(path, 'ended', 'hangup');
  });

  it('kill -9 of confab-media ends the active call media-failed; a message meanwhile arrives; the next call starts it again', async () => {
    const path = await start('media');
    await stateIs(path, 'active');
    const pid = (await mediaPid())!;
    process.kill(pid, 'SIGKILL');
    await stateIs(path, 'ended', 'media-failed');
    expect(String(await d.prop(path, CALL, 'EndDetail'))).toMatch(/confab-media/);
    await d.send(account, 'bob', 'still here');
    const channel = await d.channelOf(account, 'bob');
    await until(async () => (await d.history(channel)).some((m) => m.body === 'echo: still here'), 10000, 'the echo of a message sent after confab-media died');
    const next = await start('media');
    await stateIs(next, 'active');
    const again = await mediaPid();
    expect(again).toBeGreaterThan(0);
    expect(again).not.toBe(pid);
    await (await d.object(next)).getInterface(CALL).Hangup();
    await stateIs(next, 'ended', 'hangup');
  });

  it('lists confab-media\'s devices (Manager.ListDevices, confab devices): with no sound card, the file and test kinds', async () => {
    const out = await d.cli(['devices', '--json']);
    expect(out.code).toBe(0);
    const list = JSON.parse(out.stdout) as Array<{ id: string; class: string; kind: string }>;
    expect(list.some((x) => x.kind === 'test' && x.class.startsWith('Audio/Source'))).toBe(true);
    expect(list.some((x) => x.kind === 'file')).toBe(true);
  });

  it('shows an answered call\'s statistics as Stats, and ends a call nobody answers no-answer (calls.ringTimeoutMs)', async () => {
    const path = await start('media');
    await stateIs(path, 'active');
    await until(async () => Object.keys((await d.prop(path, CALL, 'Stats')) as object).length > 0, 10000, 'the first Stats');
    const stats = (await d.prop(path, CALL, 'Stats')) as Record<string, { value: unknown }>;
    expect(stats.codec.value).toBe('none'); // the scripted call's
    expect(stats['packets-sent'].value).toBe(0n);
    await (await d.object(path)).getInterface(CALL).Hangup();
    const unanswered = await start('nobody');
    await stateIs(unanswered, 'ringing');
    await stateIs(unanswered, 'ended', 'no-answer');
    expect(String(await d.prop(unanswered, CALL, 'EndDetail'))).toBe('not answered in 2 s');
  });

  it('stops the confab-media it started when confabd stops', async () => {
    const pid = (await mediaPid())!;
    expect(alive(pid)).toBe(true);
    await d.proc.stop();
    await until(() => !alive(pid), 10000, 'confab-media to exit with confabd');
  });

  it('confabd and its confab-media exit when the session bus goes away', async () => {
    await d.restart();
    await d.waitForStatus(account, 'connected');
    const path = await start('media');
    await stateIs(path, 'active');
    const pid = (await mediaPid())!;
    await d.bus.proc.kill();
    await until(() => d.proc.child.exitCode !== null || d.proc.child.signalCode !== null, 10000, 'confabd to exit without its bus');
    await until(() => !alive(pid), 10000, 'confab-media to exit without its bus');
  });
});
