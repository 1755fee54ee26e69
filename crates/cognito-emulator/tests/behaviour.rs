//! Behaviour AWS documents or is seen to have beyond its model's constraints, where clients
//! (boto3, the CLI, the JS SDK, Terraform, CDK) depend on the emulator answering as AWS does:
//! token lifetimes of app clients, the attributes a client may read and write, and the
//! attributes `ListUsers` may return.

use cognito_emulator::EmulatorHandle;
use serde_json::{Value, json};

use crate::common::{err, ok, op};

fn start() -> EmulatorHandle {
    cognito_emulator::Emulator::start_blocking().expect("emulator")
}

fn pool(emu: &EmulatorHandle, extra: Value) -> String {
    let mut body = json!({"PoolName": "p"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    ok(emu, "CreateUserPool", body)["UserPool"]["Id"]
        .as_str()
        .expect("pool id")
        .to_string()
}

fn create_client(
    emu: &EmulatorHandle,
    pool_id: &str,
    extra: Value,
) -> Result<Value, (String, String)> {
    let mut body = json!({"UserPoolId": pool_id, "ClientName": "c"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    op(emu, "CreateUserPoolClient", body).map(|r| r["UserPoolClient"].clone())
}

// ---------------------------------------------------------------------------------------
// Token lifetimes

#[test]
fn token_lifetimes_outside_aws_ranges_are_refused() {
    let emu = start();
    let p = pool(&emu, json!({}));
    for (member, value, unit) in [
        ("AccessTokenValidity", 4, "minutes"),
        ("AccessTokenValidity", 299, "seconds"),
        ("AccessTokenValidity", 25, "hours"),
        ("AccessTokenValidity", 2, "days"),
        ("IdTokenValidity", 4, "minutes"),
        ("IdTokenValidity", 1_441, "minutes"),
        ("RefreshTokenValidity", 59, "minutes"),
        ("RefreshTokenValidity", 3_651, "days"),
    ] {
        let unit_key = member.trim_end_matches("Validity");
        let r = create_client(
            &emu,
            &p,
            json!({member: value, "TokenValidityUnits": {unit_key: unit}}),
        );
        assert_eq!(
            r,
            Err((
                "InvalidParameterException".to_string(),
                "Invalid range for token validity.".to_string()
            )),
            "{member} = {value} {unit}"
        );
    }
    // The bounds themselves are allowed.
    let c = create_client(
        &emu,
        &p,
        json!({"AccessTokenValidity": 5, "IdTokenValidity": 1, "RefreshTokenValidity": 60,
               "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "days",
                                      "RefreshToken": "minutes"}}),
    )
    .expect("lifetimes at AWS's bounds");
    assert_eq!(
        (
            &c["AccessTokenValidity"],
            &c["IdTokenValidity"],
            &c["RefreshTokenValidity"]
        ),
        (&json!(5), &json!(1), &json!(60))
    );
    let c = create_client(&emu, &p, json!({"RefreshTokenValidity": 3650}))
        .expect("ten years of refresh");
    assert_eq!(c["RefreshTokenValidity"], 3650);
    // UpdateUserPoolClient applies the same ranges.
    let id = c["ClientId"].as_str().expect("client id");
    let (ty, msg) = err(
        &emu,
        "UpdateUserPoolClient",
        json!({"UserPoolId": p, "ClientId": id, "AccessTokenValidity": 60,
               "TokenValidityUnits": {"AccessToken": "seconds"}}),
    );
    assert_eq!(
        (ty.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "Invalid range for token validity."
        )
    );
}

#[test]
fn a_refresh_lifetime_of_zero_means_thirty_days() {
    let emu = start();
    let p = pool(&emu, json!({}));
    let c = create_client(&emu, &p, json!({"RefreshTokenValidity": 0})).expect("0 is allowed");
    assert_eq!(c["RefreshTokenValidity"], 30);
    assert_eq!(c["TokenValidityUnits"]["RefreshToken"], "days");
    let id = c["ClientId"].as_str().expect("client id");
    let u = ok(
        &emu,
        "UpdateUserPoolClient",
        json!({"UserPoolId": p, "ClientId": id, "RefreshTokenValidity": 0,
               "TokenValidityUnits": {"RefreshToken": "hours"}}),
    );
    assert_eq!(u["UserPoolClient"]["RefreshTokenValidity"], 720);
}

// ---------------------------------------------------------------------------------------
// Attributes an app client may read and write

#[test]
fn client_attribute_permissions_name_writable_attributes_of_the_pool() {
    let emu = start();
    let p = pool(
        &emu,
        json!({"Schema": [
            {"Name": "email", "AttributeDataType": "String", "Required": true, "Mutable": true},
            {"Name": "team", "AttributeDataType": "String", "Mutable": true},
        ]}),
    );
    let refused = |extra: Value, message: &str| {
        let r = create_client(&emu, &p, extra.clone());
        assert_eq!(
            r,
            Err(("InvalidParameterException".to_string(), message.to_string())),
            "{extra}"
        );
    };
    let bad_read = "Invalid read attributes specified while creating a client";
    let bad_write = "Invalid write attributes specified while creating a client";
    refused(json!({"ReadAttributes": ["email", "nickname2"]}), bad_read);
    refused(json!({"ReadAttributes": ["custom:missing"]}), bad_read);
    refused(json!({"ReadAttributes": ["team"]}), bad_read);
    refused(
        json!({"WriteAttributes": ["email", "custom:missing"]}),
        bad_write,
    );
    refused(
        json!({"WriteAttributes": ["email", "email_verified"]}),
        bad_write,
    );
    refused(
        json!({"WriteAttributes": ["email", "phone_number_verified"]}),
        bad_write,
    );
    refused(json!({"WriteAttributes": ["email", "sub"]}), bad_write);
    // A required attribute must stay writable.
    refused(
        json!({"WriteAttributes": ["name", "custom:team"]}),
        bad_write,
    );
    let c = create_client(
        &emu,
        &p,
        json!({"ReadAttributes": ["email", "email_verified", "phone_number_verified", "custom:team"],
               "WriteAttributes": ["email", "name", "custom:team"]}),
    )
    .expect("attributes of the pool");
    assert_eq!(
        c["WriteAttributes"],
        json!(["email", "name", "custom:team"])
    );
    // UpdateUserPoolClient says what it was doing, and keeps the client as it was.
    let id = c["ClientId"].as_str().expect("client id");
    let (ty, msg) = err(
        &emu,
        "UpdateUserPoolClient",
        json!({"UserPoolId": p, "ClientId": id, "WriteAttributes": ["name"]}),
    );
    assert_eq!(
        (ty.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "Invalid write attributes specified while updating a client"
        )
    );
    let d = ok(
        &emu,
        "DescribeUserPoolClient",
        json!({"UserPoolId": p, "ClientId": id}),
    );
    assert_eq!(
        d["UserPoolClient"]["WriteAttributes"],
        json!(["email", "name", "custom:team"])
    );
}

// ---------------------------------------------------------------------------------------
// ListUsers AttributesToGet

#[test]
fn attributes_to_get_needs_a_value_in_every_listed_user() {
    let emu = start();
    let p = pool(&emu, json!({}));
    let pw = crate::common::PASSWORD;
    emu.create_user(
        &p,
        "ann",
        pw,
        &[("email", "ann@example.com"), ("given_name", "Ann")],
    )
    .expect("ann");
    emu.create_user(&p, "bob", pw, &[("email", "bob@example.com")])
        .expect("bob");
    let list = |extra: Value| {
        let mut body = json!({"UserPoolId": p});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        op(&emu, "ListUsers", body)
    };
    let names = |r: &Value| -> Vec<Vec<String>> {
        r["Users"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|u| {
                u["Attributes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a["Name"].as_str().map(str::to_string))
                    .collect()
            })
            .collect()
    };
    let r = list(json!({"AttributesToGet": ["email"]})).expect("every user has an e-mail");
    assert_eq!(names(&r), vec![vec!["email"], vec!["email"]]);
    let missing = Err((
        "InvalidParameterException".to_string(),
        "One or more requested attributes do not exist.".to_string(),
    ));
    assert_eq!(list(json!({"AttributesToGet": ["given_name"]})), missing);
    assert_eq!(
        list(json!({"AttributesToGet": ["email", "given_name"]})),
        missing
    );
    // With a filter that leaves only users who have it, the attribute is answered.
    let r = list(json!({"Filter": "username = \"ann\"", "AttributesToGet": ["given_name"]}))
        .expect("ann has a given name");
    assert_eq!(names(&r), vec![vec!["given_name"]]);
    // The page decides: a page of ann alone answers, the next page (bob) does not.
    let r = list(json!({"Limit": 1, "AttributesToGet": ["given_name"]})).expect("ann's page");
    assert_eq!(names(&r), vec![vec!["given_name"]]);
    let token = r["PaginationToken"].clone();
    assert_eq!(
        list(json!({"Limit": 1, "AttributesToGet": ["given_name"], "PaginationToken": token})),
        missing
    );
    // A name that is no attribute of the pool is refused even when no user is listed.
    let nobody = json!({"Filter": "username = \"nobody\""});
    let mut body = nobody.clone();
    body["AttributesToGet"] = json!(["custom:nope"]);
    assert_eq!(list(body), missing);
    let mut body = nobody;
    body["AttributesToGet"] = json!(["given_name"]);
    assert_eq!(
        names(&list(body).expect("no user, nothing missing")),
        Vec::<Vec<String>>::new()
    );
    // An empty list asks for no attribute at all.
    let r = list(json!({"AttributesToGet": []})).expect("no attributes");
    assert_eq!(names(&r), vec![Vec::<String>::new(), Vec::new()]);
}

// ---------------------------------------------------------------------------------------
// UpdateUserPool

#[test]
fn update_user_pool_cannot_change_what_creation_fixed() {
    let emu = start();
    let p = pool(
        &emu,
        json!({"Schema": [{"Name": "team", "AttributeDataType": "String"}],
               "UsernameConfiguration": {"CaseSensitive": false}}),
    );
    let before = ok(&emu, "DescribeUserPool", json!({"UserPoolId": p}))["UserPool"].clone();
    // DescribeUserPool's answer sent back whole, with sign-in attributes added: AWS's
    // UpdateUserPool has no such members and leaves them as they were.
    let mut body = before.clone();
    if let Some(b) = body.as_object_mut() {
        b.remove("Id");
        b.insert("UserPoolId".into(), json!(p));
        b.insert("UsernameAttributes".into(), json!(["email"]));
        b.insert("AliasAttributes".into(), json!(["preferred_username"]));
        b.insert(
            "UsernameConfiguration".into(),
            json!({"CaseSensitive": true}),
        );
        b.insert(
            "Schema".into(),
            json!([{"Name": "extra", "AttributeDataType": "String"}]),
        );
        b.insert("Bogus".into(), json!(1));
    }
    ok(&emu, "UpdateUserPool", body);
    let after = ok(&emu, "DescribeUserPool", json!({"UserPoolId": p}))["UserPool"].clone();
    for member in [
        "UsernameAttributes",
        "AliasAttributes",
        "UsernameConfiguration",
        "SchemaAttributes",
        "Bogus",
    ] {
        assert_eq!(after.get(member), before.get(member), "{member}");
    }
    // Users still sign up and sign in by username, not by e-mail address.
    let c = create_client(
        &emu,
        &p,
        json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .expect("client");
    let id = c["ClientId"].as_str().expect("client id");
    let pw = crate::common::PASSWORD;
    ok(
        &emu,
        "SignUp",
        json!({"ClientId": id, "Username": "Mixed", "Password": pw,
               "UserAttributes": [{"Name": "email", "Value": "m@example.com"}]}),
    );
    ok(
        &emu,
        "AdminConfirmSignUp",
        json!({"UserPoolId": p, "Username": "Mixed"}),
    );
    // Usernames stay case-insensitive.
    ok(
        &emu,
        "InitiateAuth",
        json!({"ClientId": id, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "mixed", "PASSWORD": pw}}),
    );
}

#[test]
fn a_pool_has_username_attributes_or_aliases_not_both() {
    let emu = start();
    let (ty, msg) = err(
        &emu,
        "CreateUserPool",
        json!({"PoolName": "both", "UsernameAttributes": ["email"],
               "AliasAttributes": ["preferred_username"]}),
    );
    assert_eq!(
        (ty.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
        )
    );
    // Either one alone, or an empty other list, is a pool.
    pool(
        &emu,
        json!({"UsernameAttributes": ["email"], "AliasAttributes": []}),
    );
    pool(
        &emu,
        json!({"AliasAttributes": ["email", "preferred_username"]}),
    );
}

#[test]
fn attributes_verified_before_update_must_be_auto_verified() {
    let emu = start();
    let refused = (
        "InvalidParameterException".to_string(),
        "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes"
            .to_string(),
    );
    let hold_email = json!({"AttributesRequireVerificationBeforeUpdate": ["email"]});
    let r = op(
        &emu,
        "CreateUserPool",
        json!({"PoolName": "p", "UserAttributeUpdateSettings": hold_email}),
    );
    assert_eq!(r.err(), Some(refused.clone()));
    let p = pool(
        &emu,
        json!({"AutoVerifiedAttributes": ["email"], "UserAttributeUpdateSettings": hold_email}),
    );
    // UpdateUserPool resets an omitted AutoVerifiedAttributes, so sending the update
    // settings alone is refused, as the AWS CLI users who met it report.
    let r = op(
        &emu,
        "UpdateUserPool",
        json!({"UserPoolId": p, "UserAttributeUpdateSettings": hold_email}),
    );
    assert_eq!(r.err(), Some(refused.clone()));
    let r = op(
        &emu,
        "UpdateUserPool",
        json!({"UserPoolId": p, "AutoVerifiedAttributes": ["email"],
               "UserAttributeUpdateSettings":
                   {"AttributesRequireVerificationBeforeUpdate": ["phone_number"]}}),
    );
    assert_eq!(r.err(), Some(refused));
    // The refused updates changed nothing.
    let d = ok(&emu, "DescribeUserPool", json!({"UserPoolId": p}))["UserPool"].clone();
    assert_eq!(d["UserAttributeUpdateSettings"], hold_email);
    assert_eq!(d["AutoVerifiedAttributes"], json!(["email"]));
    ok(
        &emu,
        "UpdateUserPool",
        json!({"UserPoolId": p, "AutoVerifiedAttributes": ["email", "phone_number"],
               "UserAttributeUpdateSettings":
                   {"AttributesRequireVerificationBeforeUpdate": ["phone_number"]}}),
    );
}

// ---------------------------------------------------------------------------------------
// Password resets

#[test]
fn a_temporary_password_cannot_be_reset() {
    use cognito_emulator::MessageKind;
    let emu = start();
    let p = pool(&emu, json!({"AutoVerifiedAttributes": ["email"]}));
    let c = create_client(&emu, &p, json!({})).expect("client");
    let id = c["ClientId"].as_str().expect("client id");
    ok(
        &emu,
        "AdminCreateUser",
        json!({"UserPoolId": p, "Username": "fresh", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "fresh@example.com"},
                                  {"Name": "email_verified", "Value": "true"}]}),
    );
    let refused = Err((
        "NotAuthorizedException".to_string(),
        "User password cannot be reset in the current state.".to_string(),
    ));
    assert_eq!(
        op(
            &emu,
            "ForgotPassword",
            json!({"ClientId": id, "Username": "fresh"})
        ),
        refused
    );
    assert_eq!(
        op(
            &emu,
            "AdminResetUserPassword",
            json!({"UserPoolId": p, "Username": "fresh"})
        ),
        refused
    );
    let u = ok(
        &emu,
        "AdminGetUser",
        json!({"UserPoolId": p, "Username": "fresh"}),
    );
    assert_eq!(u["UserStatus"], "FORCE_CHANGE_PASSWORD");
    assert!(
        emu.last_code("fresh", MessageKind::ForgotPassword)
            .is_none()
    );
}

#[test]
fn admin_reset_sends_its_code_only_to_a_verified_address() {
    use cognito_emulator::MessageKind;
    let emu = start();
    let p = pool(&emu, json!({"AutoVerifiedAttributes": ["email"]}));
    let pw = crate::common::PASSWORD;
    emu.create_user(
        &p,
        "quiet",
        pw,
        &[("email", "quiet@example.com"), ("email_verified", "false")],
    )
    .expect("quiet");
    emu.create_user(&p, "heard", pw, &[("email", "heard@example.com")])
        .expect("heard");
    for name in ["quiet", "heard"] {
        ok(
            &emu,
            "AdminResetUserPassword",
            json!({"UserPoolId": p, "Username": name}),
        );
        let u = ok(
            &emu,
            "AdminGetUser",
            json!({"UserPoolId": p, "Username": name}),
        );
        assert_eq!(u["UserStatus"], "RESET_REQUIRED", "{name}");
    }
    assert!(
        emu.last_code("quiet", MessageKind::ForgotPassword)
            .is_none(),
        "an unverified address gets no code"
    );
    assert!(
        emu.last_code("heard", MessageKind::ForgotPassword)
            .is_some()
    );
}

// ---------------------------------------------------------------------------------------
// AdminCreateUser RESEND

#[test]
fn resend_sends_a_new_temporary_password_to_invited_users_only() {
    use cognito_emulator::MessageKind;
    let s = crate::common::setup();
    let invite = |extra: Value| {
        let mut body = json!({"UserPoolId": s.pool_id, "Username": "inv",
                              "UserAttributes": [{"Name": "email", "Value": "inv@example.com"}]});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        op(&s.emu, "AdminCreateUser", body)
    };
    invite(json!({})).expect("invited");
    let first = s
        .emu
        .last_code("inv", MessageKind::Invite)
        .expect("an invitation");
    let r = invite(json!({"MessageAction": "RESEND"})).expect("resent");
    assert_eq!(r["User"]["Username"], "inv");
    assert_eq!(r["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD");
    let second = s
        .emu
        .last_code("inv", MessageKind::Invite)
        .expect("a second invitation");
    assert_ne!(first, second, "a new temporary password");
    assert_eq!(s.emu.messages(Some("inv")).len(), 2);
    // The new temporary password signs in (to its NEW_PASSWORD_REQUIRED); the old one no longer.
    let (ty, _) = s.password_auth("inv", &first).expect_err("old password");
    assert_eq!(ty, "NotAuthorizedException");
    let r = s.password_auth("inv", &second).expect("new password");
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    // A user with a password of their own is not re-invited; an unknown one is not found.
    ok(
        &s.emu,
        "AdminSetUserPassword",
        json!({"UserPoolId": s.pool_id, "Username": "inv",
               "Password": crate::common::PASSWORD, "Permanent": true}),
    );
    assert_eq!(
        invite(json!({"MessageAction": "RESEND"})),
        Err((
            "UnsupportedUserStateException".to_string(),
            "Resend not possible. inv status is not FORCE_CHANGE_PASSWORD.".to_string()
        ))
    );
    let (ty, _) = err(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "nobody", "MessageAction": "RESEND"}),
    );
    assert_eq!(ty, "UserNotFoundException");
    assert_eq!(s.emu.messages(Some("inv")).len(), 2);
}

// ---------------------------------------------------------------------------------------
// Tokens of a user who no longer exists

/// What an operation answers, as (type, message).
fn answer(r: Result<Value, (String, String)>) -> (String, String) {
    r.map(|v| panic!("unexpectedly succeeded: {v}"))
        .unwrap_or_else(|e| e)
}

fn user_gone() -> (String, String) {
    (
        "UserNotFoundException".to_string(),
        "User does not exist.".to_string(),
    )
}

#[test]
fn a_deleted_users_tokens_answer_that_the_user_does_not_exist() {
    let s = crate::common::setup();
    // Deleted by an administrator, by themselves, and deleted then created again.
    s.user("adm", &[]);
    s.user("own", &[]);
    s.user("again", &[]);
    let adm = s.tokens("adm");
    let own = s.tokens("own");
    let again = s.tokens("again");
    ok(
        &s.emu,
        "AdminDeleteUser",
        json!({"UserPoolId": s.pool_id, "Username": "adm"}),
    );
    ok(
        &s.emu,
        "DeleteUser",
        json!({"AccessToken": own["AccessToken"]}),
    );
    ok(
        &s.emu,
        "AdminDeleteUser",
        json!({"UserPoolId": s.pool_id, "Username": "again"}),
    );
    s.user("again", &[]);
    for t in [&adm, &own, &again] {
        let at = &t["AccessToken"];
        for (name, body) in [
            ("GetUser", json!({"AccessToken": at})),
            ("DeleteUser", json!({"AccessToken": at})),
            (
                "UpdateUserAttributes",
                json!({"AccessToken": at, "UserAttributes": [{"Name": "name", "Value": "x"}]}),
            ),
            ("ListDevices", json!({"AccessToken": at})),
            (
                "ChangePassword",
                json!({"AccessToken": at, "PreviousPassword": crate::common::PASSWORD,
                       "ProposedPassword": "Another1!"}),
            ),
        ] {
            assert_eq!(answer(op(&s.emu, name, body)), user_gone(), "{name}");
        }
        // Operations whose model declares no UserNotFoundException answer that the token is
        // revoked, as they do after a sign-out.
        for name in [
            "GlobalSignOut",
            "AssociateSoftwareToken",
            "ListWebAuthnCredentials",
            "StartWebAuthnRegistration",
        ] {
            assert_eq!(
                answer(op(&s.emu, name, json!({"AccessToken": at}))),
                (
                    "NotAuthorizedException".to_string(),
                    "Access Token has been revoked".to_string()
                ),
                "{name}"
            );
        }
        // The refresh token answers the same as the access token.
        assert_eq!(
            answer(op(
                &s.emu,
                "InitiateAuth",
                json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": s.client_id,
                       "AuthParameters": {"REFRESH_TOKEN": t["RefreshToken"]}}),
            )),
            user_gone()
        );
        assert_eq!(
            answer(op(
                &s.emu,
                "GetTokensFromRefreshToken",
                json!({"ClientId": s.client_id, "RefreshToken": t["RefreshToken"]}),
            )),
            user_gone()
        );
    }
    // The user created again under the same name is another user: their own tokens work.
    let fresh = s.tokens("again");
    ok(
        &s.emu,
        "GetUser",
        json!({"AccessToken": fresh["AccessToken"]}),
    );
}

#[test]
fn a_disabled_users_tokens_are_revoked() {
    let s = crate::common::setup();
    s.user("dis", &[]);
    let t = s.tokens("dis");
    ok(
        &s.emu,
        "AdminDisableUser",
        json!({"UserPoolId": s.pool_id, "Username": "dis"}),
    );
    assert_eq!(
        answer(op(
            &s.emu,
            "GetUser",
            json!({"AccessToken": t["AccessToken"]})
        )),
        (
            "NotAuthorizedException".to_string(),
            "Access Token has been revoked".to_string()
        )
    );
    assert_eq!(
        answer(s.password_auth("dis", crate::common::PASSWORD)),
        (
            "NotAuthorizedException".to_string(),
            "User is disabled.".to_string()
        )
    );
}

// ---------------------------------------------------------------------------------------
// Domains

#[test]
fn a_prefix_domain_cannot_name_aws() {
    let emu = start();
    let p = pool(&emu, json!({}));
    for (domain, word) in [
        ("my-aws-app", "aws"),
        ("amazonshop", "amazon"),
        ("newcognito", "cognito"),
    ] {
        let r = op(
            &emu,
            "CreateUserPoolDomain",
            json!({"UserPoolId": p, "Domain": domain}),
        );
        assert_eq!(
            r,
            Err((
                "InvalidParameterException".to_string(),
                format!("Domain cannot contain reserved word: {word}")
            )),
            "{domain}"
        );
    }
    // A word that only resembles one is free, and nothing was created by the refusals.
    ok(
        &emu,
        "CreateUserPoolDomain",
        json!({"UserPoolId": p, "Domain": "a-w-s-cogni-to"}),
    );
}

#[test]
fn admin_reset_needs_self_service_recovery() {
    let emu = start();
    let p = pool(
        &emu,
        json!({"AccountRecoverySetting": {"RecoveryMechanisms": [
            {"Name": "admin_only", "Priority": 1}]}}),
    );
    emu.create_user(
        &p,
        "ada",
        crate::common::PASSWORD,
        &[("email", "ada@example.com")],
    )
    .expect("ada");
    let (ty, m) = err(
        &emu,
        "AdminResetUserPassword",
        json!({"UserPoolId": p, "Username": "ada"}),
    );
    assert_eq!(
        (ty.as_str(), m.as_str()),
        (
            "NotAuthorizedException",
            "Cannot reset password for the user as the account recovery is admin only."
        )
    );
    // Nothing changed: the user signs in with their password as before.
    let u = ok(
        &emu,
        "AdminGetUser",
        json!({"UserPoolId": p, "Username": "ada"}),
    );
    assert_eq!(u["UserStatus"], "CONFIRMED");
}

#[test]
fn list_identity_pools_takes_at_most_sixty() {
    let emu = start();
    let r = crate::common::op_on(
        &emu,
        "AWSCognitoIdentityService",
        "ListIdentityPools",
        json!({"MaxResults": 61}),
    );
    let (ty, m) = r.expect_err("61 is above the model's bound");
    assert_eq!(ty, "InvalidParameterException");
    assert!(m.contains("less than or equal to 60"), "{m}");
}

// ---------------------------------------------------------------------------------------
// E-mail MFA

#[test]
fn email_mfa_needs_ses_and_a_paid_tier() {
    let emu = start();
    let email_mfa = |p: &str| {
        op(
            &emu,
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": p, "MfaConfiguration": "OPTIONAL",
                   "EmailMfaConfiguration": {"Message": "Code {####}", "Subject": "Code"}}),
        )
    };
    // Cognito's default sender, named or by default.
    for extra in [
        json!({}),
        json!({"EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"}}),
    ] {
        let p = pool(&emu, extra);
        assert_eq!(
            email_mfa(&p),
            Err((
                "InvalidParameterException".to_string(),
                "Cannot set EmailMfaConfiguration when user pool EmailConfiguration contains \
                 an EmailSendingAccount of COGNITO_DEFAULT.Update the value of \
                 EmailSendingAccount"
                    .to_string()
            ))
        );
        let c = ok(&emu, "GetUserPoolMfaConfig", json!({"UserPoolId": p}));
        assert_eq!(c["MfaConfiguration"], "OFF", "nothing was configured");
    }
    let ses = Value::Object(crate::common::ses_email());
    // The Lite tier has no e-mail MFA, whatever the sender.
    let mut lite = ses.clone();
    lite["UserPoolTier"] = json!("LITE");
    let p = pool(&emu, lite);
    assert_eq!(
        email_mfa(&p),
        Err((
            "FeatureUnavailableInTierException".to_string(),
            "The following feature is not available for the LITE pricing tier configured: \
             Email MFA"
                .to_string()
        ))
    );
    // SES on the Essentials tier (the default): accepted.
    let p = pool(&emu, ses);
    let r = email_mfa(&p).expect("e-mail MFA with SES");
    assert_eq!(r["EmailMfaConfiguration"]["Subject"], "Code");
    // Turning MFA off with an e-mail configuration is refused first, whatever the sender.
    let p = pool(&emu, json!({}));
    let (ty, m) = err(
        &emu,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": p, "MfaConfiguration": "OFF",
               "EmailMfaConfiguration": {"Message": "Code {####}", "Subject": "Code"}}),
    );
    assert_eq!(ty, "InvalidParameterException");
    assert!(
        m.contains("can't turn off MFA and configure an MFA together"),
        "{m}"
    );
}

// ---------------------------------------------------------------------------------------
// Client flows

#[test]
fn a_client_always_allows_refresh() {
    let emu = start();
    let p = pool(&emu, json!({}));
    let refused = Err((
        "InvalidParameterException".to_string(),
        "REFRESH_TOKEN_AUTH should always be allowed.".to_string(),
    ));
    assert_eq!(
        create_client(
            &emu,
            &p,
            json!({"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"]})
        ),
        refused
    );
    let c = create_client(
        &emu,
        &p,
        json!({"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .expect("with refresh");
    let id = c["ClientId"].as_str().expect("client id");
    // UpdateUserPoolClient applies the same rule, and the client keeps its flows.
    assert_eq!(
        op(
            &emu,
            "UpdateUserPoolClient",
            json!({"UserPoolId": p, "ClientId": id,
                   "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}),
        ),
        refused
    );
    let d = ok(
        &emu,
        "DescribeUserPoolClient",
        json!({"UserPoolId": p, "ClientId": id}),
    );
    assert_eq!(
        d["UserPoolClient"]["ExplicitAuthFlows"],
        json!(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    );
    // The legacy values imply refresh.
    create_client(
        &emu,
        &p,
        json!({"ExplicitAuthFlows": ["ADMIN_NO_SRP_AUTH"]}),
    )
    .expect("legacy flows");
}
