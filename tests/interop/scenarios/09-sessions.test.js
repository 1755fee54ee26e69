'use strict';
// Scenario 9: getSession refreshes after the clock moves past expiry; globalSignOut then a
// failing getUser; signOut with token revocation then a failing refresh; deleteUser.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const {
  startEmulator,
  authenticate,
  signIn,
  step,
  expectStep,
  nodeCall,
  nodeCallFails,
  CognitoUser,
  CognitoRefreshToken,
} = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.stop();
});

test('scenario 9: refresh, globalSignOut, signOut with revocation, deleteUser', async () => {
  const { userPool, poolId } = await emu.createPool({ client: { EnableTokenRevocation: true } });
  await emu.createUser(poolId, 'session.user', 'Session-Passw0rd!', { email: 'session.user@example.com' });
  const { user, session } = await signIn(userPool, 'session.user', 'Session-Passw0rd!');
  const access1 = session.getAccessToken();
  const refresh1 = session.getRefreshToken().getToken();
  assert.ok(access1.decodePayload().origin_jti, 'access token has origin_jti (revocable)');

  // step: getSession while valid returns the cached session
  const cached = await nodeCall((cb) => user.getSession(cb));
  assert.equal(cached.getAccessToken().getJwtToken(), access1.getJwtToken(), 'getSession before expiry: same tokens');

  // step: move both clocks past the access token's expiry; getSession refreshes
  const lifetime = access1.getExpiration() - access1.getIssuedAt();
  const now = await emu.advanceClock(lifetime + 60);
  assert.ok(now > access1.getExpiration(), 'emulator clock is past the access token expiry');
  assert.equal(session.isValid(), false, 'the old session is now invalid for the library');
  const refreshed = await nodeCall((cb) => user.getSession(cb));
  const access2 = refreshed.getAccessToken();
  assert.notEqual(access2.getJwtToken(), access1.getJwtToken(), 'getSession after expiry: new access token');
  assert.ok(access2.getIssuedAt() >= Math.floor(now) - 1, 'refreshed token issued at the emulator time');
  assert.ok(access2.getExpiration() > now, 'refreshed token not expired');
  assert.equal(access2.decodePayload().username, 'session.user', 'refreshed token username');
  assert.equal(refreshed.getRefreshToken().getToken(), refresh1, 'refresh token kept (no rotation)');
  assert.ok(refreshed.isValid(), 'refreshed session is valid');
  assert.equal(access2.decodePayload().origin_jti, access1.decodePayload().origin_jti, 'same token family');

  // step: globalSignOut, then GetUser with the old access token fails
  const out = await step((cb) => user.globalSignOut(cb));
  assert.deepEqual(expectStep(out, 'onSuccess', 'globalSignOut'), ['SUCCESS']);
  const afterGlobal = await nodeCallFails((cb) => user.getUserAttributes(cb), 'getUserAttributes after globalSignOut');
  assert.equal(afterGlobal.code, 'NotAuthorizedException', 'getUserAttributes after globalSignOut: error code');
  const refreshAfterGlobal = await nodeCallFails(
    (cb) => new CognitoUser({ Username: 'session.user', Pool: userPool }).refreshSession(new CognitoRefreshToken({ RefreshToken: refresh1 }), cb),
    'refresh after globalSignOut'
  );
  assert.equal(refreshAfterGlobal.code, 'NotAuthorizedException', 'refresh after globalSignOut: error code');

  // step: signOut with revocation (RevokeToken), then the refresh token is refused
  const second = await signIn(userPool, 'session.user', 'Session-Passw0rd!', 'sign-in after globalSignOut');
  const refresh2 = second.session.getRefreshToken().getToken();
  await nodeCall((cb) => second.user.signOut((err) => cb(err, 'signed out')));
  assert.equal(second.user.getSignInUserSession(), null, 'signOut: the library dropped the session');
  const revoked = await nodeCallFails(
    (cb) => new CognitoUser({ Username: 'session.user', Pool: userPool }).refreshSession(new CognitoRefreshToken({ RefreshToken: refresh2 }), cb),
    'refresh after signOut with revocation'
  );
  assert.equal(revoked.code, 'NotAuthorizedException', 'refresh after signOut: error code');
  const stillValid = await emu.call('GetUser', { AccessToken: second.session.getAccessToken().getJwtToken() }).then(
    () => null,
    (err) => err
  );
  assert.equal(stillValid && stillValid.type, 'NotAuthorizedException', 'RevokeToken also revokes the access tokens of the family');

  // step: deleteUser, then the user is gone
  const third = await signIn(userPool, 'session.user', 'Session-Passw0rd!', 'sign-in before deleteUser');
  assert.equal(await nodeCall((cb) => third.user.deleteUser(cb)), 'SUCCESS', 'deleteUser: result');
  const gone = await authenticate(userPool, 'session.user', 'Session-Passw0rd!');
  assert.equal(expectStep(gone.result, 'onFailure', 'sign-in after deleteUser')[0].code, 'UserNotFoundException');
  const admin = await emu.call('AdminGetUser', { UserPoolId: poolId, Username: 'session.user' }).then(
    () => null,
    (err) => err
  );
  assert.equal(admin && admin.type, 'UserNotFoundException', 'AdminGetUser after deleteUser');
});
