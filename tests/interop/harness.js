// The client-independent half of the interop harness: spawns a cognito-emulator, makes Cognito
// wire calls, reads codes through the /_emulator/ hooks and moves the clock. Used by the
// amazon-cognito-identity-js scenarios (through support.js) and by the Amplify v6 suite.
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


const REPO_ROOT = path.resolve(__dirname, '..', '..');
const START_TIMEOUT_MS = 10 * 60 * 1000; // a first `cargo run` may have to build

/**
 * Starts an emulator; resolves to a handle (an instance of `Handle`, Emulator or a subclass) once
 * it prints `listening on http://HOST:PORT`.
 */
async function startEmulator(Handle = Emulator) {
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
  return new Handle(url, child);
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

  /** One Cognito user-pool wire call; resolves to the parsed body, rejects with {status, type, message}. */
  call(operation, body) {
    return this.callService('AWSCognitoIdentityProviderService', operation, body);
  }

  /** One Cognito identity-pool (Cognito Identity) wire call, as call() does. */
  callIdentity(operation, body) {
    return this.callService('AWSCognitoIdentityService', operation, body);
  }

  async callService(service, operation, body) {
    const res = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `${service}.${operation}`,
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

module.exports = { startEmulator, Emulator, totp, Stream };
