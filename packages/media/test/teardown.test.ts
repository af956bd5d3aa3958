/**
 * Nothing outlives its call: a session whose client leaves the bus (confabd killed with -9) is closed
 * and its pipeline released; confab-media killed with -9 mid-call leaves no socket bound, and a new one
 * takes the bus name again; without its bus it exits.
 */
import { createSocket } from 'node:dgram';
import dbus from 'dbus-next';
import { MediaClient } from '../src/client/media-client';
import { startMedia, type MediaProcess } from './helpers/media-process';
import { remoteOf } from './helpers/remote';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function bindable(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

let mp: MediaProcess | undefined;
afterEach(async () => {
  await mp?.stop();
  mp = undefined;
});

test.each([false, true])('a session (video: %s) whose client leaves the bus is closed, its pipeline released', async (video) => {
  mp = await startMedia();
  const bus = dbus.sessionBus({ busAddress: mp.address });
  const other = await MediaClient.connect(bus);
  const s = await other.createSession({ audio: true, video, transport: 'rtp', address: '127.0.0.1', microphone: 'tone:440', camera: 'test' });
  const l = await s.localDescription();
  await s.setRemote(remoteOf(l));
  await s.start();
  expect(await mp.client.diagnostics()).toMatchObject({ sessions: 1, pipelines: 1 });
  other.disconnect();
  await until('the session to close', async () => (await mp!.client.diagnostics()).pipelines === 0);
  expect((await mp.client.diagnostics()).sessions).toBe(0);
  expect(await bindable(l.port)).toBe(true);
  if (video) expect(await bindable(l.video!.port)).toBe(true);
});

test('kill -9 of confab-media in a call frees its ports; the next one owns the name again', async () => {
  mp = await startMedia();
  const a = await mp.client.createSession({ audio: true, video: false, transport: 'rtp', address: '127.0.0.1', microphone: 'tone:440', rtcpMux: false });
  const la = await a.localDescription();
  await a.setRemote(remoteOf(la));
  await a.start();
  await sleep(500);
  expect(await bindable(la.port)).toBe(false);
  process.kill(mp.media.pid!, 'SIGKILL');
  await until('confab-media to die', () => Promise.resolve(mp!.media.exitCode !== null || mp!.media.signalCode !== null));
  expect(await bindable(la.port)).toBe(true);
  expect(await bindable(la.rtcpPort)).toBe(true);
  await mp.stop();
  mp = await startMedia();
  const b = await mp.client.createSession({ audio: true, video: false, transport: 'rtp', address: '127.0.0.1' });
  await b.close();
});

test('confab-media exits when its bus goes away (the session ended, or the test bus of a killed confabd stopped)', async () => {
  mp = await startMedia();
  const media = mp.media;
  mp.bus.kill('SIGTERM');
  await until('confab-media to exit without its bus', async () => media.exitCode !== null || media.signalCode !== null, 10_000);
});
