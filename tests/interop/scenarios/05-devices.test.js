'use strict';
// Scenario 5: device tracking "always". The first sign-in (SMS MFA) confirms the device with the
// library's own ConfirmDevice verifier; setDeviceStatusRemembered; a second sign-in passes
// through DEVICE_SRP_AUTH without MFA; listDevices, getDevice, forgetDevice.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, authenticate, step, expectStep } = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.stop();
});

async function mfaMessages(username) {
  return (await emu.messages(username)).filter((m) => m.kind === 'MFA');
}

test('scenario 5: remembered device skips SMS MFA via DEVICE_SRP_AUTH', async () => {
  const { userPool, poolId, clientId, storage } = await emu.createPool({
    pool: {
      MfaConfiguration: 'ON',
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false },
    },
  });
  const username = 'device.user';
  const password = 'Device-Passw0rd!';
  await emu.createUser(poolId, username, password, { phone_number: '+14155550100' });
  await emu.call('AdminSetUserMFAPreference', {
    UserPoolId: poolId,
    Username: username,
    SMSMfaSettings: { Enabled: true, PreferredMfa: true },
  });

  // step: first sign-in asks for SMS MFA
  const first = await authenticate(userPool, username, password);
  const [challengeName, params] = expectStep(first.result, 'mfaRequired', 'first sign-in');
  assert.equal(challengeName, 'SMS_MFA', 'first sign-in: challenge');
  assert.equal(params.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS', 'first sign-in: delivery medium');
  const code = await emu.lastCode(username, 'MFA');

  // step: sendMFACode; the library then confirms the new device (ConfirmDevice)
  const mfa = await step((cb) => first.user.sendMFACode(code, cb));
  const [session, confirmationNecessary] = expectStep(mfa, 'onSuccess', 'sendMFACode');
  assert.ok(session.isValid(), 'sendMFACode: valid session');
  assert.equal(confirmationNecessary, undefined, 'ConfirmDevice: no user confirmation necessary when always remembered');
  const deviceKey = first.user.deviceKey;
  assert.match(deviceKey, /^[a-z0-9-]+_[0-9a-f-]{36}$/, 'the library stored a device key');
  assert.equal(storage.getItem(`CognitoIdentityServiceProvider.${clientId}.${username}.deviceKey`), deviceKey, 'device key cached');
  assert.equal(session.getAccessToken().decodePayload().device_key, deviceKey, 'access token device_key');

  // step: setDeviceStatusRemembered
  const remembered = await step((cb) => first.user.setDeviceStatusRemembered(cb));
  assert.deepEqual(expectStep(remembered, 'onSuccess', 'setDeviceStatusRemembered'), ['SUCCESS']);

  // step: getDevice
  const got = await step((cb) => first.user.getDevice(cb));
  const [device] = expectStep(got, 'onSuccess', 'getDevice');
  assert.equal(device.Device.DeviceKey, deviceKey, 'getDevice: DeviceKey');
  const attrs = Object.fromEntries(device.Device.DeviceAttributes.map((a) => [a.Name, a.Value]));
  assert.ok(attrs.device_name, 'getDevice: device_name attribute');
  assert.equal(attrs.device_status, 'valid', 'getDevice: device_status');

  // step: second sign-in: DEVICE_SRP_AUTH instead of MFA
  const before = (await mfaMessages(username)).length;
  const second = await authenticate(userPool, username, password);
  const [session2] = expectStep(second.result, 'onSuccess', 'second sign-in on the remembered device');
  assert.equal((await mfaMessages(username)).length, before, 'second sign-in: no MFA code was sent');
  assert.equal(session2.getAccessToken().decodePayload().device_key, deviceKey, 'second sign-in: access token device_key');
  assert.equal(second.user.deviceKey, deviceKey, 'second sign-in: same device');

  // step: listDevices
  const listed = await step((cb) => second.user.listDevices(10, null, cb));
  const [list] = expectStep(listed, 'onSuccess', 'listDevices');
  assert.deepEqual(list.Devices.map((d) => d.DeviceKey), [deviceKey], 'listDevices: the one device');

  // step: forgetDevice
  const forgotten = await step((cb) => second.user.forgetDevice(cb));
  assert.deepEqual(expectStep(forgotten, 'onSuccess', 'forgetDevice'), ['SUCCESS']);
  assert.equal(second.user.deviceKey, null, 'forgetDevice: the library dropped the key');
  assert.equal(storage.getItem(`CognitoIdentityServiceProvider.${clientId}.${username}.deviceKey`), null, 'forgetDevice: cache cleared');
  const empty = await step((cb) => second.user.listDevices(10, null, cb));
  assert.deepEqual(expectStep(empty, 'onSuccess', 'listDevices after forgetDevice')[0].Devices, [], 'no devices left');
  const gone = await emu.call('GetDevice', { AccessToken: session2.getAccessToken().getJwtToken(), DeviceKey: deviceKey }).then(
    () => null,
    (err) => err
  );
  assert.equal(gone && gone.type, 'ResourceNotFoundException', 'GetDevice for the forgotten key');

  // step: without the device, MFA is due again
  const third = await authenticate(userPool, username, password);
  assert.equal(expectStep(third.result, 'mfaRequired', 'sign-in after forgetDevice')[0], 'SMS_MFA');
});
