'use strict';
// Sign-in and the signed-in user's own operations through @aws-sdk/client-cognito-identity-provider:
// USER_PASSWORD_AUTH with a client secret (SECRET_HASH), NEW_PASSWORD_REQUIRED answered with
// RespondToAuthChallenge and AdminRespondToAuthChallenge, refresh (REFRESH_TOKEN_AUTH and
// GetTokensFromRefreshToken), GetUser, attribute updates and verification, passwords
// (change, forgot + confirm), user settings, auth factors, sign-outs, revocation, DeleteUser.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, clients, refused, simplePool, confirmedUser, signIn, secretHash, idp } = require('../support');

let emu;
let cip;
before(async () => {
  emu = await startEmulator();
  ({ cip } = clients(emu));
});
after(async () => {
  await emu?.stop();
});

const attr = (user, name) => (user.UserAttributes || []).find((a) => a.Name === name)?.Value;

test('USER_PASSWORD_AUTH with a client secret, refresh both ways, revocation', async () => {
  const { poolId } = await simplePool(cip, 'sdk-js-secret');
  const { UserPoolClient } = await cip.send(
    new idp.CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'secret-app',
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      RefreshTokenRotation: { Feature: 'DISABLED' },
    })
  );
  const { ClientId, ClientSecret } = UserPoolClient;
  await confirmedUser(cip, poolId, 'fay', 'Fay-Passw0rd!', { email: 'fay@example.com', email_verified: 'true' });

  await refused(
    cip.send(new idp.InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'fay', PASSWORD: 'Fay-Passw0rd!' } })),
    idp.NotAuthorizedException,
    400,
    /configured for secret/
  );
  const signedIn = await cip.send(
    new idp.InitiateAuthCommand({
      ClientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'fay', PASSWORD: 'Fay-Passw0rd!', SECRET_HASH: secretHash('fay', ClientId, ClientSecret) },
    })
  );
  const tokens = signedIn.AuthenticationResult;
  assert.equal(tokens.TokenType, 'Bearer');
  assert.equal(tokens.ExpiresIn, 3600);
  assert.ok(tokens.AccessToken && tokens.IdToken && tokens.RefreshToken);
  await refused(
    cip.send(
      new idp.InitiateAuthCommand({
        ClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'fay', PASSWORD: 'wrong-Passw0rd!', SECRET_HASH: secretHash('fay', ClientId, ClientSecret) },
      })
    ),
    idp.NotAuthorizedException,
    400,
    /Incorrect username or password/
  );

  const { Username } = await cip.send(new idp.GetUserCommand({ AccessToken: tokens.AccessToken }));
  assert.equal(Username, 'fay');

  // REFRESH_TOKEN_AUTH: the secret hash is computed with the user's internal username
  const refreshed = await cip.send(
    new idp.InitiateAuthCommand({
      ClientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken, SECRET_HASH: secretHash(Username, ClientId, ClientSecret) },
    })
  );
  assert.ok(refreshed.AuthenticationResult.AccessToken);
  assert.equal(refreshed.AuthenticationResult.RefreshToken, undefined, 'no new refresh token without rotation');
  const viaGetTokens = await cip.send(
    new idp.GetTokensFromRefreshTokenCommand({ ClientId, ClientSecret, RefreshToken: tokens.RefreshToken })
  );
  assert.ok(viaGetTokens.AuthenticationResult.IdToken);

  await cip.send(new idp.RevokeTokenCommand({ ClientId, ClientSecret, Token: tokens.RefreshToken }));
  await refused(
    cip.send(new idp.GetTokensFromRefreshTokenCommand({ ClientId, ClientSecret, RefreshToken: tokens.RefreshToken })),
    idp.NotAuthorizedException
  );
});

test('NEW_PASSWORD_REQUIRED through RespondToAuthChallenge and AdminRespondToAuthChallenge', async () => {
  const { poolId, clientId } = await simplePool(cip, 'sdk-js-newpw');
  for (const u of ['gus', 'hal']) {
    await cip.send(
      new idp.AdminCreateUserCommand({ UserPoolId: poolId, Username: u, TemporaryPassword: 'Temp-Passw0rd!', MessageAction: 'SUPPRESS' })
    );
  }
  const challenge = await cip.send(
    new idp.InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'gus', PASSWORD: 'Temp-Passw0rd!' } })
  );
  assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED', 'ChallengeNameType enum');
  assert.ok(challenge.Session);
  assert.equal(challenge.AuthenticationResult, undefined);
  const answered = await cip.send(
    new idp.RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: 'gus', NEW_PASSWORD: 'Gus-Passw0rd!', 'userAttributes.name': 'Gus' },
    })
  );
  assert.ok(answered.AuthenticationResult.AccessToken);

  const adminChallenge = await cip.send(
    new idp.AdminInitiateAuthCommand({
      UserPoolId: poolId,
      ClientId: clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'hal', PASSWORD: 'Temp-Passw0rd!' },
    })
  );
  assert.equal(adminChallenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
  await refused(
    cip.send(
      new idp.AdminRespondToAuthChallengeCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: adminChallenge.Session,
        ChallengeResponses: { USERNAME: 'hal', NEW_PASSWORD: 'weak' },
      })
    ),
    idp.InvalidPasswordException
  );
  // As with AWS, a session is spent by a refused answer: sign in again for a new one.
  const retry = await cip.send(
    new idp.AdminInitiateAuthCommand({
      UserPoolId: poolId,
      ClientId: clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'hal', PASSWORD: 'Temp-Passw0rd!' },
    })
  );
  const adminAnswered = await cip.send(
    new idp.AdminRespondToAuthChallengeCommand({
      UserPoolId: poolId,
      ClientId: clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: retry.Session,
      ChallengeResponses: { USERNAME: 'hal', NEW_PASSWORD: 'Hal-Passw0rd!' },
    })
  );
  assert.ok(adminAnswered.AuthenticationResult.IdToken);
});

test("the user's own attributes, passwords, settings and auth factors; sign-outs; DeleteUser", async () => {
  const { poolId, clientId } = await simplePool(cip, 'sdk-js-self');
  await confirmedUser(cip, poolId, 'ivy', 'Ivy-Passw0rd!', { email: 'ivy@example.com', email_verified: 'true', phone_number: '+15555550100', phone_number_verified: 'true' });
  let { AccessToken } = await signIn(cip, poolId, clientId, 'ivy', 'Ivy-Passw0rd!');

  const updated = await cip.send(
    new idp.UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name: 'email', Value: 'ivy2@example.com' }, { Name: 'name', Value: 'Ivy' }] })
  );
  assert.equal(updated.CodeDeliveryDetailsList[0].DeliveryMedium, 'EMAIL');
  const verify = await cip.send(new idp.GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName: 'email' }));
  assert.equal(verify.CodeDeliveryDetails.AttributeName, 'email');
  await refused(cip.send(new idp.VerifyUserAttributeCommand({ AccessToken, AttributeName: 'email', Code: '000000' })), idp.CodeMismatchException);
  await cip.send(
    new idp.VerifyUserAttributeCommand({ AccessToken, AttributeName: 'email', Code: await emu.lastCode('ivy', 'VERIFY_ATTRIBUTE') })
  );
  await cip.send(new idp.DeleteUserAttributesCommand({ AccessToken, UserAttributeNames: ['name'] }));
  const me = await cip.send(new idp.GetUserCommand({ AccessToken }));
  assert.equal(attr(me, 'email'), 'ivy2@example.com');
  assert.equal(attr(me, 'email_verified'), 'true');
  assert.equal(attr(me, 'name'), undefined);

  await cip.send(
    new idp.SetUserSettingsCommand({ AccessToken, MFAOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }] })
  );
  await cip.send(new idp.AdminSetUserSettingsCommand({ UserPoolId: poolId, Username: 'ivy', MFAOptions: [] }));
  const factors = await cip.send(new idp.GetUserAuthFactorsCommand({ AccessToken }));
  assert.equal(factors.Username, 'ivy');
  assert.ok(factors.ConfiguredUserAuthFactors.includes('PASSWORD'), 'AuthFactorType enum');

  await cip.send(new idp.ChangePasswordCommand({ AccessToken, PreviousPassword: 'Ivy-Passw0rd!', ProposedPassword: 'Ivy-Passw0rd!2' }));
  await refused(
    cip.send(new idp.ChangePasswordCommand({ AccessToken, PreviousPassword: 'wrong-Passw0rd!', ProposedPassword: 'Ivy-Passw0rd!3' })),
    idp.NotAuthorizedException
  );
  const forgot = await cip.send(new idp.ForgotPasswordCommand({ ClientId: clientId, Username: 'ivy' }));
  // The pool has no AccountRecoverySetting: Cognito's legacy rule prefers ivy's verified phone.
  assert.equal(forgot.CodeDeliveryDetails.DeliveryMedium, 'SMS');
  await refused(
    cip.send(new idp.ConfirmForgotPasswordCommand({ ClientId: clientId, Username: 'ivy', ConfirmationCode: '000000', Password: 'Ivy-Passw0rd!4' })),
    idp.CodeMismatchException
  );
  await cip.send(
    new idp.ConfirmForgotPasswordCommand({
      ClientId: clientId,
      Username: 'ivy',
      ConfirmationCode: await emu.lastCode('ivy', 'FORGOT_PASSWORD'),
      Password: 'Ivy-Passw0rd!4',
    })
  );
  ({ AccessToken } = await signIn(cip, poolId, clientId, 'ivy', 'Ivy-Passw0rd!4'));

  await cip.send(new idp.GlobalSignOutCommand({ AccessToken }));
  await refused(cip.send(new idp.GetUserCommand({ AccessToken })), idp.NotAuthorizedException, 400, /revoked/i);
  ({ AccessToken } = await signIn(cip, poolId, clientId, 'ivy', 'Ivy-Passw0rd!4'));
  await cip.send(new idp.AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'ivy' }));
  await refused(cip.send(new idp.GetUserCommand({ AccessToken })), idp.NotAuthorizedException);

  ({ AccessToken } = await signIn(cip, poolId, clientId, 'ivy', 'Ivy-Passw0rd!4'));
  await cip.send(new idp.DeleteUserCommand({ AccessToken }));
  await refused(cip.send(new idp.AdminGetUserCommand({ UserPoolId: poolId, Username: 'ivy' })), idp.UserNotFoundException);
  await refused(cip.send(new idp.GetUserCommand({ AccessToken: 'not.a.token' })), idp.NotAuthorizedException);
});
