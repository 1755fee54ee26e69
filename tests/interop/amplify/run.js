#!/usr/bin/env node
// Runs the Amplify v6 suite: every scenario file in its own Node process (Amplify's
// configuration is process-wide) against its own emulator. COGNITO_EMULATOR_BIN names a built
// cognito-emulator binary; without it the harness runs it through `cargo run`.
//
//   npm ci && node run.js [extra node --test arguments]
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const scenarios = fs
  .readdirSync(path.join(__dirname, 'scenarios'))
  .filter((f) => f.endsWith('.test.js'))
  .sort()
  .map((f) => path.join('scenarios', f));
const run = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=300000', ...process.argv.slice(2), ...scenarios],
  { cwd: __dirname, stdio: 'inherit' }
);
process.exit(run.status ?? 1);
