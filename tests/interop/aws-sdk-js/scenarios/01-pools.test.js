'use strict';
// User pools as resources through @aws-sdk/client-cognito-identity-provider: a pool with a
// schema and tags, described with its defaults, updated, custom attributes, MFA configuration,
// clients with a secret, resource servers, domains, identity providers, the pool's certificate
// and CSV header, ListUserPools and friends through the SDK's paginators, and refusals as the
// SDK's typed exceptions.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, clients, refused, collect, assertDate, idp } = require('../support');

let emu;
let cip;
before(async () => {
  emu = await startEmulator();
  ({ cip } = clients(emu));
});
after(async () => {
  await emu?.stop();
});

test('a pool with a schema and tags, described, updated and deleted', async () => {
  const created = await cip.send(
    new idp.CreateUserPoolCommand({
      PoolName: 'sdk-js-pool',
      Policies: { PasswordPolicy: { MinimumLength: 10, RequireNumbers: true, RequireSymbols: false, RequireUppercase: true, RequireLowercase: true } },
      AutoVerifiedAttributes: ['email'],
      UsernameAttributes: ['email'],
      Schema: [
        { Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true },
        { Name: 'tier', AttributeDataType: 'String', Mutable: true, StringAttributeConstraints: { MinLength: '1', MaxLength: '16' } },
        { Name: 'score', AttributeDataType: 'Number', Mutable: false, NumberAttributeConstraints: { MinValue: '0', MaxValue: '100' } },
      ],
      UserPoolTags: { team: 'auth', env: 'test' },
      DeletionProtection: 'INACTIVE',
    })
  );
  const pool = created.UserPool;
  assert.match(pool.Id, /^us-east-1_[0-9A-Za-z]+$/, 'pool id');
  assert.equal(pool.Name, 'sdk-js-pool');
  assertDate(pool.CreationDate, 'CreateUserPool CreationDate');
  assertDate(pool.LastModifiedDate, 'CreateUserPool LastModifiedDate');
  assert.equal(created.$metadata.httpStatusCode, 200);
  assert.match(created.$metadata.requestId, /^[0-9a-f-]{36}$/, 'the request id from x-amzn-RequestId');

  const { UserPool: described } = await cip.send(new idp.DescribeUserPoolCommand({ UserPoolId: pool.Id }));
  assert.equal(described.Id, pool.Id);
  assert.equal(described.Arn, `arn:aws:cognito-idp:us-east-1:${described.Arn.split(':')[4]}:userpool/${pool.Id}`, 'Arn');
  assertDate(described.CreationDate, 'DescribeUserPool CreationDate');
  assert.equal(described.MfaConfiguration, 'OFF', 'MfaConfiguration enum');
  assert.equal(described.DeletionProtection, 'INACTIVE');
  assert.equal(described.Policies.PasswordPolicy.MinimumLength, 10);
  assert.deepEqual(described.UsernameAttributes, ['email']);
  assert.deepEqual(described.UserPoolTags, { team: 'auth', env: 'test' });
  assert.equal(typeof described.EstimatedNumberOfUsers, 'number');
  const attrs = Object.fromEntries(described.SchemaAttributes.map((a) => [a.Name, a]));
  assert.ok(attrs.sub && attrs.email && attrs['custom:tier'] && attrs['custom:score'], 'standard and custom attributes');
  assert.equal(attrs['custom:tier'].AttributeDataType, 'String', 'AttributeDataType enum');
  assert.equal(attrs['custom:score'].Mutable, false);
  assert.equal(attrs.email.Required, true);

  // custom attributes added later
  await cip.send(
    new idp.AddCustomAttributesCommand({
      UserPoolId: pool.Id,
      CustomAttributes: [{ Name: 'plan', AttributeDataType: 'String', Mutable: true }],
    })
  );
  const { CSVHeader, UserPoolId } = await cip.send(new idp.GetCSVHeaderCommand({ UserPoolId: pool.Id }));
  assert.equal(UserPoolId, pool.Id);
  assert.ok(CSVHeader.includes('custom:plan') && CSVHeader.includes('cognito:username'), `CSV header: ${CSVHeader}`);
  await refused(
    cip.send(new idp.AddCustomAttributesCommand({ UserPoolId: pool.Id, CustomAttributes: [{ Name: 'plan', AttributeDataType: 'String' }] })),
    idp.InvalidParameterException
  );

  const { Certificate } = await cip.send(new idp.GetSigningCertificateCommand({ UserPoolId: pool.Id }));
  assert.ok(Certificate.length > 100, 'a signing certificate');

  // Update replaces the settings: the omitted password policy returns to the default.
  await cip.send(
    new idp.UpdateUserPoolCommand({
      UserPoolId: pool.Id,
      AutoVerifiedAttributes: ['email'],
      UserPoolTags: { team: 'identity' },
      DeletionProtection: 'ACTIVE',
    })
  );
  const { UserPool: updated } = await cip.send(new idp.DescribeUserPoolCommand({ UserPoolId: pool.Id }));
  assert.equal(updated.Policies.PasswordPolicy.MinimumLength, 8, 'the default password policy after an update without one');
  assert.deepEqual(updated.UserPoolTags, { team: 'identity' });
  assert.equal(updated.DeletionProtection, 'ACTIVE');
  assertDate(updated.LastModifiedDate, 'LastModifiedDate after update');

  // tags through the tagging API
  const arn = updated.Arn;
  await cip.send(new idp.TagResourceCommand({ ResourceArn: arn, Tags: { cost: 'c1', owner: 'me' } }));
  await cip.send(new idp.UntagResourceCommand({ ResourceArn: arn, TagKeys: ['owner'] }));
  const { Tags } = await cip.send(new idp.ListTagsForResourceCommand({ ResourceArn: arn }));
  assert.deepEqual(Tags, { team: 'identity', cost: 'c1' });

  // deletion protection, then deletion
  await refused(cip.send(new idp.DeleteUserPoolCommand({ UserPoolId: pool.Id })), idp.InvalidParameterException);
  await cip.send(new idp.UpdateUserPoolCommand({ UserPoolId: pool.Id, DeletionProtection: 'INACTIVE' }));
  await cip.send(new idp.DeleteUserPoolCommand({ UserPoolId: pool.Id }));
  const gone = await refused(cip.send(new idp.DescribeUserPoolCommand({ UserPoolId: pool.Id })), idp.ResourceNotFoundException);
  assert.match(gone.message, /pool/i);
});

test('validation errors arrive as InvalidParameterException with AWS wording', async () => {
  const err = await refused(
    cip.send(new idp.ListUserPoolsCommand({ MaxResults: 61 })),
    idp.InvalidParameterException,
    400,
    /1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint/
  );
  assert.ok(err.$metadata.requestId, 'a request id');
  await refused(cip.send(new idp.DescribeUserPoolCommand({ UserPoolId: 'us-east-1_nothere1' })), idp.ResourceNotFoundException);
  // With the SDK's default retry strategy (3 attempts) a refusal is final: it must not look
  // transient or throttled to the SDK.
  const defaults = new idp.CognitoIdentityProviderClient({ endpoint: emu.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  const once = await refused(defaults.send(new idp.DescribeUserPoolCommand({ UserPoolId: 'us-east-1_nothere1' })), idp.ResourceNotFoundException);
  assert.equal(once.$metadata.attempts, 1, 'not retried');
  const invalid = await refused(defaults.send(new idp.ListUserPoolsCommand({ MaxResults: 0 })), idp.InvalidParameterException);
  assert.equal(invalid.$metadata.attempts, 1, 'not retried');
  await refused(cip.send(new idp.CreateUserPoolCommand({ PoolName: 'bad name!' })), idp.InvalidParameterException);
});

test('MFA configuration stored and answered', async () => {
  const { UserPool } = await cip.send(new idp.CreateUserPoolCommand({ PoolName: 'sdk-js-mfa' }));
  const before = await cip.send(new idp.GetUserPoolMfaConfigCommand({ UserPoolId: UserPool.Id }));
  assert.equal(before.MfaConfiguration, 'OFF');
  await refused(
    cip.send(new idp.SetUserPoolMfaConfigCommand({ UserPoolId: UserPool.Id, MfaConfiguration: 'ON' })),
    idp.InvalidParameterException
  );
  const set = await cip.send(
    new idp.SetUserPoolMfaConfigCommand({
      UserPoolId: UserPool.Id,
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
    })
  );
  assert.equal(set.MfaConfiguration, 'OPTIONAL');
  const after = await cip.send(new idp.GetUserPoolMfaConfigCommand({ UserPoolId: UserPool.Id }));
  assert.equal(after.MfaConfiguration, 'OPTIONAL');
  assert.equal(after.SoftwareTokenMfaConfiguration.Enabled, true);
});

test('ListUserPools through paginateListUserPools: every pool exactly once', async () => {
  const names = [];
  for (let i = 0; i < 23; i++) {
    const name = `sdk-js-page-${String(i).padStart(2, '0')}`;
    names.push(name);
    await cip.send(new idp.CreateUserPoolCommand({ PoolName: name }));
  }
  const { items, pages } = await collect(
    idp.paginateListUserPools({ client: cip, pageSize: 5 }, {}),
    'UserPools',
    (p) => p.Id,
    5
  );
  assert.ok(pages >= 5, `${pages} pages`);
  const listed = items.map((p) => p.Name).filter((n) => n.startsWith('sdk-js-page-'));
  assert.deepEqual(listed.sort(), names, 'every pool once');
  for (const p of items) assertDate(p.CreationDate, `ListUserPools ${p.Name} CreationDate`);
  await refused(
    cip.send(new idp.ListUserPoolsCommand({ MaxResults: 5, NextToken: 'not-a-token' })),
    idp.InvalidParameterException
  );
});

test('clients with a secret: created, described, updated, listed, deleted', async () => {
  const { UserPool } = await cip.send(new idp.CreateUserPoolCommand({ PoolName: 'sdk-js-clients' }));
  const poolId = UserPool.Id;
  const { UserPoolClient: secretClient } = await cip.send(
    new idp.CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'with-secret',
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AccessTokenValidity: 2,
      TokenValidityUnits: { AccessToken: 'hours' },
    })
  );
  assert.ok(secretClient.ClientSecret, 'a generated secret');
  assertDate(secretClient.CreationDate, 'client CreationDate');
  assertDate(secretClient.LastModifiedDate, 'client LastModifiedDate');
  const { UserPoolClient: described } = await cip.send(
    new idp.DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: secretClient.ClientId })
  );
  assert.equal(described.ClientSecret, secretClient.ClientSecret);
  assert.equal(described.AccessTokenValidity, 2);
  assert.equal(described.TokenValidityUnits.AccessToken, 'hours', 'TimeUnitsType enum');
  assert.equal(described.RefreshTokenValidity, 30);
  assert.equal(described.EnableTokenRevocation, true);
  assert.equal(described.PreventUserExistenceErrors, 'LEGACY', 'AWS\'s API default');
  assert.equal(described.AuthSessionValidity, 3);

  const ids = [secretClient.ClientId];
  for (let i = 0; i < 7; i++) {
    const { UserPoolClient } = await cip.send(new idp.CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: `app-${i}` }));
    assert.equal(UserPoolClient.ClientSecret, undefined, 'no secret unless generated');
    ids.push(UserPoolClient.ClientId);
  }
  const listed = await collect(
    idp.paginateListUserPoolClients({ client: cip, pageSize: 3 }, { UserPoolId: poolId }),
    'UserPoolClients',
    (c) => c.ClientId,
    3
  );
  assert.deepEqual(listed.ids.sort(), [...ids].sort(), 'every client once');
  assert.ok(listed.pages >= 3);

  const { UserPoolClient: updated } = await cip.send(
    new idp.UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: secretClient.ClientId, ClientName: 'renamed' })
  );
  assert.equal(updated.ClientName, 'renamed');
  assert.equal(updated.AccessTokenValidity, 60, 'the omitted validity returns to its default');
  assert.equal(updated.TokenValidityUnits?.AccessToken ?? 'minutes', 'minutes');
  assert.equal(updated.ClientSecret, secretClient.ClientSecret, 'the secret survives an update');

  await cip.send(new idp.DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: ids[1] }));
  await refused(
    cip.send(new idp.DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: ids[1] })),
    idp.ResourceNotFoundException
  );
});

test('resource servers, domains and identity providers as stored resources', async () => {
  const { UserPool } = await cip.send(new idp.CreateUserPoolCommand({ PoolName: 'sdk-js-resources' }));
  const poolId = UserPool.Id;

  const identifiers = [];
  for (let i = 0; i < 5; i++) {
    const Identifier = `https://api${i}.example.com`;
    identifiers.push(Identifier);
    const { ResourceServer } = await cip.send(
      new idp.CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier,
        Name: `api${i}`,
        Scopes: [{ ScopeName: 'read', ScopeDescription: 'read things' }],
      })
    );
    assert.equal(ResourceServer.Identifier, Identifier);
  }
  const servers = await collect(
    idp.paginateListResourceServers({ client: cip, pageSize: 2 }, { UserPoolId: poolId }),
    'ResourceServers',
    (r) => r.Identifier,
    2
  );
  assert.deepEqual(servers.ids.sort(), identifiers.sort());
  await cip.send(
    new idp.UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: identifiers[0], Name: 'renamed', Scopes: [] })
  );
  const { ResourceServer: rs } = await cip.send(
    new idp.DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: identifiers[0] })
  );
  assert.equal(rs.Name, 'renamed');
  assert.deepEqual(rs.Scopes ?? [], []);
  await cip.send(new idp.DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: identifiers[0] }));
  await refused(
    cip.send(new idp.DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: identifiers[0] })),
    idp.ResourceNotFoundException
  );

  // a prefix domain (decimal digits: base 36 could spell a reserved word such as 'aws')
  const domain = `sdk-js-${Date.now()}`;
  await cip.send(new idp.CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
  const { DomainDescription } = await cip.send(new idp.DescribeUserPoolDomainCommand({ Domain: domain }));
  assert.equal(DomainDescription.UserPoolId, poolId);
  assert.equal(DomainDescription.Status, 'ACTIVE', 'DomainStatusType enum');
  await cip.send(new idp.UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain, ManagedLoginVersion: 2 }));
  await refused(
    cip.send(new idp.CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain })),
    idp.InvalidParameterException
  );
  await cip.send(new idp.DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
  const empty = await cip.send(new idp.DescribeUserPoolDomainCommand({ Domain: domain }));
  assert.ok(!empty.DomainDescription || !empty.DomainDescription.UserPoolId, 'a deleted domain describes empty');

  // identity providers
  const names = [];
  for (let i = 0; i < 4; i++) {
    const ProviderName = `oidc${i}`;
    names.push(ProviderName);
    const { IdentityProvider } = await cip.send(
      new idp.CreateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName,
        ProviderType: 'OIDC',
        ProviderDetails: {
          client_id: `c${i}`,
          client_secret: 's',
          authorize_scopes: 'openid',
          oidc_issuer: `https://issuer${i}.example.com`,
          attributes_request_method: 'GET',
        },
        AttributeMapping: { email: 'email' },
        IdpIdentifiers: [`idp${i}`],
      })
    );
    assert.equal(IdentityProvider.ProviderType, 'OIDC', 'IdentityProviderTypeType enum');
    assertDate(IdentityProvider.CreationDate, 'IdP CreationDate');
  }
  const providers = await collect(
    idp.paginateListIdentityProviders({ client: cip, pageSize: 3 }, { UserPoolId: poolId }),
    'Providers',
    (p) => p.ProviderName,
    3
  );
  assert.deepEqual(providers.ids.sort(), names);
  for (const p of providers.items) assertDate(p.LastModifiedDate, 'ListIdentityProviders LastModifiedDate');
  const { IdentityProvider: byId } = await cip.send(
    new idp.GetIdentityProviderByIdentifierCommand({ UserPoolId: poolId, IdpIdentifier: 'idp2' })
  );
  assert.equal(byId.ProviderName, 'oidc2');
  await cip.send(
    new idp.UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'oidc1', AttributeMapping: { email: 'mail' } })
  );
  const { IdentityProvider: described } = await cip.send(
    new idp.DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'oidc1' })
  );
  assert.equal(described.AttributeMapping.email, 'mail');
  await cip.send(new idp.DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'oidc1' }));
  await refused(
    cip.send(new idp.DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'oidc1' })),
    idp.ResourceNotFoundException
  );
});

test('an operation the emulator does not emulate: a typed, documented refusal', async () => {
  const { UserPool } = await cip.send(new idp.CreateUserPoolCommand({ PoolName: 'sdk-js-unemulated' }));
  let err;
  try {
    await cip.send(new idp.DescribeRiskConfigurationCommand({ UserPoolId: UserPool.Id }));
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'refused');
  assert.equal(err.name, 'NotImplementedException');
  assert.equal(err.$metadata.httpStatusCode, 501);
  assert.match(err.message, /does not emulate/);
});
