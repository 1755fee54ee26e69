'use strict';
// Amplify 2: choice-based sign-in (USER_AUTH): an e-mail code as first factor, the password
// (SRP) as preferred challenge, and the first-factor selection step when none is preferred.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, configurePool, expectNext, auth } = require('../support');

let emu;
let poolId;
before(async () => {
  emu = await startEmulator();
  ({ poolId } = await configurePool(emu, {
    pool: {
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
      EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com' },
    },
  }));
  await emu.createUser(poolId, 'choice.user', 'Choice-Passw0rd!', { email: 'choice.user@example.com' });
});
after(async () => {
  await auth.signOut().catch(() => {});
  await emu?.stop();
});

test('USER_AUTH with an e-mail code', async () => {
  const started = await auth.signIn({
    username: 'choice.user',
    options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' },
  });
  const next = expectNext(started, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'USER_AUTH preferring EMAIL_OTP');
  assert.equal(next.codeDeliveryDetails.deliveryMedium, 'EMAIL');
  const code = await emu.lastCode('choice.user', 'OTP');
  const done = await auth.confirmSignIn({ challengeResponse: code });
  assert.equal(done.isSignedIn, true, 'confirmSignIn with the e-mailed code');
  assert.equal((await auth.getCurrentUser()).signInDetails.authFlowType, 'USER_AUTH');
  await auth.signOut();
});

test('USER_AUTH with the password (SRP) as preferred challenge', async () => {
  const done = await auth.signIn({
    username: 'choice.user',
    password: 'Choice-Passw0rd!',
    options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' },
  });
  assert.equal(done.isSignedIn, true, `USER_AUTH + PASSWORD_SRP: ${JSON.stringify(done.nextStep)}`);
  await auth.signOut();
});

test('USER_AUTH without a preference: select the first factor, then answer it', async () => {
  const started = await auth.signIn({ username: 'choice.user', options: { authFlowType: 'USER_AUTH' } });
  const next = expectNext(started, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION', 'USER_AUTH without preference');
  assert.deepEqual([...next.availableChallenges].sort(), ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP'].filter((c) => next.availableChallenges.includes(c)).sort());
  assert.ok(next.availableChallenges.includes('EMAIL_OTP'), 'EMAIL_OTP offered');
  const pw = await auth.confirmSignIn({ challengeResponse: 'PASSWORD' });
  expectNext(pw, 'CONFIRM_SIGN_IN_WITH_PASSWORD', 'PASSWORD selected');
  const bad = await auth.confirmSignIn({ challengeResponse: 'Wrong-Passw0rd!' }).then(() => null, (e) => e);
  assert.equal(bad?.name, 'NotAuthorizedException', 'a wrong password is refused');
  const again = await auth.signIn({ username: 'choice.user', options: { authFlowType: 'USER_AUTH' } });
  expectNext(again, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION', 'second USER_AUTH');
  await auth.confirmSignIn({ challengeResponse: 'PASSWORD' });
  const done = await auth.confirmSignIn({ challengeResponse: 'Choice-Passw0rd!' });
  assert.equal(done.isSignedIn, true, 'signed in with the password');
  await auth.signOut();
});
