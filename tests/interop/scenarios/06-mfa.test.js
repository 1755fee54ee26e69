'use strict';
// Scenario 6: TOTP set up during sign-in (MFA_SETUP: associateSoftwareToken, verifySoftwareToken
// with a code computed from the secret), then a sign-in answered with a TOTP code; SMS_MFA with
// the delivered code; SELECT_MFA_TYPE.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, authenticate, step, expectStep, nodeCall, totp } = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.stop();
});

/** A TOTP code for the emulator's current time, in a fresh 30 s step (codes are not reused). */
async function nextTotp(secret) {
  const now = await emu.advanceClock(30);
  return totp(secret, now);
}

test('scenario 6: MFA_SETUP with TOTP, SOFTWARE_TOKEN_MFA, SMS_MFA, SELECT_MFA_TYPE', async () => {
  const { userPool, poolId } = await emu.createPool({ pool: { MfaConfiguration: 'ON' } });
  await emu.call('SetUserPoolMfaConfig', {
    UserPoolId: poolId,
    MfaConfiguration: 'ON',
    SoftwareTokenMfaConfiguration: { Enabled: true },
    SmsMfaConfiguration: { SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'x' } },
  });

  // --- TOTP set up during sign-in
  await emu.createUser(poolId, 'totp.user', 'Totp-Passw0rd!', { email: 'totp.user@example.com' });
  // step: sign-in asks for MFA set-up
  const setup = await authenticate(userPool, 'totp.user', 'Totp-Passw0rd!');
  const [setupName, setupParams] = expectStep(setup.result, 'mfaSetup', 'TOTP user first sign-in');
  assert.equal(setupName, 'MFA_SETUP', 'first sign-in: challenge');
  assert.match(JSON.parse(setupParams.MFAS_CAN_SETUP).join(','), /SOFTWARE_TOKEN_MFA/, 'MFAS_CAN_SETUP lists TOTP');
  // step: associateSoftwareToken with the session
  const assoc = await step((cb) => setup.user.associateSoftwareToken(cb));
  const [secret] = expectStep(assoc, 'associateSecretCode', 'associateSoftwareToken');
  assert.match(secret, /^[A-Z2-7]{16,}=*$/, 'associateSoftwareToken: base32 secret');
  // step: verifySoftwareToken with a wrong code, then the right one (finishes the sign-in)
  const bad = await step((cb) => setup.user.verifySoftwareToken('000000' === totp(secret, Date.now() / 1000) ? '111111' : '000000', 'interop phone', cb));
  assert.equal(expectStep(bad, 'onFailure', 'verifySoftwareToken with a wrong code')[0].code, 'EnableSoftwareTokenMFAException');
  const again = await authenticate(userPool, 'totp.user', 'Totp-Passw0rd!');
  expectStep(again.result, 'mfaSetup', 'sign-in after a failed TOTP verification');
  const assoc2 = await step((cb) => again.user.associateSoftwareToken(cb));
  const [secret2] = expectStep(assoc2, 'associateSecretCode', 'associateSoftwareToken (second try)');
  const verified = await step((cb) => again.user.verifySoftwareToken(totp(secret2, Date.now() / 1000), 'interop phone', cb));
  const [setupSession] = expectStep(verified, 'onSuccess', 'verifySoftwareToken');
  assert.equal(setupSession.getAccessToken().decodePayload().username, 'totp.user', 'MFA_SETUP ends with tokens');
  const settings = await nodeCall((cb) => again.user.getUserData(cb, { bypassCache: true }));
  assert.deepEqual(settings.UserMFASettingList, ['SOFTWARE_TOKEN_MFA'], 'GetUser: TOTP enabled');

  // step: the next sign-in asks for a TOTP code
  const totpSignIn = await authenticate(userPool, 'totp.user', 'Totp-Passw0rd!');
  const [totpName] = expectStep(totpSignIn.result, 'totpRequired', 'TOTP sign-in');
  assert.equal(totpName, 'SOFTWARE_TOKEN_MFA', 'TOTP sign-in: challenge');
  const code = await nextTotp(secret2);
  const wrongCode = String((Number(code) + 1) % 1000000).padStart(6, '0');
  const wrong = await step((cb) => totpSignIn.user.sendMFACode(wrongCode, cb, 'SOFTWARE_TOKEN_MFA'));
  assert.equal(expectStep(wrong, 'onFailure', 'sendMFACode with a wrong TOTP code')[0].code, 'CodeMismatchException');
  const totpDone = await step((cb) => totpSignIn.user.sendMFACode(code, cb, 'SOFTWARE_TOKEN_MFA'));
  const [totpSession] = expectStep(totpDone, 'onSuccess', 'sendMFACode with the TOTP code (same session after one wrong code)');
  assert.equal(totpSession.getIdToken().decodePayload()['cognito:username'], 'totp.user', 'TOTP sign-in: ID token');

  // --- SMS_MFA with the delivered code
  await emu.createUser(poolId, 'sms.user', 'Sms-Passw0rd!', { phone_number: '+14155550111' });
  await emu.call('AdminSetUserMFAPreference', {
    UserPoolId: poolId,
    Username: 'sms.user',
    SMSMfaSettings: { Enabled: true, PreferredMfa: true },
  });
  const sms = await authenticate(userPool, 'sms.user', 'Sms-Passw0rd!');
  const [smsName, smsParams] = expectStep(sms.result, 'mfaRequired', 'SMS user sign-in');
  assert.equal(smsName, 'SMS_MFA', 'SMS sign-in: challenge');
  assert.equal(smsParams.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS', 'SMS sign-in: medium');
  assert.match(smsParams.CODE_DELIVERY_DESTINATION, /0111$/, 'SMS sign-in: masked destination ends with the number');
  const smsMessages = (await emu.messages('sms.user')).filter((m) => m.kind === 'MFA');
  assert.equal(smsMessages[smsMessages.length - 1].deliveryMedium, 'SMS', 'MFA code sent by SMS');
  assert.equal(smsMessages[smsMessages.length - 1].destination, '+14155550111', 'MFA code sent to the phone');
  const smsDone = await step((cb) => sms.user.sendMFACode(smsMessages[smsMessages.length - 1].code, cb));
  const [smsSession] = expectStep(smsDone, 'onSuccess', 'sendMFACode with the SMS code');
  assert.equal(smsSession.getAccessToken().decodePayload().username, 'sms.user', 'SMS sign-in: access token');

  // --- SELECT_MFA_TYPE: SMS and TOTP both enabled, neither preferred
  await emu.createUser(poolId, 'both.user', 'Both-Passw0rd!', { phone_number: '+14155550122' });
  await emu.call('AdminSetUserMFAPreference', {
    UserPoolId: poolId,
    Username: 'both.user',
    SMSMfaSettings: { Enabled: true, PreferredMfa: false },
  });
  const b1 = await authenticate(userPool, 'both.user', 'Both-Passw0rd!');
  expectStep(b1.result, 'mfaRequired', 'both.user first sign-in (SMS only so far)');
  const b1done = await step(async (cb) => b1.user.sendMFACode(await emu.lastCode('both.user', 'MFA'), cb));
  expectStep(b1done, 'onSuccess', 'both.user SMS code');
  const b1assoc = await step((cb) => b1.user.associateSoftwareToken(cb));
  const [bothSecret] = expectStep(b1assoc, 'associateSecretCode', 'associateSoftwareToken with an access token');
  const b1verify = await step(async (cb) => b1.user.verifySoftwareToken(await nextTotp(bothSecret), 'second phone', cb));
  assert.equal(expectStep(b1verify, 'onSuccess', 'verifySoftwareToken with an access token')[0].Status, 'SUCCESS');
  assert.equal(
    await nodeCall((cb) => b1.user.setUserMfaPreference({ Enabled: true, PreferredMfa: false }, { Enabled: true, PreferredMfa: false }, cb)),
    'SUCCESS',
    'setUserMfaPreference'
  );
  const b2 = await authenticate(userPool, 'both.user', 'Both-Passw0rd!');
  const [selectName, selectParams] = expectStep(b2.result, 'selectMFAType', 'sign-in with two MFA methods');
  assert.equal(selectName, 'SELECT_MFA_TYPE', 'SELECT_MFA_TYPE challenge');
  assert.deepEqual(JSON.parse(selectParams.MFAS_CAN_CHOOSE).sort(), ['SMS_MFA', 'SOFTWARE_TOKEN_MFA'], 'MFAS_CAN_CHOOSE');
  const chosen = await step((cb) => b2.user.sendMFASelectionAnswer('SOFTWARE_TOKEN_MFA', cb));
  assert.equal(expectStep(chosen, 'totpRequired', 'sendMFASelectionAnswer(SOFTWARE_TOKEN_MFA)')[0], 'SOFTWARE_TOKEN_MFA');
  const b2done = await step(async (cb) => b2.user.sendMFACode(await nextTotp(bothSecret), cb, 'SOFTWARE_TOKEN_MFA'));
  const [bothSession] = expectStep(b2done, 'onSuccess', 'TOTP code after SELECT_MFA_TYPE');
  assert.equal(bothSession.getAccessToken().decodePayload().username, 'both.user', 'SELECT_MFA_TYPE sign-in: access token');

  // The other branch: choosing SMS.
  const b3 = await authenticate(userPool, 'both.user', 'Both-Passw0rd!');
  expectStep(b3.result, 'selectMFAType', 'second sign-in with two MFA methods');
  const smsChosen = await step((cb) => b3.user.sendMFASelectionAnswer('SMS_MFA', cb));
  assert.equal(expectStep(smsChosen, 'mfaRequired', 'sendMFASelectionAnswer(SMS_MFA)')[0], 'SMS_MFA');
  const b3done = await step(async (cb) => b3.user.sendMFACode(await emu.lastCode('both.user', 'MFA'), cb));
  expectStep(b3done, 'onSuccess', 'SMS code after SELECT_MFA_TYPE');
});
