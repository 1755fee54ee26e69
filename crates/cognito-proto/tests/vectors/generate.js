#!/usr/bin/env node
// Generates srp.json: SRP, device-verifier, SECRET_HASH and TIMESTAMP vectors computed by the
// official client, amazon-cognito-identity-js (pinned to 6.3.21 in package.json / package-lock.json).
//
// Run with `npm ci && node generate.js` in this directory. The output is deterministic: every
// random input comes from a SHA-256 counter-mode stream seeded with a fixed label, and the
// library's only random source (utils/WordArray.random, used by generateRandomSmallA and
// generateHashDevice) and its clock (`new Date()` in DateHelper.getNowString) are replaced by
// fixed values for each case. Everything else (padHex, k, u, x, S, the HKDF key, A, the device
// verifier, the timestamp string) is computed by the library's own code.
//
// As a cross-check each realistic case also runs the *server* half of SRP with an independent
// BigInt implementation in this file (verifier v, B = k*v + g^b, S = (A * v^u)^b) and asserts that
// the library's key equals the server's key.
'use strict';

const assert = require('node:assert/strict');
const nodeCrypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const LIB = 'amazon-cognito-identity-js/lib/';
const pkg = require('amazon-cognito-identity-js/package.json');
assert.equal(pkg.version, '6.3.21', 'amazon-cognito-identity-js must be exactly 6.3.21');
const AuthenticationHelper = require(`${LIB}AuthenticationHelper`).default;
const BigInteger = require(`${LIB}BigInteger`).default;
const DateHelper = require(`${LIB}DateHelper`).default;
const WordArray = require(`${LIB}utils/WordArray`).default;
const { Sha256 } = require('@aws-crypto/sha256-js');

// ---------------------------------------------------------------------------------------------
// Deterministic inputs

/** SHA-256 counter-mode byte stream: deterministic, labelled. */
class Stream {
  constructor(label) {
    this.label = label;
    this.counter = 0;
    this.buf = Buffer.alloc(0);
  }
  bytes(n) {
    while (this.buf.length < n) {
      const block = nodeCrypto
        .createHash('sha256')
        .update(`cognito-proto vectors/${this.label}/${this.counter++}`)
        .digest();
      this.buf = Buffer.concat([this.buf, block]);
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return Buffer.from(out);
  }
}

// The library draws randomness only through `new WordArray().random(n)`; feed it from a queue.
const randomQueue = [];
WordArray.prototype.random = function fixedRandom(nBytes) {
  const next = randomQueue.shift();
  if (!next) throw new Error(`library asked for ${nBytes} random bytes but none were queued`);
  if (next.length !== nBytes) {
    throw new Error(`library asked for ${nBytes} random bytes, queued ${next.length}`);
  }
  const words = [];
  for (let i = 0; i < nBytes; i += 4) {
    let w = 0;
    for (let j = 0; j < 4; j++) w = (w << 8) | (i + j < nBytes ? next[i + j] : 0);
    words.push(w | 0);
  }
  return new WordArray(words, nBytes);
};

// The library reads the clock only through `new Date()` in DateHelper.getNowString.
const RealDate = Date;
let fixedNowMs = null;
global.Date = class FixedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) {
      if (fixedNowMs === null) throw new Error('unexpected clock read');
      super(fixedNowMs);
    } else {
      super(...args);
    }
  }
  static now() {
    if (fixedNowMs === null) throw new Error('unexpected clock read');
    return fixedNowMs;
  }
};

/** The library's TIMESTAMP string for a fixed instant. */
function libTimestamp(epochSeconds) {
  fixedNowMs = epochSeconds * 1000;
  try {
    return new DateHelper().getNowString();
  } finally {
    fixedNowMs = null;
  }
}

// ---------------------------------------------------------------------------------------------
// Independent BigInt SRP (server side and classification), used only to pick inputs and check.

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1' +
  '29024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245' +
  'E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D' +
  'C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D' +
  '670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9' +
  'DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64' +
  'ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B' +
  'F12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31' +
  '43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';
const N = BigInt(`0x${N_HEX}`);
const G = 2n;

function modPow(base, exp, mod) {
  let result = 1n;
  base %= mod;
  if (base < 0n) base += mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}
function pad(x) {
  let h = x.toString(16);
  if (h.length % 2) h = `0${h}`;
  if (/^[89a-f]/.test(h)) h = `00${h}`;
  return Buffer.from(h, 'hex');
}
const sha256 = (...parts) => nodeCrypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const toInt = (buf) => (buf.length ? BigInt(`0x${buf.toString('hex')}`) : 0n);
const K_MULT = toInt(sha256(pad(N), pad(G)));
assert.equal(
  K_MULT.toString(16),
  '538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6',
  'k must match docs/protocol.md#41-constants'
);

function computeX(saltInt, realm, user, password) {
  const inner = sha256(Buffer.from(`${realm}${user}:${password}`, 'utf8'));
  return toInt(sha256(pad(saltInt), inner));
}
function hkdf16(uInt, sInt) {
  const prk = nodeCrypto.createHmac('sha256', pad(uInt)).update(pad(sInt)).digest();
  return nodeCrypto
    .createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
}

/** padHex class of a non-negative integer, relative to a full width in bytes. */
function classify(x, widthBytes) {
  const h = x.toString(16);
  const primary = h.length % 2 ? 'odd' : /^[89a-f]/.test(h) ? 'msb' : 'plain';
  const short = Math.ceil(h.length / 2) < widthBytes;
  return short ? `short+${primary}` : primary;
}
const CLASSES = ['plain', 'odd', 'msb', 'short'];
const hasClass = (cls, want) =>
  want === 'short' ? cls.startsWith('short') : cls === want || cls === `short+${want}`;

/** Server side of one handshake (what the emulator or Cognito does). */
function serverHandshake({ realm, user, password, saltInt, A, bInt }) {
  const x = computeX(saltInt, realm, user, password);
  const v = modPow(G, x, N);
  const B = (K_MULT * v + modPow(G, bInt, N)) % N;
  const u = toInt(sha256(pad(A), pad(B)));
  const S = modPow((A * modPow(v, u, N)) % N, bInt, N);
  return { v, B, u, S, key: hkdf16(u, S) };
}

// ---------------------------------------------------------------------------------------------
// The library's client computation

/**
 * Runs the library's client side exactly as CognitoUser.authenticateUserDefaultAuth /
 * getDeviceResponse do: AuthenticationHelper(realm), getLargeAValue -> SRP_A = A.toString(16),
 * BigInteger(SRP_B, 16), BigInteger(SALT, 16), getPasswordAuthenticationKey(user, password, B,
 * salt), DateHelper.getNowString(), and the HMAC over realm ‖ user ‖ base64(SECRET_BLOCK) ‖ date.
 */
function libClaim({ realm, user, password, aBytes, saltHex, srpBHex, secretBlockB64, epochSeconds }) {
  randomQueue.push(aBytes);
  const helper = new AuthenticationHelper(realm); // draws `a` through generateRandomSmallA
  assert.equal(randomQueue.length, 0);
  assert.equal(helper.getSmallAValue().toString(16), toInt(aBytes).toString(16));
  let A;
  helper.getLargeAValue((err, value) => {
    if (err) throw err;
    A = value;
  });
  const srpAHex = A.toString(16);
  let S;
  const calculateS = helper.calculateS;
  helper.calculateS = function observeS(xValue, serverBValue, cb) {
    calculateS.call(this, xValue, serverBValue, (err, s) => {
      S = s;
      cb(err, s);
    });
  };
  let key;
  helper.getPasswordAuthenticationKey(
    user,
    password,
    new BigInteger(srpBHex, 16),
    new BigInteger(saltHex, 16),
    (err, hkdf) => {
      if (err) throw err;
      key = Buffer.from(hkdf);
    }
  );
  assert.ok(key, 'getPasswordAuthenticationKey did not call back');
  const timestamp = libTimestamp(epochSeconds);
  const message = Buffer.concat([
    Buffer.from(realm, 'utf8'),
    Buffer.from(user, 'utf8'),
    Buffer.from(secretBlockB64, 'base64'),
    Buffer.from(timestamp, 'utf8'),
  ]);
  // The library's own HMAC (aws-crypto Sha256 keyed with the hkdf key) ...
  const libHmac = new Sha256(key);
  libHmac.update(message);
  const signature = Buffer.from(libHmac.digestSync()).toString('base64');
  // ... must equal Node's HMAC-SHA256.
  assert.equal(nodeCrypto.createHmac('sha256', key).update(message).digest('base64'), signature);
  return {
    srpAHex,
    A: BigInt(`0x${srpAHex}`),
    u: BigInt(`0x${helper.UValue.toString(16)}`),
    S: BigInt(`0x${S.toString(16)}`),
    key,
    timestamp,
    signature,
  };
}

/** The library's device registration (generateHashDevice) with fixed random bytes. */
function libDeviceVerifier({ deviceGroupKey, deviceKey, passwordBytes, saltBytes }) {
  randomQueue.push(Buffer.alloc(128)); // the constructor's small a, unused here
  const helper = new AuthenticationHelper('unused-pool-name');
  randomQueue.push(passwordBytes, saltBytes);
  let done = false;
  helper.generateHashDevice(deviceGroupKey, deviceKey, (err) => {
    if (err) throw err;
    done = true;
  });
  assert.ok(done);
  assert.equal(randomQueue.length, 0);
  // Exactly what CognitoUser sends in ConfirmDevice.DeviceSecretVerifierConfig.
  return {
    randomPassword: helper.getRandomPassword(),
    saltB64: Buffer.from(helper.getSaltDevices(), 'hex').toString('base64'),
    verifierB64: Buffer.from(helper.getVerifierDevices(), 'hex').toString('base64'),
    v: BigInt(`0x${helper.getVerifierDevices()}`),
    saltInt: toInt(saltBytes),
  };
}

// ---------------------------------------------------------------------------------------------
// Case builders

const out = {
  password_verifier: [],
  device_password_verifier: [],
  device_verifier: [],
  secret_hash: [],
  timestamp: [],
};
const ids = new Set();
function uniqueId(id) {
  assert.ok(!ids.has(id), `duplicate id ${id}`);
  ids.add(id);
  return id;
}

const SB_STREAM = new Stream('secret-blocks');
function secretBlock(len) {
  return SB_STREAM.bytes(len).toString('base64');
}

// Dates used for signatures: single-digit days, midnight, end of day, leap day, year ends.
const DATE_POOL = [
  Date.UTC(2026, 10, 3, 7, 5, 22), // Tue Nov 3 07:05:22 UTC 2026 (doc example)
  Date.UTC(2026, 8, 5, 9, 3, 7), // Sat Sep 5 09:03:07 UTC 2026 (doc example)
  Date.UTC(2024, 0, 15, 14, 30, 5), // Mon Jan 15 14:30:05 UTC 2024 (doc example)
  Date.UTC(2024, 1, 29, 0, 0, 0), // leap day, midnight
  Date.UTC(2025, 11, 31, 23, 59, 59),
  Date.UTC(2026, 0, 1, 0, 0, 1),
  Date.UTC(2026, 6, 9, 12, 0, 0),
  Date.UTC(2027, 2, 1, 23, 0, 9),
  Date.UTC(2026, 3, 10, 10, 10, 10),
  Date.UTC(2030, 4, 7, 18, 45, 0),
].map((ms) => ms / 1000);
let dateIdx = 0;
const nextDate = () => DATE_POOL[dateIdx++ % DATE_POOL.length];

/**
 * A realistic SRP case: the server's B is built from the user's verifier. The library's key must
 * equal the server's key.
 */
function realisticCase(kind, spec) {
  const realm = spec.realm;
  const saltInt = spec.saltInt;
  const server = serverHandshake({
    realm,
    user: spec.user,
    password: spec.password,
    saltInt,
    A: spec.A,
    bInt: spec.bInt,
  });
  const saltHex = spec.saltHex ?? saltInt.toString(16);
  const srpBHex = spec.srpBHex ?? server.B.toString(16);
  const secretBlockB64 = spec.secretBlockB64 ?? secretBlock(spec.secretBlockLen ?? 1052);
  const epochSeconds = spec.epochSeconds ?? nextDate();
  const client = libClaim({
    realm,
    user: spec.user,
    password: spec.password,
    aBytes: spec.aBytes,
    saltHex,
    srpBHex,
    secretBlockB64,
    epochSeconds,
  });
  assert.equal(client.A, spec.A);
  if (!spec.skipServerCheck) {
    assert.equal(client.u, server.u, `${spec.id}: u`);
    assert.equal(client.S, server.S, `${spec.id}: S`);
    assert.equal(client.key.toString('hex'), server.key.toString('hex'), `${spec.id}: key`);
  }
  const B = BigInt(`0x${srpBHex.replace(/^0+(?=.)/, '')}`);
  const note = [
    `A:${classify(client.A, 384)}`,
    `B:${classify(B, 384)}`,
    `S:${classify(client.S, 384)}`,
    `u:${classify(client.u, 32)}`,
    `salt:${classify(saltInt, 16)}`,
    spec.note,
  ]
    .filter(Boolean)
    .join(' ');
  const base = { id: uniqueId(spec.id), note };
  const common = {
    a_hex: spec.aBytes.toString('hex'),
    salt_hex: saltHex,
    srp_b_hex: srpBHex,
    secret_block_b64: secretBlockB64,
    timestamp: client.timestamp,
    expected: {
      srp_a_hex: client.srpAHex,
      hkdf_key_hex: client.key.toString('hex'),
      signature_b64: client.signature,
    },
  };
  if (kind === 'password') {
    out.password_verifier.push({
      ...base,
      pool_id: spec.poolId,
      user_id_for_srp: spec.user,
      password: spec.password,
      ...common,
    });
  } else {
    out.device_password_verifier.push({
      ...base,
      device_group_key: spec.realm,
      device_key: spec.user,
      random_password: spec.password,
      ...common,
    });
  }
  return { client, server, B };
}

const poolName = (poolId) => poolId.split('_')[1]; // as CognitoUserPool.getUserPoolName

// Draws `a` (128 bytes, as generateRandomSmallA) and A = g^a.
function drawA(stream) {
  const aBytes = stream.bytes(128);
  const A = modPow(G, toInt(aBytes), N);
  return { aBytes, A };
}

// ---------------------------------------------------------------------------------------------
// 1. padHex class coverage for A, B, S and u (password verifier)

const DEFAULT_POOL = 'us-east-1_AbC123xyz';
const DEFAULT_USER = '3f6c1b9e-2a7d-4c1e-9f3b-8d2e5a7c4b10';
const DEFAULT_PASSWORD = 'Correct-Horse-Battery-9';
const coverage = { A: new Set(), B: new Set(), S: new Set(), u: new Set() };
function recordCoverage(note) {
  for (const part of note.split(' ')) {
    const m = /^(A|B|S|u):([a-z+]+)$/.exec(part);
    if (m) coverage[m[1]].add(m[2]);
  }
}

const TARGETS = [];
for (const value of ['A', 'B', 'S', 'u']) {
  for (const cls of ['plain', 'odd', 'msb', 'short+plain', 'short+odd', 'short+msb']) {
    TARGETS.push({ value, cls });
  }
}

for (const { value, cls } of TARGETS) {
  const label = `class-${value}-${cls}`;
  const stream = new Stream(label);
  const saltInt = toInt(new Stream(`${label}-salt`).bytes(16));
  const realm = poolName(DEFAULT_POOL);
  const v = modPow(G, computeX(saltInt, realm, DEFAULT_USER, DEFAULT_PASSWORD), N);
  // Walk a -> a + 1 (A -> 2A) and b -> b + 1 (g^b -> 2 g^b) from random starting points, so a
  // trial costs a multiplication and a hash; only the S search needs modular exponentiations.
  const aBytes0 = stream.bytes(128);
  let aInt = toInt(aBytes0);
  let A = modPow(G, aInt, N);
  let bInt = toInt(stream.bytes(32));
  let gb = modPow(G, bInt, N);
  let found = null;
  for (let trial = 0; trial < 1000000 && !found; trial++) {
    if (value === 'A') {
      aInt += 1n;
      A = (A * 2n) % N;
    } else {
      bInt += 1n;
      gb = (gb * 2n) % N;
    }
    const B = (K_MULT * v + gb) % N;
    let got;
    if (value === 'A') got = classify(A, 384);
    else if (value === 'B') got = classify(B, 384);
    else {
      const u = toInt(sha256(pad(A), pad(B)));
      got = value === 'u' ? classify(u, 32) : classify(modPow((A * modPow(v, u, N)) % N, bInt, N), 384);
    }
    if (exactClass(got, cls)) found = { A, bInt, aBytes: Buffer.from(aInt.toString(16).padStart(256, '0'), 'hex') };
  }
  assert.ok(found, `no input found for ${label}`);
  assert.equal(found.aBytes.length, 128);
  realisticCase('password', {
    id: `pv-${value}-${cls.replace('+', '-')}`,
    poolId: DEFAULT_POOL,
    realm,
    user: DEFAULT_USER,
    password: DEFAULT_PASSWORD,
    saltInt,
    ...found,
    note: `target=${value}:${cls}`,
  });
}
function exactClass(got, want) {
  return got === want;
}

// ---------------------------------------------------------------------------------------------
// helpers for the remaining realistic cases

function simpleCase(kind, spec) {
  const stream = new Stream(`case-${spec.id}`);
  const { aBytes, A } = spec.aBytes ? { aBytes: spec.aBytes, A: modPow(G, toInt(spec.aBytes), N) } : drawA(stream);
  const saltInt = spec.saltInt ?? toInt(stream.bytes(16));
  const bInt = toInt(stream.bytes(32));
  return realisticCase(kind, { ...spec, aBytes, A, saltInt, bInt });
}

// 2. User ids: UUIDs, alias-looking ids, unicode, case.
const USERS = [
  ['uuid', '7d8ca528-4931-4254-9273-ea5ee853f271'],
  ['uuid-upper-hex', 'D8A1F0E2-0B7C-4D6E-8F90-1A2B3C4D5E6F'],
  ['email', 'alice@example.com'],
  ['email-plus', 'Bob.Smith+cognito@Example.co.uk'],
  ['phone', '+14155550123'],
  ['phone-intl', '+447700900123'],
  ['plain-username', 'alice'],
  ['mixed-case-username', 'AliceInChains'],
  ['unicode-username', 'jörg.müller'],
  ['cjk-username', '用户名'],
  ['username-with-colon', 'user:name'],
  ['long-username', 'u'.repeat(128)],
];
for (const [label, user] of USERS) {
  simpleCase('password', {
    id: `pv-user-${label}`,
    poolId: DEFAULT_POOL,
    realm: poolName(DEFAULT_POOL),
    user,
    password: DEFAULT_PASSWORD,
  });
}

// 3. Passwords: unicode (no normalisation: NFC and NFD differ), colons, spaces, long.
const PASSWORDS = [
  ['ascii-symbols', `P@ssw0rd!#$%^&*()_+-={}[]|\\;'"<>,.?/~\``],
  ['latin1', 'pässwörd-Ünïcödé-1'],
  ['nfc-e-acute', 'caf\u00e9-Secret1'],
  ['nfd-e-acute', 'cafe\u0301-Secret1'],
  ['cjk', '密码很长的密码1A'],
  ['emoji', 'Secret🔑🚀-1aA'],
  ['cyrillic', 'пароль-Пароль1'],
  ['arabic-rtl', 'كلمةالسر-1Aa'],
  ['with-colon', 'pass:word:1A'],
  ['with-spaces', '  leading and trailing spaces  '],
  ['long-256', 'Aa1-'.repeat(64)],
  ['single-char', 'x'],
];
for (const [label, password] of PASSWORDS) {
  simpleCase('password', {
    id: `pv-password-${label}`,
    poolId: 'eu-west-1_Zz9YyXx8W',
    realm: poolName('eu-west-1_Zz9YyXx8W'),
    user: 'alice@example.com',
    password,
  });
}

// 4. Pool ids in other regions and shapes.
const POOLS = [
  ['ap-southeast-2', 'ap-southeast-2_Q1w2E3r4T'],
  ['us-gov-west-1', 'us-gov-west-1_aBcDeFgHi'],
  ['eu-central-1', 'eu-central-1_123456789'],
  ['cn-north-1', 'cn-north-1_XyZ000000'],
];
for (const [label, poolId] of POOLS) {
  simpleCase('password', {
    id: `pv-pool-${label}`,
    poolId,
    realm: poolName(poolId),
    user: DEFAULT_USER,
    password: DEFAULT_PASSWORD,
  });
}

// 5. Timestamps inside signatures: every single-digit day, hours 00 and 23.
for (let day = 1; day <= 9; day++) {
  const epochSeconds = Date.UTC(2026, day - 1, day, day === 1 ? 0 : 23, day, 59 - day) / 1000;
  simpleCase('password', {
    id: `pv-day-${day}`,
    poolId: DEFAULT_POOL,
    realm: poolName(DEFAULT_POOL),
    user: 'carol',
    password: DEFAULT_PASSWORD,
    epochSeconds,
  });
}

// 6. SALT and SRP_B encodings: redundant leading zeros, upper case, salt classes.
function saltWithClass(label, want) {
  const stream = new Stream(`salt-class-${label}`);
  for (;;) {
    const s = toInt(stream.bytes(16));
    if (classify(s, 16) === want) return s;
  }
}
for (const cls of ['plain', 'odd', 'msb', 'short+plain', 'short+odd', 'short+msb']) {
  simpleCase('password', {
    id: `pv-salt-${cls.replace('+', '-')}`,
    poolId: DEFAULT_POOL,
    realm: poolName(DEFAULT_POOL),
    user: DEFAULT_USER,
    password: DEFAULT_PASSWORD,
    saltInt: saltWithClass(cls, cls),
  });
}
{
  const saltInt = saltWithClass('zeros', 'plain');
  simpleCase('password', {
    id: 'pv-salt-redundant-leading-zeros',
    poolId: DEFAULT_POOL,
    realm: poolName(DEFAULT_POOL),
    user: DEFAULT_USER,
    password: DEFAULT_PASSWORD,
    saltInt,
    saltHex: `0000${saltInt.toString(16)}`,
    note: 'SALT text has redundant leading zeros; the integer is re-padded',
  });
  const stream = new Stream('b-zeros');
  const { aBytes, A } = drawA(stream);
  const bInt = toInt(stream.bytes(32));
  const s = serverHandshake({
    realm: poolName(DEFAULT_POOL),
    user: DEFAULT_USER,
    password: DEFAULT_PASSWORD,
    saltInt,
    A,
    bInt,
  });
  realisticCase('password', {
    id: 'pv-b-redundant-leading-zeros',
    poolId: DEFAULT_POOL,
    realm: poolName(DEFAULT_POOL),
    user: DEFAULT_USER,
    password: DEFAULT_PASSWORD,
    saltInt,
    aBytes,
    A,
    bInt,
    srpBHex: `000000${s.B.toString(16)}`,
    note: 'SRP_B text has redundant leading zeros',
  });
  realisticCase('password', {
    id: 'pv-upper-case-hex',
    poolId: DEFAULT_POOL,
    realm: poolName(DEFAULT_POOL),
    user: DEFAULT_USER,
    password: DEFAULT_PASSWORD,
    saltInt,
    aBytes,
    A,
    bInt,
    saltHex: saltInt.toString(16).toUpperCase(),
    srpBHex: s.B.toString(16).toUpperCase(),
    note: 'SALT and SRP_B in upper-case hex',
  });
}

// SRP_B >= N but not a multiple of N. The library accepts it and hashes the unreduced B into u
// (padHex(B) is then 385 bytes). No real server sends this; the vector pins that a client treats
// SRP_B as the integer it names, like the reference client, instead of reducing it first.
{
  const stream = new Stream('b-above-n');
  const { aBytes, A } = drawA(stream);
  const saltInt = toInt(stream.bytes(16));
  const bInt = toInt(stream.bytes(32));
  const s = serverHandshake({
    realm: poolName(DEFAULT_POOL),
    user: DEFAULT_USER,
    password: DEFAULT_PASSWORD,
    saltInt,
    A,
    bInt,
  });
  const { client } = realisticCase('password', {
    id: 'pv-b-above-n',
    poolId: DEFAULT_POOL,
    realm: poolName(DEFAULT_POOL),
    user: DEFAULT_USER,
    password: DEFAULT_PASSWORD,
    saltInt,
    aBytes,
    A,
    bInt,
    srpBHex: (s.B + N).toString(16),
    skipServerCheck: true,
    note: 'SRP_B is the honest B plus N; the library hashes the unreduced value into u',
  });
  // The server, given the same unreduced B in u, agrees with the library.
  const u = toInt(sha256(pad(A), pad(s.B + N)));
  assert.equal(client.u, u);
  assert.notEqual(u, s.u);
  const S = modPow((A * modPow(s.v, u, N)) % N, bInt, N);
  assert.equal(client.S, S);
  assert.equal(client.key.toString('hex'), hkdf16(u, S).toString('hex'));
}

// 7. SECRET_BLOCK shapes: padding '=', '==', none; short and long.
for (const len of [1, 2, 3, 64, 65, 66, 1052, 2048]) {
  simpleCase('password', {
    id: `pv-secret-block-${len}-bytes`,
    poolId: DEFAULT_POOL,
    realm: poolName(DEFAULT_POOL),
    user: DEFAULT_USER,
    password: DEFAULT_PASSWORD,
    secretBlockLen: len,
  });
}

// 8. `a` with leading zero bytes (a_hex keeps all 256 digits; the integer is what counts).
{
  const aBytes = Buffer.concat([Buffer.alloc(3), new Stream('a-leading-zeros').bytes(125)]);
  simpleCase('password', {
    id: 'pv-a-leading-zero-bytes',
    poolId: DEFAULT_POOL,
    realm: poolName(DEFAULT_POOL),
    user: DEFAULT_USER,
    password: DEFAULT_PASSWORD,
    aBytes,
  });
}

// ---------------------------------------------------------------------------------------------
// 9. Device verifiers (ConfirmDevice) and device logins (DEVICE_PASSWORD_VERIFIER)

const DEVICES = [];
function deviceVerifierCase(id, { deviceGroupKey, deviceKey, passwordBytes, saltBytes, note }) {
  const dv = libDeviceVerifier({ deviceGroupKey, deviceKey, passwordBytes, saltBytes });
  // Independent check: v = g^x with x from PAD(salt), dgk, dk and the base64 password.
  const x = computeX(dv.saltInt, deviceGroupKey, deviceKey, dv.randomPassword);
  assert.equal(modPow(G, x, N), dv.v, `${id}: device verifier`);
  assert.equal(dv.randomPassword, passwordBytes.toString('base64'));
  out.device_verifier.push({
    id: uniqueId(id),
    note: [`salt:${classify(dv.saltInt, 16)}`, `v:${classify(dv.v, 384)}`, note].filter(Boolean).join(' '),
    device_group_key: deviceGroupKey,
    device_key: deviceKey,
    random_password_bytes_hex: passwordBytes.toString('hex'),
    salt_bytes_hex: saltBytes.toString('hex'),
    expected: {
      random_password: dv.randomPassword,
      salt_b64: dv.saltB64,
      password_verifier_b64: dv.verifierB64,
    },
  });
  DEVICES.push({ id, deviceGroupKey, deviceKey, ...dv });
  return dv;
}

const DEVICE_KEYS = [
  ['-4Xn8pQzL1', 'us-east-1_0c2c8a2f-5f6e-4b1d-9d3a-6e7f8a9b0c1d'],
  ['-aBcDeFgH9', 'eu-west-1_a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'],
  ['-Zz00Yy11X', 'ap-southeast-2_ffffffff-ffff-4fff-bfff-ffffffffffff'],
  ['-q', 'us-east-1_00000000-0000-4000-8000-000000000000'],
];
{
  // salt classes (16 random bytes -> 15, 16 or 17 bytes after padHex), verifier classes.
  const saltTargets = ['plain', 'odd', 'msb', 'short+plain', 'short+odd', 'short+msb'];
  let i = 0;
  for (const cls of saltTargets) {
    const [dgk, dk] = DEVICE_KEYS[i++ % DEVICE_KEYS.length];
    const stream = new Stream(`device-salt-${cls}`);
    let saltBytes;
    do saltBytes = stream.bytes(16);
    while (classify(toInt(saltBytes), 16) !== cls);
    deviceVerifierCase(`dv-salt-${cls.replace('+', '-')}`, {
      deviceGroupKey: dgk,
      deviceKey: dk,
      passwordBytes: stream.bytes(40),
      saltBytes,
      note: `target=salt:${cls}`,
    });
  }
  for (const cls of ['plain', 'odd', 'msb', 'short']) {
    const [dgk, dk] = DEVICE_KEYS[i++ % DEVICE_KEYS.length];
    const stream = new Stream(`device-v-${cls}`);
    for (;;) {
      const passwordBytes = stream.bytes(40);
      const saltBytes = stream.bytes(16);
      const x = computeX(toInt(saltBytes), dgk, dk, passwordBytes.toString('base64'));
      if (hasClass(classify(modPow(G, x, N), 384), cls)) {
        deviceVerifierCase(`dv-verifier-${cls}`, {
          deviceGroupKey: dgk,
          deviceKey: dk,
          passwordBytes,
          saltBytes,
          note: `target=v:${cls}`,
        });
        break;
      }
    }
  }
  // Password byte patterns: all zero, all 0xff, base64 with '+' and '/'.
  const patterns = [
    ['zero-bytes', Buffer.alloc(40), Buffer.alloc(16)],
    ['ff-bytes', Buffer.alloc(40, 0xff), Buffer.alloc(16, 0xff)],
    ['base64-plus-slash', Buffer.alloc(40, 0xfb), Buffer.from('00112233445566778899aabbccddeeff', 'hex')],
  ];
  for (const [label, passwordBytes, saltBytes] of patterns) {
    const [dgk, dk] = DEVICE_KEYS[i++ % DEVICE_KEYS.length];
    deviceVerifierCase(`dv-${label}`, { deviceGroupKey: dgk, deviceKey: dk, passwordBytes, saltBytes });
  }
  // More random registrations, one per device key.
  for (let j = 0; j < 7; j++) {
    const [dgk, dk] = DEVICE_KEYS[j % DEVICE_KEYS.length];
    const stream = new Stream(`device-random-${j}`);
    deviceVerifierCase(`dv-random-${j}`, {
      deviceGroupKey: dgk,
      deviceKey: dk,
      passwordBytes: stream.bytes(40),
      saltBytes: stream.bytes(16),
    });
  }
}

// Device logins: the server's B comes from the registered verifier (salt as sent in SALT).
for (const dev of DEVICES) {
  const { id, deviceGroupKey, deviceKey, randomPassword, saltInt } = dev;
  simpleCase('device', {
    id: `dpv-${id.replace(/^dv-/, '')}`,
    realm: deviceGroupKey,
    user: deviceKey,
    password: randomPassword,
    saltInt,
    note: `device=${id}`,
  });
}
// Device login class coverage for S and u.
for (const value of ['S', 'u']) {
  for (const cls of ['odd', 'msb', 'short']) {
    const dev = DEVICES[0];
    const stream = new Stream(`device-class-${value}-${cls}`);
    const { aBytes, A } = drawA(stream);
    let bInt = toInt(stream.bytes(32));
    let gb = modPow(G, bInt, N);
    let found = null;
    while (!found) {
      bInt += 1n;
      gb = (gb * 2n) % N;
      const B = (K_MULT * dev.v + gb) % N;
      const u = toInt(sha256(pad(A), pad(B)));
      const got = value === 'u' ? classify(u, 32) : classify(modPow((A * modPow(dev.v, u, N)) % N, bInt, N), 384);
      if (hasClass(got, cls)) found = { aBytes, A, bInt };
    }
    realisticCase('device', {
      id: `dpv-${value}-${cls}`,
      realm: dev.deviceGroupKey,
      user: dev.deviceKey,
      password: dev.randomPassword,
      saltInt: dev.saltInt,
      ...found,
      note: `target=${value}:${cls}`,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// 10. Rejection cases: the client must refuse these (the library itself would throw for B mod
// N = 0, and silently mis-parse the malformed hex / base64 ones).

function errorCase(kind, id, overrides, note) {
  const stream = new Stream(`error-${id}`);
  const { aBytes } = drawA(stream);
  const base = {
    id: uniqueId(id),
    note,
    a_hex: aBytes.toString('hex'),
    salt_hex: toInt(stream.bytes(16)).toString(16),
    srp_b_hex: modPow(G, toInt(stream.bytes(32)), N).toString(16),
    secret_block_b64: secretBlock(64),
    timestamp: 'Tue Nov 3 07:05:22 UTC 2026',
    error: true,
  };
  if (kind === 'password') {
    out.password_verifier.push({
      id: base.id,
      note,
      pool_id: DEFAULT_POOL,
      user_id_for_srp: DEFAULT_USER,
      password: DEFAULT_PASSWORD,
      ...base,
      ...overrides,
    });
  } else {
    const dev = DEVICES[0];
    out.device_password_verifier.push({
      id: base.id,
      note,
      device_group_key: dev.deviceGroupKey,
      device_key: dev.deviceKey,
      random_password: dev.randomPassword,
      ...base,
      ...overrides,
    });
  }
}

// Confirm the library itself throws for B mod N = 0 (and so would never sign).
for (const bHex of ['0', N.toString(16), (2n * N).toString(16)]) {
  assert.throws(
    () =>
      libClaim({
        realm: 'x',
        user: 'u',
        password: 'p',
        aBytes: new Stream('throw').bytes(128),
        saltHex: '01',
        srpBHex: bHex,
        secretBlockB64: 'AAAA',
        epochSeconds: 0,
      }),
    /B cannot be zero/
  );
}

const ERROR_B = [
  ['b-zero', '0', 'B = 0'],
  ['b-zero-padded', '0000', 'B = 0 with leading zeros'],
  ['b-equals-n', N.toString(16), 'B = N'],
  ['b-equals-2n', (2n * N).toString(16), 'B = 2N'],
  ['b-equals-3n', (3n * N).toString(16), 'B = 3N'],
  ['b-empty', '', 'empty SRP_B'],
  ['b-non-hex-zz', 'zz', 'SRP_B "zz" (the library reads z as a digit)'],
  ['b-0x-prefix', '0x12', 'SRP_B with 0x prefix (the library skips x)'],
  ['b-negative', '-1f', 'SRP_B with a minus sign (the library makes it negative)'],
  ['b-inner-space', '12 34', 'SRP_B with a space (the library skips it)'],
  ['b-trailing-newline', 'abcdef\n', 'SRP_B with a newline'],
  ['b-non-hex-tail', `${'ab'.repeat(100)}g`, 'SRP_B with a trailing g'],
];
for (const [label, hex, note] of ERROR_B) {
  errorCase('password', `pv-error-${label}`, { srp_b_hex: hex }, note);
}
const ERROR_SALT = [
  ['salt-empty', '', 'empty SALT'],
  ['salt-non-hex-zz', 'zz', 'SALT "zz"'],
  ['salt-0x-prefix', '0x12', 'SALT with 0x prefix'],
  ['salt-negative', '-12', 'SALT with a minus sign'],
  ['salt-space', 'ab cd', 'SALT with a space'],
];
for (const [label, hex, note] of ERROR_SALT) {
  errorCase('password', `pv-error-${label}`, { salt_hex: hex }, note);
}
const ERROR_SB = [
  ['sb-unpadded', 'YWJjZA', 'unpadded base64'],
  ['sb-url-safe', 'ab-_cd-_', 'URL-safe alphabet'],
  ['sb-bad-char', 'YW!j', 'character outside the alphabet'],
  ['sb-excess-padding', 'YQ===', 'too much padding'],
  ['sb-inner-padding', 'YQ==YQ==', 'padding inside the text'],
  ['sb-whitespace', 'YWJj ZGVm', 'embedded space'],
  ['sb-newline', 'YWJj\nZGVm', 'embedded newline'],
  ['sb-non-canonical', 'YR==', 'non-zero trailing bits (Node decodes it as "a")'],
  ['sb-one-char', 'Y', 'a single character'],
];
for (const [label, b64, note] of ERROR_SB) {
  errorCase('password', `pv-error-${label}`, { secret_block_b64: b64 }, note);
}
errorCase('device', 'dpv-error-b-zero', { srp_b_hex: '0' }, 'B = 0');
errorCase('device', 'dpv-error-b-equals-n', { srp_b_hex: N.toString(16) }, 'B = N');
errorCase('device', 'dpv-error-salt-empty', { salt_hex: '' }, 'empty SALT');
errorCase('device', 'dpv-error-salt-non-hex', { salt_hex: 'xyz' }, 'SALT "xyz"');
errorCase('device', 'dpv-error-sb-url-safe', { secret_block_b64: '-_-_' }, 'URL-safe alphabet');

// ---------------------------------------------------------------------------------------------
// 11. SECRET_HASH (docs/protocol.md#48-secret_hash; the JS library has no client-secret support)

function secretHash(username, clientId, clientSecret) {
  return nodeCrypto
    .createHmac('sha256', Buffer.from(clientSecret, 'utf8'))
    .update(Buffer.from(`${username}${clientId}`, 'utf8'))
    .digest('base64');
}
const SECRET_HASH_CASES = [
  ['uuid', '7d8ca528-4931-4254-9273-ea5ee853f271', '1example23456789', 'secret1234567890abcdefghijklmnopqrstuvwxyz0123456789'],
  ['email', 'alice@example.com', '3n4b5urk1ft4fl3mg5e62d9ado', '1kaiuq3g7tn1qhsopk4k0bslc9ut0e9mb0itl8mggt2hrs8nvas8'],
  ['phone', '+14155550123', '3n4b5urk1ft4fl3mg5e62d9ado', '1kaiuq3g7tn1qhsopk4k0bslc9ut0e9mb0itl8mggt2hrs8nvas8'],
  ['plain', 'alice', '6p5dsjc0ahbfqh9crtsde3mks4', 'qb2a9q8fh1fh3uq7sk2i6lfbnl8djc8t1mqh4r6k9g7l5k2o5m1u'],
  ['unicode-username', 'jörg.müller', '6p5dsjc0ahbfqh9crtsde3mks4', 'qb2a9q8fh1fh3uq7sk2i6lfbnl8djc8t1mqh4r6k9g7l5k2o5m1u'],
  ['cjk-username', '用户名', '6p5dsjc0ahbfqh9crtsde3mks4', 'qb2a9q8fh1fh3uq7sk2i6lfbnl8djc8t1mqh4r6k9g7l5k2o5m1u'],
  ['mixed-case', 'AliceInChains', '7a8b9c0d1e2f3g4h5i6j7k8l9m', 'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop'],
  ['short-secret', 'bob', 'clientid', 'x'],
  ['long-secret', 'bob', 'clientid', 'S'.repeat(128)],
  ['unicode-secret', 'bob', 'clientid', 'sécret-密钥-🔑'],
  ['empty-username', '', '3n4b5urk1ft4fl3mg5e62d9ado', '1kaiuq3g7tn1qhsopk4k0bslc9ut0e9mb0itl8mggt2hrs8nvas8'],
  ['username-looks-like-client', '3n4b5urk1ft4fl3mg5e62d9ado', '3n4b5urk1ft4fl3mg5e62d9ado', 'secret'],
];
for (const [label, username, clientId, clientSecret] of SECRET_HASH_CASES) {
  out.secret_hash.push({
    id: uniqueId(`sh-${label}`),
    username,
    client_id: clientId,
    client_secret: clientSecret,
    expected: { secret_hash_b64: secretHash(username, clientId, clientSecret) },
  });
}

// ---------------------------------------------------------------------------------------------
// 12. TIMESTAMP strings from DateHelper.getNowString for fixed instants

const TIMESTAMP_INSTANTS = [
  0, // Thu Jan 1 00:00:00 UTC 1970
  1, // Thu Jan 1 00:00:01 UTC 1970
  ...DATE_POOL,
  ...Array.from({ length: 9 }, (_, i) => Date.UTC(2026, i, i + 1, 0, 0, 0) / 1000), // days 1-9
  Date.UTC(2026, 11, 10, 23, 59, 59) / 1000, // first two-digit day
  Date.UTC(2026, 9, 31, 12, 34, 56) / 1000,
  Date.UTC(2000, 1, 29, 1, 2, 3) / 1000, // leap day of a century leap year
  Date.UTC(2100, 1, 28, 23, 59, 59) / 1000, // 2100 is not a leap year...
  Date.UTC(2100, 2, 1, 0, 0, 0) / 1000, // ... so Mar 1 follows Feb 28
  2147483647, // Tue Jan 19 03:14:07 UTC 2038 (i32 max)
  2147483648,
  4294967295, // u32 max
  253402300799, // Fri Dec 31 23:59:59 UTC 9999
];
const seenTs = new Set();
for (const epochSeconds of TIMESTAMP_INSTANTS) {
  if (seenTs.has(epochSeconds)) continue;
  seenTs.add(epochSeconds);
  const expected = libTimestamp(epochSeconds);
  // The doc's format: Www Mmm D HH:MM:SS UTC YYYY, day not padded.
  assert.match(expected, /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [1-9]\d? ([01]\d|2[0-3]):[0-5]\d:[0-5]\d UTC \d{4}$/);
  out.timestamp.push({ epoch_seconds: String(epochSeconds), expected });
}

// ---------------------------------------------------------------------------------------------
// Coverage check and output

for (const c of out.password_verifier) if (!c.error) recordCoverage(c.note);
for (const c of out.device_password_verifier) if (!c.error) recordCoverage(c.note);
for (const [name, seen] of Object.entries(coverage)) {
  for (const want of ['plain', 'odd', 'msb', 'short+plain', 'short+odd', 'short+msb']) {
    assert.ok(seen.has(want), `padHex class ${want} not covered for ${name}`);
  }
}

const file = path.join(__dirname, 'srp.json');
const json = {
  _comment:
    'Generated by generate.js from amazon-cognito-identity-js 6.3.21; do not edit by hand. ' +
    '`note` fields name the padHex class of each value (A, B, S: width 384 bytes; u: 32; salt: 16).',
  ...out,
};
fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
const counts = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length]));
const total = Object.values(counts).reduce((a, b) => a + b, 0);
console.log(`wrote ${file}: ${total} vectors`, counts);
for (const [name, seen] of Object.entries(coverage)) console.log(`  ${name}: ${[...seen].sort().join(', ')}`);
