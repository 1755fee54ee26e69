'use strict';
// Amplify 4: a new password required after AdminCreateUser, and custom auth with and without
// SRP (the emulator's built-in custom-auth triggers: a 6-digit code per round, delivered through
// the messages hook with kind CUSTOM).
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, configurePool, expectNext, lambda, auth } = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await auth.signOut().catch(() => {});
  await emu?.stop();
});

test('NEW_PASSWORD_REQUIRED after AdminCreateUser', async () => {
  const { poolId } = await configurePool(emu);
  await emu.call('AdminCreateUser', {
    UserPoolId: poolId,
    Username: 'invited',
    TemporaryPassword: 'Temp-Passw0rd!',
    MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: 'invited@example.com' }],
  });
  const started = await auth.signIn({ username: 'invited', password: 'Temp-Passw0rd!' });
  expectNext(started, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED', 'temporary password');
  const done = await auth.confirmSignIn({
    challengeResponse: 'Final-Passw0rd!',
    options: { userAttributes: { name: 'Invited User' } },
  });
  assert.equal(done.isSignedIn, true, 'new password set');
  assert.equal((await auth.fetchUserAttributes()).name, 'Invited User', 'attribute sent with the new password');
  await auth.signOut();
  assert.equal((await auth.signIn({ username: 'invited', password: 'Final-Passw0rd!' })).isSignedIn, true, 'the new password signs in');
  await auth.signOut();
});

test('custom auth without SRP and with SRP', async () => {
  const { poolId } = await configurePool(emu, {
    pool: {
      LambdaConfig: {
        DefineAuthChallenge: lambda('define'),
        CreateAuthChallenge: lambda('create'),
        VerifyAuthChallengeResponse: lambda('verify'),
      },
    },
  });
  await emu.createUser(poolId, 'custom.user', 'Custom-Passw0rd!', { email: 'custom.user@example.com' });

  const plain = await auth.signIn({ username: 'custom.user', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
  const next = expectNext(plain, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE', 'CUSTOM_WITHOUT_SRP');
  assert.equal(next.additionalInfo.ROUND, '1', 'first round');
  const code1 = await emu.lastCode('custom.user', 'CUSTOM');
  const wrong = await auth.confirmSignIn({ challengeResponse: code1 === '000000' ? '111111' : '000000' });
  assert.equal(expectNext(wrong, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE', 'wrong answer').additionalInfo.ROUND, '2');
  const done = await auth.confirmSignIn({ challengeResponse: await emu.lastCode('custom.user', 'CUSTOM') });
  assert.equal(done.isSignedIn, true, 'right answer');
  assert.equal((await auth.getCurrentUser()).signInDetails.authFlowType, 'CUSTOM_WITHOUT_SRP');
  await auth.signOut();

  const srp = await auth.signIn({
    username: 'custom.user',
    password: 'Custom-Passw0rd!',
    options: { authFlowType: 'CUSTOM_WITH_SRP' },
  });
  expectNext(srp, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE', 'CUSTOM_WITH_SRP after the password verifier');
  const ok = await auth.confirmSignIn({ challengeResponse: await emu.lastCode('custom.user', 'CUSTOM') });
  assert.equal(ok.isSignedIn, true, 'CUSTOM_WITH_SRP answered');
  await auth.signOut();
  const refused = await auth
    .signIn({ username: 'custom.user', password: 'Wrong-Passw0rd!', options: { authFlowType: 'CUSTOM_WITH_SRP' } })
    .then(() => null, (e) => e);
  assert.equal(refused?.name, 'NotAuthorizedException', 'a wrong password in CUSTOM_WITH_SRP');
});
