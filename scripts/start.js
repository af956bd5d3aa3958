#!/usr/bin/env node
/**
 * `npm start`: runs confabd in the foreground on the session bus; when there is none (no
 * DBUS_SESSION_BUS_ADDRESS, or it does not answer), starts a private bus first, prints its address,
 * and stops it when confabd exits. Ctrl-C stops both.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync, writeFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

const DAEMON = process.env.CONFABD || join(__dirname, '..', 'packages', 'daemon', 'dist', 'main.js');

function busAnswers(address) {
  if (!address) return false;
  const r = spawnSync('gdbus', ['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.GetId'], {
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address }, timeout: 3000, stdio: 'ignore',
  });
  return r.status === 0;
}

function startPrivateBus() {
  const runtime = process.env.XDG_RUNTIME_DIR || tmpdir();
  const dir = join(runtime, `confab-bus-${process.pid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // In a process group of its own: Ctrl-C reaches confabd (which stops cleanly), and the bus is
  // stopped after it; in the terminal's group the bus would die first and confabd would lose it.
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1', `--address=unix:path=${join(dir, 'bus')}`], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  return new Promise((resolve, reject) => {
    let out = '';
    bus.on('error', (e) => reject(new Error(`cannot start dbus-daemon: ${e.message}`)));
    bus.on('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
    bus.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('unix:'));
      if (!line) return;
      const address = line.trim();
      const note = join(runtime, 'confab');
      mkdirSync(note, { recursive: true, mode: 0o700 });
      writeFileSync(join(note, 'bus-address'), address + '\n', { mode: 0o600 });
      resolve({ bus, address, dir, file: join(note, 'bus-address') });
    });
  });
}

async function main() {
  let privateBus;
  let address = process.env.DBUS_SESSION_BUS_ADDRESS;
  if (!busAnswers(address)) {
    privateBus = await startPrivateBus();
    address = privateBus.address;
    console.log(`confab: there is no session bus; started a private one. Use it with:\n  export DBUS_SESSION_BUS_ADDRESS='${address}'\n(also written to ${privateBus.file})`);
  }
  const daemon = spawn(process.execPath, [DAEMON], { stdio: 'inherit', env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address } });
  const forward = (sig) => () => daemon.kill(sig);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  daemon.on('exit', (code, signal) => {
    if (privateBus) {
      privateBus.bus.removeAllListeners('exit');
      privateBus.bus.kill('SIGTERM');
      rmSync(privateBus.dir, { recursive: true, force: true });
    }
    process.exit(code ?? (signal ? 1 : 0));
  });
}

main().catch((err) => {
  console.error(`confab: ${err.message}`);
  process.exit(1);
});
