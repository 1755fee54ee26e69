// Shared harness for the amazon-cognito-identity-js scenarios: the emulator harness of
// harness.js, plus pools for the library and its callback style turned into awaited steps.
'use strict';

const assert = require('node:assert/strict');
const harness = require('./harness');
const {
  CognitoUserPool,
  CognitoUser,
  AuthenticationDetails,
  CognitoUserAttribute,
  CognitoRefreshToken,
} = require('amazon-cognito-identity-js');

/** The harness's emulator, with pools set up for amazon-cognito-identity-js. */
class Emulator extends harness.Emulator {
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

}

/** Starts an emulator (see harness.js) whose createPool() also returns a CognitoUserPool. */
function startEmulator() {
  return harness.startEmulator(Emulator);
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
  totp: harness.totp,
  Stream: harness.Stream,
  attributesToObject,
  CognitoUser,
  CognitoUserPool,
  AuthenticationDetails,
  CognitoUserAttribute,
  CognitoRefreshToken,
};
