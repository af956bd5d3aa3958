#!/usr/bin/env node
/**
 * Sets up what is missing, and nothing else (quick when all is there):
 *  1. the Debian packages (`--for start`: what `npm start` needs; `--for test`: what `npm test` needs),
 *     installed with apt-get when running as root, else the exact command to run is printed;
 *  2. the npm dependencies (`npm ci`), when node_modules is missing or older than package-lock.json.
 * Node built-ins only: it runs before node_modules exists.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');

// confab-media (@confab/media), needed to start it, test it and bench it.
const MEDIA = [
  // node-gtk (GObject introspection), built from source by npm ci: introspection and cairo headers, a compiler
  'libgirepository1.0-dev',
  'libcairo2-dev',
  'g++',
  'make',
  'python3',
  'gir1.2-gstreamer-1.0', // the typelibs it loads
  'gir1.2-gst-plugins-base-1.0',
  'gir1.2-gst-plugins-bad-1.0',
  'gir1.2-nice-0.1',
  'gstreamer1.0-plugins-base', // opus, audioconvert/audioresample, audiotestsrc, videotestsrc
  'gstreamer1.0-plugins-good', // rtpbin, udpsrc/udpsink, wavparse/wavenc, level, spectrum, vp8, RTP payloaders, dtmf
  'gstreamer1.0-plugins-bad', // webrtcdsp/webrtcechoprobe, srtpenc/srtpdec, dtls, webrtcbin, dtmfdetect
  'gstreamer1.0-libav', // G.722 (avenc_g722/avdec_g722)
  'gstreamer1.0-nice', // nicesrc/nicesink (ICE)
  'gstreamer1.0-tools', // gst-inspect-1.0 and gst-launch-1.0, to check by hand
];

// One list per purpose; extend it when a test starts a new real server or client.
const PACKAGES = {
  start: [
    'dbus-daemon', // a private session bus when there is none
    'libglib2.0-bin', // gdbus, to talk to the daemon by hand
    ...MEDIA, // confab-media
  ],
  test: [
    'dbus-daemon',
    'libglib2.0-bin',
    'ngircd', // the legacy IRC server of the end-to-end tests (no IRCv3)
    'inspircd', // the modern IRC server (IRCv3, SASL) ...
    'atheme-services', // ... linked to real services (NickServ, SaslServ)
    'openssl', // self-signed certificates for TLS tests
    'gnome-keyring', // a real Secret Service on a private bus
    'libsecret-tools', // secret-tool, a Secret Service client no one here wrote
    'prosody', // the XMPP server
    'sendxmpp', // XMPP clients no one here wrote: sendxmpp sends,
    'mcabber', // mcabber (console, driven through its FIFO) subscribes and answers
    'ejabberd', // the second XMPP server
    'kamailio', // the SIP registrar, proxy and presence server (presence, presence_xml, db_text) ...
    'kamailio-websocket-modules', // ... with SIP over WebSocket (RFC 7118)
    'kamailio-presence-modules',
    'kamailio-tls-modules', // ... and over TLS
    'baresip-core', // a SIP client no one here wrote
    'sip-tester', // sipp: scripted hostile SIP traffic
    'iproute2', // ss: a call's sockets listed, and its account's TCP flow cut (ss -K, as root)
    'libtoxcore-dev', // c-toxcore 0.2.18, the reference Tox, driven by our C harness ...
    'pkg-config', // ... built with gcc against it
    'telepathy-mission-control-5', // mc-tool, a Telepathy client no one here wrote (its Mission Control is never activated: test buses have no service files)
    'python3-gi', // telepathy-glib from Python (/usr/bin/python3), making accounts as Polari does ...
    'gir1.2-telepathyglib-0.12', // ... through its typelib
    'telepathy-idle', // Mission Control's IRC backend: the peer the Telepathy flood and diff tests run beside confabd (with Mission Control, activatable only on a bus of their own) ...
    'dbus-bin', // ... dbus-monitor, which records what the clients call on each bus (the diff test)
    'polari', // Polari 43, the real Telepathy IRC client, run against confabd (test/e2e/polari.test.ts) ...
    'xvfb', // ... on a virtual X server ...
    'xauth', // ... (xvfb-run's companion, for running it by hand)
    'imagemagick', // ... its screenshot kept (import -window root) ...
    'xdotool', // ... and text typed into its entry (no action sends to a room)
    'telepathy-logger', // Polari 43's history: the Observer confabd's dispatcher activates (test/e2e/telepathy-logger.test.ts) ...
    'gir1.2-telepathylogger-0.2', // ... its log read back with Tpl.LogManager, as Polari reads it (tp-logger-read.py)
    'coturn', // the NAT test bed's STUN/TURN server (turnserver), in its public namespace
    'iptables', // the NAT test bed's routers: MASQUERADE and the cases' firewall rules
    'conntrack', // ... and their tracked flows emptied when a case changes (conntrack -F)
    'socat', // baresip's ctrl_tcp reached inside a network namespace, from a Unix socket
    'chromium', // the browser peer (test/fixtures/browser/chromium.ts): headless, fake devices, WebRTC pages (sip.js, StanzaJS)
    ...MEDIA, // confab-media's tests
  ],
  bench: [
    'dbus-daemon',
    'libglib2.0-bin',
    'openssl',
    'inspircd',
    'atheme-services',
    'telepathy-idle', // the peer bench/irc compares confabd with
    'telepathy-mission-control-5', // bench/telepathy: Mission Control, the peer beside confabd's Telepathy adapter, and mc-tool ...
    'python3-gi', // ... a telepathy-glib receiver (/usr/bin/python3) ...
    'gir1.2-telepathyglib-0.12', // ... through its typelib ...
    'ngircd', // ... on ngircd
    'prosody', // bench/xmpp's server
    'folks-tools', // GNOME folks (folks-inspect), the peer bench/people compares confabd with
    'time', // GNU time: folks-inspect's peak RSS
    'kamailio', // bench/sip's registrar and proxy ...
    'kamailio-websocket-modules',
    'kamailio-presence-modules',
    'kamailio-tls-modules',
    'sip-tester', // ... and sipp, the peer it registers beside
    'libtoxcore-dev', // c-toxcore 0.2.18: bench/tox's network and the peer it runs beside ...
    'pkg-config', // ... through test/fixtures/tox/toxdriver.c, built with gcc against it
    'gcc',
    'baresip-core', // bench/calls' and bench/nat's peer
    'coturn', // bench/nat: the NAT test bed's STUN/TURN server
    'iproute2', // bench/nat: ip netns, veth
    'iptables', // bench/nat: the test bed's NAT routers
    'conntrack', // bench/nat: flows emptied between cases
    'socat', // bench/nat: baresip's ctrl_tcp inside a namespace
    ...MEDIA, // bench/media
  ],
};

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const purpose = args.includes('--for') ? args[args.indexOf('--for') + 1] : 'start';
if (!PACKAGES[purpose]) {
  console.error(`setup: --for must be one of ${Object.keys(PACKAGES).join(', ')}`);
  process.exit(2);
}

function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

const missing = PACKAGES[purpose].filter((p) => !installed(p));
if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(`setup: missing Debian packages: ${missing.join(' ')}\n  run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
    process.exit(1);
  }
  console.log(`setup: installing ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

const lock = join(ROOT, 'package-lock.json');
const stamp = join(ROOT, 'node_modules', '.package-lock.json');
if (!existsSync(stamp) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(stamp).mtimeMs + 1000)) {
  console.log('setup: installing npm dependencies (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
