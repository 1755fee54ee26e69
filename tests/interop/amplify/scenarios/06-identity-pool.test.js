'use strict';
// Amplify 6: identity-pool credentials for a guest, then for the same device after sign-in: AWS
// links the guest identity to the login, so the signed-in user keeps the guest's identity id,
// also on a later GetId with the login alone.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, configurePool, auth } = require('../support');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await auth.signOut().catch(() => {});
  await emu?.stop();
});

test('guest credentials, then the same identity signed in', async () => {
  // the user pool first (for the provider name), then an identity pool that trusts it
  const probe = await configurePool(emu);
  const provider = `cognito-idp.us-east-1.amazonaws.com/${probe.poolId}`;
  const identityPool = await emu.callIdentity('CreateIdentityPool', {
    IdentityPoolName: 'amplify_identities',
    AllowUnauthenticatedIdentities: true,
    CognitoIdentityProviders: [{ ProviderName: provider, ClientId: probe.clientId }],
  });
  await emu.callIdentity('SetIdentityPoolRoles', {
    IdentityPoolId: identityPool.IdentityPoolId,
    Roles: {
      authenticated: 'arn:aws:iam::123456789012:role/amplify-auth',
      unauthenticated: 'arn:aws:iam::123456789012:role/amplify-guest',
    },
  });
  const { Amplify } = require('aws-amplify');
  const cognito = Amplify.getConfig().Auth.Cognito;
  Amplify.configure({
    Auth: {
      Cognito: { ...cognito, identityPoolId: identityPool.IdentityPoolId, identityPoolEndpoint: emu.url, allowGuestAccess: true },
    },
  });
  await emu.createUser(probe.poolId, 'identity.user', 'Identity-Passw0rd!', { email: 'identity.user@example.com' });

  const guest = await auth.fetchAuthSession();
  assert.ok(guest.identityId, 'guest identity id');
  assert.match(guest.credentials.accessKeyId, /^ASIA/, 'guest credentials');
  assert.ok(guest.credentials.expiration > new Date(), 'credentials not expired');
  assert.equal(guest.tokens, undefined, 'a guest has no tokens');

  await auth.signIn({ username: 'identity.user', password: 'Identity-Passw0rd!' });
  const signedIn = await auth.fetchAuthSession();
  assert.ok(signedIn.tokens.idToken, 'tokens after sign-in');
  assert.equal(signedIn.identityId, guest.identityId, 'the guest identity is kept for the signed-in user');
  assert.notEqual(signedIn.credentials.accessKeyId, guest.credentials.accessKeyId, 'new credentials for the login');

  // A later GetId with the login alone (a new device) finds the same, now linked, identity.
  const { IdentityId } = await emu.callIdentity('GetId', {
    IdentityPoolId: identityPool.IdentityPoolId,
    Logins: { [provider]: signedIn.tokens.idToken.toString() },
  });
  assert.equal(IdentityId, guest.identityId, 'GetId(Logins) answers the linked guest identity');
  const described = await emu.callIdentity('DescribeIdentity', { IdentityId });
  assert.deepEqual(described.Logins, [provider], 'DescribeIdentity lists the login');
  await auth.signOut();
});
