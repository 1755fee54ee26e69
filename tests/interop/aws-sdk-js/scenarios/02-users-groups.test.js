'use strict';
// Users and groups through @aws-sdk/client-cognito-identity-provider: admin-created users with
// attributes, sign-up and confirmation with the delivered code, attribute updates and
// deletions, enable/disable, password resets, ListUsers with a filter and AttributesToGet,
// groups, and every list through the SDK's paginators (each item exactly once).
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const { startEmulator, clients, refused, collect, assertDate, simplePool, idp } = require('../support');

let emu;
let cip;
before(async () => {
  emu = await startEmulator();
  ({ cip } = clients(emu));
});
after(async () => {
  await emu?.stop();
});

const attr = (user, name) => (user.Attributes || user.UserAttributes || []).find((a) => a.Name === name)?.Value;

test('admin-created users: get, update and delete attributes, disable, enable, reset, delete', async () => {
  const { poolId } = await simplePool(cip, 'sdk-js-admin', {
    Schema: [
      { Name: 'email', AttributeDataType: 'String', Mutable: true },
      { Name: 'team', AttributeDataType: 'String', Mutable: true },
    ],
  });
  const { User } = await cip.send(
    new idp.AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: 'ada',
      TemporaryPassword: 'Temp-Passw0rd!',
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: 'ada@example.com' },
        { Name: 'email_verified', Value: 'True' },
        { Name: 'custom:team', Value: 'core' },
      ],
    })
  );
  assert.equal(User.Username, 'ada');
  assert.equal(User.UserStatus, 'FORCE_CHANGE_PASSWORD', 'UserStatusType enum');
  assert.equal(User.Enabled, true);
  assertDate(User.UserCreateDate, 'AdminCreateUser UserCreateDate');
  assertDate(User.UserLastModifiedDate, 'AdminCreateUser UserLastModifiedDate');
  assert.equal(attr(User, 'email_verified'), 'true');

  const got = await cip.send(new idp.AdminGetUserCommand({ UserPoolId: poolId, Username: 'ada' }));
  assertDate(got.UserCreateDate, 'AdminGetUser UserCreateDate');
  assert.equal(got.UserStatus, 'FORCE_CHANGE_PASSWORD');
  assert.equal(attr(got, 'custom:team'), 'core');
  assert.match(attr(got, 'sub'), /^[0-9a-f-]{36}$/);

  await cip.send(
    new idp.AdminUpdateUserAttributesCommand({
      UserPoolId: poolId,
      Username: 'ada',
      UserAttributes: [{ Name: 'custom:team', Value: 'platform' }, { Name: 'name', Value: 'Ada L.' }],
    })
  );
  await cip.send(new idp.AdminDeleteUserAttributesCommand({ UserPoolId: poolId, Username: 'ada', UserAttributeNames: ['name'] }));
  const after = await cip.send(new idp.AdminGetUserCommand({ UserPoolId: poolId, Username: 'ada' }));
  assert.equal(attr(after, 'custom:team'), 'platform');
  assert.equal(attr(after, 'name'), undefined);
  await refused(
    cip.send(new idp.AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'ada', UserAttributes: [{ Name: 'custom:nope', Value: 'x' }] })),
    idp.InvalidParameterException
  );

  await cip.send(new idp.AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'ada', Password: 'Perm-Passw0rd!', Permanent: true }));
  assert.equal((await cip.send(new idp.AdminGetUserCommand({ UserPoolId: poolId, Username: 'ada' }))).UserStatus, 'CONFIRMED');

  await cip.send(new idp.AdminDisableUserCommand({ UserPoolId: poolId, Username: 'ada' }));
  assert.equal((await cip.send(new idp.AdminGetUserCommand({ UserPoolId: poolId, Username: 'ada' }))).Enabled, false);
  await refused(
    cip.send(
      new idp.AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: (await cip.send(new idp.ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 1 }))).UserPoolClients[0].ClientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'ada', PASSWORD: 'Perm-Passw0rd!' },
      })
    ),
    idp.NotAuthorizedException,
    400,
    /disabled/i
  );
  await cip.send(new idp.AdminEnableUserCommand({ UserPoolId: poolId, Username: 'ada' }));

  await cip.send(new idp.AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'ada' }));
  assert.equal((await cip.send(new idp.AdminGetUserCommand({ UserPoolId: poolId, Username: 'ada' }))).UserStatus, 'RESET_REQUIRED');

  await cip.send(new idp.AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'ada' }));
  const missing = await refused(cip.send(new idp.AdminGetUserCommand({ UserPoolId: poolId, Username: 'ada' })), idp.UserNotFoundException);
  assert.match(missing.message, /User does not exist/);
  await cip.send(new idp.AdminCreateUserCommand({ UserPoolId: poolId, Username: 'bob', MessageAction: 'SUPPRESS' }));
  await refused(
    cip.send(new idp.AdminCreateUserCommand({ UserPoolId: poolId, Username: 'bob', MessageAction: 'SUPPRESS' })),
    idp.UsernameExistsException
  );
});

test('sign-up, confirmation with the delivered code, resend, admin confirmation', async () => {
  const { poolId, clientId } = await simplePool(cip, 'sdk-js-signup');
  const up = await cip.send(
    new idp.SignUpCommand({
      ClientId: clientId,
      Username: 'carol',
      Password: 'Carol-Passw0rd!',
      UserAttributes: [{ Name: 'email', Value: 'carol@example.com' }],
    })
  );
  assert.equal(up.UserConfirmed, false);
  assert.match(up.UserSub, /^[0-9a-f-]{36}$/);
  assert.equal(up.CodeDeliveryDetails.DeliveryMedium, 'EMAIL', 'DeliveryMediumType enum');
  assert.equal(up.CodeDeliveryDetails.AttributeName, 'email');
  assert.match(up.CodeDeliveryDetails.Destination, /^c\*\*\*@e\*\*\*/);

  const resent = await cip.send(new idp.ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'carol' }));
  assert.equal(resent.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
  await refused(
    cip.send(new idp.ConfirmSignUpCommand({ ClientId: clientId, Username: 'carol', ConfirmationCode: '000000' })),
    idp.CodeMismatchException
  );
  const code = await emu.lastCode('carol', 'SIGN_UP');
  await cip.send(new idp.ConfirmSignUpCommand({ ClientId: clientId, Username: 'carol', ConfirmationCode: code }));
  const carol = await cip.send(new idp.AdminGetUserCommand({ UserPoolId: poolId, Username: 'carol' }));
  assert.equal(carol.UserStatus, 'CONFIRMED');
  assert.equal(attr(carol, 'email_verified'), 'true');

  await cip.send(new idp.SignUpCommand({ ClientId: clientId, Username: 'dave', Password: 'Dave-Passw0rd!' }));
  await cip.send(new idp.AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'dave' }));
  assert.equal((await cip.send(new idp.AdminGetUserCommand({ UserPoolId: poolId, Username: 'dave' }))).UserStatus, 'CONFIRMED');
  await refused(
    cip.send(new idp.SignUpCommand({ ClientId: clientId, Username: 'dave', Password: 'Dave-Passw0rd!' })),
    idp.UsernameExistsException
  );
  await refused(
    cip.send(new idp.SignUpCommand({ ClientId: clientId, Username: 'erin', Password: 'short' })),
    idp.InvalidPasswordException
  );
});

test('ListUsers through paginateListUsers: every user once, Filter and AttributesToGet', async () => {
  const { poolId } = await simplePool(cip, 'sdk-js-list');
  const names = [];
  for (let i = 0; i < 27; i++) {
    const Username = `user${String(i).padStart(2, '0')}`;
    names.push(Username);
    await cip.send(
      new idp.AdminCreateUserCommand({
        UserPoolId: poolId,
        Username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: `${Username}@${i % 2 ? 'odd' : 'even'}.example.com` }],
      })
    );
  }
  const all = await collect(idp.paginateListUsers({ client: cip, pageSize: 4 }, { UserPoolId: poolId }), 'Users', (u) => u.Username, 4);
  assert.deepEqual(all.ids.sort(), names);
  assert.ok(all.pages >= 7, `${all.pages} pages`);
  for (const u of all.items) {
    assertDate(u.UserCreateDate, `ListUsers ${u.Username} UserCreateDate`);
    assert.equal(u.UserStatus, 'FORCE_CHANGE_PASSWORD');
  }

  const filtered = await collect(
    idp.paginateListUsers({ client: cip, pageSize: 3 }, { UserPoolId: poolId, Filter: 'username ^= "user1"', AttributesToGet: ['email'] }),
    'Users',
    (u) => u.Username,
    3
  );
  assert.deepEqual(filtered.ids.sort(), names.filter((n) => n.startsWith('user1')));
  for (const u of filtered.items) assert.deepEqual(u.Attributes.map((a) => a.Name), ['email'], 'only the attributes asked for');

  const limited = await cip.send(new idp.ListUsersCommand({ UserPoolId: poolId, Limit: 5 }));
  assert.equal(limited.Users.length, 5);
  assert.ok(limited.PaginationToken, 'a token for the next page');
  await refused(
    cip.send(new idp.ListUsersCommand({ UserPoolId: poolId, PaginationToken: 'forged-token' })),
    idp.InvalidParameterException
  );
  await refused(
    cip.send(new idp.ListUsersCommand({ UserPoolId: poolId, Filter: 'nickname = "x"' })),
    idp.InvalidParameterException
  );
});

test('groups: create, get, update, members and memberships through paginators, delete', async () => {
  const { poolId } = await simplePool(cip, 'sdk-js-groups');
  const groups = [];
  for (let i = 0; i < 6; i++) {
    const GroupName = `group-${i}`;
    groups.push(GroupName);
    const { Group } = await cip.send(
      new idp.CreateGroupCommand({ UserPoolId: poolId, GroupName, Description: `g${i}`, Precedence: i, RoleArn: `arn:aws:iam::123456789012:role/g${i}` })
    );
    assertDate(Group.CreationDate, 'Group CreationDate');
    assertDate(Group.LastModifiedDate, 'Group LastModifiedDate');
  }
  await refused(cip.send(new idp.CreateGroupCommand({ UserPoolId: poolId, GroupName: 'group-0' })), idp.GroupExistsException);
  const listed = await collect(idp.paginateListGroups({ client: cip, pageSize: 4 }, { UserPoolId: poolId }), 'Groups', (g) => g.GroupName, 4);
  assert.deepEqual(listed.ids.sort(), groups);

  const { Group } = await cip.send(new idp.UpdateGroupCommand({ UserPoolId: poolId, GroupName: 'group-1', Description: 'updated', Precedence: 10 }));
  assert.equal(Group.Description, 'updated');
  const got = await cip.send(new idp.GetGroupCommand({ UserPoolId: poolId, GroupName: 'group-1' }));
  assert.equal(got.Group.Precedence, 10);

  const members = [];
  for (let i = 0; i < 5; i++) {
    const Username = `member${i}`;
    members.push(Username);
    await cip.send(new idp.AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS' }));
    await cip.send(new idp.AdminAddUserToGroupCommand({ UserPoolId: poolId, Username, GroupName: 'group-2' }));
  }
  for (const g of groups) await cip.send(new idp.AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'member0', GroupName: g }));
  const inGroup = await collect(
    idp.paginateListUsersInGroup({ client: cip, pageSize: 2 }, { UserPoolId: poolId, GroupName: 'group-2' }),
    'Users',
    (u) => u.Username,
    2
  );
  assert.deepEqual(inGroup.ids.sort(), members);
  const forUser = await collect(
    idp.paginateAdminListGroupsForUser({ client: cip, pageSize: 4 }, { UserPoolId: poolId, Username: 'member0' }),
    'Groups',
    (g) => g.GroupName,
    4
  );
  assert.deepEqual(forUser.ids.sort(), groups);

  await cip.send(new idp.AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: 'member0', GroupName: 'group-2' }));
  const { Groups } = await cip.send(new idp.AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'member0' }));
  assert.ok(!Groups.some((g) => g.GroupName === 'group-2'));

  await cip.send(new idp.DeleteGroupCommand({ UserPoolId: poolId, GroupName: 'group-5' }));
  await refused(cip.send(new idp.GetGroupCommand({ UserPoolId: poolId, GroupName: 'group-5' })), idp.ResourceNotFoundException);
  await refused(
    cip.send(new idp.AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'nobody', GroupName: 'group-1' })),
    idp.UserNotFoundException
  );
});
