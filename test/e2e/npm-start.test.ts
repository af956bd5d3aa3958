/**
 * The README's `npm start` where there is no session bus (its last step, scripts/start.js; the steps
 * before it set up and build, as this suite's own setup did): it starts a private bus and says its
 * address, runs confabd on it until Ctrl-C — sent, as a terminal does, to the whole process group —
 * then confabd stops cleanly (not "lost the session bus") and the private bus goes with it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../fixtures/confabd';
import { until } from '../fixtures/processes';

describe('npm start without a session bus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'confab-npm-start-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a private bus, runs confabd on it, and on Ctrl-C stops both cleanly', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_RUNTIME_DIR: dir };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'start.js')], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until(() => out.includes('confabd: ready'), 30_000, 'confabd to be ready');
      const address = /export DBUS_SESSION_BUS_ADDRESS='([^']+)'/.exec(out)?.[1];
      expect(address).toMatch(/^unix:path=/);
      const socket = /unix:path=([^,]+)/.exec(address!)![1]!;
      expect(existsSync(socket)).toBe(true);
      process.kill(-child.pid!, 'SIGINT'); // the terminal's Ctrl-C: the whole foreground group
      expect(await exited).toBe(0);
      expect(out).toContain('stopping on SIGINT');
      expect(out).not.toContain('lost the session bus');
      await until(() => !existsSync(socket), 5_000, 'the private bus to be gone');
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
