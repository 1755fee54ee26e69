#!/usr/bin/env node
// Runs the interop suite: builds the emulator once, then runs every scenario with node's test
// runner, each scenario file against its own emulator process.
//
//   node run.js [extra node --test arguments]
//
// Needs `npm ci` in this directory first. Set COGNITO_EMULATOR_BIN to skip the build.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
let bin = process.env.COGNITO_EMULATOR_BIN;
if (!bin) {
  // The `cognito` CLI too: the JWT parity scenario runs `cognito verify-token`.
  const build = spawnSync('cargo', ['build', '-p', 'cognito-emulator', '--bin', 'cognito-emulator', '-p', 'cognito-cli', '--bin', 'cognito', '--message-format=json-render-diagnostics'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (build.status !== 0) {
    console.error('cargo build -p cognito-emulator failed');
    process.exit(build.status ?? 1);
  }
  for (const line of build.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const msg = JSON.parse(line);
    if (msg.reason === 'compiler-artifact' && msg.target.name === 'cognito-emulator' && msg.executable) {
      bin = msg.executable;
    }
    if (msg.reason === 'compiler-artifact' && msg.target.name === 'cognito' && msg.executable) {
      process.env.COGNITO_CLI_BIN = msg.executable;
    }
  }
  if (!bin) {
    console.error('cargo build did not report the cognito-emulator executable');
    process.exit(1);
  }
}

const scenarios = fs
  .readdirSync(path.join(__dirname, 'scenarios'))
  .filter((f) => f.endsWith('.test.js'))
  .sort()
  .map((f) => path.join('scenarios', f));
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', ...process.argv.slice(2), ...scenarios], {
  cwd: __dirname,
  stdio: 'inherit',
  env: { ...process.env, COGNITO_EMULATOR_BIN: bin },
});
process.exit(run.status ?? 1);
