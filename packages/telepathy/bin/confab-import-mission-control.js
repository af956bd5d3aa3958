#!/usr/bin/env node
'use strict';
// Mission Control's accounts made again on Confab (docs/telepathy.md, switching from Mission Control).
void require('../dist/migrate/import').main();
