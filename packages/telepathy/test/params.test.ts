import dbus from 'dbus-next';
import type { ParamSpec } from '@confab/sdk';
import { TABLES, tableByName, tableFor } from '../src/params';
import { parseParams, parseUnset, shapeParams } from '../src/params/mapping';

const v = (signature: string, value: unknown) => new dbus.Variant(signature, value);

/** Confab's IRC parameters, as far as these tests need them. */
const IRC: ParamSpec[] = [
  { name: 'server', type: 'string', required: true, description: '' },
  { name: 'port', type: 'int', description: '' },
  { name: 'nickname', type: 'string', required: true, description: '' },
  { name: 'username', type: 'string', description: '' },
  { name: 'realname', type: 'string', description: '' },
  { name: 'password', type: 'string', secret: true, description: '' },
  { name: 'tls', type: 'bool', description: '' },
  { name: 'sasl-password', type: 'string', secret: true, description: '' },
  { name: 'flood-rate', type: 'int', description: '' },
];
const SIP: ParamSpec[] = [
  { name: 'uri', type: 'string', required: true, description: '' },
  { name: 'transport', type: 'string', description: '' },
];

describe('the parameter tables', () => {
  it('give the names Polari and Empathy hard-code, and confab/<id> to protocols without a CM', () => {
    expect([tableFor('irc'), tableFor('xmpp'), tableFor('sip'), tableFor('tox')].map((t) => `${t.cm}/${t.protocol}`))
      .toEqual(['idle/irc', 'gabble/jabber', 'rakia/sip', 'confab/tox']);
    expect(tableFor('Some_Plugin')).toMatchObject({ cm: 'confab', protocol: 'some-plugin', rows: [] });
    expect(tableByName('idle', 'irc', ['irc', 'xmpp'])?.confab).toBe('irc');
    expect(tableByName('idle', 'irc', ['xmpp'])).toBeUndefined(); // no IRC plugin loaded
  });

  it('name each Telepathy and each Confab parameter at most once per protocol', () => {
    for (const t of TABLES) {
      const tp = t.rows.map((r) => r.tp);
      const confab = t.rows.flatMap((r) => (r.confab ? [r.confab] : []));
      expect(new Set(tp).size).toBe(tp.length);
      expect(new Set(confab).size).toBe(confab.length);
      for (const r of t.rows) expect(r.tp).toMatch(/^[a-z][a-z0-9-]*$/);
    }
  });
});

describe('parameters into Confab', () => {
  it("renames idle's parameters and takes any integer width (mc-tool's uint, Polari's u, idle's q)", () => {
    const p = parseParams(tableFor('irc'), IRC, {
      account: v('s', 'alice'), server: v('s', '127.0.0.1'), port: v('u', 6667), fullname: v('s', 'Alice'),
      'use-ssl': v('b', true), password: v('s', 'pw'), username: v('s', 'al'),
    });
    expect(p.set).toEqual({ nickname: 'alice', server: '127.0.0.1', port: 6667, realname: 'Alice', tls: true, password: 'pw', username: 'al' });
    expect(p.unset).toEqual([]);
    expect(parseParams(tableFor('irc'), IRC, { port: v('q', 6697) }).set).toEqual({ port: 6697 });
    expect(parseParams(tableFor('irc'), IRC, { port: v('t', 6697n) }).set).toEqual({ port: 6697 });
  });

  it('passes Confab parameters no row renames through, and keeps Telepathy-only ones aside with their type', () => {
    const p = parseParams(tableFor('irc'), IRC, { 'sasl-password': v('s', 'x'), 'flood-rate': v('i', 4), charset: v('s', 'UTF-8'), 'password-prompt': v('b', true) });
    expect(p.set).toEqual({ 'sasl-password': 'x', 'flood-rate': 4 });
    expect(p.kept).toEqual({ charset: ['s', 'UTF-8'], 'password-prompt': ['b', true] });
  });

  it('refuses a name the CM does not have, and a Confab name that a row renames', () => {
    expect(() => parseParams(tableFor('irc'), IRC, { bogus: v('s', 'x') })).toThrow("idle/irc has no parameter 'bogus'");
    expect(() => parseParams(tableFor('irc'), IRC, { nickname: v('s', 'x') })).toThrow("has no parameter 'nickname'"); // it is 'account' here
    expect(() => parseParams(tableFor('irc'), IRC, { port: v('x', 2n ** 60n) })).toThrow('out of range');
    expect(() => parseParams(tableFor('irc'), IRC, { account: v('ay', Buffer.from('x')) })).toThrow('type Confab does not take');
  });

  it("turns rakia's transport 'auto' into Confab's default, and unsets by Telepathy name", () => {
    expect(parseParams(tableFor('sip'), SIP, { account: v('s', 'a@b'), transport: v('s', 'auto') })).toMatchObject({ set: { uri: 'a@b' }, unset: ['transport'] });
    expect(parseParams(tableFor('sip'), SIP, { transport: v('s', 'tcp') }).set).toEqual({ transport: 'tcp' });
    expect(parseUnset(tableFor('irc'), IRC, ['fullname', 'charset', 'flood-rate'])).toEqual({ confab: ['realname', 'flood-rate'], kept: ['charset'] });
    expect(() => parseUnset(tableFor('irc'), IRC, ['nope'])).toThrow("no parameter 'nope'");
  });
});

describe('the Parameters property', () => {
  it('has Telepathy names and types, the kept ones, and never a secret', () => {
    const out = shapeParams(tableFor('irc'), IRC, { nickname: 'alice', server: 'h', port: 6667, tls: false, 'flood-rate': 4, password: 'leak?' }, { charset: ['s', 'UTF-8'] });
    const plain = Object.fromEntries(Object.entries(out).map(([k, x]) => [k, [x.signature, x.value]]));
    expect(plain).toEqual({
      account: ['s', 'alice'], server: ['s', 'h'], port: ['u', 6667], 'use-ssl': ['b', false], 'flood-rate': ['i', 4], charset: ['s', 'UTF-8'],
    });
  });

  it('gives an integer too big for 32 bits as x, as dbus-next wants it (a BigInt)', () => {
    const out = shapeParams(tableFor('tox'), [{ name: 'big', type: 'int', description: '' }], { big: 2 ** 40 }, {});
    expect(out.big.signature).toBe('x');
    expect(out.big.value).toBe(2n ** 40n);
  });
});
