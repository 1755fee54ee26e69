//! A refused request leaves the state as it was: every family of operations decides all its
//! refusals (validation, lookups, authorization, the service's own rules) before it changes
//! anything. Each test builds a state, sends requests that must be refused, and compares a
//! fingerprint of everything stored (pools with their users, groups and resources, clients,
//! refresh tokens, revoked families, identity pools, identities, domains), the sign-in and
//! sign-up sessions and the messages delivered, before and after each request; and checks
//! that the request noted no user, group, client, token or other record as changed for the
//! durable store (which would write it again).
//!
//! Refusals that change the state on purpose are not sent here: a wrong password or code
//! counts against the user (lockout, attempt caps), and an answer to a challenge spends its
//! session.

use serde_json::{Value, json};

use super::{Service, dispatch};
use crate::state::State;

fn ok(st: &mut State, service: Service, op: &str, body: Value) -> Value {
    let body = body.as_object().expect("object").clone();
    dispatch(st, service, op, &body).unwrap_or_else(|e| panic!("{op}: {e}"))
}

fn fingerprint(st: &State) -> String {
    let to = |v: &dyn erased::Ser| v.value();
    let pools: Vec<Value> = st
        .pools()
        .iter()
        .map(|(id, p)| {
            json!({
                "id": id,
                "name": p.name,
                "modified": p.modified,
                "config": p.config,
                "schema": to(&p.schema),
                "users": p.users.names().map(|n| to(p.users.get(n).expect("user"))).collect::<Vec<_>>(),
                "groups": p.res.groups.values().map(|g| to(g)).collect::<Vec<_>>(),
                "resource_servers": p.res.resource_servers.iter().map(|(k, s)| json!([k, s.body, s.modified])).collect::<Vec<_>>(),
                "idps": p.res.idps.iter().map(|(k, s)| json!([k, s.body, s.modified])).collect::<Vec<_>>(),
                "domain": p.res.domain,
                "custom_domain": p.res.custom_domain,
            })
        })
        .collect();
    let mut refresh: Vec<&String> = st.refresh().digests().collect();
    refresh.sort();
    let everything = json!({
        "pools": pools,
        "clients": st.clients().values().map(|c| to(c)).collect::<Vec<_>>(),
        "refresh": refresh.iter().map(|t| json!([t, to(st.refresh().get_by_digest(t).expect("token"))])).collect::<Vec<_>>(),
        "revoked": st.revoked_families().keys().collect::<Vec<_>>(),
        "identity_pools": st.identity_pools().values().map(|p| to(p)).collect::<Vec<_>>(),
        "identities": st.identities().values().map(|i| to(i)).collect::<Vec<_>>(),
        "domains": st.domains().values().map(|d| to(d)).collect::<Vec<_>>(),
        "sessions": st.sessions().len(),
        "messages": st.messages().len(),
    });
    everything.to_string()
}

/// Serialising the records through one function of trait objects keeps `fingerprint` short.
mod erased {
    pub trait Ser {
        fn value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn value(&self) -> serde_json::Value {
            serde_json::to_value(self).expect("serialisable")
        }
    }
}

/// Sends `op` (which must be refused with `kind`) and checks that nothing changed.
fn refused(st: &mut State, service: Service, op: &str, body: Value, kind: &str) {
    let before = fingerprint(st);
    let body = body.as_object().expect("object").clone();
    crate::state::changes::begin();
    let result = dispatch(st, service, op, &body);
    // A pool record is compared with its stored bytes before it is written, so a pool noted
    // but unchanged costs nothing; every other noted record would be written again.
    let noted: Vec<_> = crate::state::changes::end_for_test()
        .into_iter()
        .filter(|(kind, _, _)| *kind != crate::state::changes::Kind::Pool)
        .collect();
    let e = result.expect_err(op);
    assert_eq!(e.kind, kind, "{op}: {e}");
    assert_eq!(
        fingerprint(st),
        before,
        "{op} was refused ({e}) but changed the state"
    );
    assert!(
        noted.is_empty(),
        "{op} was refused ({e}) but noted changes: {noted:?}"
    );
}

fn up(st: &mut State, op: &str, body: Value, kind: &str) {
    refused(st, Service::UserPools, op, body, kind);
}

/// A pool with deletion protection, a confidential client, a public client, a confirmed
/// user with a password, a group, a resource server, a domain and an identity pool.
struct Fixture {
    st: State,
    pool: String,
    client: String,
    secret: String,
    public: String,
    identity_pool: String,
}

fn fixture() -> Fixture {
    let mut st = State::new("us-east-1".to_owned());
    let p = ok(
        &mut st,
        Service::UserPools,
        "CreateUserPool",
        json!({"PoolName": "p", "DeletionProtection": "ACTIVE", "AliasAttributes": ["email"],
               "UsernameConfiguration": {"CaseSensitive": false}}),
    );
    let pool = p["UserPool"]["Id"].as_str().expect("id").to_string();
    let flows = json!([
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH"
    ]);
    let c = ok(
        &mut st,
        Service::UserPools,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "c", "GenerateSecret": true, "ExplicitAuthFlows": flows}),
    );
    let client = c["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("id")
        .to_string();
    let secret = c["UserPoolClient"]["ClientSecret"]
        .as_str()
        .expect("secret")
        .to_string();
    let c = ok(
        &mut st,
        Service::UserPools,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "public", "ExplicitAuthFlows": flows}),
    );
    let public = c["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("id")
        .to_string();
    for (op, body) in [
        (
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": "alice", "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "email", "Value": "alice@example.com"},
                                      {"Name": "email_verified", "Value": "true"}]}),
        ),
        (
            "AdminSetUserPassword",
            json!({"UserPoolId": pool, "Username": "alice", "Password": "Passw0rd!", "Permanent": true}),
        ),
        (
            "CreateGroup",
            json!({"UserPoolId": pool, "GroupName": "admins"}),
        ),
        (
            "AdminAddUserToGroup",
            json!({"UserPoolId": pool, "Username": "alice", "GroupName": "admins"}),
        ),
        (
            "CreateResourceServer",
            json!({"UserPoolId": pool, "Identifier": "https://api", "Name": "api",
                   "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}]}),
        ),
        (
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": "refusals-test"}),
        ),
    ] {
        ok(&mut st, Service::UserPools, op, body);
    }
    let ip = ok(
        &mut st,
        Service::Identity,
        "CreateIdentityPool",
        json!({"IdentityPoolName": "ip", "AllowUnauthenticatedIdentities": true}),
    );
    let identity_pool = ip["IdentityPoolId"].as_str().expect("id").to_string();
    ok(
        &mut st,
        Service::Identity,
        "GetId",
        json!({"IdentityPoolId": identity_pool}),
    );
    Fixture {
        st,
        pool,
        client,
        secret,
        public,
        identity_pool,
    }
}

const NOT_A_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln";

#[test]
fn refused_pool_requests_change_nothing() {
    let Fixture { mut st, pool, .. } = fixture();
    let st = &mut st;
    up(
        st,
        "DescribeUserPool",
        json!({"UserPoolId": "us-east-1_Nope"}),
        "ResourceNotFoundException",
    );
    up(
        st,
        "DeleteUserPool",
        json!({"UserPoolId": pool}),
        "InvalidParameterException",
    );
    // Once SetUserPoolMfaConfig has configured the methods (here: none), UpdateUserPool
    // cannot require MFA; UpdateUserPool has no member that configures a method.
    ok(
        st,
        Service::UserPools,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool, "MfaConfiguration": "OFF"}),
    );
    up(
        st,
        "UpdateUserPool",
        json!({"UserPoolId": pool, "MfaConfiguration": "ON",
               "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
        "InvalidParameterException",
    );
    up(
        st,
        "UpdateUserPool",
        json!({"UserPoolId": pool, "UserAttributeUpdateSettings":
               {"AttributesRequireVerificationBeforeUpdate": ["email"]}}),
        "InvalidParameterException",
    );
    up(
        st,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool, "MfaConfiguration": "OFF",
               "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
        "InvalidParameterException",
    );
    up(
        st,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool, "MfaConfiguration": "ON"}),
        "InvalidParameterException",
    );
    up(
        st,
        "AddCustomAttributes",
        json!({"UserPoolId": pool, "CustomAttributes": [{"Name": "x", "Required": true}]}),
        "InvalidParameterException",
    );
    up(
        st,
        "TagResource",
        json!({"ResourceArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Nope",
               "Tags": {"a": "b"}}),
        "ResourceNotFoundException",
    );
}

#[test]
fn refused_client_requests_change_nothing() {
    let Fixture {
        mut st,
        pool,
        client,
        ..
    } = fixture();
    let st = &mut st;
    up(
        st,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "x", "GenerateSecret": true,
               "ClientSecret": "abcdefghijklmnopqrstuvwxyz"}),
        "InvalidParameterException",
    );
    up(
        st,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "x",
               "ExplicitAuthFlows": ["ADMIN_NO_SRP_AUTH", "ALLOW_USER_SRP_AUTH"]}),
        "InvalidParameterException",
    );
    up(
        st,
        "UpdateUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client, "AllowedOAuthFlowsUserPoolClient": true,
               "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"],
               "CallbackURLs": ["http://example.com/cb"], "SupportedIdentityProviders": ["COGNITO"]}),
        "InvalidParameterException",
    );
    up(
        st,
        "UpdateUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client, "AllowedOAuthScopes": ["https://api/write"]}),
        "ScopeDoesNotExistException",
    );
    up(
        st,
        "DeleteUserPoolClient",
        json!({"UserPoolId": "us-east-1_Other", "ClientId": client}),
        "ResourceNotFoundException",
    );
}

#[test]
fn refused_admin_user_requests_change_nothing() {
    let Fixture { mut st, pool, .. } = fixture();
    let st = &mut st;
    up(
        st,
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "ALICE"}),
        "UsernameExistsException",
    );
    up(
        st,
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "bob",
               "UserAttributes": [{"Name": "email", "Value": "alice@example.com"},
                                  {"Name": "email_verified", "Value": "true"}]}),
        "AliasExistsException",
    );
    up(
        st,
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "bob", "TemporaryPassword": "short"}),
        "InvalidPasswordException",
    );
    up(
        st,
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": pool, "Username": "alice",
               "UserAttributes": [{"Name": "custom:nope", "Value": "1"}]}),
        "InvalidParameterException",
    );
    up(
        st,
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": "alice", "Password": "weak", "Permanent": true}),
        "InvalidPasswordException",
    );
    up(
        st,
        "AdminDeleteUser",
        json!({"UserPoolId": pool, "Username": "nobody"}),
        "UserNotFoundException",
    );
    up(
        st,
        "AdminDisableUser",
        json!({"UserPoolId": "us-east-1_Nope", "Username": "alice"}),
        "ResourceNotFoundException",
    );
    up(
        st,
        "AdminConfirmSignUp",
        json!({"UserPoolId": pool, "Username": "alice"}),
        "NotAuthorizedException",
    );
}

#[test]
fn refused_sign_up_requests_change_nothing() {
    let Fixture {
        mut st,
        pool,
        client,
        public,
        ..
    } = fixture();
    let st = &mut st;
    up(
        st,
        "SignUp",
        json!({"ClientId": public, "Username": "alice", "Password": "Passw0rd!"}),
        "UsernameExistsException",
    );
    up(
        st,
        "SignUp",
        json!({"ClientId": public, "Username": "carol", "Password": "weak"}),
        "InvalidPasswordException",
    );
    up(
        st,
        "SignUp",
        json!({"ClientId": client, "Username": "carol", "Password": "Passw0rd!",
               "SecretHash": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}),
        "NotAuthorizedException",
    );
    up(
        st,
        "ConfirmSignUp",
        json!({"ClientId": public, "Username": "alice", "ConfirmationCode": "123456"}),
        "NotAuthorizedException",
    );
    up(
        st,
        "ForgotPassword",
        json!({"ClientId": client, "Username": "alice"}),
        "NotAuthorizedException",
    );
    up(
        st,
        "ResendConfirmationCode",
        json!({"ClientId": "nosuchclient", "Username": "alice"}),
        "ResourceNotFoundException",
    );
    up(
        st,
        "ResendConfirmationCode",
        json!({"ClientId": public, "Username": "alice"}),
        "InvalidParameterException",
    );
    up(
        st,
        "ConfirmForgotPassword",
        json!({"ClientId": public, "Username": "alice", "ConfirmationCode": "123456",
               "Password": "weak"}),
        "InvalidPasswordException",
    );
    // A confirmed user without a verified e-mail address or phone number cannot recover.
    ok(
        st,
        Service::UserPools,
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "dave", "MessageAction": "SUPPRESS"}),
    );
    ok(
        st,
        Service::UserPools,
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": "dave", "Password": "Passw0rd!", "Permanent": true}),
    );
    up(
        st,
        "ForgotPassword",
        json!({"ClientId": public, "Username": "dave"}),
        "InvalidParameterException",
    );
}

#[test]
fn refused_sign_in_and_token_requests_change_nothing() {
    let Fixture {
        mut st,
        pool,
        client,
        secret,
        public,
        ..
    } = fixture();
    let st = &mut st;
    up(
        st,
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
        "NotAuthorizedException",
    );
    up(
        st,
        "InitiateAuth",
        json!({"ClientId": public, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
        "InvalidParameterException",
    );
    up(
        st,
        "AdminInitiateAuth",
        json!({"UserPoolId": "us-east-1_Other", "ClientId": public, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
        "ResourceNotFoundException",
    );
    up(
        st,
        "RespondToAuthChallenge",
        json!({"ClientId": public, "ChallengeName": "SMS_MFA",
               "Session": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
               "ChallengeResponses": {"USERNAME": "alice", "SMS_MFA_CODE": "123456"}}),
        "NotAuthorizedException",
    );
    up(
        st,
        "GetTokensFromRefreshToken",
        json!({"ClientId": public, "RefreshToken": "not-a-token"}),
        "NotAuthorizedException",
    );
    up(
        st,
        "RevokeToken",
        json!({"ClientId": client, "ClientSecret": format!("{secret}x"), "Token": "not-a-token"}),
        "UnauthorizedException",
    );
    up(
        st,
        "GlobalSignOut",
        json!({"AccessToken": NOT_A_TOKEN}),
        "NotAuthorizedException",
    );
    up(
        st,
        "AdminUserGlobalSignOut",
        json!({"UserPoolId": pool, "Username": "nobody"}),
        "UserNotFoundException",
    );
}

#[test]
fn refused_profile_mfa_and_device_requests_change_nothing() {
    let Fixture { mut st, pool, .. } = fixture();
    let st = &mut st;
    let token = json!(NOT_A_TOKEN);
    for (op, body) in [
        (
            "ChangePassword",
            json!({"AccessToken": token, "PreviousPassword": "Passw0rd!", "ProposedPassword": "Passw0rd!2"}),
        ),
        (
            "UpdateUserAttributes",
            json!({"AccessToken": token, "UserAttributes": [{"Name": "name", "Value": "A"}]}),
        ),
        (
            "DeleteUserAttributes",
            json!({"AccessToken": token, "UserAttributeNames": ["name"]}),
        ),
        (
            "VerifyUserAttribute",
            json!({"AccessToken": token, "AttributeName": "email", "Code": "123456"}),
        ),
        ("DeleteUser", json!({"AccessToken": token})),
        (
            "SetUserMFAPreference",
            json!({"AccessToken": token, "SoftwareTokenMfaSettings": {"Enabled": true}}),
        ),
        ("AssociateSoftwareToken", json!({"AccessToken": token})),
        (
            "ConfirmDevice",
            json!({"AccessToken": token, "DeviceKey": "us-east-1_0000aaaa"}),
        ),
        (
            "ForgetDevice",
            json!({"AccessToken": token, "DeviceKey": "us-east-1_0000aaaa"}),
        ),
    ] {
        up(st, op, body, "NotAuthorizedException");
    }
    up(
        st,
        "AdminForgetDevice",
        json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": "us-east-1_0000aaaa"}),
        "ResourceNotFoundException",
    );
    up(
        st,
        "AdminUpdateDeviceStatus",
        json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": "us-east-1_0000aaaa",
               "DeviceRememberedStatus": "remembered"}),
        "ResourceNotFoundException",
    );
    up(
        st,
        "AdminSetUserSettings",
        json!({"UserPoolId": pool, "Username": "alice",
               "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]}),
        "InvalidParameterException",
    );
    up(
        st,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": pool, "Username": "alice", "SoftwareTokenMfaSettings": {"Enabled": true}}),
        "InvalidParameterException",
    );
}

#[test]
fn refused_group_and_resource_requests_change_nothing() {
    let Fixture { mut st, pool, .. } = fixture();
    let st = &mut st;
    up(
        st,
        "CreateGroup",
        json!({"UserPoolId": pool, "GroupName": "admins"}),
        "GroupExistsException",
    );
    up(
        st,
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool, "Username": "alice", "GroupName": "nobody"}),
        "ResourceNotFoundException",
    );
    up(
        st,
        "AdminRemoveUserFromGroup",
        json!({"UserPoolId": pool, "Username": "nobody", "GroupName": "admins"}),
        "UserNotFoundException",
    );
    up(
        st,
        "DeleteGroup",
        json!({"UserPoolId": pool, "GroupName": "nobody"}),
        "ResourceNotFoundException",
    );
    up(
        st,
        "CreateResourceServer",
        json!({"UserPoolId": pool, "Identifier": "https://api", "Name": "again"}),
        "InvalidParameterException",
    );
    up(
        st,
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool, "Domain": "another-domain"}),
        "InvalidParameterException",
    );
    up(
        st,
        "DeleteUserPoolDomain",
        json!({"UserPoolId": pool, "Domain": "not-this-one"}),
        "ResourceNotFoundException",
    );
}

#[test]
fn refused_identity_requests_change_nothing() {
    let Fixture {
        mut st,
        identity_pool,
        ..
    } = fixture();
    let st = &mut st;
    refused(
        st,
        Service::Identity,
        "SetIdentityPoolRoles",
        json!({"IdentityPoolId": identity_pool,
               "Roles": {"authenticated": "arn:aws:iam::123456789012:role/a"},
               "RoleMappings": {"cognito-idp.us-east-1.amazonaws.com/us-east-1_X:client":
                                {"Type": "Rules", "AmbiguousRoleResolution": "Deny"}}}),
        "InvalidParameterException",
    );
    refused(
        st,
        Service::Identity,
        "DeleteIdentityPool",
        json!({"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000"}),
        "ResourceNotFoundException",
    );
    refused(
        st,
        Service::Identity,
        "GetId",
        json!({"IdentityPoolId": identity_pool,
               "Logins": {"cognito-idp.us-east-1.amazonaws.com/us-east-1_X": NOT_A_TOKEN}}),
        "NotAuthorizedException",
    );
}

/// An operation that changes only a user reaches it through `State::users_mut`: the durable
/// store gets the user's record to write, and the pool's own record (settings, schema,
/// resources) is not noted, so it is not serialised and compared again.
#[test]
fn a_change_to_a_user_notes_the_user_and_not_the_pool() {
    let Fixture { mut st, pool, .. } = fixture();
    let body = json!({"UserPoolId": pool, "Username": "alice",
                      "MFAOptions": [{"DeliveryMedium": "EMAIL", "AttributeName": "email"}]});
    crate::state::changes::begin();
    ok(&mut st, Service::UserPools, "AdminSetUserSettings", body);
    let noted = crate::state::changes::end_for_test();
    assert_notes_alice_and_no_pool(&noted, &pool, "AdminSetUserSettings");
}

/// Asserts that one operation's noted changes hold `pool`'s user alice and no pool record.
fn assert_notes_alice_and_no_pool(
    noted: &[(crate::state::changes::Kind, String, String)],
    pool: &str,
    op: &str,
) {
    use crate::state::changes::Kind;
    assert!(
        noted
            .iter()
            .any(|(k, scope, key)| *k == Kind::User && scope == pool && key == "alice"),
        "{op}: {noted:?}"
    );
    assert!(
        noted.iter().all(|(k, _, _)| *k != Kind::Pool),
        "{op}: {noted:?}"
    );
}

/// A signed-in user's request refused for what the user lacks (here the attribute to verify)
/// is refused before the user is taken for changing, so the durable store gets nothing to
/// write.
#[test]
fn a_refused_verification_code_request_notes_nothing() {
    let Fixture {
        mut st,
        pool,
        public,
        ..
    } = fixture();
    let st = &mut st;
    let token = access_token(st, &pool, &public);
    // The user has an email address, so the same request for it is served.
    ok(
        st,
        Service::UserPools,
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": token, "AttributeName": "email"}),
    );
    up(
        st,
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": token, "AttributeName": "phone_number"}),
        "InvalidParameterException",
    );
}

/// Alice's access token from the public client, signed as the dispatcher signs it.
fn access_token(st: &mut State, pool: &str, client: &str) -> Value {
    let mut signed_in = ok(
        st,
        Service::UserPools,
        "AdminInitiateAuth",
        json!({"UserPoolId": pool, "ClientId": client, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
    );
    let (_, unsigned) = st.end_operation();
    crate::tokens::sign_all(&mut signed_in, unsigned).expect("signed");
    signed_in["AuthenticationResult"]["AccessToken"].clone()
}

/// The signed-in user's own attribute changes read the pool's schema but write only the user:
/// the durable store gets the user's record and not the pool's.
#[test]
fn a_user_changing_own_attributes_notes_the_user_and_not_the_pool() {
    let Fixture {
        mut st,
        pool,
        public,
        ..
    } = fixture();
    let st = &mut st;
    let token = access_token(st, &pool, &public);
    for (op, body) in [
        (
            "UpdateUserAttributes",
            json!({"AccessToken": token, "UserAttributes": [{"Name": "name", "Value": "Alice"}]}),
        ),
        (
            "DeleteUserAttributes",
            json!({"AccessToken": token, "UserAttributeNames": ["name"]}),
        ),
    ] {
        crate::state::changes::begin();
        ok(st, Service::UserPools, op, body);
        let noted = crate::state::changes::end_for_test();
        assert_notes_alice_and_no_pool(&noted, &pool, op);
    }
}

/// A password sign-in reads the pool's settings and writes at most the user (a failed attempt
/// counts against it): the durable store never gets the pool's record from it.
#[test]
fn a_sign_in_notes_no_pool() {
    let Fixture {
        mut st,
        pool,
        public,
        ..
    } = fixture();
    let st = &mut st;
    let sign_in = |password: &str| {
        json!({"UserPoolId": pool, "ClientId": public, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": password}})
    };
    let pool_noted = |noted: &[(crate::state::changes::Kind, String, String)]| {
        noted
            .iter()
            .any(|(k, _, _)| *k == crate::state::changes::Kind::Pool)
    };
    crate::state::changes::begin();
    let body = sign_in("Wrong0ne!");
    let result = dispatch(
        st,
        Service::UserPools,
        "AdminInitiateAuth",
        body.as_object().expect("object"),
    );
    let noted = crate::state::changes::end_for_test();
    assert_eq!(
        result.expect_err("wrong password").kind,
        "NotAuthorizedException"
    );
    assert_notes_alice_and_no_pool(&noted, &pool, "a refused sign-in");
    crate::state::changes::begin();
    ok(
        st,
        Service::UserPools,
        "AdminInitiateAuth",
        sign_in("Passw0rd!"),
    );
    let noted = crate::state::changes::end_for_test();
    st.end_operation();
    assert!(!pool_noted(&noted), "{noted:?}");
}
