#!/usr/bin/env node
// Runs the AWS SDK for JavaScript v3 suite: every scenario file in its own Node process with its
// own emulator, then checks that the suite drove every operation the emulator emulates (the
// "yes" rows of crates/cognito-emulator/COVERAGE.md, which a contract test keeps true) through
// the SDK. COGNITO_EMULATOR_BIN names a built cognito-emulator; without it `cargo run` builds one.
//
//   npm ci && node run.js [extra node --test arguments]
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-js-')), 'operations.txt');
fs.writeFileSync(log, '');
const scenarios = fs
  .readdirSync(path.join(__dirname, 'scenarios'))
  .filter((f) => f.endsWith('.test.js'))
  .sort()
  .map((f) => path.join('scenarios', f));
const extra = process.argv.slice(2);
const run = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=300000', ...extra, ...(extra.some((a) => a.endsWith('.js')) ? [] : scenarios)],
  { cwd: __dirname, stdio: 'inherit', env: { ...process.env, SDK_OPS_LOG: log } }
);
if (run.status !== 0) process.exit(run.status ?? 1);

// Which operations the emulator emulates, per service, from the generated coverage table.
const coverage = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'crates', 'cognito-emulator', 'COVERAGE.md'), 'utf8');
const emulated = [];
let service = null;
for (const line of coverage.split('\n')) {
  if (line.startsWith('## ')) service = line.includes('cognito-identity`') ? 'cognito-identity' : 'cognito-idp';
  const m = /^\| (\w+) \| yes \|$/.exec(line);
  if (m) emulated.push(`${service}:${m[1]}`);
}
const driven = new Set(fs.readFileSync(log, 'utf8').split('\n').filter(Boolean));
const missing = emulated.filter((op) => !driven.has(op));
const count = (svc) => emulated.filter((op) => op.startsWith(`${svc}:`) && driven.has(op)).length;
console.log(
  `AWS SDK for JavaScript v3 drove ${count('cognito-idp')} cognito-idp and ${count('cognito-identity')} ` +
    `cognito-identity operations (${emulated.length - missing.length} of ${emulated.length} emulated)`
);
if (extra.length === 0 && missing.length > 0) {
  console.error(`emulated operations the suite never drove through the SDK: ${missing.join(', ')}`);
  process.exit(1);
}
