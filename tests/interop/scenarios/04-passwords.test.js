'use strict';
// Scenario 4: changePassword, forgotPassword + confirmPassword, then sign in with the new
// password.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, signIn, authenticate, nodeCall, nodeCallFails, step, expectStep, CognitoUser } = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.stop();
});

test('scenario 4: changePassword, forgotPassword + confirmPassword', async () => {
  const { userPool, poolId } = await emu.createPool();
  await emu.createUser(poolId, 'pw.user', 'First-Passw0rd!', { email: 'pw.user@example.com' });
  const { user } = await signIn(userPool, 'pw.user', 'First-Passw0rd!');

  // step: changePassword with a wrong old password
  const wrongOld = await nodeCallFails((cb) => user.changePassword('Not-the-Passw0rd!', 'Second-Passw0rd!', cb), 'changePassword with a wrong old password');
  assert.equal(wrongOld.code, 'NotAuthorizedException', 'changePassword with a wrong old password: error code');

  // step: changePassword
  assert.equal(await nodeCall((cb) => user.changePassword('First-Passw0rd!', 'Second-Passw0rd!', cb)), 'SUCCESS', 'changePassword: result');
  const oldRefused = await authenticate(userPool, 'pw.user', 'First-Passw0rd!');
  assert.equal(expectStep(oldRefused.result, 'onFailure', 'sign-in with the old password')[0].code, 'NotAuthorizedException');
  await signIn(userPool, 'pw.user', 'Second-Passw0rd!', 'sign-in with the changed password');

  // step: forgotPassword
  const forgetful = new CognitoUser({ Username: 'pw.user', Pool: userPool });
  const started = await step((cb) => forgetful.forgotPassword(cb));
  const [data] = expectStep(started, 'inputVerificationCode', 'forgotPassword');
  assert.equal(data.CodeDeliveryDetails.DeliveryMedium, 'EMAIL', 'forgotPassword: delivery medium');
  assert.equal(data.CodeDeliveryDetails.AttributeName, 'email', 'forgotPassword: delivery attribute');
  const code = await emu.lastCode('pw.user', 'FORGOT_PASSWORD');

  // step: confirmPassword with a wrong code, then the delivered one
  const wrong = await step((cb) => forgetful.confirmPassword(code === '000000' ? '111111' : '000000', 'Third-Passw0rd!', cb));
  assert.equal(expectStep(wrong, 'onFailure', 'confirmPassword with a wrong code')[0].code, 'CodeMismatchException');
  const confirmed = await step((cb) => forgetful.confirmPassword(code, 'Third-Passw0rd!', cb));
  assert.deepEqual(expectStep(confirmed, 'onSuccess', 'confirmPassword'), ['SUCCESS']);

  // step: the code is single use
  const reused = await step((cb) => forgetful.confirmPassword(code, 'Fourth-Passw0rd!', cb));
  assert.equal(expectStep(reused, 'onFailure', 'confirmPassword with a used code')[0].code, 'ExpiredCodeException');

  // step: sign in with the new password; the previous one no longer works
  const { session } = await signIn(userPool, 'pw.user', 'Third-Passw0rd!', 'sign-in with the reset password');
  assert.equal(session.getAccessToken().decodePayload().username, 'pw.user', 'access token username');
  const previous = await authenticate(userPool, 'pw.user', 'Second-Passw0rd!');
  assert.equal(expectStep(previous.result, 'onFailure', 'sign-in with the password before the reset')[0].code, 'NotAuthorizedException');
});
