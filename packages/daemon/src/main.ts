#!/usr/bin/env node
/**
 * confabd's entry point. Prints `confabd: ready` on stderr once the bus name is owned; stops cleanly
 * (QUIT on every network, the store closed) on SIGTERM or SIGINT.
 */
import { startDaemon, VERSION, type RunningDaemon } from './daemon';
import { accountContext } from './supervisor/account-context';

const USAGE = `usage: confabd [--help] [--version]

Runs the Confab daemon on the D-Bus session bus (DBUS_SESSION_BUS_ADDRESS) as im.confab.Confab1.

Environment:
  CONFAB_DATA_DIR      where the database and secrets live (default $XDG_DATA_HOME/confab)
  CONFAB_CONFIG        the configuration file (default $XDG_CONFIG_HOME/confab/confabd.json)
  CONFAB_PLUGIN_PATH   extra folders to discover plugins in, colon-separated
  CONFAB_LOG_LEVEL     debug, info, warn or error (overrides the configuration)
`;

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`confabd ${VERSION}\n`);
    return;
  }
  if (argv.length > 0) {
    process.stderr.write(`confabd: unknown argument '${argv[0]}'\n${USAGE}`);
    process.exit(2);
  }

  let daemon: RunningDaemon | undefined;
  // The error boundary of last resort: an exception a plugin threw asynchronously ends that account's
  // connection only (see supervisor/account-context.ts). One that belongs to no account is a bug in
  // the daemon: log it and exit, and let systemd restart us — the store loses nothing.
  const onFault = (err: unknown) => {
    const accountId = accountContext.getStore();
    if (accountId && daemon?.core.accounts.crash(accountId, err)) return;
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    if (daemon) daemon.log.error('fatal: %s', text);
    else process.stderr.write(`confabd: fatal: ${text}\n`);
    process.exit(70);
  };
  process.on('uncaughtException', onFault);
  process.on('unhandledRejection', onFault);

  try {
    daemon = await startDaemon();
  } catch (err) {
    process.stderr.write(`confabd: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  process.stderr.write('confabd: ready\n');

  let stopping = false;
  const shutdown = (signal: string) => {
    // Once: under `npm start` a terminal's Ctrl-C comes twice (to the whole process group, and again
    // from start.js, which forwards it); a second SIGINT left to its default would kill us mid-stop.
    if (stopping) return;
    stopping = true;
    daemon?.log.info('stopping on %s', signal);
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    void daemon?.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main(process.argv.slice(2));
