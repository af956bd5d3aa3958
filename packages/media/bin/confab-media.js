#!/usr/bin/env node
/**
 * The `confab-media` command: runs the compiled service (../dist/main.js). Committed, not built, so that
 * `npm ci` on a fresh clone links node_modules/.bin/confab-media before anything is compiled (npm links
 * a bin only if its file exists); until `npm run build` has run, it says so.
 */
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`confab-media: not built yet (no ${main}): run \`npm run build\` in ${join(__dirname, '..', '..', '..')}\n`);
  process.exit(1);
}
require(main);
