#!/usr/bin/env node
/**
 * `npm run install-user` — installs confabd for the current user from this checkout:
 *   ~/.config/systemd/user/confabd.service        (systemd user unit, Type=dbus)
 *   ~/.local/share/dbus-1/services/im.confab.Confab1.service   (D-Bus activation)
 * `npm run install-user -- --uninstall` removes both.
 */
'use strict';
const { mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');

const home = process.env.HOME || homedir();
const config = process.env.XDG_CONFIG_HOME || join(home, '.config');
const data = process.env.XDG_DATA_HOME || join(home, '.local', 'share');
const root = join(__dirname, '..');
const targets = [
  [join(root, 'packages/daemon/data/confabd.service.in'), join(config, 'systemd/user/confabd.service')],
  [join(root, 'packages/daemon/data/im.confab.Confab1.service.in'), join(data, 'dbus-1/services/im.confab.Confab1.service')],
];

if (process.argv.includes('--uninstall')) {
  for (const [, to] of targets) {
    rmSync(to, { force: true });
    console.log(`removed ${to}`);
  }
  console.log('then run: systemctl --user daemon-reload');
  process.exit(0);
}
for (const [from, to] of targets) {
  const text = readFileSync(from, 'utf8').replace(/@NODE@/g, process.execPath).replace(/@CONFABD@/g, join(root, 'packages/daemon/dist/main.js'));
  mkdirSync(join(to, '..'), { recursive: true });
  writeFileSync(to, text);
  console.log(`wrote ${to}`);
}
console.log('then run: systemctl --user daemon-reload  (confabd starts on first use, or now with: systemctl --user start confabd)');
