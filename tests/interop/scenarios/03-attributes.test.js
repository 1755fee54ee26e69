'use strict';
// Scenario 3: getUserAttributes, updateAttributes, getAttributeVerificationCode +
// verifyAttribute, deleteAttributes.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, signIn, nodeCall, nodeCallFails, step, expectStep, attributesToObject, CognitoUserAttribute } = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.stop();
});

test('scenario 3: user attributes and their verification', async () => {
  const { userPool, poolId } = await emu.createPool({ pool: { AutoVerifiedAttributes: ['email'] } });
  await emu.createUser(poolId, 'attr.user', 'Attr-Passw0rd!', {
    email: 'attr.user@example.com',
    given_name: 'Ada',
    family_name: 'Lovelace',
  });
  const { user } = await signIn(userPool, 'attr.user', 'Attr-Passw0rd!');

  // step: getUserAttributes
  const initial = attributesToObject(await nodeCall((cb) => user.getUserAttributes(cb)));
  assert.match(initial.sub, /^[0-9a-f-]{36}$/, 'getUserAttributes: sub');
  assert.equal(initial.email, 'attr.user@example.com', 'getUserAttributes: email');
  assert.equal(initial.email_verified, 'true', 'getUserAttributes: email_verified');
  assert.equal(initial.given_name, 'Ada', 'getUserAttributes: given_name');
  assert.equal(initial.family_name, 'Lovelace', 'getUserAttributes: family_name');

  // step: updateAttributes (a plain attribute and the auto-verified email)
  const updated = await new Promise((resolve, reject) =>
    user.updateAttributes(
      [
        new CognitoUserAttribute({ Name: 'given_name', Value: 'Augusta Ada' }),
        new CognitoUserAttribute({ Name: 'email', Value: 'ada@example.org' }),
      ],
      (err, result, details) => (err ? reject(err) : resolve({ result, details }))
    )
  );
  assert.equal(updated.result, 'SUCCESS', 'updateAttributes: result');
  const delivery = updated.details.CodeDeliveryDetailsList;
  assert.ok(Array.isArray(delivery) && delivery.length === 1, 'updateAttributes: one code delivery for the new email');
  assert.equal(delivery[0].AttributeName, 'email', 'updateAttributes: delivery attribute');
  const afterUpdate = attributesToObject(await nodeCall((cb) => user.getUserAttributes(cb)));
  assert.equal(afterUpdate.given_name, 'Augusta Ada', 'after updateAttributes: given_name');
  assert.equal(afterUpdate.email, 'ada@example.org', 'after updateAttributes: email');
  assert.equal(afterUpdate.email_verified, 'false', 'after updateAttributes: the new email is unverified');

  // step: getAttributeVerificationCode
  const sent = await step((cb) => user.getAttributeVerificationCode('email', cb));
  const [details] = expectStep(sent, 'inputVerificationCode', 'getAttributeVerificationCode');
  assert.equal(details.CodeDeliveryDetails.AttributeName, 'email', 'getAttributeVerificationCode: attribute');
  assert.equal(details.CodeDeliveryDetails.DeliveryMedium, 'EMAIL', 'getAttributeVerificationCode: medium');
  const code = await emu.lastCode('attr.user', 'VERIFY_ATTRIBUTE');
  const messages = (await emu.messages('attr.user')).filter((m) => m.kind === 'VERIFY_ATTRIBUTE');
  assert.equal(messages[messages.length - 1].destination, 'ada@example.org', 'verification code goes to the new email');

  // step: verifyAttribute with a wrong code, then the delivered one
  const wrong = await step((cb) => user.verifyAttribute('email', code === '000000' ? '111111' : '000000', cb));
  assert.equal(expectStep(wrong, 'onFailure', 'verifyAttribute with a wrong code')[0].code, 'CodeMismatchException');
  const verified = await step((cb) => user.verifyAttribute('email', code, cb));
  assert.deepEqual(expectStep(verified, 'onSuccess', 'verifyAttribute'), ['SUCCESS']);
  const afterVerify = attributesToObject(await nodeCall((cb) => user.getUserAttributes(cb)));
  assert.equal(afterVerify.email_verified, 'true', 'after verifyAttribute: email_verified');

  // step: deleteAttributes
  const deleted = await nodeCall((cb) => user.deleteAttributes(['family_name'], cb));
  assert.equal(deleted, 'SUCCESS', 'deleteAttributes: result');
  const afterDelete = attributesToObject(await nodeCall((cb) => user.getUserAttributes(cb)));
  assert.equal(afterDelete.family_name, undefined, 'after deleteAttributes: family_name is gone');
  assert.equal(afterDelete.given_name, 'Augusta Ada', 'after deleteAttributes: other attributes stay');

  // step: the ID token of a new sign-in reflects the changes
  const { session } = await signIn(userPool, 'attr.user', 'Attr-Passw0rd!', 'sign-in after attribute changes');
  const claims = session.getIdToken().decodePayload();
  assert.equal(claims.email, 'ada@example.org', 'ID token email');
  assert.equal(claims.given_name, 'Augusta Ada', 'ID token given_name');
  assert.equal(claims.family_name, undefined, 'ID token family_name');

  // step: a read-only attribute cannot be deleted
  const err = await nodeCallFails((cb) => user.deleteAttributes(['sub'], cb), 'deleteAttributes(sub)');
  assert.equal(err.code, 'InvalidParameterException', 'deleteAttributes(sub): error code');
});
