/**
 * The introspection XML files are the contract: the live objects, introspected with gdbus (a client
 * no one here wrote), must offer exactly the methods, signatures, properties and signals the files
 * name. The same daemon is then driven through a whole flow with gdbus alone.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseStringPromise } from 'xml2js';
import { ROOT_PATH } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { until } from '../fixtures/processes';

const CONTRACT_DIR = join(__dirname, '..', '..', 'packages', 'daemon', 'dbus');

interface Arg { $: { name?: string; type: string; direction?: string } }
interface Member { $: { name: string; type?: string; access?: string }; arg?: Arg[]; annotation?: unknown[] }
interface Iface { $: { name: string }; method?: Member[]; property?: Member[]; signal?: Member[]; annotation?: unknown[] }

/** An interface reduced to what a caller depends on: names, signatures, access. */
function shape(i: Iface): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of i.method ?? []) {
    const args = m.arg ?? [];
    const ins = args.filter((a) => (a.$.direction ?? 'in') === 'in').map((a) => a.$.type).join('');
    const outs = args.filter((a) => a.$.direction === 'out').map((a) => a.$.type).join('');
    out[`method ${m.$.name}`] = `(${ins}) -> (${outs})`;
  }
  for (const p of i.property ?? []) out[`property ${p.$.name}`] = `${p.$.type} ${p.$.access}`;
  for (const s of i.signal ?? []) out[`signal ${s.$.name}`] = (s.arg ?? []).map((a) => a.$.type).join('');
  return out;
}

async function interfaces(xml: string): Promise<Map<string, Iface>> {
  const doc = (await parseStringPromise(xml)) as { node: { interface?: Iface[] } };
  return new Map((doc.node.interface ?? []).map((i) => [i.$.name, i]));
}

describe('the D-Bus contract', () => {
  const { d } = withDaemon({ testPlugins: true });

  it('every interface in the XML files is documented', async () => {
    for (const file of readdirSync(CONTRACT_DIR).filter((f) => f.endsWith('.xml'))) {
      for (const iface of (await interfaces(readFileSync(join(CONTRACT_DIR, file), 'utf8'))).values()) {
        expect(iface.annotation).toBeDefined();
        for (const m of [...(iface.method ?? []), ...(iface.signal ?? [])]) {
          expect([iface.$.name, m.$.name, m.annotation !== undefined || m.$.name.startsWith('Set')]).toEqual([iface.$.name, m.$.name, true]);
        }
      }
    }
  });

  it('a whole flow driven by gdbus alone, and the live objects match the XML files', async () => {
    const call = async (path: string, method: string, ...args: string[]) => {
      const r = await d.gdbus(['call', '--session', '--dest', 'im.confab.Confab1', '--object-path', path, '--method', method, ...args]);
      if (r.code !== 0) throw new Error(`gdbus ${method}: ${r.stderr}`);
      return r.stdout.trim();
    };
    expect(await call(ROOT_PATH, 'im.confab.Confab1.Manager.ListProtocols')).toMatch(/\('faulty', 'Faulty \(tests only\)'\)/);
    const created = await call(ROOT_PATH, 'im.confab.Confab1.Manager.CreateAccount', 'faulty', 'From gdbus', "{'name': <'gd'>, 'password': <'pw-gd'>}");
    expect(created).toBe("(objectpath '/im/confab/Confab1/accounts/faulty_gd',)");
    const account = '/im/confab/Confab1/accounts/faulty_gd';
    await until(async () => (await call(account, 'org.freedesktop.DBus.Properties.Get', 'im.confab.Confab1.Account', 'Status')).includes("'connected'"), 10000, 'connected');
    const channel = (await call(account, 'im.confab.Confab1.Account.OpenDirect', 'Peer')).match(/'([^']+)'/)![1];
    expect(await call(channel, 'im.confab.Confab1.Channel.SendMessage', 'from gdbus', 'normal')).toMatch(/^\(uint64 \d+,\)$/);
    await until(async () => (await call(channel, 'im.confab.Confab1.Channel.GetHistory', '0', '10')).includes("'echo: from gdbus'"), 10000, 'the echo in history');
    expect(await call(ROOT_PATH, 'im.confab.Confab1.Manager.SearchHistory', 'gdbus', '0', '0')).toContain("'from gdbus'");

    await call(account, 'im.confab.Confab1.Account.AddContact', 'Peer', 'Pal');
    const person = (await call(ROOT_PATH, 'im.confab.Confab1.Manager.GetPerson', account, 'Peer')).match(/'([^']+)'/)![1];
    expect(person).toMatch(/^\/im\/confab\/Confab1\/people\/\d+$/);
    expect(await call(person, 'org.freedesktop.DBus.Properties.Get', 'im.confab.Confab1.Person', 'Name')).toBe("(<'Pal'>,)");

    const placed = (await call(ROOT_PATH, 'im.confab.Confab1.Manager.StartCall', account, 'nobody', "{'audio': <true>}")).match(/'([^']+)'/)![1];
    expect(placed).toMatch(/^\/im\/confab\/Confab1\/calls\/\d+$/);

    const files = new Map<string, Iface>();
    for (const file of readdirSync(CONTRACT_DIR).filter((f) => f.endsWith('.xml'))) {
      for (const [name, i] of await interfaces(readFileSync(join(CONTRACT_DIR, file), 'utf8'))) files.set(name, i);
    }
    const expectations: Array<[string, string]> = [
      [ROOT_PATH, 'im.confab.Confab1.Manager'],
      [account, 'im.confab.Confab1.Account'],
      [channel, 'im.confab.Confab1.Channel'],
      [person, 'im.confab.Confab1.Person'],
      [placed, 'im.confab.Confab1.Call'],
    ];
    for (const [path, name] of expectations) {
      const r = await d.gdbus(['introspect', '--session', '--xml', '--dest', 'im.confab.Confab1', '--object-path', path]);
      const live = await interfaces(r.stdout);
      expect(live.has('org.freedesktop.DBus.Properties')).toBe(true);
      expect(shape(live.get(name)!)).toEqual(shape(files.get(name)!));
      if (path === ROOT_PATH) expect(live.has('org.freedesktop.DBus.ObjectManager')).toBe(true);
    }
  });
});
