/**
 * `confab-import-mission-control [accounts.cfg]`: makes Mission Control's accounts again on Confab,
 * through Telepathy's own CreateAccount on the session bus (so each goes through the same mapping as
 * an account made with mc-tool, and its password, kept in clear by Mission Control, into Confab's
 * secret store). It refuses to run unless confabd owns org.freedesktop.Telepathy.AccountManager (else
 * it would be importing into Mission Control itself), and skips an account Confab already has (same
 * CM, protocol and `account` parameter), so running it twice imports nothing twice. It never writes
 * the file. Default file: `$XDG_DATA_HOME/telepathy/mission-control/accounts.cfg`. Polari's passwords,
 * which it keeps in the keyring rather than in that file, come along (polari-keyring.ts).
 */
import dbus from 'dbus-next';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ACCOUNT_IFACE, ACCOUNT_PATH_BASE, AM_BUS_NAME, AM_IFACE, AM_PATH } from '../names';
import { planImport, type ImportRequest } from './accounts-cfg';
import { parseKeyFile } from './keyfile';
import { POLARI_SECRETS, PolariKeyring } from './polari-keyring';

type Bus = ReturnType<typeof dbus.sessionBus>;

export function defaultFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'telepathy', 'mission-control', 'accounts.cfg');
}

/** Imports every account of `file`; returns how many failed. `say` gets one line per account. */
export async function importAccounts(bus: Bus, file: string, say: (line: string) => void): Promise<number> {
  await checkOwner(bus);
  const am = (await bus.getProxyObject(AM_BUS_NAME, AM_PATH)).getInterface(AM_IFACE);
  const existing = await existingAccounts(bus);
  let failed = 0;
  const keyring = await PolariKeyring.open(bus).catch((err: unknown) => {
    say(`the keyring could not be read (${(err as Error).message}): Polari's passwords are not imported`);
    return undefined;
  });
  try {
    for (const p of planImport(parseKeyFile(readFileSync(file, 'utf8')))) {
      if ('skip' in p) {
        say(`skipped ${p.source}: ${p.skip}`);
        continue;
      }
      const key = keyOf(p);
      const there = key ? existing.get(key) : undefined;
      if (there) {
        say(`skipped ${p.source}: already on Confab as ${there}`);
        continue;
      }
      const fromKeyring = p.cm === 'idle' && keyring ? await keyring.find(p.source) : undefined; // Polari is IRC only
      const params = { ...p.params };
      const taken: string[] = [];
      for (const [param, value] of Object.entries(fromKeyring?.params ?? {})) {
        if (params[param] !== undefined) continue; // what the file says wins
        params[param] = new dbus.Variant('s', value);
        taken.push(POLARI_SECRETS.find((x) => x.param === param)!.what);
      }
      try {
        const path = (await am.CreateAccount(p.cm, p.protocol, p.displayName, params, p.properties)) as string;
        const note = [
          ...(taken.length > 0 ? [`its ${taken.join(' and ')} from the keyring`] : []),
          ...(fromKeyring?.locked.length ? [`its ${fromKeyring.locked.join(' and ')} not: the keyring is locked`] : []),
          ...(fromKeyring?.left.length ? [`its ${fromKeyring.left.join(' and ')} stays in the keyring: Confab logs in to services by SASL, set sasl-password to use it`] : []),
        ];
        say(`imported ${p.source} as ${path.slice(ACCOUNT_PATH_BASE.length)}${note.length > 0 ? ` (${note.join('; ')})` : ''}`);
      } catch (err) {
        failed++;
        say(`failed ${p.source}: ${(err as Error).message}`);
      }
    }
  } finally {
    await keyring?.close();
  }
  return failed;
}

async function checkOwner(bus: Bus): Promise<void> {
  const dbusIface = (await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
  const owner = async (name: string) => ((await dbusIface.NameHasOwner(name)) ? ((await dbusIface.GetNameOwner(name)) as string) : undefined);
  const am = await owner(AM_BUS_NAME);
  if (!am || am !== (await owner('im.confab.Confab1'))) {
    throw new Error(`${AM_BUS_NAME} is not served by confabd on this bus${am ? ' (is Mission Control still running?)' : ''}: see docs/telepathy.md, switching from Mission Control`);
  }
}

/** CM/protocol/`account`; undefined for a protocol without that parameter (nothing to tell two of its accounts apart by). */
function keyOf(p: Pick<ImportRequest, 'cm' | 'protocol'> & { params: Record<string, { value: unknown }> }): string | undefined {
  const account = p.params.account?.value;
  return typeof account === 'string' ? `${p.cm}/${p.protocol}/${account}` : undefined;
}

/** The accounts there already, by CM/protocol/`account` parameter, to their names. */
async function existingAccounts(bus: Bus): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const props = (await bus.getProxyObject(AM_BUS_NAME, AM_PATH)).getInterface('org.freedesktop.DBus.Properties');
  const valid = ((await props.Get(AM_IFACE, 'ValidAccounts')) as { value: string[] }).value;
  for (const path of valid) {
    const name = path.slice(ACCOUNT_PATH_BASE.length);
    const [cm, protocol] = name.split('/');
    const account = (await bus.getProxyObject(AM_BUS_NAME, path)).getInterface('org.freedesktop.DBus.Properties');
    const params = ((await account.Get(ACCOUNT_IFACE, 'Parameters')) as { value: Record<string, { value: unknown }> }).value;
    const key = keyOf({ cm, protocol: protocol.replace(/_/g, '-'), params });
    if (key) out.set(key, name);
  }
  return out;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  if (argv.includes('--help') || argv.length > 1) {
    process.stdout.write(`usage: confab-import-mission-control [accounts.cfg]\n\nMakes Mission Control's accounts (default ${defaultFile()}) again on Confab, through confabd's Telepathy AccountManager.\n`);
    process.exitCode = argv.includes('--help') ? 0 : 2;
    return;
  }
  const bus = dbus.sessionBus();
  try {
    const failed = await importAccounts(bus, argv[0] ?? defaultFile(), (line) => process.stdout.write(`${line}\n`));
    process.exitCode = failed > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`confab-import-mission-control: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    bus.disconnect();
  }
}
