import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfabError } from '@confab/sdk';
import { DEFAULT_CONFIG, loadConfig, parseConfig } from '../src/config';

describe('config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'confab-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('a missing file means the defaults', () => {
    expect(loadConfig(join(dir, 'absent.json'))).toEqual(DEFAULT_CONFIG);
  });

  it('reads a valid file', () => {
    const c = loadConfig(file('ok.json', '{"logLevel":"debug","reconnect":{"initialDelayMs":100,"maxDelayMs":1000}}'));
    expect(c.logLevel).toBe('debug');
    expect(c.reconnect).toEqual({ initialDelayMs: 100, maxDelayMs: 1000 });
  });

  it.each([
    ['not JSON', '{logLevel: debug', /not valid JSON/],
    ['an array', '[]', /must be a JSON object/],
    ['an unknown key', '{"colour":"blue"}', /unknown key 'colour'/],
    ['a bad level', '{"logLevel":"loud"}', /logLevel/],
    ['a negative delay', '{"reconnect":{"initialDelayMs":-1}}', /initialDelayMs/],
    ['max below initial', '{"reconnect":{"initialDelayMs":10,"maxDelayMs":5}}', /maxDelayMs/],
    ['a bad store', '{"secretStore":"pocket"}', /secretStore/],
  ])('refuses %s with InvalidConfig naming the problem', (_what, text, pattern) => {
    const p = file('bad.json', text);
    let caught: unknown;
    try {
      loadConfig(p);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfabError);
    expect((caught as ConfabError).code).toBe('InvalidConfig');
    expect((caught as ConfabError).message).toMatch(pattern);
  });

  it('parseConfig fills in defaults', () => {
    expect(parseConfig({})).toEqual(DEFAULT_CONFIG);
  });
});
