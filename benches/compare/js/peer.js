// Peer for benches/compare: the SRP login compute of amazon-cognito-identity-js (pinned in
// package.json / package-lock.json), driven through the library's own AuthenticationHelper
// with the fixed inputs. The signature step repeats, line for line, what CognitoUser does
// after getPasswordAuthenticationKey (that code is inline in CognitoUser's network flow).
//
//   node peer.js check INPUTS.json        -> outputs as JSON
//   node peer.js time INPUTS.json ITER    -> per-iteration milliseconds as JSON
'use strict';
const fs = require('fs');
const { createRequire } = require('module');

const libRequire = createRequire(require.resolve('amazon-cognito-identity-js/lib/CognitoUser.js'));
const AuthenticationHelper = libRequire('./AuthenticationHelper').default;
const BigInteger = libRequire('./BigInteger').default;
const WordArray = libRequire('./utils/WordArray').default;
const { Sha256 } = libRequire('@aws-crypto/sha256-js');
const { Buffer } = libRequire('buffer');

const [mode, inputsPath, iterArg] = process.argv.slice(2);
const inputs = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
const L = inputs.login;
const D = inputs.device;
const poolName = L.pool_id.split('_')[1];

// The library draws randomness through WordArray.random; feed it the fixed device bytes
// (device password: 40 bytes, then salt: 16 bytes) when registering the device.
let queued = [];
const originalRandom = WordArray.prototype.random;
WordArray.prototype.random = function random(nBytes) {
  if (queued.length === 0) return originalRandom.call(this, nBytes);
  const bytes = queued.shift();
  if (bytes.length !== nBytes) throw new Error(`expected ${nBytes} random bytes`);
  const words = [];
  for (let i = 0; i < nBytes; i += 4) words.push(bytes.readUInt32BE(i));
  return new WordArray(words, nBytes);
};

// One helper, made once (its constructor computes A for a random a, not part of a login).
const helper = new AuthenticationHelper(poolName);
const serverB = new BigInteger(L.srp_b_hex, 16);
const salt = new BigInteger(L.salt_hex, 16);

function ephemeral() {
  helper.smallAValue = new BigInteger(L.a_hex, 16);
  helper.largeAValue = undefined;
  let a;
  helper.getLargeAValue((err, value) => {
    if (err) throw err;
    a = value;
  });
  return a;
}

function cold() {
  let signature;
  helper.getPasswordAuthenticationKey(L.user_id_for_srp, L.password, serverB, salt, (err, hkdf) => {
    if (err) throw err;
    const message = Buffer.concat([
      Buffer.from(poolName, 'utf8'),
      Buffer.from(L.user_id_for_srp, 'utf8'),
      Buffer.from(L.secret_block_b64, 'base64'),
      Buffer.from(L.timestamp, 'utf8'),
    ]);
    const mac = new Sha256(hkdf);
    mac.update(message);
    signature = Buffer.from(mac.digestSync()).toString('base64');
  });
  return signature;
}

function device() {
  queued = [Buffer.from(D.password_bytes_hex, 'hex'), Buffer.from(D.salt_bytes_hex, 'hex')];
  let out;
  helper.generateHashDevice(D.device_group_key, D.device_key, (err) => {
    if (err) throw err;
    out = {
      device_password: helper.getRandomPassword(),
      device_salt_b64: Buffer.from(helper.getSaltDevices(), 'hex').toString('base64'),
      device_verifier_b64: Buffer.from(helper.getVerifierDevices(), 'hex').toString('base64'),
    };
  });
  return out;
}

function ms(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

if (mode === 'check') {
  const a = ephemeral();
  const signature = cold();
  console.log(JSON.stringify({ srp_a_hex: a.toString(16), signature, ...device() }));
} else if (mode === 'time') {
  const iterations = Number(iterArg);
  ephemeral();
  cold();
  device(); // warm-up (JIT)
  const total = [];
  const coldTimes = [];
  const dev = [];
  for (let i = 0; i < iterations; i++) {
    let t = process.hrtime.bigint();
    ephemeral();
    cold();
    total.push(ms(t));
    t = process.hrtime.bigint();
    cold();
    coldTimes.push(ms(t));
    t = process.hrtime.bigint();
    device();
    dev.push(ms(t));
  }
  console.log(JSON.stringify({ total, cold: coldTimes, device: dev }));
} else {
  console.error('usage: node peer.js check|time INPUTS.json [ITERATIONS]');
  process.exit(2);
}
