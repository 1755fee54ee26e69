'use strict';
// Amplify 5: remembered devices (a remembered device skips MFA through device SRP), token refresh
// through GetTokensFromRefreshToken with rotation, reset and update password, global sign-out.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, configurePool, expectNext, nextTotp, rejects, auth } = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await auth.signOut().catch(() => {});
  await emu?.stop();
});

test('a remembered device skips MFA; fetchDevices and forgetDevice', async () => {
  const { poolId } = await configurePool(emu, {
    pool: {
      MfaConfiguration: 'ON',
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
    },
    mfa: { MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } },
  });
  await emu.createUser(poolId, 'device.user', 'Device-Passw0rd!', { email: 'device.user@example.com' });
  const setup = await auth.signIn({ username: 'device.user', password: 'Device-Passw0rd!' });
  const next = expectNext(setup, 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP', 'first sign-in');
  const secret = next.totpSetupDetails.sharedSecret;
  await auth.confirmSignIn({ challengeResponse: await nextTotp(emu, secret) });
  await auth.rememberDevice();
  const devices = await auth.fetchDevices();
  assert.equal(devices.length, 1, 'one device');
  await auth.signOut();

  const again = await auth.signIn({ username: 'device.user', password: 'Device-Passw0rd!' });
  assert.equal(again.isSignedIn, true, `remembered device: no MFA (${JSON.stringify(again.nextStep)})`);
  await auth.forgetDevice();
  assert.equal((await auth.fetchDevices()).length, 0, 'device forgotten');
  await auth.signOut();
  const mfaAgain = await auth.signIn({ username: 'device.user', password: 'Device-Passw0rd!' });
  expectNext(mfaAgain, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE', 'forgotten device: MFA again');
  await auth.confirmSignIn({ challengeResponse: await nextTotp(emu, secret) });
  await auth.signOut();
});

test('refresh with rotation, reset and update password, global sign-out', async () => {
  const { poolId } = await configurePool(emu, {
    client: { RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 } },
  });
  await emu.createUser(poolId, 'session.user', 'Session-Passw0rd!', { email: 'session.user@example.com' });
  await auth.signIn({ username: 'session.user', password: 'Session-Passw0rd!' });
  const first = await auth.fetchAuthSession();
  await emu.advanceClock(3700); // past the one-hour access token
  const refreshed = await auth.fetchAuthSession();
  assert.notEqual(refreshed.tokens.accessToken.toString(), first.tokens.accessToken.toString(), 'new access token');
  assert.ok(refreshed.tokens.accessToken.payload.exp > first.tokens.accessToken.payload.exp, 'later expiry');
  // Amplify keeps the rotated refresh token: a second refresh works with it.
  await emu.advanceClock(3700);
  const again = await auth.fetchAuthSession();
  assert.ok(again.tokens.accessToken.payload.exp > refreshed.tokens.accessToken.payload.exp, 'second refresh');

  await auth.updatePassword({ oldPassword: 'Session-Passw0rd!', newPassword: 'Updated-Passw0rd!' });
  await auth.signOut();
  assert.equal((await auth.signIn({ username: 'session.user', password: 'Updated-Passw0rd!' })).isSignedIn, true);
  await auth.signOut();

  const reset = await auth.resetPassword({ username: 'session.user' });
  assert.equal(reset.nextStep.resetPasswordStep, 'CONFIRM_RESET_PASSWORD_WITH_CODE');
  const code = await emu.lastCode('session.user', 'FORGOT_PASSWORD');
  await auth.confirmResetPassword({ username: 'session.user', confirmationCode: code, newPassword: 'Reset-Passw0rd!' });
  assert.equal((await auth.signIn({ username: 'session.user', password: 'Reset-Passw0rd!' })).isSignedIn, true);

  const { tokens } = await auth.fetchAuthSession();
  await auth.signOut({ global: true });
  const err = await rejects(emu.call('GetUser', { AccessToken: tokens.accessToken.toString() }), 'GetUser after global sign-out');
  assert.equal(err.type, 'NotAuthorizedException');
  await rejects(auth.getCurrentUser(), 'getCurrentUser after sign-out');
});
