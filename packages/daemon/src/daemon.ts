/**
 * The composition root of confabd. Order matters:
 *  1. the log and the configuration (a bad file is reported and the defaults are used);
 *  2. plugins, discovered among installed packages, each in a child container (a failing one is
 *     skipped and reported);
 *  3. the store (migrations run here) and the secret store;
 *  4. the core, then the D-Bus objects, then the bus name — so a client that sees the name sees
 *     every account;
 *  5. the Telepathy adapter (config `telepathy.enabled`, on by default) on the same features and
 *     connection: its objects, then its names (another process holding them is logged and skipped);
 *  6. only then do accounts connect.
 */
import 'reflect-metadata';
import dbus from 'dbus-next';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Container } from 'inversify';
import { ConfabError } from '@confab/sdk';
import { TelepathyAdapter } from '@confab/telepathy';
import { DEFAULT_CONFIG, loadConfig, type Config } from './config';
import { configuredIceServers } from './calls/ice-servers';
import { MediaSupervisor, mediaCommand } from './calls/media-supervisor';
import { Core } from './core';
import { loadContract } from './dbus/contract';
import { DBusService } from './dbus/service';
import { DaemonLogger, Redactor } from './log';
import { resolvePaths, type Paths } from './paths';
import { findPlugins, loadPlugins, searchDirs } from './plugins/discovery';
import { openSecretStore, type SecretStore } from './secrets';
import { Store } from './storage/store';

export interface RunningDaemon {
  readonly core: Core;
  readonly log: DaemonLogger;
  /** confab-media as confabd started it (tests kill it by its pid). */
  readonly media: MediaSupervisor;
  stop(): Promise<void>;
}

export const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

export async function startDaemon(env: NodeJS.ProcessEnv = process.env, paths: Paths = resolvePaths(env)): Promise<RunningDaemon> {
  const redactor = new Redactor();
  const log = new DaemonLogger(redactor, (env.CONFAB_LOG_LEVEL as 'debug' | undefined) ?? 'info');
  const settings = new Settings(paths.configFile, !env.CONFAB_LOG_LEVEL, log);

  const container = new Container();
  const plugins = loadPlugins(container, findPlugins(searchDirs(env)), settings.config.disabledPlugins, log.child('plugins'));

  const store = Store.open(paths.dataDir);
  if (!env.DBUS_SESSION_BUS_ADDRESS) throw new ConfabError('NotAvailable', 'DBUS_SESSION_BUS_ADDRESS is not set: there is no session bus to serve on');
  const bus = dbus.sessionBus();
  // dbus-next 0.10 tells of a closed bus on the MessageBus only at the next write ('error'); its
  // connection's 'end' tells at once (a private field, read here only; confab-media does the same).
  const busClosed = new Promise<Error>((resolve) => {
    bus.on('error', (err: Error) => resolve(err));
    (bus as unknown as { _connection?: { on(event: 'end', f: () => void): void } })._connection?.on('end', () => resolve(new Error('the bus closed the connection')));
  });

  let secrets: SecretStore;
  try {
    secrets = await openSecretStore({ bus, dataDir: paths.dataDir, log: log.child('secrets'), prefer: settings.config.secretStore });
  } catch (err) {
    store.close();
    bus.disconnect();
    throw err;
  }

  const media = new MediaSupervisor(bus, mediaCommand(env), env, log.child('media'));
  const core = new Core(store, plugins.protocols, secrets, redactor, settings.config, log.child('core'), media);
  media.iceSource = () => configuredIceServers(core.accounts.config, secrets, redactor);
  core.load();
  const service = new DBusService(bus, core, await loadContract(), {
    version: VERSION,
    failedPlugins: () => plugins.failed,
    configError: () => settings.error,
    reloadConfig: () => {
      try {
        core.accounts.config = settings.reload();
      } finally {
        service.refreshRoot();
      }
    },
  }, redactor, log.child('dbus'));
  await service.start();
  const telepathy = settings.config.telepathy.enabled ? await startTelepathy(bus, core, redactor, log, settings.config.telepathy.handlerTimeoutMs) : undefined;
  core.start();
  log.info('serving on the session bus as im.confab.Confab1 (data in %s, secrets in %s)', paths.dataDir, secrets.kind);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await telepathy?.stop();
    await core.stop();
    await media.stop();
    await secrets.close();
    bus.disconnect();
    store.close();
  };
  void busClosed.then((err) => {
    if (stopped) return;
    log.error('lost the session bus: %s', err.message);
    void stop().finally(() => process.exit(1));
  });
  return { core, log, media, stop };
}

/** The Telepathy adapter (docs/telepathy.md); one that fails to start is logged, and confabd runs without it. */
async function startTelepathy(bus: ReturnType<typeof dbus.sessionBus>, core: Core, redactor: Redactor, log: DaemonLogger, handlerTimeoutMs?: number): Promise<TelepathyAdapter | undefined> {
  try {
    return await TelepathyAdapter.start({
      bus, features: core, redact: (text) => redactor.redact(text), log: log.child('telepathy'), handlerTimeoutMs,
      setSecretPrompt: (prompt) => core.accounts.setSecretPrompt(prompt), // Telepathy's password prompt (docs/telepathy.md)
    });
  } catch (err) {
    log.error('the Telepathy adapter could not start, running without it: %s', err instanceof Error ? (err.stack ?? err.message) : String(err));
    return undefined;
  }
}

/**
 * The configuration file as last read, with the error of the last reading (Manager.ConfigError).
 * At start-up a bad file is reported and the defaults are used; a reload of a bad file is refused
 * (InvalidConfig) and what was in use stays. The log level follows the file unless the environment
 * sets it.
 */
class Settings {
  config: Config = DEFAULT_CONFIG;
  error = '';

  constructor(
    private readonly file: string,
    private readonly levelFromFile: boolean,
    private readonly log: DaemonLogger,
  ) {
    try {
      this.config = loadConfig(file);
    } catch (err) {
      this.error = ConfabError.from(err, 'InvalidConfig').message;
      log.error('the configuration is not valid, running on the defaults: %s', this.error);
    }
    if (levelFromFile) log.setLevel(this.config.logLevel);
  }

  reload(): Config {
    try {
      this.config = loadConfig(this.file);
      this.error = '';
    } catch (err) {
      this.error = ConfabError.from(err, 'InvalidConfig').message;
      throw ConfabError.from(err, 'InvalidConfig');
    }
    if (this.levelFromFile) this.log.setLevel(this.config.logLevel);
    this.log.info('configuration reloaded');
    return this.config;
  }
}
