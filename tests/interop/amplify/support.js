// Harness of the Amplify v6 suite: the emulator from ../harness.js, a pool and app client made
// through the Cognito wire API, and Amplify configured for them (user-pool and identity-pool
// endpoints pointed at the emulator). Amplify's configuration is process-wide, so every
// scenario file runs in its own process (run.js) and reconfigures Amplify for each pool.
'use strict';

const assert = require('node:assert/strict');

// The only browser global Amplify's auth needs in Node 20: it names a remembered device after
// `navigator.userAgent` (Node 21 and later define `navigator`).
if (typeof globalThis.navigator === 'undefined') {
  globalThis.navigator = { userAgent: 'cognito-rs interop (Node.js)' };
}
const { Amplify } = require('aws-amplify');
const auth = require('aws-amplify/auth');
const harness = require('../harness');

const lambda = (name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

const ALL_FLOWS = [
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_USER_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
];

/**
 * Creates a pool and an app client on `emu` and configures Amplify for them. `mfa` is passed to
 * SetUserPoolMfaConfig when given. Returns `{ poolId, clientId }`.
 */
async function configurePool(emu, { pool = {}, client = {}, mfa, identityPoolId } = {}) {
  emu.poolCount += 1;
  const { UserPool } = await emu.call('CreateUserPool', {
    PoolName: `amplify-${emu.poolCount}`,
    ...pool,
  });
  const { UserPoolClient } = await emu.call('CreateUserPoolClient', {
    UserPoolId: UserPool.Id,
    ClientName: `amplify-client-${emu.poolCount}`,
    ExplicitAuthFlows: ALL_FLOWS,
    ...client,
  });
  if (mfa) await emu.call('SetUserPoolMfaConfig', { UserPoolId: UserPool.Id, ...mfa });
  const Cognito = {
    userPoolId: UserPool.Id,
    userPoolClientId: UserPoolClient.ClientId,
    userPoolEndpoint: emu.url,
  };
  if (identityPoolId) {
    Object.assign(Cognito, { identityPoolId, identityPoolEndpoint: emu.url, allowGuestAccess: true });
  }
  // A new configuration must not inherit the previous pool's signed-in user.
  await auth.signOut().catch(() => {});
  Amplify.configure({ Auth: { Cognito } });
  return { poolId: UserPool.Id, clientId: UserPoolClient.ClientId };
}

/** A TOTP code for the emulator's clock, one 30 s step later (a code is accepted only once). */
async function nextTotp(emu, secret) {
  const now = await emu.advanceClock(30);
  return harness.totp(secret, now);
}

/** Asserts the `nextStep` of a sign-in or sign-up result; returns it. */
function expectNext(result, stepName, what) {
  const step = result.nextStep?.signInStep ?? result.nextStep?.signUpStep;
  assert.equal(step, stepName, `${what}: nextStep ${JSON.stringify(result.nextStep)}`);
  return result.nextStep;
}

/** Resolves to the error `promise` fails with; fails the test if it succeeds. */
async function rejects(promise, what) {
  try {
    const value = await promise;
    assert.fail(`${what}: expected an error, got ${JSON.stringify(value)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return err;
  }
}

module.exports = {
  startEmulator: harness.startEmulator,
  configurePool,
  nextTotp,
  expectNext,
  rejects,
  lambda,
  auth,
};
