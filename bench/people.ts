/**
 * bench/people — 10,000 contacts across three accounts, as people, over D-Bus; side by side with
 * GNOME folks (folks-inspect, key-file backend) loading the same 10,000 contacts in the same run.
 *
 *   npm run bench -- people
 *
 * confabd: two XMPP accounts on prosody whose rosters (written into prosody's storage) hold 4,000
 * JIDs each, 2,000 of them shared (→ linked by address), and an IRC account on ngircd given 2,000
 * contacts with AddContact: 10,000 contacts, 8,000 people. Printed: login to all people formed;
 * AddContact rate; GetManagedObjects (the whole contact list) time and size; SearchPeople and
 * GetPerson p50/p99; restart (kill -9) to the name owned and the list loaded; RSS.
 * folks: the same 10,000 contacts as key-file personas (IM addresses; folks links the shared ones):
 * `folks-inspect individuals` from start to the full list printed, and its peak RSS.
 * Not a test: it prints figures, asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonFixture, v } from '../test/fixtures/confabd';
import { startNgircd } from '../test/fixtures/irc/ngircd';
import { stopAll, tempDir, until } from '../test/fixtures/processes';
import { startProsody } from '../test/fixtures/xmpp/prosody';
import { pct } from './peers/wait';

const PER_ROSTER = 4000;
const SHARED = 2000;
const IRC_CONTACTS = 2000;
const QUERIES = 200;

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const jid = (i: number) => `c${i}@localhost`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return [r, ms(t0)];
}

async function confabd(): Promise<void> {
  const xmpp = await startProsody({ memoryArchive: true });
  const irc = await startNgircd();
  xmpp.register('alice', 'alice-pw');
  xmpp.register('bob', 'bob-pw');
  xmpp.writeRoster('alice', Array.from({ length: PER_ROSTER }, (_, i) => ({ jid: jid(i), name: `Contact ${i}` })));
  xmpp.writeRoster('bob', Array.from({ length: PER_ROSTER }, (_, i) => ({ jid: jid(i + PER_ROSTER - SHARED), name: `Contact ${i + PER_ROSTER - SHARED}` })));
  const d = await DaemonFixture.start({ env: { CONFAB_LOG_LEVEL: 'warn' } });
  try {
    const m = await d.manager();
    const om = (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager');
    let people = 0;
    m.on('PeopleChanged', (batch: string[][]) => {
      for (const [, change] of batch) people += change === 'added' ? 1 : change === 'removed' ? -1 : 0;
    });
    const idle = rssMiB(d.proc.pid);
    const xmppPeople = 2 * PER_ROSTER - SHARED;
    const [, login] = await timed(async () => {
      for (const u of ['alice', 'bob']) {
        await m.CreateAccount('xmpp', u, { jid: v('s', `${u}@localhost`), server: v('s', '127.0.0.1'), port: v('i', xmpp.port), 'tls-ca': v('s', xmpp.caFile), password: v('s', `${u}-pw`) });
      }
      await until(() => people >= xmppPeople, 120000, `${xmppPeople} people`, 20);
    });
    console.log(`login of 2 XMPP accounts (rosters of ${PER_ROSTER}, ${SHARED} shared) to ${people} people formed: ${login.toFixed(0)} ms`);

    const ircAcc = (await m.CreateAccount('irc', 'irc', { server: v('s', irc.host), port: v('i', irc.port), nickname: v('s', 'benchy') })) as string;
    await d.waitForStatus(ircAcc, 'connected');
    const acc = await d.account(ircAcc);
    const [, adding] = await timed(async () => {
      for (let i = 0; i < IRC_CONTACTS; i++) await acc.AddContact(`nick${i}`, '');
    });
    console.log(`AddContact × ${IRC_CONTACTS} on the IRC account (one call at a time): ${adding.toFixed(0)} ms (${((IRC_CONTACTS / adding) * 1000).toFixed(0)}/s)`);
    await until(() => people >= xmppPeople + IRC_CONTACTS, 30000, 'the IRC people', 20);

    const loads: number[] = [];
    let objects = 0;
    for (let i = 0; i < 5; i++) {
      const [all, t] = await timed(async () => (await om.GetManagedObjects()) as Record<string, Record<string, unknown>>);
      objects = Object.values(all).filter((o) => 'im.confab.Confab1.Person' in o).length;
      loads.push(t);
    }
    console.log(`GetManagedObjects (the whole list: ${objects} people, 10,000 contacts): p50 ${pct(loads, 50).toFixed(0)} ms, max ${Math.max(...loads).toFixed(0)} ms`);

    const search: number[] = [];
    const get: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const n = (i * 7919) % (PER_ROSTER * 2 - SHARED);
      search.push((await timed(() => m.SearchPeople(i % 2 ? `c${n}@` : `nick${n % IRC_CONTACTS}`, 100)))[1]);
      get.push((await timed(() => m.GetPerson('/im/confab/Confab1/accounts/xmpp_alice_localhost', jid(n % PER_ROSTER))))[1]);
    }
    const [wide, wideMs] = await timed(async () => (await m.SearchPeople('localhost', 1000)) as string[]);
    console.log(`SearchPeople (${QUERIES} queries, one match each): p50 ${pct(search, 50).toFixed(2)} ms, p99 ${pct(search, 99).toFixed(2)} ms; a broad one (${wide.length} matches): ${wideMs.toFixed(1)} ms`);
    console.log(`GetPerson: p50 ${pct(get, 50).toFixed(2)} ms, p99 ${pct(get, 99).toFixed(2)} ms`);
    console.log(`confabd RSS: idle ${idle.toFixed(1)} MiB, with 10,000 contacts ${rssMiB(d.proc.pid).toFixed(1)} MiB`);

    await d.kill();
    await d.restart();
    const [, list] = await timed(async () => (await (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as unknown);
    console.log(`restart after kill -9 with 10,000 contacts: name owned in ${d.lastLaunchMs.toFixed(0)} ms, then the whole list in ${list.toFixed(0)} ms`);
  } finally {
    await d.stop();
    await xmpp.stop();
    await irc.stop();
  }
}

function folks(): void {
  const dir = tempDir('folks-');
  const file = join(dir.path, 'people.ini');
  const out: string[] = [];
  let n = 0;
  for (const acct of [0, 1]) {
    for (let i = 0; i < PER_ROSTER; i++) {
      const c = i + acct * (PER_ROSTER - SHARED);
      out.push(`[${n++}]\n__alias=Contact ${c}\njabber=${jid(c)}\n`);
    }
  }
  for (let i = 0; i < IRC_CONTACTS; i++) out.push(`[${n++}]\nirc=nick${i}\n`);
  writeFileSync(file, out.join('\n'));
  const env = { ...process.env, FOLKS_BACKENDS_ALLOWED: 'key-file', FOLKS_PRIMARY_STORE: 'key-file', FOLKS_BACKEND_KEY_FILE_PATH: file };
  const t0 = process.hrtime.bigint();
  const stderrFile = join(dir.path, 'time.txt');
  const listing = execFileSync('/usr/bin/time', ['-o', stderrFile, '-f', '%M', 'folks-inspect', 'individuals'], { env, maxBuffer: 1 << 30, timeout: 300000 }).toString();
  const t = ms(t0);
  const individuals = (listing.match(/Individual '/g) ?? []).length;
  console.log(`folks ${execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'folks-tools']).toString()} (folks-inspect individuals, key-file backend, ${n} personas): ${individuals} individuals in ${t.toFixed(0)} ms, peak RSS ${(Number(readFileSync(stderrFile, 'utf8').trim()) / 1024).toFixed(1)} MiB`);
  dir.remove();
}

async function main(): Promise<void> {
  console.log(`# bench/people  (node ${process.version}; command: npm run bench -- people)`);
  await confabd();
  folks();
  await stopAll();
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
