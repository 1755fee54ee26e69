'use strict';
// Scenario 1: signUp with attributes, confirmRegistration with the delivered code,
// resendConfirmationCode.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const {
  startEmulator,
  nodeCall,
  nodeCallFails,
  step,
  expectStep,
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
} = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.stop();
});

test('scenario 1: signUp, confirmRegistration, resendConfirmationCode', async () => {
  const { userPool } = await emu.createPool({ pool: { AutoVerifiedAttributes: ['email'] } });
  const username = 'new.user';
  const password = 'Sign-up-Passw0rd!';
  const attributes = [
    new CognitoUserAttribute({ Name: 'email', Value: 'new.user@example.com' }),
    new CognitoUserAttribute({ Name: 'name', Value: 'Nöé User' }),
  ];

  // step: signUp
  const signUp = await nodeCall((cb) => userPool.signUp(username, password, attributes, null, cb));
  assert.equal(signUp.userConfirmed, false, 'signUp: userConfirmed');
  assert.match(signUp.userSub, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'signUp: userSub');
  assert.equal(signUp.codeDeliveryDetails.DeliveryMedium, 'EMAIL', 'signUp: delivery medium');
  assert.equal(signUp.codeDeliveryDetails.AttributeName, 'email', 'signUp: delivery attribute');
  assert.notEqual(signUp.codeDeliveryDetails.Destination, 'new.user@example.com', 'signUp: destination is masked');
  assert.equal(signUp.user.getUsername(), username, 'signUp: returned CognitoUser');

  // step: signUp again with the same username
  const dup = await nodeCallFails((cb) => userPool.signUp(username, password, attributes, null, cb), 'signUp twice');
  assert.equal(dup.code, 'UsernameExistsException', 'signUp twice: error code');

  // step: sign-in before confirmation is refused
  const early = await step((cb) =>
    new CognitoUser({ Username: username, Pool: userPool }).authenticateUser(
      new AuthenticationDetails({ Username: username, Password: password }),
      cb
    )
  );
  assert.equal(expectStep(early, 'onFailure', 'sign-in before confirm')[0].code, 'UserNotConfirmedException');

  const firstCode = await emu.lastCode(username, 'SIGN_UP');
  assert.match(firstCode, /^\d{6}$/, 'delivered sign-up code');

  // step: resendConfirmationCode
  const user = new CognitoUser({ Username: username, Pool: userPool });
  const resent = await nodeCall((cb) => user.resendConfirmationCode(cb));
  assert.equal(resent.CodeDeliveryDetails.DeliveryMedium, 'EMAIL', 'resendConfirmationCode: delivery medium');
  const signUpMessages = (await emu.messages(username)).filter((m) => m.kind === 'SIGN_UP');
  assert.equal(signUpMessages.length, 2, 'resendConfirmationCode: a second code was delivered');
  const secondCode = signUpMessages[1].code;
  assert.equal(signUpMessages[1].destination, 'new.user@example.com', 'resent code destination');

  // step: confirmRegistration with a wrong code
  const wrong = secondCode === '000000' ? '111111' : '000000';
  const mismatch = await nodeCallFails((cb) => user.confirmRegistration(wrong, true, cb), 'confirm with a wrong code');
  assert.equal(mismatch.code, 'CodeMismatchException', 'confirm with a wrong code: error code');
  if (firstCode !== secondCode) {
    // The resent code supersedes the first one.
    const stale = await nodeCallFails((cb) => user.confirmRegistration(firstCode, true, cb), 'confirm with the superseded code');
    assert.equal(stale.code, 'CodeMismatchException', 'confirm with the superseded code: error code');
  }

  // step: confirmRegistration with the delivered code
  const confirmed = await nodeCall((cb) => user.confirmRegistration(secondCode, true, cb));
  assert.equal(confirmed, 'SUCCESS', 'confirmRegistration result');

  // step: sign in; the ID token carries the attributes given at sign-up
  const signIn = await step((cb) =>
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), cb)
  );
  const [session] = expectStep(signIn, 'onSuccess', 'sign-in after confirm');
  const claims = session.getIdToken().decodePayload();
  assert.equal(claims.sub, signUp.userSub, 'ID token sub is the sign-up userSub');
  assert.equal(claims['cognito:username'], username, 'ID token cognito:username');
  assert.equal(claims.email, 'new.user@example.com', 'ID token email');
  assert.equal(claims.email_verified, true, 'ID token email_verified after confirmation');
  assert.equal(claims.name, 'Nöé User', 'ID token name');
  assert.ok(session.isValid(), 'session is valid');
});
