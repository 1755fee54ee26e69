'use strict';
// Scenario 8: NEW_PASSWORD_REQUIRED for a user made with AdminCreateUser: the temporary
// password arrives in the invitation, completeNewPasswordChallenge sets a new password and an
// attribute.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, authenticate, signIn, step, expectStep, nodeCall, attributesToObject } = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.stop();
});

test('scenario 8: NEW_PASSWORD_REQUIRED after AdminCreateUser', async () => {
  const { userPool, poolId } = await emu.createPool();
  const created = await emu.call('AdminCreateUser', {
    UserPoolId: poolId,
    Username: 'invited.user',
    DesiredDeliveryMediums: ['EMAIL'],
    UserAttributes: [
      { Name: 'email', Value: 'invited.user@example.com' },
      { Name: 'email_verified', Value: 'true' },
    ],
  });
  assert.equal(created.User.UserStatus, 'FORCE_CHANGE_PASSWORD', 'AdminCreateUser: status');
  const invite = (await emu.messages('invited.user')).filter((m) => m.kind === 'INVITE');
  assert.equal(invite.length, 1, 'one invitation delivered');
  const temporary = invite[0].code;

  // step: sign-in with the temporary password asks for a new one
  const first = await authenticate(userPool, 'invited.user', temporary);
  const [userAttributes, requiredAttributes] = expectStep(first.result, 'newPasswordRequired', 'sign-in with the temporary password');
  assert.equal(userAttributes.email, 'invited.user@example.com', 'newPasswordRequired: userAttributes.email');
  assert.ok(Array.isArray(requiredAttributes), 'newPasswordRequired: requiredAttributes is a list');

  // step: a new password that breaks the policy is refused, the challenge can be answered again
  const weak = await step((cb) => first.user.completeNewPasswordChallenge('short', { name: 'Grace Hopper' }, cb));
  assert.equal(expectStep(weak, 'onFailure', 'completeNewPasswordChallenge with a weak password')[0].code, 'InvalidPasswordException');

  // step: completeNewPasswordChallenge with an attribute (read-only attributes are not sent)
  const retry = await authenticate(userPool, 'invited.user', temporary);
  const [attrs2] = expectStep(retry.result, 'newPasswordRequired', 'sign-in with the temporary password again');
  delete attrs2.email_verified;
  delete attrs2.email;
  const done = await step((cb) =>
    retry.user.completeNewPasswordChallenge('Chosen-Passw0rd!', { ...attrs2, name: 'Grace Hopper' }, cb)
  );
  const [session] = expectStep(done, 'onSuccess', 'completeNewPasswordChallenge');
  const claims = session.getIdToken().decodePayload();
  assert.equal(claims['cognito:username'], 'invited.user', 'ID token username');
  assert.equal(claims.name, 'Grace Hopper', 'ID token carries the attribute set with the new password');
  const profile = attributesToObject(await nodeCall((cb) => retry.user.getUserAttributes(cb)));
  assert.equal(profile.name, 'Grace Hopper', 'getUserAttributes: name');

  const status = await emu.call('AdminGetUser', { UserPoolId: poolId, Username: 'invited.user' });
  assert.equal(status.UserStatus, 'CONFIRMED', 'AdminGetUser: confirmed after the new password');

  // step: the new password works, the temporary one does not
  await signIn(userPool, 'invited.user', 'Chosen-Passw0rd!', 'sign-in with the chosen password');
  const old = await authenticate(userPool, 'invited.user', temporary);
  assert.equal(expectStep(old.result, 'onFailure', 'sign-in with the temporary password afterwards')[0].code, 'NotAuthorizedException');
});
