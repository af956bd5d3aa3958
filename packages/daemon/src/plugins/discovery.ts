/**
 * Plugin discovery: every installed package whose package.json names a plugin module
 * (`"confab": {"plugin": "dist/module.js"}`) is a plugin. Its default export is an inversify
 * ContainerModule, loaded into a child container of the daemon's, from which the `Protocol`
 * bindings are collected. A plugin that fails to load, binds nothing, or repeats a protocol id is
 * reported and skipped; the others run.
 *
 * Where we look, in order (the first package of a name wins): the directories of
 * CONFAB_PLUGIN_PATH (colon-separated, each holding packages like a node_modules folder), then every
 * node_modules folder Node would search from this file (the workspace's and a global install's).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Container, ContainerModule } from 'inversify';
import { Protocol } from '@confab/sdk';
import type { Logger } from '@confab/sdk';

export interface PluginCandidate {
  readonly name: string;
  readonly dir: string;
  readonly entry: string;
}

export interface LoadedPlugins {
  readonly protocols: Map<string, Protocol>;
  /** (package, why) for every plugin that was skipped. */
  readonly failed: Array<[string, string]>;
  readonly loaded: string[];
}

export function searchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.CONFAB_PLUGIN_PATH ?? '').split(':').filter(Boolean).map((d) => resolve(d));
  return [...extra, ...module.paths].filter((d, i, all) => all.indexOf(d) === i && existsSync(d));
}

export function findPlugins(dirs: readonly string[]): PluginCandidate[] {
  const seen = new Map<string, PluginCandidate>();
  for (const dir of dirs) {
    for (const pkgDir of packageDirs(dir)) {
      const manifest = readManifest(pkgDir);
      const entry = manifest?.confab?.plugin;
      if (!manifest?.name || typeof entry !== 'string' || seen.has(manifest.name)) continue;
      seen.set(manifest.name, { name: manifest.name, dir: pkgDir, entry });
    }
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function loadPlugins(parent: Container, candidates: readonly PluginCandidate[], disabled: readonly string[], log: Logger): LoadedPlugins {
  const protocols = new Map<string, Protocol>();
  const failed: Array<[string, string]> = [];
  const loaded: string[] = [];
  for (const c of candidates) {
    if (disabled.includes(c.name)) {
      log.info('plugin %s is disabled by the configuration', c.name);
      continue;
    }
    try {
      const mod = require(join(c.dir, c.entry)) as { default?: unknown };
      const cm = mod.default;
      if (!isContainerModule(cm)) throw new Error(`${c.entry} does not default-export a ContainerModule`);
      const child = parent.createChild();
      child.load(cm);
      if (!child.isBound(Protocol)) throw new Error('it binds no Protocol');
      const found = child.getAll<Protocol>(Protocol);
      for (const p of found) {
        if (!p || typeof p.id !== 'string' || typeof p.createConnection !== 'function') throw new Error('a bound Protocol lacks id or createConnection');
        if (protocols.has(p.id)) throw new Error(`protocol '${p.id}' is already provided by another plugin`);
      }
      for (const p of found) protocols.set(p.id, p);
      loaded.push(c.name);
      log.info('loaded plugin %s (%s)', c.name, found.map((p) => p.id).join(', '));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      failed.push([c.name, why]);
      log.error('plugin %s failed to load and is skipped: %s', c.name, why);
    }
  }
  return { protocols, failed, loaded };
}

function isContainerModule(x: unknown): x is ContainerModule {
  // Duck-typed: a plugin may carry its own copy of inversify.
  return x instanceof ContainerModule || (typeof x === 'object' && x !== null && typeof (x as { registry?: unknown }).registry === 'function');
}

function packageDirs(dir: string): string[] {
  const out: string[] = [];
  for (const name of safeReaddir(dir)) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      for (const sub of safeReaddir(join(dir, name))) out.push(join(dir, name, sub));
    } else out.push(join(dir, name));
  }
  return out;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return []; // not a folder, or unreadable: nothing to discover there
  }
}

interface Manifest {
  name?: string;
  confab?: { plugin?: unknown };
}

function readManifest(pkgDir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Manifest;
  } catch {
    return undefined; // not a package
  }
}
