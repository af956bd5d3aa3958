#!/usr/bin/env node
// `npm run bench -- <name>`: compiles bench/ and runs bench/dist/bench/<name>.js. Lists them without a name.
const { execFileSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const { join } = require('node:path');

const names = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.log(`usage: npm run bench -- <${names.join('|')}>`);
  process.exit(name ? 2 : 0);
}
execFileSync(join(__dirname, '..', 'node_modules', '.bin', 'tsc'), ['-p', join(__dirname, 'tsconfig.json')], { stdio: 'inherit' });
execFileSync(process.execPath, [join(__dirname, 'dist', 'bench', `${name}.js`)], { stdio: 'inherit' });
