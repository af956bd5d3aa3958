#!/usr/bin/env node
/**
 * The `confab` command: runs the compiled CLI (../dist/main.js). This file is committed, not built,
 * so that `npm ci` on a fresh clone links node_modules/.bin/confab to it before anything is compiled
 * (npm links a bin only if its file exists); until `npm run build` (or `npm start`) has run, it says so.
 */
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`confab: the CLI is not built yet (no ${main}): run \`npm run build\` in ${join(__dirname, '..', '..', '..')}\n`);
  process.exit(1);
}
require(main);
