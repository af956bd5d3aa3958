import { join } from 'node:path';
import { Container } from 'inversify';
import { silentLogger } from '@confab/sdk';
import { findPlugins, loadPlugins } from '../src/plugins/discovery';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'plugins');

describe('plugin discovery', () => {
  it('finds packages that name a plugin module', () => {
    const names = findPlugins([FIXTURES]).map((c) => c.name);
    expect(names).toEqual(['confab-plugin-broken', 'confab-plugin-faulty']);
  });

  it('loads the good ones and reports the one that fails', () => {
    const loaded = loadPlugins(new Container(), findPlugins([FIXTURES]), [], silentLogger);
    expect([...loaded.protocols.keys()]).toEqual(['faulty']);
    expect(loaded.failed).toEqual([['confab-plugin-broken', 'this plugin is broken on purpose']]);
  });

  it('skips disabled plugins', () => {
    const loaded = loadPlugins(new Container(), findPlugins([FIXTURES]), ['confab-plugin-faulty', 'confab-plugin-broken'], silentLogger);
    expect(loaded.protocols.size).toBe(0);
    expect(loaded.failed).toHaveLength(0);
  });

  it('refuses a second plugin for the same protocol id', () => {
    const candidates = findPlugins([FIXTURES]).filter((c) => c.name === 'confab-plugin-faulty');
    const twice = [candidates[0], { ...candidates[0], name: 'confab-plugin-faulty-copy' }];
    const loaded = loadPlugins(new Container(), twice, [], silentLogger);
    expect(loaded.failed[0][1]).toMatch(/already provided/);
  });
});
