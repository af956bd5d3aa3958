/**
 * Who owns the Telepathy names: when another process (Mission Control, in real life) already holds
 * org.freedesktop.Telepathy.AccountManager, confabd says so — naming the process — and serves its own
 * API without the adapter; with `telepathy.enabled: false` it never asks for the names.
 */
import dbus from 'dbus-next';
import { join } from 'node:path';
import { DaemonFixture, REPO_ROOT, run } from '../fixtures/confabd';
import { ircAccount } from '../fixtures/accounts';
import { stopAll } from '../fixtures/processes';
import { mcTool } from '../fixtures/telepathy/mc-tool';

const AM = 'org.freedesktop.Telepathy.AccountManager';
const MC5 = 'org.freedesktop.Telepathy.MissionControl5';

async function owner(d: DaemonFixture, name: string): Promise<string | undefined> {
  const bus = (await d.client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
  return (await bus.NameHasOwner(name)) ? ((await bus.GetNameOwner(name)) as string) : undefined;
}

afterAll(() => stopAll());

describe('another process holds the AccountManager name', () => {
  let holder: ReturnType<typeof dbus.sessionBus> | undefined;
  const d = new DaemonFixture({
    beforeLaunch: async (bus) => {
      holder = dbus.sessionBus({ busAddress: bus.address });
      expect(await holder.requestName(AM, dbus.NameFlag.DO_NOT_QUEUE)).toBe(dbus.RequestNameReply.PRIMARY_OWNER);
    },
  });
  beforeAll(() => d.up());
  afterAll(async () => {
    holder?.disconnect();
    await d.stop();
  });

  it('is logged with who it is, and confabd goes on without the adapter', async () => {
    expect(d.proc.output()).toMatch(/org\.freedesktop\.Telepathy\.AccountManager is owned by \S+ \(pid \d+, :1\.\d+\): Telepathy clients .* going on without the Telepathy adapter/);
    expect(await owner(d, AM)).toBe((holder as unknown as { name: string }).name); // dbus-next sets it; its typings lack it
    expect(await owner(d, MC5)).toBeUndefined(); // not taken either: the adapter is not serving
    const account = await d.createAccount('irc', 'Still works', ircAccount({ host: '127.0.0.1', port: 1 }, 'alice'));
    expect(await d.accountProp(account, 'Protocol')).toBe('irc');
  });
});

describe('telepathy.enabled: false', () => {
  const d = new DaemonFixture({ config: JSON.stringify({ secretStore: 'file', telepathy: { enabled: false } }) });
  beforeAll(() => d.up());
  afterAll(() => d.stop());

  it('leaves the Telepathy names alone', async () => {
    expect(await owner(d, AM)).toBeUndefined();
    expect(await owner(d, MC5)).toBeUndefined();
    expect(d.proc.output()).not.toContain('serving Telepathy');
    const r = await mcTool(d, 'list');
    expect(r.code).not.toBe(0); // nothing answers (and nothing can be activated on this bus)
  });

  it('makes the Mission Control import refuse to run: it would not be importing into Confab', async () => {
    const r = await run(process.execPath, [join(REPO_ROOT, 'packages', 'telepathy', 'bin', 'confab-import-mission-control.js'), '/nonexistent/accounts.cfg'], d.env());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('org.freedesktop.Telepathy.AccountManager is not served by confabd on this bus');
  });
});
