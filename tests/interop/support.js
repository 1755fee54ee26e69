// Shared harness for the interop scenarios: spawns a cognito-emulator, creates pools and clients
// through the Cognito wire API, reads codes through the /_emulator/ hooks, and turns the
// callback style of amazon-cognito-identity-js into awaited steps.
//
// Each test file runs in its own Node process (node --test) and starts its own emulator, so the
// emulated clock of one scenario never moves under another.
//
// Environment:
//   COGNITO_EMULATOR_BIN  path of a built cognito-emulator binary; otherwise
//                         `cargo run -q -p cognito-emulator -- --port 0` runs from the repo root.
'use strict';

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const path = require('node:path');
const readline = require('node:readline');

// The library reads the wall clock for TIMESTAMP and token validity. When a scenario moves the
// emulator's clock, the process clock moves by the same amount, as a real device's would.
const RealDate = Date;
let clockOffsetMs = 0;
global.Date = class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + clockOffsetMs);
    else super(...args);
  }
  static now() {
    return RealDate.now() + clockOffsetMs;
  }
};

const {
  CognitoUserPool,
  CognitoUser,
  AuthenticationDetails,
  CognitoUserAttribute,
  CognitoRefreshToken,
} = require('amazon-cognito-identity-js');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const START_TIMEOUT_MS = 10 * 60 * 1000; // a first `cargo run` may have to build

/** Starts an emulator; resolves to a handle once it prints `listening on http://HOST:PORT`. */
async function startEmulator() {
  const bin = process.env.COGNITO_EMULATOR_BIN;
  const [cmd, args] = bin
    ? [bin, ['--port', '0']]
    : ['cargo', ['run', '-q', '-p', 'cognito-emulator', '--', '--port', '0']];
  const child = spawn(cmd, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so stop() also ends the binary under `cargo run`
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`emulator did not start in time; stderr:\n${stderr}`)),
      START_TIMEOUT_MS
    );
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected first line from the emulator: ${JSON.stringify(line)}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited (${code ?? signal}) before listening; stderr:\n${stderr}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  // Keep draining stdout so the emulator never blocks on a full pipe.
  child.stdout.resume();
  // Never leave the emulator behind, even when the test process ends early.
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
  return new Emulator(url, child);
}

class Emulator {
  constructor(url, child) {
    this.url = url;
    this.endpoint = `${url}/`;
    this.child = child;
    this.poolCount = 0;
  }

  /** Stops the emulator (its whole process group). */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    try {
      process.kill(-this.child.pid, 'SIGTERM');
    } catch {
      this.child.kill('SIGTERM');
    }
    await exited;
  }

  /** One Cognito wire call; resolves to the parsed body, rejects with {status, type, message}. */
  async call(operation, body) {
    const res = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const data = text ? JSON.parse(text) : {};
    if (!res.ok) {
      const err = new Error(`${operation} -> ${res.status} ${data.__type}: ${data.message}`);
      err.status = res.status;
      err.type = String(data.__type || '').split('#').pop();
      err.body = data;
      throw err;
    }
    return data;
  }

  /** Creates a pool and an app client; returns ids and a CognitoUserPool for the library. */
  async createPool({ pool = {}, client = {} } = {}) {
    this.poolCount += 1;
    const { UserPool } = await this.call('CreateUserPool', {
      PoolName: `interop-${this.poolCount}`,
      ...pool,
    });
    const { UserPoolClient } = await this.call('CreateUserPoolClient', {
      UserPoolId: UserPool.Id,
      ClientName: `interop-client-${this.poolCount}`,
      ExplicitAuthFlows: [
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_CUSTOM_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ],
      ...client,
    });
    const storage = new MemoryStorage();
    const userPool = new CognitoUserPool({
      UserPoolId: UserPool.Id,
      ClientId: UserPoolClient.ClientId,
      endpoint: this.endpoint,
      Storage: storage,
    });
    return { poolId: UserPool.Id, clientId: UserPoolClient.ClientId, userPool, storage };
  }

  /**
   * A CONFIRMED user with a permanent password, created through the admin API. As with AWS,
   * AdminCreateUser marks an email or phone number verified only when told to; this helper
   * tells it to unless the caller says otherwise.
   */
  async createUser(poolId, username, password, attributes = {}) {
    attributes = { ...attributes };
    if (attributes.email !== undefined && attributes.email_verified === undefined) {
      attributes.email_verified = 'true';
    }
    if (attributes.phone_number !== undefined && attributes.phone_number_verified === undefined) {
      attributes.phone_number_verified = 'true';
    }
    await this.call('AdminCreateUser', {
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: `Tmp-${password}`,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    });
    await this.call('AdminSetUserPassword', {
      UserPoolId: poolId,
      Username: username,
      Password: password,
      Permanent: true,
    });
  }

  /** Every message "sent" (optionally for one user), oldest first. */
  async messages(username) {
    const q = username === undefined ? '' : `?username=${encodeURIComponent(username)}`;
    const res = await fetch(`${this.url}/_emulator/messages${q}`);
    assert.equal(res.status, 200, 'GET /_emulator/messages');
    return res.json();
  }

  /** The newest code of `kind` delivered to `username` (internal name or destination). */
  async lastCode(username, kind) {
    const all = (await this.messages(username)).filter((m) => m.kind === kind);
    assert.ok(all.length > 0, `no ${kind} message for ${username}`);
    return all[all.length - 1].code;
  }

  /** Moves the emulator's clock and this process's clock forward by `seconds`. */
  async advanceClock(seconds) {
    const res = await fetch(`${this.url}/_emulator/clock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: seconds }),
    });
    assert.equal(res.status, 200, 'POST /_emulator/clock');
    clockOffsetMs += seconds * 1000;
    const { now } = await res.json();
    return now;
  }

  /**
   * Moves only this process's clock (a device whose clock is wrong); the emulator's stays.
   * Negative values move it back.
   */
  skewLocalClock(seconds) {
    clockOffsetMs += seconds * 1000;
  }

  /** The emulator's current time in seconds. */
  async now() {
    return this.advanceClock(0);
  }
}

/** Storage for the library (one per pool, so scenarios never share cached tokens). */
class MemoryStorage {
  constructor() {
    this.map = new Map();
  }
  setItem(key, value) {
    this.map.set(key, String(value));
    return this.map.get(key);
  }
  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }
  removeItem(key) {
    return this.map.delete(key);
  }
  clear() {
    this.map.clear();
  }
}

/**
 * Runs a library call whose callbacks object decides the next step; resolves to
 * `{ name, args }` for whichever callback the library invoked (onSuccess, onFailure, mfaRequired,
 * totpRequired, selectMFAType, mfaSetup, customChallenge, newPasswordRequired,
 * associateSecretCode, inputVerificationCode).
 */
function step(start) {
  return new Promise((resolve, reject) => {
    const on = (name) => (...args) => resolve({ name, args });
    const callbacks = {
      onSuccess: on('onSuccess'),
      onFailure: on('onFailure'),
      mfaRequired: on('mfaRequired'),
      totpRequired: on('totpRequired'),
      selectMFAType: on('selectMFAType'),
      mfaSetup: on('mfaSetup'),
      customChallenge: on('customChallenge'),
      newPasswordRequired: on('newPasswordRequired'),
      associateSecretCode: on('associateSecretCode'),
      inputVerificationCode: on('inputVerificationCode'),
    };
    // `start` may be async (it may read a code first): its failure fails the step.
    Promise.resolve()
      .then(() => start(callbacks))
      .catch(reject);
  });
}

/** Asserts that a step ended in callback `name`; returns its arguments. */
function expectStep(result, name, what) {
  if (result.name !== name) {
    const detail =
      result.name === 'onFailure'
        ? `${result.args[0] && result.args[0].code}: ${result.args[0] && result.args[0].message}`
        : JSON.stringify(result.args);
    assert.fail(`${what}: expected ${name}, the library called ${result.name} (${detail})`);
  }
  return result.args;
}

/** Node-style callback call as a promise: resolves to the result, rejects with the error. */
function nodeCall(start) {
  return new Promise((resolve, reject) => {
    start((err, data) => (err ? reject(err) : resolve(data)));
  });
}

/** Resolves to the error a Node-style callback call fails with; fails if it succeeds. */
async function nodeCallFails(start, what) {
  try {
    const data = await nodeCall(start);
    assert.fail(`${what}: expected an error, got ${JSON.stringify(data)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return err;
  }
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from a base32 secret at `unixSeconds`. */
function totp(secretBase32, unixSeconds) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretBase32.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(ch);
    assert.ok(v >= 0, `secret is not base32: ${secretBase32}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 1000000).padStart(6, '0');
}

/** Deterministic pseudo-random stream (SHA-256 in counter mode) for names and passwords. */
class Stream {
  constructor(label) {
    this.label = label;
    this.counter = 0;
  }
  bytes(n) {
    const out = [];
    while (out.length < n) {
      out.push(
        ...crypto.createHash('sha256').update(`${this.label}/${this.counter++}`).digest()
      );
    }
    return Buffer.from(out.slice(0, n));
  }
  int(max) {
    return this.bytes(4).readUInt32BE() % max;
  }
  pick(items) {
    return items[this.int(items.length)];
  }
}

/** Starts authenticateUser for `username`; resolves to `{ user, result }` (result from step()). */
async function authenticate(userPool, username, password, flow) {
  const user = new CognitoUser({ Username: username, Pool: userPool, Storage: userPool.storage });
  if (flow) user.setAuthenticationFlowType(flow);
  const result = await step((cb) =>
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), cb)
  );
  return { user, result };
}

/** Signs in (no challenge expected); resolves to `{ user, session }`. */
async function signIn(userPool, username, password, what = `sign-in of ${username}`) {
  const { user, result } = await authenticate(userPool, username, password);
  const [session] = expectStep(result, 'onSuccess', what);
  return { user, session };
}

const attributesToObject = (list) =>
  Object.fromEntries(list.map((a) => [a.getName ? a.getName() : a.Name, a.getValue ? a.getValue() : a.Value]));

module.exports = {
  startEmulator,
  authenticate,
  signIn,
  step,
  expectStep,
  nodeCall,
  nodeCallFails,
  totp,
  Stream,
  attributesToObject,
  CognitoUser,
  CognitoUserPool,
  AuthenticationDetails,
  CognitoUserAttribute,
  CognitoRefreshToken,
};
