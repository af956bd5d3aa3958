#!/usr/bin/env node
/**
 * `npm run install-user` — installs confabd for the current user from this checkout:
 *   ~/.config/systemd/user/confabd.service        (systemd user unit, Type=dbus)
 *   ~/.local/share/dbus-1/services/im.confab.Confab1.service   (D-Bus activation)
 *   ~/.local/bin/confab                           (the CLI: a link to packages/cli/bin/confab.js)
 * With `--telepathy`, also D-Bus activation of the Telepathy names confabd serves, so Telepathy
 * clients start confabd rather than Mission Control (docs/telepathy.md, switching from Mission Control):
 *   ~/.local/share/dbus-1/services/org.freedesktop.Telepathy.AccountManager.service
 *   ~/.local/share/dbus-1/services/org.freedesktop.Telepathy.MissionControl5.service
 *   ~/.local/share/dbus-1/services/org.freedesktop.Telepathy.ChannelDispatcher.service
 * `npm run install-user -- --uninstall` removes them all.
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
/** The Telepathy names confabd owns (packages/telepathy/src/names.ts); activating them must start it. */
const TELEPATHY_NAMES = ['org.freedesktop.Telepathy.AccountManager', 'org.freedesktop.Telepathy.MissionControl5', 'org.freedesktop.Telepathy.ChannelDispatcher'];
const TELEPATHY_MARK = 'written by `npm run install-user -- --telepathy`';
const telepathyFiles = TELEPATHY_NAMES.map((name) => [name, join(data, 'dbus-1/services', `${name}.service`)]);
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
  for (const [, file] of telepathyFiles) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (!text.includes(TELEPATHY_MARK)) continue; // someone else's activation file
    rmSync(file);
    console.log(`removed ${file}`);
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
if (process.argv.includes('--telepathy')) {
  const template = readFileSync(join(root, 'packages/daemon/data/telepathy-name.service.in'), 'utf8');
  for (const [name, file] of telepathyFiles) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, template.replace(/@NAME@/g, name).replace(/@NODE@/g, process.execPath).replace(/@CONFABD@/g, join(root, 'packages/daemon/dist/main.js')));
    console.log(`wrote ${file}`);
  }
  console.log('Telepathy clients now start confabd; stop Mission Control if it runs: systemctl --user mask --now telepathy-mission-control-5.service');
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
