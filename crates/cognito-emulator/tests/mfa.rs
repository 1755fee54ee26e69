//! MFA: TOTP (RFC 6238), SMS and email codes, MFA_SETUP, SELECT_MFA_TYPE, preferences.

use crate::common;

use cognito_emulator::{ClientConfig, MessageKind, MfaConfiguration, PoolConfig, totp};
use common::*;
use serde_json::{Value, json};

fn pool(mfa: MfaConfiguration) -> Setup {
    setup_with(
        PoolConfig {
            mfa,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )
}

/// Associates and verifies a TOTP authenticator through the access token; returns the secret.
fn enrol_totp(s: &Setup, access: &Value) -> String {
    let r = ok(
        &s.emu,
        "AssociateSoftwareToken",
        json!({"AccessToken": access}),
    );
    let secret = r["SecretCode"].as_str().unwrap().to_string();
    assert!(secret.len() >= 16 && secret.chars().all(|c| c.is_ascii_alphanumeric()));
    let code = totp::code(&secret, s.emu.now()).unwrap();
    let r = ok(
        &s.emu,
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": code}),
    );
    assert_eq!(r["Status"], "SUCCESS");
    secret
}

fn other_code(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

#[test]
fn totp_enrolment_and_software_token_mfa_sign_in() {
    let s = pool(MfaConfiguration::Optional);
    s.user("alice", &[]);
    let t = s.tokens("alice");
    let at = t["AccessToken"].clone();
    // Enabling TOTP before an authenticator is verified fails.
    let (ty, m) = err(
        &s.emu,
        "SetUserMFAPreference",
        json!({"AccessToken": at,
        "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    assert_eq!(ty, "InvalidParameterException");
    assert_eq!(
        m,
        "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"
    );
    let secret = enrol_totp(&s, &at);
    // OPTIONAL pool: a verified authenticator alone does not trigger MFA.
    assert!(s.password_auth("alice", PASSWORD).unwrap()["AuthenticationResult"].is_object());
    ok(
        &s.emu,
        "SetUserMFAPreference",
        json!({"AccessToken": at,
        "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let me = ok(&s.emu, "GetUser", json!({"AccessToken": at}));
    assert_eq!(me["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));
    assert_eq!(me["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
    let ch = s.password_auth("alice", PASSWORD).unwrap();
    assert_eq!(ch["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    // The enrolment used this step's code: the next one answers the challenge.
    s.emu.advance_clock(30);
    let code = totp::code(&secret, s.emu.now()).unwrap();
    let r = s
        .respond(
            "SOFTWARE_TOKEN_MFA",
            &ch["Session"],
            json!({"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code}),
        )
        .unwrap();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
}

#[test]
fn wrong_totp_is_code_mismatch_and_the_session_can_retry() {
    let s = pool(MfaConfiguration::Optional);
    s.user("bob", &[]);
    let at = s.tokens("bob")["AccessToken"].clone();
    let secret = enrol_totp(&s, &at);
    ok(
        &s.emu,
        "SetUserMFAPreference",
        json!({"AccessToken": at,
        "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let ch = s.password_auth("bob", PASSWORD).unwrap();
    let now = s.emu.now();
    // Two steps away: rejected; one step away: accepted.
    let far = totp::code(&secret, now - 60).unwrap();
    let good_now = totp::code(&secret, now).unwrap();
    let bad = if far == good_now
        || far == totp::code(&secret, now - 30).unwrap()
        || far == totp::code(&secret, now + 30).unwrap()
    {
        other_code(&good_now)
    } else {
        far
    };
    let (ty, _) = s
        .respond(
            "SOFTWARE_TOKEN_MFA",
            &ch["Session"],
            json!({"USERNAME": "bob", "SOFTWARE_TOKEN_MFA_CODE": bad}),
        )
        .unwrap_err();
    assert_eq!(ty, "CodeMismatchException");
    let prev = totp::code(&secret, now - 30).unwrap();
    let r = s
        .respond(
            "SOFTWARE_TOKEN_MFA",
            &ch["Session"],
            json!({"USERNAME": "bob", "SOFTWARE_TOKEN_MFA_CODE": prev}),
        )
        .unwrap();
    assert!(r["AuthenticationResult"].is_object());
}

/// Signs in with the password and answers SOFTWARE_TOKEN_MFA with `code`.
fn totp_sign_in(s: &Setup, user: &str, code: &str) -> Result<Value, (String, String)> {
    let ch = s.password_auth(user, PASSWORD).unwrap();
    assert_eq!(ch["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    s.respond(
        "SOFTWARE_TOKEN_MFA",
        &ch["Session"],
        json!({"USERNAME": user, "SOFTWARE_TOKEN_MFA_CODE": code}),
    )
}

/// A TOTP code is accepted at most once per user and time step, across
/// VerifySoftwareToken and SOFTWARE_TOKEN_MFA: someone who saw a code cannot sign in with it
/// after its owner did.
#[test]
fn a_totp_code_is_accepted_once() {
    let s = pool(MfaConfiguration::Optional);
    s.user("tess", &[]);
    let at = s.tokens("tess")["AccessToken"].clone();
    let r = ok(&s.emu, "AssociateSoftwareToken", json!({"AccessToken": at}));
    let secret = r["SecretCode"].as_str().unwrap().to_string();
    let enrolment_code = totp::code(&secret, s.emu.now()).unwrap();
    ok(
        &s.emu,
        "VerifySoftwareToken",
        json!({"AccessToken": at, "UserCode": enrolment_code}),
    );
    ok(
        &s.emu,
        "SetUserMFAPreference",
        json!({"AccessToken": at,
        "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    // The code that enrolled the authenticator cannot sign in.
    let (ty, m) = totp_sign_in(&s, "tess", &enrolment_code).unwrap_err();
    assert_eq!(
        (ty.as_str(), m.as_str()),
        (
            "ExpiredCodeException",
            "Your software token has already been used once."
        )
    );
    // The next step's code signs in once; replaying it, in a new sign-in or in the same
    // window a step later, fails.
    s.emu.advance_clock(30);
    let code = totp::code(&secret, s.emu.now()).unwrap();
    assert!(totp_sign_in(&s, "tess", &code).unwrap()["AuthenticationResult"].is_object());
    let (ty, _) = totp_sign_in(&s, "tess", &code).unwrap_err();
    assert_eq!(ty, "ExpiredCodeException");
    s.emu.advance_clock(30);
    let (ty, _) = totp_sign_in(&s, "tess", &code).unwrap_err();
    assert_eq!(ty, "ExpiredCodeException");
    // A replay counts as a wrong attempt: the session stays for the right code.
    let ch = s.password_auth("tess", PASSWORD).unwrap();
    let answer = |c: &str| {
        s.respond(
            "SOFTWARE_TOKEN_MFA",
            &ch["Session"],
            json!({"USERNAME": "tess", "SOFTWARE_TOKEN_MFA_CODE": c}),
        )
    };
    assert_eq!(answer(&code).unwrap_err().0, "ExpiredCodeException");
    let fresh = totp::code(&secret, s.emu.now()).unwrap();
    assert!(answer(&fresh).unwrap()["AuthenticationResult"].is_object());
}

#[test]
fn verify_software_token_with_wrong_code_fails() {
    let s = pool(MfaConfiguration::Optional);
    s.user("cy", &[]);
    let at = s.tokens("cy")["AccessToken"].clone();
    let r = ok(&s.emu, "AssociateSoftwareToken", json!({"AccessToken": at}));
    let code = totp::code(r["SecretCode"].as_str().unwrap(), s.emu.now()).unwrap();
    let (ty, _) = err(
        &s.emu,
        "VerifySoftwareToken",
        json!({"AccessToken": at, "UserCode": other_code(&code)}),
    );
    assert_eq!(ty, "EnableSoftwareTokenMFAException");
    let (ty, _) = err(
        &s.emu,
        "VerifySoftwareToken",
        json!({"AccessToken": at, "UserCode": "12ab56"}),
    );
    assert_eq!(ty, "InvalidParameterException");
    let (ty, _) = err(&s.emu, "AssociateSoftwareToken", json!({}));
    assert_eq!(ty, "InvalidParameterException");
}

#[test]
fn mfa_required_pool_forces_totp_setup() {
    let s = pool(MfaConfiguration::On);
    s.user("dee", &[]);
    let ch = s.password_auth("dee", PASSWORD).unwrap();
    assert_eq!(ch["ChallengeName"], "MFA_SETUP");
    let can: Vec<String> = serde_json::from_str(
        ch["ChallengeParameters"]["MFAS_CAN_SETUP"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert!(can.contains(&"SOFTWARE_TOKEN_MFA".to_string()));
    let a = ok(
        &s.emu,
        "AssociateSoftwareToken",
        json!({"Session": ch["Session"]}),
    );
    assert_ne!(a["Session"], ch["Session"]);
    let code = totp::code(a["SecretCode"].as_str().unwrap(), s.emu.now()).unwrap();
    let v = ok(
        &s.emu,
        "VerifySoftwareToken",
        json!({"Session": a["Session"], "UserCode": code,
        "FriendlyDeviceName": "phone"}),
    );
    assert_eq!(v["Status"], "SUCCESS");
    let r = s
        .respond("MFA_SETUP", &v["Session"], json!({"USERNAME": "dee"}))
        .unwrap();
    let at = r["AuthenticationResult"]["AccessToken"].clone();
    let me = ok(&s.emu, "GetUser", json!({"AccessToken": at}));
    assert_eq!(me["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
    // Next sign-in asks for the TOTP code.
    assert_eq!(
        s.password_auth("dee", PASSWORD).unwrap()["ChallengeName"],
        "SOFTWARE_TOKEN_MFA"
    );
}

#[test]
fn mfa_setup_with_email() {
    let s = pool(MfaConfiguration::On);
    s.user("eve", &[]);
    let ch = s.password_auth("eve", PASSWORD).unwrap();
    let r = s
        .respond(
            "MFA_SETUP",
            &ch["Session"],
            json!({"USERNAME": "eve", "EMAIL": "eve@example.com"}),
        )
        .unwrap();
    assert_eq!(r["ChallengeName"], "EMAIL_OTP");
    let code = s.emu.last_code("eve", MessageKind::Mfa).unwrap();
    let r = s
        .respond(
            "EMAIL_OTP",
            &r["Session"],
            json!({"USERNAME": "eve", "EMAIL_OTP_CODE": code}),
        )
        .unwrap();
    assert!(r["AuthenticationResult"].is_object());
    assert_eq!(
        s.password_auth("eve", PASSWORD).unwrap()["ChallengeName"],
        "EMAIL_OTP"
    );
}

#[test]
fn sms_mfa_code_from_messages_hook() {
    let s = pool(MfaConfiguration::Optional);
    s.user("fay", &[("phone_number", "+15551234567")]);
    ok(
        &s.emu,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": s.pool_id, "Username": "fay",
        "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let ch = s.password_auth("fay", PASSWORD).unwrap();
    assert_eq!(ch["ChallengeName"], "SMS_MFA");
    assert_eq!(
        ch["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "SMS"
    );
    assert_eq!(
        ch["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "+*******4567"
    );
    let msg = s.emu.messages(Some("fay")).pop().unwrap();
    assert_eq!(
        (msg.kind.as_str(), msg.delivery_medium.as_str()),
        ("MFA", "SMS")
    );
    let (ty, _) = s
        .respond(
            "SMS_MFA",
            &ch["Session"],
            json!({"USERNAME": "fay", "SMS_MFA_CODE": other_code(&msg.code)}),
        )
        .unwrap_err();
    assert_eq!(ty, "CodeMismatchException");
    let r = s
        .respond(
            "SMS_MFA",
            &ch["Session"],
            json!({"USERNAME": "fay", "SMS_MFA_CODE": msg.code}),
        )
        .unwrap();
    assert!(r["AuthenticationResult"].is_object());
}

#[test]
fn mfa_code_expires_with_the_session() {
    let s = pool(MfaConfiguration::Optional);
    s.user("gus", &[("email", "gus@example.com")]);
    ok(
        &s.emu,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": s.pool_id, "Username": "gus",
        "EmailMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let ch = s.password_auth("gus", PASSWORD).unwrap();
    assert_eq!(ch["ChallengeName"], "EMAIL_OTP");
    let code = s.emu.last_code("gus", MessageKind::Mfa).unwrap();
    s.emu.advance_clock(200);
    let (ty, m) = s
        .respond(
            "EMAIL_OTP",
            &ch["Session"],
            json!({"USERNAME": "gus", "EMAIL_OTP_CODE": code}),
        )
        .unwrap_err();
    assert_eq!(
        (ty.as_str(), m.as_str()),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired."
        )
    );
}

#[test]
fn select_mfa_type_when_several_factors_and_no_preference() {
    let s = pool(MfaConfiguration::Optional);
    s.user(
        "hil",
        &[
            ("phone_number", "+15550009999"),
            ("email", "hil@example.com"),
        ],
    );
    ok(
        &s.emu,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": s.pool_id, "Username": "hil",
        "SMSMfaSettings": {"Enabled": true}, "EmailMfaSettings": {"Enabled": true}}),
    );
    let ch = s.password_auth("hil", PASSWORD).unwrap();
    assert_eq!(ch["ChallengeName"], "SELECT_MFA_TYPE");
    let choose: Vec<String> = serde_json::from_str(
        ch["ChallengeParameters"]["MFAS_CAN_CHOOSE"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(choose, vec!["SMS_MFA", "EMAIL_OTP"]);
    let r = s
        .respond(
            "SELECT_MFA_TYPE",
            &ch["Session"],
            json!({"USERNAME": "hil", "ANSWER": "EMAIL_OTP"}),
        )
        .unwrap();
    assert_eq!(r["ChallengeName"], "EMAIL_OTP");
    let code = s.emu.last_code("hil", MessageKind::Mfa).unwrap();
    let r = s
        .respond(
            "EMAIL_OTP",
            &r["Session"],
            json!({"USERNAME": "hil", "EMAIL_OTP_CODE": code}),
        )
        .unwrap();
    assert!(r["AuthenticationResult"].is_object());
}

#[test]
fn mfa_preference_rules() {
    let s = pool(MfaConfiguration::Optional);
    s.user(
        "ida",
        &[
            ("phone_number", "+15550001234"),
            ("email", "ida@example.com"),
        ],
    );
    let at = s.tokens("ida")["AccessToken"].clone();
    let (ty, _) = err(
        &s.emu,
        "SetUserMFAPreference",
        json!({"AccessToken": at,
        "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true},
        "EmailMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    assert_eq!(ty, "InvalidParameterException");
    let (ty, _) = err(
        &s.emu,
        "SetUserMFAPreference",
        json!({"AccessToken": at,
        "SMSMfaSettings": {"Enabled": false, "PreferredMfa": true}}),
    );
    assert_eq!(ty, "InvalidParameterException");
    ok(
        &s.emu,
        "SetUserMFAPreference",
        json!({"AccessToken": at,
        "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    ok(
        &s.emu,
        "SetUserMFAPreference",
        json!({"AccessToken": at, "SMSMfaSettings": {"Enabled": false}}),
    );
    let me = ok(&s.emu, "GetUser", json!({"AccessToken": at}));
    assert!(me.get("UserMFASettingList").is_none());
    assert!(me.get("PreferredMfaSetting").is_none());
}

#[test]
fn mfa_off_pool_never_challenges() {
    let s = pool(MfaConfiguration::Off);
    s.user("jo", &[("phone_number", "+15550004321")]);
    ok(
        &s.emu,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": s.pool_id, "Username": "jo",
        "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    assert!(s.password_auth("jo", PASSWORD).unwrap()["AuthenticationResult"].is_object());
}
