#!/usr/bin/env node
/**
 * `npm run install-user` — installs confabd for the current user from this checkout:
 *   ~/.config/systemd/user/confabd.service        (systemd user unit, Type=dbus)
 *   ~/.local/share/dbus-1/services/im.confab.Confab1.service   (D-Bus activation)
 *   ~/.local/bin/confab                           (the CLI: a link to packages/cli/bin/confab.js)
 * `npm run install-user -- --uninstall` removes them.
 */
'use strict';
const { lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { delimiter, join } = require('node:path');

const home = process.env.HOME || homedir();
const config = process.env.XDG_CONFIG_HOME || join(home, '.config');
const data = process.env.XDG_DATA_HOME || join(home, '.local', 'share');
const root = join(__dirname, '..');
const targets = [
  [join(root, 'packages/daemon/data/confabd.service.in'), join(config, 'systemd/user/confabd.service')],
  [join(root, 'packages/daemon/data/im.confab.Confab1.service.in'), join(data, 'dbus-1/services/im.confab.Confab1.service')],
];
// The XDG Base Directory spec's place for a user's executables (Debian's ~/.profile puts it on the PATH).
const binDir = join(home, '.local', 'bin');
const cli = [join(root, 'packages/cli/bin/confab.js'), join(binDir, 'confab')];

/** What the link at `path` points to; undefined when there is nothing there, null when it is not a link. */
function linkTarget(path) {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : null;
  } catch {
    return undefined;
  }
}

if (process.argv.includes('--uninstall')) {
  for (const [, to] of targets) {
    rmSync(to, { force: true });
    console.log(`removed ${to}`);
  }
  if (linkTarget(cli[1]) === cli[0]) {
    rmSync(cli[1]);
    console.log(`removed ${cli[1]}`);
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
// A link, not a copy: the command follows this checkout as the unit does. A file of that name that is
// not a link is someone else's `confab`, and stays.
if (linkTarget(cli[1]) === null) {
  console.error(`install-user: ${cli[1]} exists and is not a link; left as it is (confab is ${cli[0]})`);
  process.exitCode = 1;
} else {
  mkdirSync(binDir, { recursive: true });
  rmSync(cli[1], { force: true });
  symlinkSync(cli[0], cli[1]);
  console.log(`linked ${cli[1]} -> ${cli[0]}`);
  if (!(process.env.PATH || '').split(delimiter).includes(binDir)) console.log(`${binDir} is not on your PATH yet: log in again (Debian's ~/.profile adds it), or add it`);
}
console.log('then run: systemctl --user daemon-reload  (confabd starts on first use, or now with: systemctl --user start confabd)');
