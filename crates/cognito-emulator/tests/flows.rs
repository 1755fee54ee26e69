//! CUSTOM_AUTH (built-in scenario and closures), USER_AUTH, identity pools (passkeys are in
//! `passkeys.rs`).

use crate::common;

use cognito_emulator::custom::{CreateOutput, DefineOutput};
use cognito_emulator::{ClientConfig, CustomAuth, MessageKind, PoolConfig};
use cognito_proto::srp;
use common::*;
use serde_json::{Value, json};

fn custom_pool() -> Setup {
    setup_with(
        PoolConfig {
            custom_auth_trigger: true,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )
}

fn custom_start(s: &Setup, user: &str) -> Result<Value, (String, String)> {
    op(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"USERNAME": user}}),
    )
}

#[test]
fn builtin_custom_challenge_with_code_from_messages() {
    let s = custom_pool();
    s.user("ada", &[("email", "ada@example.com")]);
    let ch = custom_start(&s, "ada").unwrap();
    assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(ch["ChallengeParameters"]["USERNAME"], "ada");
    let code = s.emu.last_code("ada", MessageKind::Custom).unwrap();
    let r = s
        .respond(
            "CUSTOM_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "ada", "ANSWER": code}),
        )
        .unwrap();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
}

#[test]
fn builtin_custom_challenge_fails_on_the_third_wrong_answer() {
    let s = custom_pool();
    s.user("ben", &[]);
    let mut ch = custom_start(&s, "ben").unwrap();
    for round in 1..=3 {
        let code = s.emu.last_code("ben", MessageKind::Custom).unwrap();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let r = s.respond(
            "CUSTOM_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "ben", "ANSWER": wrong}),
        );
        if round < 3 {
            ch = r.unwrap();
            assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE");
        } else {
            assert_eq!(r.unwrap_err().0, "NotAuthorizedException");
        }
    }
    // A user without email or phone gets codes at a placeholder address.
    let msg = s.emu.messages(Some("ben")).pop().unwrap();
    assert!(msg.destination.ends_with(".invalid"));
}

#[test]
fn custom_auth_with_srp_first() {
    let s = custom_pool();
    s.user("cal", &[("email", "cal@example.com")]);
    let eph = srp::Ephemeral::generate(&mut rand::rng());
    let ch = ok(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"USERNAME": "cal", "SRP_A": eph.public_hex(), "CHALLENGE_NAME": "SRP_A"}}),
    );
    assert_eq!(ch["ChallengeName"], "PASSWORD_VERIFIER");
    let resp = s.srp_claim(&eph, &ch, PASSWORD, &srp::format_timestamp(s.emu.now()));
    let r = s
        .respond("PASSWORD_VERIFIER", &ch["Session"], resp)
        .unwrap();
    assert_eq!(r["ChallengeName"], "CUSTOM_CHALLENGE");
    let code = s.emu.last_code("cal", MessageKind::Custom).unwrap();
    let r = s
        .respond(
            "CUSTOM_CHALLENGE",
            &r["Session"],
            json!({"USERNAME": "cal", "ANSWER": code}),
        )
        .unwrap();
    assert!(r["AuthenticationResult"].is_object());
}

#[test]
fn custom_auth_needs_a_trigger() {
    let s = setup();
    s.user("dan", &[]);
    assert_eq!(
        custom_start(&s, "dan").unwrap_err().0,
        "InvalidParameterException"
    );
}

#[test]
fn custom_auth_closures_decide() {
    let s = setup();
    s.user("eva", &[]);
    let hooks = CustomAuth::new(
        |input| {
            let last = input.session.last();
            match last {
                Some(r) if r.challenge_result => DefineOutput {
                    issue_tokens: true,
                    ..Default::default()
                },
                Some(_) => DefineOutput {
                    fail_authentication: true,
                    ..Default::default()
                },
                None => DefineOutput {
                    challenge_name: Some("CUSTOM_CHALLENGE".into()),
                    ..Default::default()
                },
            }
        },
        |_| CreateOutput {
            public_challenge_parameters: [("question".to_string(), "2+2?".to_string())].into(),
            private_challenge_parameters: [("answer".to_string(), "4".to_string())].into(),
            challenge_metadata: Some("math".into()),
        },
        |input| input.private_challenge_parameters.get("answer") == Some(&input.challenge_answer),
    );
    s.emu.set_custom_auth(&s.pool_id, hooks).unwrap();
    let ch = custom_start(&s, "eva").unwrap();
    assert_eq!(ch["ChallengeParameters"]["question"], "2+2?");
    let r = s
        .respond(
            "CUSTOM_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "eva", "ANSWER": "4"}),
        )
        .unwrap();
    assert!(r["AuthenticationResult"].is_object());
    let ch = custom_start(&s, "eva").unwrap();
    let (ty, _) = s
        .respond(
            "CUSTOM_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "eva", "ANSWER": "5"}),
        )
        .unwrap_err();
    assert_eq!(ty, "NotAuthorizedException");
}

fn choice_pool() -> Setup {
    setup_with(
        PoolConfig {
            allowed_first_auth_factors: vec![
                "PASSWORD".into(),
                "EMAIL_OTP".into(),
                "WEB_AUTHN".into(),
            ],
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )
}

fn user_auth(s: &Setup, params: Value) -> Result<Value, (String, String)> {
    op(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": s.client_id, "AuthParameters": params}),
    )
}

#[test]
fn user_auth_select_challenge_then_password_srp() {
    let s = choice_pool();
    s.user("fay", &[("email", "fay@example.com")]);
    let ch = user_auth(&s, json!({"USERNAME": "fay"})).unwrap();
    assert_eq!(ch["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(
        ch["AvailableChallenges"],
        json!(["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"])
    );
    let eph = srp::Ephemeral::generate(&mut rand::rng());
    let r = s
        .respond(
            "SELECT_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "fay", "ANSWER": "PASSWORD_SRP", "SRP_A": eph.public_hex()}),
        )
        .unwrap();
    assert_eq!(r["ChallengeName"], "PASSWORD_VERIFIER");
    let resp = s.srp_claim(&eph, &r, PASSWORD, &srp::format_timestamp(s.emu.now()));
    assert!(
        s.respond("PASSWORD_VERIFIER", &r["Session"], resp).unwrap()["AuthenticationResult"]
            .is_object()
    );
}

#[test]
fn user_auth_preferred_password_and_email_otp() {
    let s = choice_pool();
    s.user("gia", &[("email", "gia@example.com")]);
    let r = user_auth(
        &s,
        json!({"USERNAME": "gia", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}),
    )
    .unwrap();
    assert!(r["AuthenticationResult"].is_object());
    let ch = user_auth(
        &s,
        json!({"USERNAME": "gia", "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
    )
    .unwrap();
    assert_eq!(ch["ChallengeName"], "EMAIL_OTP");
    let code = s.emu.last_code("gia", MessageKind::Otp).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (ty, _) = s
        .respond(
            "EMAIL_OTP",
            &ch["Session"],
            json!({"USERNAME": "gia", "EMAIL_OTP_CODE": wrong}),
        )
        .unwrap_err();
    assert_eq!(ty, "CodeMismatchException");
    let r = s
        .respond(
            "EMAIL_OTP",
            &ch["Session"],
            json!({"USERNAME": "gia", "EMAIL_OTP_CODE": code}),
        )
        .unwrap();
    assert!(r["AuthenticationResult"].is_object());
    let (ty, _) = user_auth(
        &s,
        json!({"USERNAME": "gia", "PREFERRED_CHALLENGE": "CARRIER_PIGEON"}),
    )
    .unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
}

#[test]
fn sign_up_session_gives_auto_sign_in() {
    let s = choice_pool();
    let r = ok(
        &s.emu,
        "SignUp",
        json!({"ClientId": s.client_id, "Username": "hal", "Password": PASSWORD,
        "UserAttributes": [{"Name": "email", "Value": "hal@example.com"}]}),
    );
    let code = s.emu.last_code("hal", MessageKind::SignUp).unwrap();
    let c = ok(
        &s.emu,
        "ConfirmSignUp",
        json!({"ClientId": s.client_id, "Username": "hal",
        "ConfirmationCode": code, "Session": r["Session"]}),
    );
    let session = c["Session"].clone();
    assert!(session.is_string());
    let out = ok(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"USERNAME": "hal"}, "Session": session}),
    );
    assert!(out["AuthenticationResult"].is_object());
    // Single use.
    assert!(
        op(
            &s.emu,
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"USERNAME": "hal"}, "Session": session})
        )
        .is_err()
    );
}

#[test]
fn get_user_auth_factors_lists_configured_factors() {
    let s = choice_pool();
    s.user("jay", &[("email", "jay@example.com")]);
    let at = s.tokens("jay")["AccessToken"].clone();
    let f = ok(&s.emu, "GetUserAuthFactors", json!({"AccessToken": at}));
    assert_eq!(f["Username"], "jay");
    assert_eq!(
        f["ConfiguredUserAuthFactors"],
        json!(["PASSWORD", "EMAIL_OTP"])
    );
}

const ID: &str = "AWSCognitoIdentityService";

#[test]
fn identity_pool_credentials_for_a_user_pool_id_token() {
    let s = setup();
    s.user("kim", &[]);
    let t = s.tokens("kim");
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{}", s.pool_id);
    let logins = json!({provider.clone(): t["IdToken"]});
    let pool = &s
        .emu
        .create_identity_pool(&s.pool_id, &s.client_id, true)
        .unwrap();
    let a = op_on(
        &s.emu,
        ID,
        "GetId",
        json!({"IdentityPoolId": pool, "Logins": logins}),
    )
    .unwrap();
    let b = op_on(
        &s.emu,
        ID,
        "GetId",
        json!({"IdentityPoolId": pool, "Logins": logins}),
    )
    .unwrap();
    assert_eq!(a["IdentityId"], b["IdentityId"]);
    assert!(a["IdentityId"].as_str().unwrap().starts_with("us-east-1:"));
    let c = op_on(
        &s.emu,
        ID,
        "GetCredentialsForIdentity",
        json!({"IdentityId": a["IdentityId"], "Logins": logins}),
    )
    .unwrap();
    let cred = &c["Credentials"];
    assert!(cred["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(cred["SecretKey"].is_string());
    assert!(cred["SessionToken"].is_string());
    assert!(cred["Expiration"].as_f64().unwrap() > s.emu.now() as f64);
    // Access tokens, garbage and missing logins are refused.
    let bad = json!({provider.clone(): t["AccessToken"]});
    assert_eq!(
        op_on(
            &s.emu,
            ID,
            "GetId",
            json!({"IdentityPoolId": pool, "Logins": bad})
        )
        .unwrap_err()
        .0,
        "NotAuthorizedException"
    );
    assert_eq!(
        op_on(
            &s.emu,
            ID,
            "GetCredentialsForIdentity",
            json!({"IdentityId": a["IdentityId"]})
        )
        .unwrap_err()
        .0,
        "NotAuthorizedException"
    );
    assert_eq!(
        op_on(&s.emu, ID, "GetId", json!({"IdentityPoolId": "not-a-pool"}))
            .unwrap_err()
            .0,
        "InvalidParameterException"
    );
    // Guests get their own identity.
    let g = op_on(&s.emu, ID, "GetId", json!({"IdentityPoolId": pool})).unwrap();
    assert!(
        op_on(
            &s.emu,
            ID,
            "GetCredentialsForIdentity",
            json!({"IdentityId": g["IdentityId"]})
        )
        .is_ok()
    );
    // Expired ID tokens are refused.
    s.emu.advance_clock(3601);
    let (ty, m) = op_on(
        &s.emu,
        ID,
        "GetId",
        json!({"IdentityPoolId": pool, "Logins": logins}),
    )
    .unwrap_err();
    assert_eq!(ty, "NotAuthorizedException");
    assert!(m.contains("Token expired"), "{m}");
}

#[test]
fn user_auth_sms_otp_first_factor() {
    let s = setup_with(
        PoolConfig {
            allowed_first_auth_factors: vec!["PASSWORD".into(), "SMS_OTP".into()],
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    s.user("kit", &[("phone_number", "+15557654321")]);
    let ch = user_auth(
        &s,
        json!({"USERNAME": "kit", "PREFERRED_CHALLENGE": "SMS_OTP"}),
    )
    .unwrap();
    assert_eq!(ch["ChallengeName"], "SMS_OTP");
    assert_eq!(
        ch["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "SMS"
    );
    let msg = s.emu.messages(Some("kit")).pop().unwrap();
    assert_eq!(
        (msg.kind.as_str(), msg.destination.as_str()),
        ("OTP", "+15557654321")
    );
    let r = s
        .respond(
            "SMS_OTP",
            &ch["Session"],
            json!({"USERNAME": "kit", "SMS_OTP_CODE": msg.code}),
        )
        .unwrap();
    assert!(r["AuthenticationResult"].is_object());
}

#[test]
fn attribute_verification_code_on_request() {
    let s = setup();
    s.user("lee", &[("phone_number", "+15550007777")]);
    let at = s.tokens("lee")["AccessToken"].clone();
    ok(
        &s.emu,
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": s.pool_id, "Username": "lee",
        "UserAttributes": [{"Name": "phone_number_verified", "Value": "false"}]}),
    );
    let r = ok(
        &s.emu,
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": at, "AttributeName": "phone_number"}),
    );
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "SMS");
    let code = s
        .emu
        .last_code("lee", MessageKind::VerifyAttribute)
        .unwrap();
    ok(
        &s.emu,
        "VerifyUserAttribute",
        json!({"AccessToken": at, "AttributeName": "phone_number", "Code": code}),
    );
    let me = ok(&s.emu, "GetUser", json!({"AccessToken": at}));
    assert!(
        me["UserAttributes"]
            .as_array()
            .unwrap()
            .contains(&json!({"Name": "phone_number_verified", "Value": "true"}))
    );
    let (ty, _) = err(
        &s.emu,
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": at, "AttributeName": "email"}),
    );
    assert_eq!(ty, "InvalidParameterException");
}

#[test]
fn legacy_set_user_settings_turns_sms_mfa_on_and_off() {
    let s = setup_with(
        PoolConfig {
            mfa: cognito_emulator::MfaConfiguration::Optional,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    s.user("max", &[("phone_number", "+15550003333")]);
    let at = s.tokens("max")["AccessToken"].clone();
    ok(
        &s.emu,
        "SetUserSettings",
        json!({"AccessToken": at,
        "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]}),
    );
    let me = ok(&s.emu, "GetUser", json!({"AccessToken": at}));
    assert_eq!(me["MFAOptions"][0]["DeliveryMedium"], "SMS");
    assert_eq!(
        s.password_auth("max", PASSWORD).unwrap()["ChallengeName"],
        "SMS_MFA"
    );
    ok(
        &s.emu,
        "SetUserSettings",
        json!({"AccessToken": at, "MFAOptions": []}),
    );
    assert!(s.password_auth("max", PASSWORD).unwrap()["AuthenticationResult"].is_object());
}

#[test]
fn user_auth_unknown_user_with_prevent_user_existence_errors() {
    let s = setup_with(
        PoolConfig::default(),
        ClientConfig {
            prevent_user_existence_errors: true,
            ..ClientConfig::default()
        },
    );
    let ch = user_auth(&s, json!({"USERNAME": "nobody"})).unwrap();
    assert_eq!(ch["ChallengeName"], "SELECT_CHALLENGE");
    let (ty, m) = s
        .respond(
            "SELECT_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "nobody", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD}),
        )
        .unwrap_err();
    assert_eq!(
        (ty.as_str(), m.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let legacy = setup();
    assert_eq!(
        user_auth(&legacy, json!({"USERNAME": "nobody"}))
            .unwrap_err()
            .0,
        "UserNotFoundException"
    );
}
