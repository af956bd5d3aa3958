/**
 * Wrong input over D-Bus and a bad config file: each gives a typed error and the daemon keeps
 * running; and no secret shows up in any log line, property or error text.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_PATH, v } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';

const SECRET = 'Zebra-Secret-4711';

async function dbusError(p: Promise<unknown>): Promise<{ type: string; text: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { type?: string; text?: string; message?: string };
    return { type: e.type ?? '', text: e.text ?? e.message ?? '' };
  }
  throw new Error('expected a D-Bus error');
}

describe('confabd given bad input', () => {
  const { d } = withDaemon({ testPlugins: true, config: '{"logLevel": "debug", "reconnect": {"initialDelayMs": 200, "maxDelayMs": 2000}, "secretStore": "file"' });

  it('runs on the defaults with a bad config file and says why', async () => {
    const err = (await d.prop(ROOT_PATH, 'im.confab.Confab1.Manager', 'ConfigError')) as string;
    expect(err).toMatch(/not valid JSON/);
    writeFileSync(d.configFile, '{"logLevel": "shouting"}');
    const e = await dbusError((await d.manager()).ReloadConfig());
    expect(e.type).toBe('im.confab.Error.InvalidConfig');
    expect(e.text).toMatch(/logLevel/);
    writeFileSync(d.configFile, '{"logLevel": "debug", "secretStore": "file"}');
    await (await d.manager()).ReloadConfig();
    expect(await d.prop(ROOT_PATH, 'im.confab.Confab1.Manager', 'ConfigError')).toBe('');
  });

  it('refuses an unknown protocol, a missing or unknown parameter and a malformed variant, by name', async () => {
    const m = await d.manager();
    const cases: Array<[() => Promise<unknown>, string, RegExp]> = [
      [() => m.CreateAccount('carrier-pigeon', 'x', {}), 'im.confab.Error.NotFound', /carrier-pigeon/],
      [() => m.CreateAccount('faulty', 'x', { password: v('s', SECRET) }), 'im.confab.Error.InvalidArgument', /missing required parameter 'name'/],
      [() => m.CreateAccount('faulty', 'x', { name: v('s', 'a'), colour: v('s', 'red') }), 'im.confab.Error.InvalidArgument', /unknown parameter 'colour'/],
      [() => m.CreateAccount('faulty', 'x', { name: v('s', 'a'), 'crash-after-ms': v('s', 'soon') }), 'im.confab.Error.InvalidArgument', /'crash-after-ms' must be an integer/],
      [() => m.CreateAccount('faulty', 'x', { name: v('as', ['a', 'b']) }), 'im.confab.Error.InvalidArgument', /'name' must be a string/],
      [() => m.CreateAccount('faulty', 'x', { name: v('a{sv}', { deep: v('s', 'x') }) }), 'im.confab.Error.InvalidArgument', /'name' must be a string/],
      [() => m.SetPresence('dancing', ''), 'im.confab.Error.InvalidArgument', /presence must be one of/],
      [() => m.SearchHistory('"unbalanced', 0n, 10), 'im.confab.Error.InvalidArgument', /bad search query/],
      [() => m.SearchHistory('x', 0n, 5000), 'im.confab.Error.InvalidArgument', /limit must be at most/],
    ];
    for (const [call, type, text] of cases) {
      const e = await dbusError(call());
      expect(e.type).toBe(type);
      expect(e.text).toMatch(text);
      expect(e.text).not.toContain(SECRET);
    }
  });

  it('answers a call on an object that does not exist, or with the wrong signature, with a D-Bus error', async () => {
    const r1 = await d.gdbus(['call', '--session', '--dest', 'im.confab.Confab1', '--object-path', '/im/confab/Confab1/accounts/nope', '--method', 'im.confab.Confab1.Account.Reconnect']);
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toMatch(/org\.freedesktop\.DBus\.Error\.Unknown(Object|Method)/);
    const r2 = await d.gdbus(['call', '--session', '--dest', 'im.confab.Confab1', '--object-path', ROOT_PATH, '--method', 'im.confab.Confab1.Manager.SetPresence', '42']);
    expect(r2.code).not.toBe(0);
    const r3 = await d.gdbus(['call', '--session', '--dest', 'im.confab.Confab1', '--object-path', '/im/confab/Confab1/channels/999', '--method', 'im.confab.Confab1.Channel.SendMessage', 'hi', 'normal']);
    expect(r3.code).not.toBe(0);
    const m = await d.manager();
    expect(((await m.ListProtocols()) as unknown[]).length).toBeGreaterThan(0);
    expect(d.proc.child.exitCode).toBeNull();
  });

  it('refuses a bad message kind and an empty message; unknown ids to acknowledge are ignored', async () => {
    const m = await d.manager();
    const acc = await d.createAccount('faulty', 'K', { name: 'kinds', password: SECRET });
    const ch = await d.channel((await (await d.account(acc)).OpenDirect('bob')) as string);
    expect((await dbusError(ch.SendMessage('hi', 'shout'))).type).toBe('im.confab.Error.InvalidArgument');
    expect((await dbusError(ch.SendMessage('', 'normal'))).type).toBe('im.confab.Error.InvalidArgument');
    await m.Acknowledge([123456789n]);
    const e = await dbusError((await d.account(acc)).Update({}, ['name']));
    expect(e.text).toMatch(/'name' is required/);
  });

  it('refuses ids and integers beyond what it can hold (2^53 - 1) as InvalidArgument, not Internal', async () => {
    const m = await d.manager();
    const acc = await d.createAccount('faulty', 'R', { name: 'ranges' });
    const channelPath = (await (await d.account(acc)).OpenDirect('bob')) as string;
    const channel = await d.channel(channelPath);
    await (await d.account(acc)).AddContact('bob', '');
    const person = await d.object((await m.GetPerson(acc, 'bob')) as string);
    const MAX = 2n ** 64n - 1n; // the largest uint64
    const UNSAFE = 2n ** 53n; // the first id a JS number cannot tell from its neighbour
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['Channel.GetHistory 2^64-1', () => channel.GetHistory(MAX, 10)],
      ['Channel.GetHistory 2^53', () => channel.GetHistory(UNSAFE, 10)],
      ['Manager.SearchHistory', () => m.SearchHistory('x', MAX, 10)],
      ['Manager.Acknowledge', () => m.Acknowledge([1n, MAX])],
      ['Manager.GetMarkup', () => m.GetMarkup([UNSAFE])],
      ['Manager.GetFailures', () => m.GetFailures([MAX])],
      ['Person.GetTimeline', () => person.getInterface('im.confab.Confab1.Person').GetTimeline(MAX, 10)],
      ['CreateAccount with an int64 parameter', () => m.CreateAccount('faulty', 'x', { name: v('s', 'huge'), 'crash-after-ms': v('x', 2n ** 62n) })],
    ];
    for (const [what, call] of cases) {
      const e = await dbusError(call());
      expect([what, e.type]).toEqual([what, 'im.confab.Error.InvalidArgument']);
    }
    const r = await d.gdbus(['call', '--session', '--dest', 'im.confab.Confab1', '--object-path', channelPath, '--method', 'im.confab.Confab1.Channel.GetHistory', String(MAX), '10']);
    expect(r.stderr).toMatch(/im\.confab\.Error\.InvalidArgument: before_id must be from 0 to 9007199254740991/);
    expect(((await channel.GetHistory(0n, 10)) as unknown[]).length).toBe(0); // 0 still means "from the newest"
    expect(d.proc.output()).not.toMatch(/failed: RangeError/);
  });

  it('never shows a secret in the log, a property, an error or the database', async () => {
    const objects = (await (await d.object(ROOT_PATH)).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as unknown;
    const dump = JSON.stringify(objects, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    expect(dump).toContain('kinds');
    expect(dump).not.toContain(SECRET);
    const introspection = await d.gdbus(['introspect', '--session', '--dest', 'im.confab.Confab1', '--object-path', '/im/confab/Confab1/accounts/faulty_kinds']);
    expect(introspection.stdout).toContain('Parameters');
    expect(introspection.stdout).not.toContain(SECRET);
    expect(d.proc.output()).toContain('account faulty_kinds created');
    expect(d.proc.output()).not.toContain(SECRET);
    for (const f of readdirSync(d.dataDir)) {
      expect(readFileSync(join(d.dataDir, f)).includes(Buffer.from(SECRET))).toBe(false);
    }
  });
});
