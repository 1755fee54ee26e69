'use strict';
// Amplify 3: TOTP set up during sign-in (a pool that enabled only TOTP), TOTP set up later from
// a signed-in session with updateMFAPreference, e-mail MFA, and MFA type selection.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, configurePool, expectNext, nextTotp, auth } = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await auth.signOut().catch(() => {});
  await emu?.stop();
});

const EMAIL = {
  EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com' },
};

test('TOTP set up during sign-in in a TOTP-only pool, then a TOTP sign-in', async () => {
  const { poolId } = await configurePool(emu, {
    pool: { MfaConfiguration: 'ON' },
    mfa: { MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } },
  });
  await emu.createUser(poolId, 'totp.setup', 'Totp-Passw0rd!', { email: 'totp.setup@example.com' });
  const started = await auth.signIn({ username: 'totp.setup', password: 'Totp-Passw0rd!' });
  // The pool enabled only TOTP: Amplify goes straight to TOTP setup, no MFA type question.
  const next = expectNext(started, 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP', 'first sign-in');
  const secret = next.totpSetupDetails.sharedSecret;
  assert.match(secret, /^[A-Z2-7]+=*$/, 'shared secret in base32');
  assert.match(next.totpSetupDetails.getSetupUri('amplify-test').href, /^otpauth:\/\/totp\//);
  const done = await auth.confirmSignIn({ challengeResponse: await nextTotp(emu, secret) });
  assert.equal(done.isSignedIn, true, 'TOTP verified during sign-in');
  const prefs = await auth.fetchMFAPreference();
  assert.deepEqual(prefs.enabled, ['TOTP'], 'fetchMFAPreference: TOTP enabled');
  await auth.signOut();

  const second = await auth.signIn({ username: 'totp.setup', password: 'Totp-Passw0rd!' });
  expectNext(second, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE', 'second sign-in');
  const code = await nextTotp(emu, secret);
  assert.equal((await auth.confirmSignIn({ challengeResponse: code })).isSignedIn, true, 'TOTP code');
  await auth.signOut();
  // the same code a second time in the same time step is refused
  const third = await auth.signIn({ username: 'totp.setup', password: 'Totp-Passw0rd!' });
  expectNext(third, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE', 'third sign-in');
  const wrong = code === '000000' ? '111111' : '000000';
  const err = await auth.confirmSignIn({ challengeResponse: wrong }).then(() => null, (e) => e);
  assert.equal(err?.name, 'CodeMismatchException', 'a wrong TOTP code');
});

test('TOTP set up later, e-mail MFA, and MFA type selection', async () => {
  const { poolId } = await configurePool(emu, {
    pool: { MfaConfiguration: 'OPTIONAL', ...EMAIL },
    mfa: {
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
      EmailMfaConfiguration: { Message: 'Your code is {####}', Subject: 'Code' },
    },
  });
  await emu.createUser(poolId, 'mfa.later', 'Later-Passw0rd!', { email: 'mfa.later@example.com' });
  assert.equal((await auth.signIn({ username: 'mfa.later', password: 'Later-Passw0rd!' })).isSignedIn, true, 'no MFA yet');

  const setup = await auth.setUpTOTP();
  await auth.verifyTOTPSetup({ code: await nextTotp(emu, setup.sharedSecret) });
  await auth.updateMFAPreference({ totp: 'PREFERRED' });
  let prefs = await auth.fetchMFAPreference();
  assert.equal(prefs.preferred, 'TOTP', 'TOTP preferred');
  await auth.signOut();
  const totpSignIn = await auth.signIn({ username: 'mfa.later', password: 'Later-Passw0rd!' });
  expectNext(totpSignIn, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE', 'sign-in with TOTP preferred');
  await auth.confirmSignIn({ challengeResponse: await nextTotp(emu, setup.sharedSecret) });

  // e-mail MFA preferred
  await auth.updateMFAPreference({ totp: 'ENABLED', email: 'PREFERRED' });
  prefs = await auth.fetchMFAPreference();
  assert.equal(prefs.preferred, 'EMAIL', 'e-mail preferred');
  assert.deepEqual([...prefs.enabled].sort(), ['EMAIL', 'TOTP']);
  await auth.signOut();
  const emailSignIn = await auth.signIn({ username: 'mfa.later', password: 'Later-Passw0rd!' });
  expectNext(emailSignIn, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'sign-in with e-mail MFA preferred');
  const emailed = await emu.lastCode('mfa.later', 'MFA');
  assert.equal((await auth.confirmSignIn({ challengeResponse: emailed })).isSignedIn, true, 'e-mail MFA code');

  // both enabled, none preferred ('ENABLED' alone keeps a preference): the user chooses
  await auth.updateMFAPreference({ totp: 'ENABLED', email: 'NOT_PREFERRED' });
  await auth.signOut();
  const choose = await auth.signIn({ username: 'mfa.later', password: 'Later-Passw0rd!' });
  const next = expectNext(choose, 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION', 'two MFA types enabled');
  assert.deepEqual([...next.allowedMFATypes].sort(), ['EMAIL', 'TOTP']);
  const chosen = await auth.confirmSignIn({ challengeResponse: 'TOTP' });
  expectNext(chosen, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE', 'TOTP chosen');
  assert.equal((await auth.confirmSignIn({ challengeResponse: await nextTotp(emu, setup.sharedSecret) })).isSignedIn, true);
  await auth.signOut();
});
