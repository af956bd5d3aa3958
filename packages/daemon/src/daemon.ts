/**
 * The composition root of confabd. Order matters:
 *  1. the log and the configuration (a bad file is reported and the defaults are used);
 *  2. plugins, discovered among installed packages, each in a child container (a failing one is
 *     skipped and reported);
 *  3. the store (migrations run here) and the secret store;
 *  4. the core, then the D-Bus objects, then the bus name — so a client that sees the name sees
 *     every account;
 *  5. only then do accounts connect.
 */
import 'reflect-metadata';
import dbus from 'dbus-next';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Container } from 'inversify';
import { ConfabError } from '@confab/sdk';
import { DEFAULT_CONFIG, loadConfig, type Config } from './config';
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
  stop(): Promise<void>;
}

export const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

export async function startDaemon(env: NodeJS.ProcessEnv = process.env, paths: Paths = resolvePaths(env)): Promise<RunningDaemon> {
  const redactor = new Redactor();
  const log = new DaemonLogger(redactor, (env.CONFAB_LOG_LEVEL as 'debug' | undefined) ?? 'info');

  let config: Config = DEFAULT_CONFIG;
  let configError = '';
  try {
    config = loadConfig(paths.configFile);
  } catch (err) {
    configError = ConfabError.from(err, 'InvalidConfig').message;
    log.error('the configuration is not valid, running on the defaults: %s', configError);
  }
  if (!env.CONFAB_LOG_LEVEL) log.setLevel(config.logLevel);

  const container = new Container();
  const plugins = loadPlugins(container, findPlugins(searchDirs(env)), config.disabledPlugins, log.child('plugins'));

  const store = Store.open(paths.dataDir);
  if (!env.DBUS_SESSION_BUS_ADDRESS) throw new ConfabError('NotAvailable', 'DBUS_SESSION_BUS_ADDRESS is not set: there is no session bus to serve on');
  const bus = dbus.sessionBus();
  const busClosed = new Promise<Error>((resolve) => bus.on('error', (err: Error) => resolve(err)));

  let secrets: SecretStore;
  try {
    secrets = await openSecretStore({ bus, dataDir: paths.dataDir, log: log.child('secrets'), prefer: config.secretStore });
  } catch (err) {
    store.close();
    bus.disconnect();
    throw err;
  }

  const core = new Core(store, plugins.protocols, secrets, redactor, config, log.child('core'));
  core.load();
  const service = new DBusService(bus, core, await loadContract(), {
    version: VERSION,
    failedPlugins: () => plugins.failed,
    configError: () => configError,
    reloadConfig: () => {
      try {
        config = loadConfig(paths.configFile);
        configError = '';
      } catch (err) {
        configError = ConfabError.from(err, 'InvalidConfig').message;
        service.refreshRoot();
        throw ConfabError.from(err, 'InvalidConfig');
      }
      core.accounts.config = config;
      if (!env.CONFAB_LOG_LEVEL) log.setLevel(config.logLevel);
      service.refreshRoot();
      log.info('configuration reloaded');
    },
  }, redactor, log.child('dbus'));
  await service.start();
  core.start();
  log.info('serving on the session bus as im.confab.Confab1 (data in %s, secrets in %s)', paths.dataDir, secrets.kind);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await core.stop();
    await secrets.close();
    bus.disconnect();
    store.close();
  };
  void busClosed.then((err) => {
    if (stopped) return;
    log.error('lost the session bus: %s', err.message);
    void stop().finally(() => process.exit(1));
  });
  return { core, log, stop };
}
