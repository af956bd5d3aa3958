/**
 * `npm run install-user -- --telepathy` on a machine where Mission Control is installed (Debian's
 * polari depends on it): a session bus that reads the standard service folders — the user's
 * ($XDG_DATA_HOME/dbus-1/services) and the system's (/usr/share/dbus-1/services, where Mission
 * Control's AccountManager activation file is) — so the first Telepathy client to ask (mc-tool) makes
 * D-Bus start one of them. With our files written, that is confabd; after --uninstall it would be
 * Mission Control again (not started here: the test only reads which file the bus would use).
 */
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dbus from 'dbus-next';
import { DAEMON_MAIN, REPO_ROOT, run } from '../fixtures/confabd';
import { start, tempDir, until, type Started } from '../fixtures/processes';

const AM = 'org.freedesktop.Telepathy.AccountManager';
const MC5 = 'org.freedesktop.Telepathy.MissionControl5';
const MC_FILE = `/usr/share/dbus-1/services/${AM}.service`;

describe('install-user --telepathy: Telepathy clients start confabd, not Mission Control', () => {
  const home = tempDir('confab-tp-home-');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home.path,
    XDG_CONFIG_HOME: join(home.path, '.config'),
    XDG_DATA_HOME: join(home.path, '.local', 'share'),
    XDG_DATA_DIRS: '/usr/local/share:/usr/share',
    CONFAB_DATA_DIR: join(home.path, 'confab-data'),
  };
  const services = join(env.XDG_DATA_HOME!, 'dbus-1', 'services');
  let bus: Started | undefined;
  let client: dbus.MessageBus | undefined;
  const activated: number[] = [];

  beforeAll(() => {
    mkdirSync(join(env.XDG_CONFIG_HOME!, 'confab'), { recursive: true });
    writeFileSync(join(env.XDG_CONFIG_HOME!, 'confab', 'confabd.json'), JSON.stringify({ secretStore: 'file' }));
  });

  afterAll(async () => {
    client?.disconnect();
    for (const pid of activated) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch { /* gone with its bus already */ }
    }
    await bus?.stop();
    home.remove();
  });

  it('writes the activation files, and mc-tool on a bus with Mission Control installed starts confabd; --uninstall removes them', async () => {
    expect(existsSync(MC_FILE)).toBe(true); // Mission Control is installed (scripts/setup.js): the case this is about

    const install = await run(process.execPath, [join(REPO_ROOT, 'scripts', 'install-user.js'), '--telepathy'], env);
    expect(install.code).toBe(0);
    for (const name of [AM, MC5]) {
      const file = join(services, `${name}.service`);
      expect(install.stdout).toContain(`wrote ${file}`);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain(`Name=${name}\n`);
      expect(text).toContain(`Exec=${process.execPath} ${DAEMON_MAIN}\n`);
    }

    // A session bus as a desktop has one: the standard service folders, user's first (dbus-daemon(1)).
    const config = join(home.path, 'session.conf');
    writeFileSync(config, `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${join(home.path, 'bus')}</listen>
  <standard_session_servicedirs/>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`);
    bus = start('dbus-daemon', ['--config-file', config, '--nofork', '--print-address=1'], { env });
    const address = (await until(() => bus!.output().split('\n').find((l) => l.startsWith('unix:')), 10000, 'dbus-daemon address')).trim();
    const onBus = { ...env, DBUS_SESSION_BUS_ADDRESS: address };

    // The first call to the AccountManager activates it (mc-tool's `list` exits 1 when there is no account).
    const add = await run('mc-tool', ['add', 'idle/irc', 'activation', 'string:account=tester', 'string:server=127.0.0.1'], onBus);
    expect(add).toMatchObject({ code: 0, stdout: expect.stringMatching(/^idle\/irc\/\S+/) });
    expect((await run('mc-tool', ['list'], onBus)).stdout).toBe(add.stdout);

    client = dbus.sessionBus({ busAddress: address });
    const daemon = (await client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    const pid = Number(await daemon.GetConnectionUnixProcessID(AM));
    activated.push(pid);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain(DAEMON_MAIN);
    expect(Number(await daemon.GetConnectionUnixProcessID('im.confab.Confab1'))).toBe(pid);
    expect(Number(await daemon.GetConnectionUnixProcessID(MC5))).toBe(pid);

    const uninstall = await run(process.execPath, [join(REPO_ROOT, 'scripts', 'install-user.js'), '--uninstall'], env);
    expect(uninstall.code).toBe(0);
    for (const name of [AM, MC5]) expect(existsSync(join(services, `${name}.service`))).toBe(false);
  });
});
