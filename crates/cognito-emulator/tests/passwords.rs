//! NEW_PASSWORD_REQUIRED, forgot/change password and admin user management.

use crate::common;

use cognito_emulator::MessageKind;
use common::*;
use serde_json::json;

#[test]
fn admin_created_user_gets_new_password_required() {
    let s = setup();
    let r = ok(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "ann",
        "UserAttributes": [{"Name": "email", "Value": "ann@example.com"}]}),
    );
    assert_eq!(r["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD");
    let temp = s
        .emu
        .last_code("ann", MessageKind::Invite)
        .expect("invite with temporary password");
    let ch = s.password_auth("ann", &temp).unwrap();
    assert_eq!(ch["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let p = &ch["ChallengeParameters"];
    assert_eq!(p["requiredAttributes"], "[]");
    let attrs: serde_json::Value =
        serde_json::from_str(p["userAttributes"].as_str().unwrap()).unwrap();
    assert_eq!(attrs["email"], "ann@example.com");
    let (ty, _) = s
        .respond(
            "NEW_PASSWORD_REQUIRED",
            &ch["Session"],
            json!({"USERNAME": "ann", "NEW_PASSWORD": "weak"}),
        )
        .unwrap_err();
    assert_eq!(ty, "InvalidPasswordException");
    // The failed step consumed the session: start again.
    let ch = s.password_auth("ann", &temp).unwrap();
    let r = s.respond("NEW_PASSWORD_REQUIRED", &ch["Session"],
        json!({"USERNAME": "ann", "NEW_PASSWORD": "N3wPassw0rd!", "userAttributes.name": "Ann"})).unwrap();
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["name"], "Ann");
    let u = ok(
        &s.emu,
        "AdminGetUser",
        json!({"UserPoolId": s.pool_id, "Username": "ann"}),
    );
    assert_eq!(u["UserStatus"], "CONFIRMED");
    assert!(s.password_auth("ann", "N3wPassw0rd!").unwrap()["AuthenticationResult"].is_object());
}

#[test]
fn new_password_required_then_srp() {
    let s = setup();
    ok(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "bea",
        "TemporaryPassword": "Temp0rary!", "MessageAction": "SUPPRESS"}),
    );
    assert!(s.emu.messages(Some("bea")).is_empty());
    let r = s.srp_sign_in("bea", "Temp0rary!", json!({})).unwrap();
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(r["ChallengeParameters"]["USER_ID_FOR_SRP"], "bea");
    let r = s
        .respond(
            "NEW_PASSWORD_REQUIRED",
            &r["Session"],
            json!({"USERNAME": "bea", "NEW_PASSWORD": "N3wPassw0rd!"}),
        )
        .unwrap();
    assert!(r["AuthenticationResult"].is_object());
    assert!(
        s.srp_sign_in("bea", "N3wPassw0rd!", json!({})).unwrap()["AuthenticationResult"]
            .is_object()
    );
}

#[test]
fn temporary_password_expires() {
    let s = setup();
    ok(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "cid",
        "TemporaryPassword": "Temp0rary!", "MessageAction": "SUPPRESS"}),
    );
    s.emu.advance_clock(8 * 86400);
    let (ty, m) = s.password_auth("cid", "Temp0rary!").unwrap_err();
    assert_eq!(ty, "NotAuthorizedException");
    assert_eq!(
        m,
        "Temporary password has expired and must be reset by an administrator."
    );
}

#[test]
fn forgot_password_flow() {
    let s = setup();
    s.user("dot", &[("email", "dot@example.com")]);
    let r = ok(
        &s.emu,
        "ForgotPassword",
        json!({"ClientId": s.client_id, "Username": "dot"}),
    );
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let code = s.emu.last_code("dot", MessageKind::ForgotPassword).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (ty, _) = err(
        &s.emu,
        "ConfirmForgotPassword",
        json!({"ClientId": s.client_id, "Username": "dot",
        "ConfirmationCode": wrong, "Password": "Rec0vered!"}),
    );
    assert_eq!(ty, "CodeMismatchException");
    let (ty, _) = err(
        &s.emu,
        "ConfirmForgotPassword",
        json!({"ClientId": s.client_id, "Username": "dot",
        "ConfirmationCode": code, "Password": "weak"}),
    );
    assert_eq!(ty, "InvalidPasswordException");
    ok(
        &s.emu,
        "ConfirmForgotPassword",
        json!({"ClientId": s.client_id, "Username": "dot",
        "ConfirmationCode": code, "Password": "Rec0vered!"}),
    );
    assert!(s.password_auth("dot", "Rec0vered!").is_ok());
    assert!(s.password_auth("dot", PASSWORD).is_err());
    // The code is single-use.
    let (ty, _) = err(
        &s.emu,
        "ConfirmForgotPassword",
        json!({"ClientId": s.client_id, "Username": "dot",
        "ConfirmationCode": code, "Password": "Ag4in-Passw0rd"}),
    );
    assert_eq!(ty, "ExpiredCodeException");
}

#[test]
fn forgot_password_code_expires_after_an_hour() {
    let s = setup();
    s.user("eda", &[("email", "eda@example.com")]);
    ok(
        &s.emu,
        "ForgotPassword",
        json!({"ClientId": s.client_id, "Username": "eda"}),
    );
    let code = s.emu.last_code("eda", MessageKind::ForgotPassword).unwrap();
    s.emu.advance_clock(3601);
    let (ty, _) = err(
        &s.emu,
        "ConfirmForgotPassword",
        json!({"ClientId": s.client_id, "Username": "eda",
        "ConfirmationCode": code, "Password": "Rec0vered!"}),
    );
    assert_eq!(ty, "ExpiredCodeException");
}

#[test]
fn forgot_password_needs_a_verified_channel() {
    let s = setup();
    s.user("flo", &[]);
    let (ty, m) = err(
        &s.emu,
        "ForgotPassword",
        json!({"ClientId": s.client_id, "Username": "flo"}),
    );
    assert_eq!(ty, "InvalidParameterException");
    assert!(m.starts_with("Cannot reset password for the user"), "{m}");
}

/// The channel `ForgotPassword` picks for a user with a verified e-mail address and phone
/// number, in a pool created with `extra` (e.g. an `AccountRecoverySetting`).
fn recovery_medium(extra: serde_json::Value, sms_mfa: bool) -> Result<String, (String, String)> {
    let pool = cognito_emulator::PoolConfig {
        extra: extra.as_object().unwrap().clone(),
        ..Default::default()
    };
    let s = setup_with(pool, Default::default());
    s.user(
        "rae",
        &[
            ("email", "rae@example.com"),
            ("phone_number", "+15550001234"),
        ],
    );
    if sms_mfa {
        ok(
            &s.emu,
            "AdminSetUserMFAPreference",
            json!({"UserPoolId": s.pool_id, "Username": "rae",
                   "SMSMfaSettings": {"Enabled": true}}),
        );
    }
    op(
        &s.emu,
        "ForgotPassword",
        json!({"ClientId": s.client_id, "Username": "rae"}),
    )
    .map(|r| {
        r["CodeDeliveryDetails"]["DeliveryMedium"]
            .as_str()
            .unwrap()
            .to_string()
    })
}

#[test]
fn forgot_password_follows_the_pools_account_recovery_setting() {
    let sms_mfa_pool = json!({"MfaConfiguration": "OPTIONAL",
        "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns"}});
    // No setting: the legacy rule, a verified phone number first, even one used for SMS MFA.
    assert_eq!(recovery_medium(json!({}), false).unwrap(), "SMS");
    assert_eq!(recovery_medium(sms_mfa_pool.clone(), true).unwrap(), "SMS");
    let email_first = json!({"AccountRecoverySetting": {"RecoveryMechanisms": [
        {"Name": "verified_email", "Priority": 1},
        {"Name": "verified_phone_number", "Priority": 2}]}});
    assert_eq!(recovery_medium(email_first, false).unwrap(), "EMAIL");
    // With the setting, a phone number that receives SMS MFA codes does not qualify.
    let mut phone_first = sms_mfa_pool.clone();
    phone_first["AccountRecoverySetting"] = json!({"RecoveryMechanisms": [
        {"Name": "verified_phone_number", "Priority": 1},
        {"Name": "verified_email", "Priority": 2}]});
    assert_eq!(recovery_medium(phone_first.clone(), false).unwrap(), "SMS");
    assert_eq!(recovery_medium(phone_first, true).unwrap(), "EMAIL");
    let mut phone_only = sms_mfa_pool;
    phone_only["AccountRecoverySetting"] =
        json!({"RecoveryMechanisms": [{"Name": "verified_phone_number", "Priority": 1}]});
    let (ty, _) = recovery_medium(phone_only, true).unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
}

#[test]
fn reset_required_user_must_reset() {
    let s = setup();
    s.user("gwen", &[("email", "gwen@example.com")]);
    ok(
        &s.emu,
        "AdminResetUserPassword",
        json!({"UserPoolId": s.pool_id, "Username": "gwen"}),
    );
    let (ty, _) = s.password_auth("gwen", PASSWORD).unwrap_err();
    assert_eq!(ty, "PasswordResetRequiredException");
    let code = s
        .emu
        .last_code("gwen", MessageKind::ForgotPassword)
        .unwrap();
    ok(
        &s.emu,
        "ConfirmForgotPassword",
        json!({"ClientId": s.client_id, "Username": "gwen",
        "ConfirmationCode": code, "Password": "Rec0vered!"}),
    );
    assert!(s.password_auth("gwen", "Rec0vered!").is_ok());
}

#[test]
fn change_password_checks_the_previous_one() {
    let s = setup();
    s.user("hope", &[]);
    let at = s.tokens("hope")["AccessToken"].clone();
    let (ty, m) = err(
        &s.emu,
        "ChangePassword",
        json!({"AccessToken": at,
        "PreviousPassword": "Wr0ng-one!", "ProposedPassword": "Chang3d-pw!"}),
    );
    assert_eq!(
        (ty.as_str(), m.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    ok(
        &s.emu,
        "ChangePassword",
        json!({"AccessToken": at,
        "PreviousPassword": PASSWORD, "ProposedPassword": "Chang3d-pw!"}),
    );
    assert!(s.password_auth("hope", "Chang3d-pw!").is_ok());
    // Existing tokens stay valid.
    assert!(op(&s.emu, "GetUser", json!({"AccessToken": at})).is_ok());
}

#[test]
fn admin_operations_round_trip() {
    let s = setup();
    s.user("ivo", &[("email", "ivo@example.com")]);
    let u = ok(
        &s.emu,
        "AdminGetUser",
        json!({"UserPoolId": s.pool_id, "Username": "ivo"}),
    );
    assert_eq!(u["Enabled"], true);
    assert!(u["UserCreateDate"].is_number());
    let list = ok(
        &s.emu,
        "ListUsers",
        json!({"UserPoolId": s.pool_id, "Filter": "email = \"ivo@example.com\""}),
    );
    assert_eq!(list["Users"].as_array().unwrap().len(), 1);
    let d = ok(
        &s.emu,
        "DescribeUserPoolClient",
        json!({"UserPoolId": s.pool_id, "ClientId": s.client_id}),
    );
    assert_eq!(d["UserPoolClient"]["ClientId"], s.client_id.as_str());
    ok(
        &s.emu,
        "UpdateUserPool",
        json!({"UserPoolId": s.pool_id, "MfaConfiguration": "OPTIONAL"}),
    );
    let p = ok(&s.emu, "DescribeUserPool", json!({"UserPoolId": s.pool_id}));
    assert_eq!(p["UserPool"]["MfaConfiguration"], "OPTIONAL");
    let m = ok(
        &s.emu,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": s.pool_id, "MfaConfiguration": "ON",
        "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    );
    assert_eq!(m["MfaConfiguration"], "ON");
    ok(
        &s.emu,
        "AdminDeleteUser",
        json!({"UserPoolId": s.pool_id, "Username": "ivo"}),
    );
    let (ty, _) = err(
        &s.emu,
        "AdminGetUser",
        json!({"UserPoolId": s.pool_id, "Username": "ivo"}),
    );
    assert_eq!(ty, "UserNotFoundException");
    ok(&s.emu, "DeleteUserPool", json!({"UserPoolId": s.pool_id}));
    let (ty, _) = err(&s.emu, "DescribeUserPool", json!({"UserPoolId": s.pool_id}));
    assert_eq!(ty, "ResourceNotFoundException");
}

#[test]
fn admin_initiate_auth_with_admin_password_flow() {
    let s = setup();
    s.user("adm", &[]);
    let r = ok(
        &s.emu,
        "AdminInitiateAuth",
        json!({"UserPoolId": s.pool_id, "ClientId": s.client_id,
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "adm", "PASSWORD": PASSWORD}}),
    );
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    let (ty, _) = err(
        &s.emu,
        "AdminInitiateAuth",
        json!({"UserPoolId": "us-east-1_other", "ClientId": s.client_id,
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "adm", "PASSWORD": PASSWORD}}),
    );
    assert_eq!(ty, "ResourceNotFoundException");
    // The public InitiateAuth refuses the admin flows.
    let (ty, _) = err(
        &s.emu,
        "InitiateAuth",
        json!({"ClientId": s.client_id,
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "adm", "PASSWORD": PASSWORD}}),
    );
    assert_eq!(ty, "InvalidParameterException");
}

#[test]
fn pitfall_11_new_password_required_with_required_and_read_only_attributes() {
    let s = setup_with(
        cognito_emulator::PoolConfig {
            required_attributes: vec!["name".into(), "email".into()],
            ..Default::default()
        },
        Default::default(),
    );
    ok(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "req",
        "TemporaryPassword": "Temp0rary!", "MessageAction": "SUPPRESS",
        "UserAttributes": [{"Name": "email", "Value": "req@example.com"},
                           {"Name": "email_verified", "Value": "true"}]}),
    );
    let start = || s.password_auth("req", "Temp0rary!").unwrap();
    let ch = start();
    assert_eq!(ch["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(
        ch["ChallengeParameters"]["requiredAttributes"],
        "[\"userAttributes.name\"]"
    );
    // Sending back a read-only attribute is refused.
    let (t, m) = s.respond("NEW_PASSWORD_REQUIRED", &ch["Session"], json!({"USERNAME": "req",
        "NEW_PASSWORD": "N3wPassw0rd!", "userAttributes.name": "R", "userAttributes.email_verified": "true"}))
        .unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "NotAuthorizedException",
            "A client attempted to write unauthorized attribute"
        )
    );
    // Changing a required attribute that already has a value is refused.
    let ch = start();
    let (t, m) = s.respond("NEW_PASSWORD_REQUIRED", &ch["Session"], json!({"USERNAME": "req",
        "NEW_PASSWORD": "N3wPassw0rd!", "userAttributes.name": "R", "userAttributes.email": "req@example.com"}))
        .unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "InvalidParameterException",
            "Cannot modify an already provided email"
        )
    );
    // A missing required attribute is refused.
    let ch = start();
    let (t, m) = s
        .respond(
            "NEW_PASSWORD_REQUIRED",
            &ch["Session"],
            json!({"USERNAME": "req",
        "NEW_PASSWORD": "N3wPassw0rd!"}),
        )
        .unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "InvalidParameterException",
            "Invalid attributes given, name is missing"
        )
    );
    // The right answer: only the missing required attribute, without the prefix in the result.
    let ch = start();
    let r = s
        .respond(
            "NEW_PASSWORD_REQUIRED",
            &ch["Session"],
            json!({"USERNAME": "req",
        "NEW_PASSWORD": "N3wPassw0rd!", "userAttributes.name": "Rea"}),
        )
        .unwrap();
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["name"], "Rea");
    // SignUp enforces the schema too.
    let (t, m) = err(
        &s.emu,
        "SignUp",
        json!({"ClientId": s.client_id, "Username": "nobody", "Password": PASSWORD,
        "UserAttributes": [{"Name": "email", "Value": "n@example.com"}]}),
    );
    assert_eq!(t, "InvalidParameterException");
    assert!(m.contains("name: The attribute is required"), "{m}");
}
