'use strict';
// Scenario 7: CUSTOM_AUTH with SRP first and without SRP (initiateAuth +
// sendCustomChallengeAnswer), including wrong answers. The pool's DefineAuthChallenge turns on
// the emulator's built-in custom-auth triggers: a 6-digit code per round, delivered through the
// messages hook with kind CUSTOM, three wrong answers fail the sign-in.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, step, expectStep, AuthenticationDetails, CognitoUser } = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.stop();
});

const lambda = (name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const otherCode = (code) => (code === '000000' ? '111111' : '000000');

test('scenario 7: CUSTOM_AUTH with and without SRP', async () => {
  const { userPool, poolId } = await emu.createPool({
    pool: {
      LambdaConfig: {
        DefineAuthChallenge: lambda('define'),
        CreateAuthChallenge: lambda('create'),
        VerifyAuthChallengeResponse: lambda('verify'),
      },
    },
  });
  await emu.createUser(poolId, 'custom.user', 'Custom-Passw0rd!', { email: 'custom.user@example.com' });

  // --- with SRP: PASSWORD_VERIFIER first, then the custom challenge
  const srpUser = new CognitoUser({ Username: 'custom.user', Pool: userPool });
  srpUser.setAuthenticationFlowType('CUSTOM_AUTH');
  const started = await step((cb) =>
    srpUser.authenticateUser(new AuthenticationDetails({ Username: 'custom.user', Password: 'Custom-Passw0rd!' }), cb)
  );
  const [round1] = expectStep(started, 'customChallenge', 'CUSTOM_AUTH with SRP: after the password verifier');
  assert.equal(round1.ROUND, '1', 'first custom round');
  const code1 = await emu.lastCode('custom.user', 'CUSTOM');
  // step: one wrong answer gives another round with a new code
  const wrong = await step((cb) => srpUser.sendCustomChallengeAnswer(otherCode(code1), cb));
  const [round2] = expectStep(wrong, 'customChallenge', 'CUSTOM_AUTH with SRP: wrong answer');
  assert.equal(round2.ROUND, '2', 'second custom round after a wrong answer');
  const code2 = await emu.lastCode('custom.user', 'CUSTOM');
  const done = await step((cb) => srpUser.sendCustomChallengeAnswer(code2, cb));
  const [session] = expectStep(done, 'onSuccess', 'CUSTOM_AUTH with SRP: right answer');
  assert.equal(session.getAccessToken().decodePayload().username, 'custom.user', 'CUSTOM_AUTH with SRP: tokens');

  // step: a wrong password in the SRP step fails before any custom challenge
  const badPw = new CognitoUser({ Username: 'custom.user', Pool: userPool });
  badPw.setAuthenticationFlowType('CUSTOM_AUTH');
  const refused = await step((cb) =>
    badPw.authenticateUser(new AuthenticationDetails({ Username: 'custom.user', Password: 'Wrong-Passw0rd!' }), cb)
  );
  assert.equal(expectStep(refused, 'onFailure', 'CUSTOM_AUTH with a wrong password')[0].code, 'NotAuthorizedException');

  // --- without SRP: initiateAuth straight into the custom challenge
  const plain = new CognitoUser({ Username: 'custom.user', Pool: userPool });
  const direct = await step((cb) => plain.initiateAuth(new AuthenticationDetails({ Username: 'custom.user' }), cb));
  const [first] = expectStep(direct, 'customChallenge', 'initiateAuth (CUSTOM_AUTH without SRP)');
  assert.equal(first.ROUND, '1', 'initiateAuth: first round');
  const direct1 = await emu.lastCode('custom.user', 'CUSTOM');
  const directDone = await step((cb) => plain.sendCustomChallengeAnswer(direct1, cb));
  const [directSession] = expectStep(directDone, 'onSuccess', 'sendCustomChallengeAnswer without SRP');
  assert.equal(directSession.getIdToken().decodePayload().email, 'custom.user@example.com', 'CUSTOM_AUTH without SRP: ID token');

  // step: three wrong answers end the sign-in
  const loser = new CognitoUser({ Username: 'custom.user', Pool: userPool });
  let r = await step((cb) => loser.initiateAuth(new AuthenticationDetails({ Username: 'custom.user' }), cb));
  for (let round = 1; round <= 2; round++) {
    expectStep(r, 'customChallenge', `three wrong answers: round ${round}`);
    const c = await emu.lastCode('custom.user', 'CUSTOM');
    r = await step((cb) => loser.sendCustomChallengeAnswer(otherCode(c), cb));
  }
  expectStep(r, 'customChallenge', 'three wrong answers: round 3');
  const last = await emu.lastCode('custom.user', 'CUSTOM');
  r = await step((cb) => loser.sendCustomChallengeAnswer(otherCode(last), cb));
  assert.equal(expectStep(r, 'onFailure', 'third wrong answer')[0].code, 'NotAuthorizedException');
});
