'use strict';
// Amplify 1: signUp with auto sign-in, with a password (SRP) and passwordless (USER_AUTH with an
// e-mail code). Amplify's passwordless auto sign-in sends ConfirmSignUp without a Session and
// signs in with the Session that ConfirmSignUp answers.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, configurePool, expectNext, auth } = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await auth.signOut().catch(() => {});
  await emu?.stop();
});

test('sign-up, confirmation and auto sign-in with SRP', async () => {
  await configurePool(emu, { pool: { AutoVerifiedAttributes: ['email'] } });
  const signedUp = await auth.signUp({
    username: 'auto.srp',
    password: 'Auto-Passw0rd!',
    options: { userAttributes: { email: 'auto.srp@example.com' }, autoSignIn: true },
  });
  const next = expectNext(signedUp, 'CONFIRM_SIGN_UP', 'signUp');
  assert.equal(next.codeDeliveryDetails.deliveryMedium, 'EMAIL', 'signUp: code by e-mail');
  assert.match(next.codeDeliveryDetails.destination, /^a\*\*\*@e\*\*\*/, 'signUp: masked destination');
  assert.ok(signedUp.userId, 'signUp: userId (the sub)');

  // a wrong code is refused, the right one confirms and offers auto sign-in
  const err = await auth
    .confirmSignUp({ username: 'auto.srp', confirmationCode: '000000' })
    .then(() => null, (e) => e);
  const code = await emu.lastCode('auto.srp', 'SIGN_UP');
  if (code !== '000000') assert.equal(err?.name, 'CodeMismatchException', 'confirmSignUp with a wrong code');
  const confirmed = await auth.confirmSignUp({ username: 'auto.srp', confirmationCode: code });
  expectNext(confirmed, 'COMPLETE_AUTO_SIGN_IN', 'confirmSignUp');
  const signedIn = await auth.autoSignIn();
  assert.equal(signedIn.isSignedIn, true, 'autoSignIn');
  const user = await auth.getCurrentUser();
  assert.equal(user.username, 'auto.srp', 'getCurrentUser');
  assert.equal(user.userId, signedUp.userId, 'getCurrentUser: the sub of the sign-up');
  assert.equal(user.signInDetails.authFlowType, 'USER_SRP_AUTH', 'auto sign-in used SRP');
  const attrs = await auth.fetchUserAttributes();
  assert.equal(attrs.email_verified, 'true', 'confirming by the e-mailed code verified the e-mail');
  await auth.signOut();
});

test('passwordless sign-up and auto sign-in (USER_AUTH, e-mail OTP)', async () => {
  await configurePool(emu, {
    pool: {
      AutoVerifiedAttributes: ['email'],
      UsernameAttributes: ['email'],
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
      EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com' },
    },
  });
  const signedUp = await auth.signUp({
    username: 'nopass@example.com',
    options: { userAttributes: { email: 'nopass@example.com' }, autoSignIn: { authFlowType: 'USER_AUTH' } },
  });
  expectNext(signedUp, 'CONFIRM_SIGN_UP', 'passwordless signUp');
  const code = await emu.lastCode(signedUp.userId, 'SIGN_UP').catch(() => emu.lastCode('nopass@example.com', 'SIGN_UP'));
  const confirmed = await auth.confirmSignUp({ username: 'nopass@example.com', confirmationCode: code });
  expectNext(confirmed, 'COMPLETE_AUTO_SIGN_IN', 'passwordless confirmSignUp');
  const signedIn = await auth.autoSignIn();
  assert.equal(signedIn.isSignedIn, true, `passwordless autoSignIn: ${JSON.stringify(signedIn.nextStep)}`);
  const session = await auth.fetchAuthSession();
  assert.equal(session.tokens.idToken.payload.email, 'nopass@example.com', 'ID token of the new user');
  await auth.signOut();
});
