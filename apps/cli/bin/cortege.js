#!/usr/bin/env node
// The project's one CLI. Runs the TypeScript sources through tsx, with the project's own
// tsconfig (for the @app/* aliases) wherever it is called from.
const { join } = require('node:path');

process.env.TSX_TSCONFIG_PATH = join(__dirname, '..', '..', '..', 'tsconfig.json');
require('tsx/cjs');
require('../src/main.ts');
