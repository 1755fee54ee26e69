// Harness for the AWS SDK for JavaScript v3 scenarios: an emulator per test file (harness.js),
// SDK clients pointed at it, a record of every operation the SDK sent (run.js checks that the
// suite drives every emulated operation), and helpers for typed refusals and pagination.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const idp = require('@aws-sdk/client-cognito-identity-provider');
const identity = require('@aws-sdk/client-cognito-identity');
const { startEmulator, totp } = require('../harness');

// Operations that reached the emulator and got an answer (success or a modelled error).
const driven = new Set();
process.once('exit', () => {
  if (process.env.SDK_OPS_LOG) {
    fs.appendFileSync(process.env.SDK_OPS_LOG, [...driven].map((o) => `${o}\n`).join(''));
  }
});

function record(service) {
  return (next, context) => async (args) => {
    const op = `${service}:${String(context.commandName).replace(/Command$/, '')}`;
    try {
      const out = await next(args);
      driven.add(op);
      return out;
    } catch (err) {
      if (err && err.$metadata && err.$metadata.httpStatusCode) driven.add(op);
      throw err;
    }
  };
}

const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** The two SDK clients, as a user configures them: endpoint, region, static credentials. */
function clients(emu) {
  const config = { endpoint: emu.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 };
  const cip = new idp.CognitoIdentityProviderClient(config);
  cip.middlewareStack.add(record('cognito-idp'), { step: 'initialize', name: 'recordOperation' });
  const ci = new identity.CognitoIdentityClient(config);
  ci.middlewareStack.add(record('cognito-identity'), { step: 'initialize', name: 'recordOperation' });
  return { cip, ci };
}

/** Sends a command; the promise's rejection must be an instance of `Type` with `status`. */
async function refused(promise, Type, status = 400, messagePattern) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${Type.name}, the call succeeded`);
  assert.ok(
    err instanceof Type,
    `expected ${Type.name}, got ${err && err.constructor && err.constructor.name} (${err && err.name}): ${err && err.message}`
  );
  assert.equal(err.name, Type.name, 'error name');
  assert.equal(err.$metadata.httpStatusCode, status, `${Type.name} status`);
  assert.equal(err.$fault, status >= 500 ? 'server' : 'client', `${Type.name} fault`);
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0, `${Type.name} has a message`);
  if (messagePattern) assert.match(err.message, messagePattern);
  return err;
}

/** Every item of a paginator, asserting each page is within `pageSize` and items are unique. */
async function collect(paginator, key, id, pageSize) {
  const items = [];
  let pages = 0;
  for await (const page of paginator) {
    pages++;
    const got = page[key] || [];
    if (pageSize) assert.ok(got.length <= pageSize, `page ${pages} of ${key} has ${got.length} > ${pageSize}`);
    items.push(...got);
  }
  const ids = items.map(id);
  assert.equal(new Set(ids).size, ids.length, `${key}: an item came twice`);
  return { items, ids, pages };
}

function secretHash(username, clientId, clientSecret) {
  return crypto.createHmac('sha256', clientSecret).update(username + clientId).digest('base64');
}

function assertDate(value, what) {
  assert.ok(value instanceof Date, `${what} is a Date (got ${typeof value}: ${value})`);
  assert.ok(!Number.isNaN(value.getTime()), `${what} is a valid Date`);
  const now = Date.now();
  assert.ok(Math.abs(value.getTime() - now) < 2 * 24 * 3600 * 1000, `${what} is near now: ${value.toISOString()}`);
}

/** A pool with one client (no secret) and USER_PASSWORD / ADMIN flows, for the user journeys. */
async function simplePool(cip, name, extra = {}) {
  const { UserPool } = await cip.send(
    new idp.CreateUserPoolCommand({
      PoolName: name,
      AutoVerifiedAttributes: ['email'],
      Schema: [{ Name: 'email', AttributeDataType: 'String', Required: false, Mutable: true }],
      ...extra,
    })
  );
  const { UserPoolClient } = await cip.send(
    new idp.CreateUserPoolClientCommand({
      UserPoolId: UserPool.Id,
      ClientName: `${name}-app`,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
    })
  );
  return { poolId: UserPool.Id, clientId: UserPoolClient.ClientId, pool: UserPool };
}

/** A CONFIRMED user with a permanent password, through the SDK's admin calls. */
async function confirmedUser(cip, poolId, username, password, attributes = {}) {
  await cip.send(
    new idp.AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: `Tmp-${password}`,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    })
  );
  await cip.send(new idp.AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }));
}

async function signIn(cip, poolId, clientId, username, password) {
  const out = await cip.send(
    new idp.AdminInitiateAuthCommand({
      UserPoolId: poolId,
      ClientId: clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    })
  );
  assert.ok(out.AuthenticationResult, `sign-in of ${username} answered tokens`);
  return out.AuthenticationResult;
}

module.exports = { startEmulator, clients, refused, collect, secretHash, assertDate, simplePool, confirmedUser, signIn, totp, idp, identity };
