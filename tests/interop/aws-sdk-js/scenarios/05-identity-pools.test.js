'use strict';
// Identity pools through @aws-sdk/client-cognito-identity: pools created, described, updated,
// listed through paginateListIdentityPools, roles, guest and authenticated identities,
// credentials (Expiration as a Date), OpenID tokens, ListIdentities, UnlinkIdentity, deletion,
// and refusals as the SDK's typed exceptions.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, clients, refused, collect, assertDate, simplePool, confirmedUser, signIn, identity } = require('../support');

let emu;
let cip;
let ci;
before(async () => {
  emu = await startEmulator();
  ({ cip, ci } = clients(emu));
});
after(async () => {
  await emu?.stop();
});

test('identity pools: create, describe, update, list, delete', async () => {
  const ids = [];
  for (let i = 0; i < 7; i++) {
    const pool = await ci.send(
      new identity.CreateIdentityPoolCommand({ IdentityPoolName: `sdk_js_${i}`, AllowUnauthenticatedIdentities: i % 2 === 0, IdentityPoolTags: { n: String(i) } })
    );
    assert.match(pool.IdentityPoolId, /^us-east-1:[0-9a-f-]{36}$/);
    assert.equal(pool.AllowUnauthenticatedIdentities, i % 2 === 0);
    ids.push(pool.IdentityPoolId);
  }
  const listed = await collect(
    identity.paginateListIdentityPools({ client: ci, pageSize: 3 }, {}),
    'IdentityPools',
    (p) => p.IdentityPoolId,
    3
  );
  assert.deepEqual(listed.ids.sort(), [...ids].sort());
  assert.ok(listed.pages >= 3);

  const described = await ci.send(new identity.DescribeIdentityPoolCommand({ IdentityPoolId: ids[0] }));
  assert.equal(described.IdentityPoolName, 'sdk_js_0');
  assert.deepEqual(described.IdentityPoolTags, { n: '0' });
  const updated = await ci.send(
    new identity.UpdateIdentityPoolCommand({ IdentityPoolId: ids[0], IdentityPoolName: 'renamed', AllowUnauthenticatedIdentities: false })
  );
  assert.equal(updated.IdentityPoolName, 'renamed');
  assert.equal(updated.AllowUnauthenticatedIdentities, false);

  await ci.send(new identity.DeleteIdentityPoolCommand({ IdentityPoolId: ids[1] }));
  await refused(ci.send(new identity.DescribeIdentityPoolCommand({ IdentityPoolId: ids[1] })), identity.ResourceNotFoundException);
  await refused(ci.send(new identity.ListIdentityPoolsCommand({ MaxResults: 0 })), identity.InvalidParameterException);
});

test('guest and signed-in identities: GetId, credentials, OpenID token, roles, list, unlink', async () => {
  const { poolId, clientId } = await simplePool(cip, 'sdk-js-identities');
  const provider = `cognito-idp.us-east-1.amazonaws.com/${poolId}`;
  const { IdentityPoolId } = await ci.send(
    new identity.CreateIdentityPoolCommand({
      IdentityPoolName: 'sdk_js_identities',
      AllowUnauthenticatedIdentities: true,
      CognitoIdentityProviders: [{ ProviderName: provider, ClientId: clientId, ServerSideTokenCheck: false }],
    })
  );
  await ci.send(
    new identity.SetIdentityPoolRolesCommand({
      IdentityPoolId,
      Roles: { authenticated: 'arn:aws:iam::123456789012:role/auth', unauthenticated: 'arn:aws:iam::123456789012:role/guest' },
    })
  );
  const roles = await ci.send(new identity.GetIdentityPoolRolesCommand({ IdentityPoolId }));
  assert.equal(roles.Roles.authenticated, 'arn:aws:iam::123456789012:role/auth');

  const guest = await ci.send(new identity.GetIdCommand({ IdentityPoolId }));
  assert.match(guest.IdentityId, /^us-east-1:[0-9a-f-]{36}$/);
  const guestCreds = await ci.send(new identity.GetCredentialsForIdentityCommand({ IdentityId: guest.IdentityId }));
  assert.equal(guestCreds.IdentityId, guest.IdentityId);
  assert.match(guestCreds.Credentials.AccessKeyId, /^ASIA/);
  assert.ok(guestCreds.Credentials.SecretKey && guestCreds.Credentials.SessionToken);
  assertDate(guestCreds.Credentials.Expiration, 'Credentials Expiration');
  assert.ok(guestCreds.Credentials.Expiration > new Date(), 'credentials not expired');

  await confirmedUser(cip, poolId, 'max', 'Max-Passw0rd!');
  const { IdToken } = await signIn(cip, poolId, clientId, 'max', 'Max-Passw0rd!');
  const Logins = { [provider]: IdToken };
  const user = await ci.send(new identity.GetIdCommand({ IdentityPoolId, Logins }));
  assert.notEqual(user.IdentityId, guest.IdentityId);
  const userCreds = await ci.send(new identity.GetCredentialsForIdentityCommand({ IdentityId: user.IdentityId, Logins }));
  assertDate(userCreds.Credentials.Expiration, 'authenticated Credentials Expiration');
  const openId = await ci.send(new identity.GetOpenIdTokenCommand({ IdentityId: user.IdentityId, Logins }));
  assert.equal(openId.IdentityId, user.IdentityId);
  assert.equal(openId.Token.split('.').length, 3, 'a JWT');
  await refused(ci.send(new identity.GetCredentialsForIdentityCommand({ IdentityId: user.IdentityId })), identity.NotAuthorizedException);

  const described = await ci.send(new identity.DescribeIdentityCommand({ IdentityId: user.IdentityId }));
  assert.deepEqual(described.Logins, [provider]);
  assertDate(described.CreationDate, 'Identity CreationDate');
  assertDate(described.LastModifiedDate, 'Identity LastModifiedDate');

  const { Identities } = await ci.send(new identity.ListIdentitiesCommand({ IdentityPoolId, MaxResults: 10 }));
  assert.deepEqual(Identities.map((i) => i.IdentityId).sort(), [guest.IdentityId, user.IdentityId].sort());
  for (const i of Identities) assertDate(i.CreationDate, 'ListIdentities CreationDate');
  const paged = await ci.send(new identity.ListIdentitiesCommand({ IdentityPoolId, MaxResults: 1 }));
  assert.equal(paged.Identities.length, 1);
  assert.ok(paged.NextToken);
  const rest = await ci.send(new identity.ListIdentitiesCommand({ IdentityPoolId, MaxResults: 1, NextToken: paged.NextToken }));
  assert.notEqual(rest.Identities[0].IdentityId, paged.Identities[0].IdentityId);

  await ci.send(new identity.UnlinkIdentityCommand({ IdentityId: user.IdentityId, Logins, LoginsToRemove: [provider] }));
  const unlinked = await ci.send(new identity.DescribeIdentityCommand({ IdentityId: user.IdentityId }));
  assert.deepEqual(unlinked.Logins ?? [], []);
  await refused(
    ci.send(new identity.DescribeIdentityCommand({ IdentityId: 'us-east-1:00000000-0000-0000-0000-000000000000' })),
    identity.ResourceNotFoundException
  );
});
