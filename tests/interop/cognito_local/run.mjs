// Runs cognito-local's AWS SDK integration tests (upstream/, vendored unchanged at the commit
// in upstream/COMMIT, see vendor.sh) against cognito-emulator, one fresh emulator per test
// (shim/setup.ts).
//
//   node run.mjs                    the tests in passing.txt; fails unless every one passes (CI)
//   node run.mjs --all              every test; prints the names that pass (to refresh passing.txt)
//   node run.mjs --all --aws-strict triage only: every test, with the requests that AWS refuses
//                                   and cognito-local accepts adjusted by shim/setup.ts (short
//                                   passwords, a client without ALLOW_USER_PASSWORD_AUTH, an
//                                   undeclared custom attribute) and moving `sub` last in
//                                   attribute lists, to see what fails behind them
//
// COGNITO_EMULATOR_BIN names the emulator binary; without it the script builds it with cargo.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../../..");
const args = process.argv.slice(2);
const runAll = args.includes("--all");
const strict = args.includes("--aws-strict");

let bin = process.env.COGNITO_EMULATOR_BIN;
if (!bin) {
  execFileSync("cargo", ["build", "-q", "-p", "cognito-emulator", "--bin", "cognito-emulator"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  const target = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target");
  bin = path.join(target, "debug", "cognito-emulator");
}

const listed = fs
  .readFileSync(path.join(HERE, "passing.txt"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));

const report = path.join(HERE, ".last-run.json");
const vitestArgs = [
  path.join(HERE, "node_modules", "vitest", "vitest.mjs"),
  "run",
  "--config",
  path.join(HERE, "vitest.config.mts"),
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${report}`,
];
if (!runAll) {
  const files = [...new Set(listed.map((id) => id.split(" > ")[0]))];
  const names = listed.map((id) =>
    id
      .split(" > ")
      .slice(1)
      .join(" ")
      .replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
  );
  // Vitest matches the full name, which starts with the file's top describe
  // ("CognitoIdentityServiceProvider.<operation>"); passing.txt leaves it out.
  vitestArgs.push("--testNamePattern", `^\\S+ (${names.join("|")})$`);
  vitestArgs.push(...files.map((f) => `integration-tests/aws-sdk/${f}`));
}
fs.rmSync(report, { force: true });
spawnSync(process.execPath, vitestArgs, {
  cwd: HERE,
  stdio: "inherit",
  env: { ...process.env, COGNITO_EMULATOR_BIN: path.resolve(bin), ...(strict ? { COGNITO_LOCAL_AWS_STRICT: "1" } : {}) },
});

const results = JSON.parse(fs.readFileSync(report, "utf8"));
const status = new Map();
for (const file of results.testResults) {
  const name = path.basename(file.name);
  for (const t of file.assertionResults) {
    status.set([name, ...t.ancestorTitles.slice(1), t.title].join(" > "), t.status);
  }
}
if (runAll) {
  const passed = [...status].filter(([, s]) => s === "passed").map(([id]) => id);
  const failed = [...status].filter(([, s]) => s === "failed").length;
  console.log(passed.sort().join("\n"));
  console.log(`cognito-local: ${passed.length} passed, ${failed} failed`);
  process.exit(0);
}
const notPassing = listed.filter((id) => status.get(id) !== "passed");
for (const id of notPassing) {
  console.log(`listed in passing.txt but ${status.get(id) ?? "not run"}: ${id}`);
}
console.log(`cognito-local: ${listed.length - notPassing.length} passed, ${notPassing.length} failed`);
process.exit(notPassing.length === 0 ? 0 : 1);
