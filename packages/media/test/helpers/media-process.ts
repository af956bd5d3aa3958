/**
 * A private session bus (dbus-daemon) and a real confab-media on it, for tests and benches; both are
 * stopped by their PIDs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import dbus from 'dbus-next';
import { MediaClient } from '../../src/client/media-client';
import { CONFAB_MEDIA } from './aec-scenario';

export interface MediaProcess {
  readonly address: string;
  readonly media: ChildProcess;
  /** The private bus's dbus-daemon. */
  readonly bus: ChildProcess;
  readonly client: MediaClient;
  output(): string;
  /** Stops confab-media (SIGTERM, then SIGKILL) and the bus. */
  stop(): Promise<void>;
}

function exited(p: ChildProcess, ms: number): Promise<boolean> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

export async function stopByPid(p: ChildProcess): Promise<void> {
  if (p.pid === undefined) return;
  try {
    process.kill(p.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  if (!(await exited(p, 3000))) {
    process.kill(p.pid, 'SIGKILL');
    await exited(p, 3000);
  }
}

async function startBus(): Promise<{ bus: ChildProcess; address: string }> {
  const bus = spawn('dbus-daemon', ['--session', '--print-address', '--nofork'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: bus.stdout! });
    rl.once('line', resolve);
    bus.once('exit', () => reject(new Error('dbus-daemon exited')));
  });
  return { bus, address: line.trim() };
}

async function waitForName(address: string, media: ChildProcess, log: () => string): Promise<MediaClient> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const bus = dbus.sessionBus({ busAddress: address });
    try {
      const client = await MediaClient.connect(bus);
      await client.diagnostics();
      return client;
    } catch {
      bus.disconnect();
    }
    if (media.exitCode !== null || Date.now() > deadline) throw new Error(`confab-media did not come up:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startMedia(): Promise<MediaProcess> {
  const { bus, address } = await startBus();
  const media = spawn(process.execPath, [CONFAB_MEDIA, 'serve'], { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  media.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  media.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  let client: MediaClient;
  try {
    client = await waitForName(address, media, () => out);
  } catch (err) {
    await stopByPid(media);
    await stopByPid(bus);
    throw err;
  }
  return {
    address,
    media,
    bus,
    client,
    output: () => out,
    stop: async () => {
      client.disconnect();
      await stopByPid(media);
      await stopByPid(bus);
    },
  };
}
