/**
 * confab-media as confabd keeps it (DESIGN.md § Processes): started on the first call, watched, and
 * started again by the next call after it died. Its death is said once per process (`onLost`), so
 * the Calls feature ends every active call `media-failed`; messaging never depends on it.
 *
 * The daemon does not import @confab/media (it knows it only as a process and a D-Bus name): the
 * command is `$CONFAB_MEDIA_COMMAND` when set (a path or a name on PATH), else the package's
 * `bin/confab-media.js` found beside the daemon's own packages, else `confab-media` on PATH.
 * Whoever owns `im.confab.Media1` serves: a confab-media someone started by hand is used and
 * watched, not replaced.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type dbus from 'dbus-next';
import { ConfabError, Emitter, type IceServerConfig, type Logger, type MediaService } from '@confab/sdk';

export const MEDIA_BUS_NAME = 'im.confab.Media1';
/** How long confab-media may take to own its name (GStreamer's registry may be rebuilt on a first run). */
const START_TIMEOUT_MS = 30_000;
/** What is kept of its output for an error text. */
const OUTPUT_TAIL = 2000;

type MessageBus = ReturnType<typeof dbus.sessionBus>;
interface DBusIface {
  NameHasOwner(name: string): Promise<boolean>;
  on(signal: 'NameOwnerChanged', fn: (name: string, oldOwner: string, newOwner: string) => void): void;
  off(signal: 'NameOwnerChanged', fn: (name: string, oldOwner: string, newOwner: string) => void): void;
}

export interface MediaCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/** The command that starts confab-media (see the file's comment). */
export function mediaCommand(env: NodeJS.ProcessEnv): MediaCommand {
  if (env.CONFAB_MEDIA_COMMAND) return { file: env.CONFAB_MEDIA_COMMAND, args: ['serve'] };
  try {
    return { file: process.execPath, args: [require.resolve('@confab/media/bin/confab-media.js'), 'serve'] };
  } catch {
    return { file: 'confab-media', args: ['serve'] };
  }
}

export class MediaSupervisor implements MediaService {
  private readonly lostEmitter = new Emitter<string>();
  /** confab-media went away (the text says how); every session it held is gone. */
  readonly onLost = this.lostEmitter.event;
  private child?: ChildProcess;
  private starting?: Promise<void>;
  /** Whether a confab-media we know of owns the name now. */
  private up = false;
  private iface?: DBusIface;
  private stopped = false;
  private readonly ownerChanged = (name: string, _old: string, owner: string) => {
    if (name !== MEDIA_BUS_NAME) return;
    if (owner) this.up = true;
    else this.lost('confab-media left the bus');
  };

  constructor(
    private readonly bus: MessageBus,
    private readonly command: MediaCommand,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
  ) {}

  /** Where the configured STUN/TURN servers come from (the composition root sets it: config + secret store). */
  iceSource?: () => Promise<readonly IceServerConfig[]>;

  /** MediaService.iceServers: confabd's `calls.iceServers`, TURN passwords from the secret store. */
  async iceServers(): Promise<readonly IceServerConfig[]> {
    return (await this.iceSource?.()) ?? [];
  }

  ensure(): Promise<void> {
    if (this.stopped) return Promise.reject(new ConfabError('NotAvailable', 'confabd is stopping'));
    if (this.up) return Promise.resolve();
    this.starting ??= this.start().finally(() => { this.starting = undefined; });
    return this.starting;
  }

  /**
   * confab-media's devices (started if need be), as its ListDevices gives them: id, GStreamer device
   * class, name, kind (`device`, `file`, `test`).
   */
  async devices(): Promise<Array<[string, string, string, string]>> {
    await this.ensure();
    const obj = await this.bus.getProxyObject(MEDIA_BUS_NAME, '/im/confab/Media1');
    const manager = obj.getInterface('im.confab.Media1.Manager') as unknown as { ListDevices(): Promise<Array<[string, string, string, string]>> };
    return manager.ListDevices();
  }

  /** The process we started, if it runs (tests kill it). */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** Stops the confab-media we started (SIGTERM, then SIGKILL after 3 s); one started by someone else is left. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.iface?.off('NameOwnerChanged', this.ownerChanged);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }

  private async watch(): Promise<DBusIface> {
    if (this.iface) return this.iface;
    const obj = await this.bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
    const iface = obj.getInterface('org.freedesktop.DBus') as unknown as DBusIface;
    iface.on('NameOwnerChanged', this.ownerChanged);
    this.iface = iface;
    return iface;
  }

  private async start(): Promise<void> {
    const iface = await this.watch();
    if (await iface.NameHasOwner(MEDIA_BUS_NAME)) {
      this.up = true;
      this.log.info('using the confab-media already on the bus');
      return;
    }
    const { file, args } = this.command;
    this.log.info('starting confab-media: %s %s', file, args.join(' '));
    let output = '';
    const child = spawn(file, [...args], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (b: Buffer) => {
      output = (output + b.toString('utf8')).slice(-OUTPUT_TAIL);
      for (const line of b.toString('utf8').split('\n')) if (line.trim()) this.log.debug('confab-media: %s', line);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<string>((resolve) => {
      child.once('error', (err) => resolve(`could not start ${file}: ${err.message}`));
      child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exited with ${code}`));
    });
    void exited.then((how) => {
      if (this.child === child) this.child = undefined;
      this.lost(`confab-media ${how}`);
    });
    const owned = new Promise<void>((resolve) => {
      const poll = async () => {
        if (this.up || (await iface.NameHasOwner(MEDIA_BUS_NAME).catch(() => false))) resolve();
        else if (child.exitCode === null && child.signalCode === null) setTimeout(() => void poll(), 100).unref();
      };
      void poll();
    });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      owned.then(() => 'up' as const),
      exited,
      new Promise<string>((resolve) => { timer = setTimeout(() => resolve(`did not own ${MEDIA_BUS_NAME} within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
    if (outcome === 'up') {
      this.up = true;
      this.log.info('confab-media is up (pid %d)', child.pid ?? 0);
      return;
    }
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const tail = output.trim().split('\n').slice(-3).join(' | ');
    throw new ConfabError('NotAvailable', `confab-media ${outcome}${tail ? `: ${tail}` : ''}`);
  }

  private lost(how: string): void {
    if (!this.up) return;
    this.up = false;
    if (this.stopped) return;
    this.log.warn('%s: its calls have ended', how);
    this.lostEmitter.fire(how);
  }
}
