//! USER_SRP_AUTH and USER_PASSWORD_AUTH end to end, with MFA, against a scripted Cognito whose
//! SRP side is real (a wrong signature fails the test).

use crate::signin_support as support;

use std::collections::BTreeMap;

use cognito_proto::signin::{Answer, NextStep, Start};
use serde_json::json;
use support::*;

const PASSWORD: &str = "Corr3ct-horse!";

#[test]
fn srp_sign_in_without_mfa() {
    let (mut d, init) = Drive::start(&config(), Start::srp("alice", PASSWORD), None);
    init.expect("InitiateAuth", None);
    assert_eq!(init.body["AuthFlow"], "USER_SRP_AUTH");
    assert_eq!(init.param("USERNAME"), Some("alice"));
    assert_eq!(init.param("SECRET_HASH"), None);
    assert_eq!(init.param("DEVICE_KEY"), None);
    assert!(init.session().is_none());
    assert!(init.body.get("ClientMetadata").is_none());
    let srp_a = init.param("SRP_A").expect("SRP_A").to_owned();

    let server = SrpServer::for_user(&mut rng(100), "alice", PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S1-session-of-twenty-chars",
        server.password_verifier_params(),
    ));
    claim.expect("RespondToAuthChallenge", Some("PASSWORD_VERIFIER"));
    assert_eq!(claim.session(), Some("S1-session-of-twenty-chars"));
    assert_eq!(claim.param("USERNAME"), Some("alice"));
    assert_eq!(
        claim.param("TIMESTAMP"),
        Some("Tue Nov 3 07:05:22 UTC 2026")
    );
    server.verify(&srp_a, &claim, NOW).expect("valid SRP claim");

    let done = d.reply_done(tokens("alice", None));
    assert_tokens(&done, "alice");
    assert!(done.device.is_none());
    assert!(!done.new_device && !done.device_forgotten && !done.user_confirmation_necessary);
    assert!(d.flow.is_finished());
    // The tokens go straight into the session module's token set.
    let set = done.tokens.to_token_set(NOW).expect("well-formed tokens");
    assert_eq!(set.username(), Some("alice"));
    assert!(set.refresh_token().is_some());
}

#[test]
fn srp_claim_with_a_wrong_password_is_rejected_by_the_scripted_server() {
    // Guards the test server itself: a claim made with another password must not verify.
    let (mut d, init) = Drive::start(&config(), Start::srp("alice", "wrong password"), None);
    let srp_a = init.param("SRP_A").unwrap().to_owned();
    let server = SrpServer::for_user(&mut rng(100), "alice", PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S1",
        server.password_verifier_params(),
    ));
    assert_eq!(
        server.verify(&srp_a, &claim, NOW),
        Err("wrong PASSWORD_CLAIM_SIGNATURE".to_owned())
    );
    let err = d.reply_err(service_error(
        "NotAuthorizedException",
        "Incorrect username or password.",
    ));
    assert_eq!(
        err.service_kind().map(|k| k.as_str()),
        Some("NotAuthorizedException")
    );
    assert!(d.flow.is_finished());
}

#[test]
fn pitfall_7_srp_uses_user_id_for_srp_not_the_typed_alias() {
    let internal = "8d0c2f3e-5b8a-4f5e-9c1a-2b3c4d5e6f70";
    let (mut d, init) = Drive::start(&config(), Start::srp("alice@example.com", PASSWORD), None);
    assert_eq!(init.param("USERNAME"), Some("alice@example.com"));
    let srp_a = init.param("SRP_A").unwrap().to_owned();
    // The verifier is over the internal username: a client hashing the alias fails here.
    let server = SrpServer::for_user(&mut rng(101), internal, PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S1",
        server.password_verifier_params(),
    ));
    assert_eq!(claim.param("USERNAME"), Some(internal));
    server
        .verify(&srp_a, &claim, NOW)
        .expect("claim over USER_ID_FOR_SRP");

    // Later steps keep the internal username.
    let step = d.reply_step(challenge("SOFTWARE_TOKEN_MFA", "S2", json!({})));
    assert_eq!(step, NextStep::ConfirmWithTotpCode);
    let mfa = d.answer(Answer::code("123456"));
    assert_eq!(mfa.param("USERNAME"), Some(internal));
    let done = d.reply_done(tokens(internal, None));
    assert_eq!(done.username, internal);
}

#[test]
fn pitfall_25_secret_hash_on_every_step_over_the_internal_username() {
    let internal = "8d0c2f3e-5b8a-4f5e-9c1a-2b3c4d5e6f70";
    let (mut d, init) = Drive::start(
        &config_with_secret(),
        Start::srp("alice@example.com", PASSWORD),
        None,
    );
    // The first request carries the hash of what was typed (that is its USERNAME).
    assert_eq!(
        init.param("SECRET_HASH"),
        Some(expected_secret_hash("alice@example.com").as_str())
    );
    let srp_a = init.param("SRP_A").unwrap().to_owned();
    let server = SrpServer::for_user(&mut rng(102), internal, PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S1",
        server.password_verifier_params(),
    ));
    server.verify(&srp_a, &claim, NOW).unwrap();
    assert_eq!(
        claim.param("SECRET_HASH"),
        Some(expected_secret_hash(internal).as_str())
    );

    let step = d.reply_step(challenge(
        "SMS_MFA",
        "S2",
        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******3210",
               "USER_ID_FOR_SRP": internal}),
    ));
    assert!(matches!(step, NextStep::ConfirmWithSmsCode { .. }));
    let mfa = d.answer(Answer::code("654321"));
    assert_eq!(
        mfa.param("SECRET_HASH"),
        Some(expected_secret_hash(internal).as_str())
    );
    assert_eq!(mfa.param("USERNAME"), Some(internal));
    d.reply_done(tokens(internal, None));
}

#[test]
fn pitfall_25_secret_hash_with_user_password_auth_and_custom_challenge_username() {
    let (mut d, init) = Drive::start(
        &config_with_secret(),
        Start::password("alice@example.com", PASSWORD),
        None,
    );
    assert_eq!(
        init.param("SECRET_HASH"),
        Some(expected_secret_hash("alice@example.com").as_str())
    );
    // An MFA challenge that names the internal username only as USERNAME.
    let step = d.reply_step(challenge(
        "EMAIL_OTP",
        "S2",
        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
               "CODE_DELIVERY_DESTINATION": "a***@e***.com", "USERNAME": "internal-7"}),
    ));
    assert!(matches!(step, NextStep::ConfirmWithEmailCode { .. }));
    let answer = d.answer(Answer::code("11112222"));
    assert_eq!(answer.param("USERNAME"), Some("internal-7"));
    assert_eq!(
        answer.param("SECRET_HASH"),
        Some(expected_secret_hash("internal-7").as_str())
    );
}

#[test]
fn srp_then_totp_mfa() {
    let (mut d, init) = Drive::start(&config(), Start::srp("bob", PASSWORD), None);
    let srp_a = init.param("SRP_A").unwrap().to_owned();
    let server = SrpServer::for_user(&mut rng(103), "bob", PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S1",
        server.password_verifier_params(),
    ));
    server.verify(&srp_a, &claim, NOW).unwrap();
    let step = d.reply_step(challenge("SOFTWARE_TOKEN_MFA", "S2", json!({})));
    assert_eq!(step, NextStep::ConfirmWithTotpCode);
    assert_eq!(d.flow.waiting_for(), Some(&NextStep::ConfirmWithTotpCode));
    let answer = d.answer(Answer::code("123456"));
    answer.expect("RespondToAuthChallenge", Some("SOFTWARE_TOKEN_MFA"));
    assert_eq!(answer.session(), Some("S2"));
    assert_eq!(answer.param("SOFTWARE_TOKEN_MFA_CODE"), Some("123456"));
    assert_eq!(answer.param("USERNAME"), Some("bob"));
    assert_eq!(answer.param("DEVICE_KEY"), None);
    let done = d.reply_done(tokens("bob", None));
    assert_tokens(&done, "bob");
}

#[test]
fn srp_then_sms_mfa_with_destination() {
    let (mut d, init) = Drive::start(&config(), Start::srp("bob", PASSWORD), None);
    let srp_a = init.param("SRP_A").unwrap().to_owned();
    let server = SrpServer::for_user(&mut rng(104), "bob", PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S1",
        server.password_verifier_params(),
    ));
    server.verify(&srp_a, &claim, NOW).unwrap();
    let step = d.reply_step(challenge(
        "SMS_MFA",
        "S2",
        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******3210"}),
    ));
    assert_eq!(
        step,
        NextStep::ConfirmWithSmsCode {
            destination: Some("+*******3210".to_owned())
        }
    );
    let answer = d.answer(Answer::code("000111"));
    answer.expect("RespondToAuthChallenge", Some("SMS_MFA"));
    assert_eq!(answer.param("SMS_MFA_CODE"), Some("000111"));
    assert_eq!(answer.session(), Some("S2"));
    d.reply_done(tokens("bob", None));
}

#[test]
fn user_password_auth_sends_the_password_and_takes_tokens() {
    let (mut d, init) = Drive::start(&config(), Start::password("carol", PASSWORD), None);
    init.expect("InitiateAuth", None);
    assert_eq!(init.body["AuthFlow"], "USER_PASSWORD_AUTH");
    assert_eq!(init.param("USERNAME"), Some("carol"));
    assert_eq!(init.param("PASSWORD"), Some(PASSWORD));
    assert_eq!(init.param("SRP_A"), None);
    // The internal username comes from the access token when no challenge named it.
    let done = d.reply_done(tokens("c-internal", None));
    assert_eq!(done.username, "c-internal");
}

#[test]
fn user_password_auth_then_totp() {
    let (mut d, _init) = Drive::start(&config(), Start::password("carol", PASSWORD), None);
    let step = d.reply_step(challenge("SOFTWARE_TOKEN_MFA", "S1", json!({})));
    assert_eq!(step, NextStep::ConfirmWithTotpCode);
    let answer = d.answer(Answer::code("222333"));
    assert_eq!(answer.session(), Some("S1"));
    assert_eq!(answer.param("USERNAME"), Some("carol"));
    d.reply_done(tokens("carol", None));
}

#[test]
fn client_metadata_and_context_are_sent_with_every_auth_request() {
    let metadata: BTreeMap<String, String> =
        [("app".to_owned(), "web".to_owned())].into_iter().collect();
    let start = Start::srp("dave", PASSWORD)
        .with_client_metadata(metadata)
        .with_user_context_data(cognito_proto::ops::UserContextData {
            ip_address: Some("192.0.2.1".to_owned()),
            encoded_data: None,
        });
    let (mut d, init) = Drive::start(&config(), start, None);
    assert_eq!(init.body["ClientMetadata"], json!({"app": "web"}));
    assert_eq!(init.body["UserContextData"]["IpAddress"], "192.0.2.1");
    let server = SrpServer::for_user(&mut rng(105), "dave", PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S1",
        server.password_verifier_params(),
    ));
    assert_eq!(claim.body["ClientMetadata"], json!({"app": "web"}));
    assert_eq!(claim.body["UserContextData"]["IpAddress"], "192.0.2.1");
    let step = d.reply_step(challenge("SMS_MFA", "S2", json!({})));
    assert_eq!(step, NextStep::ConfirmWithSmsCode { destination: None });
    let answer = d.answer(Answer::code("1"));
    assert_eq!(answer.body["ClientMetadata"], json!({"app": "web"}));
}

#[test]
fn pitfall_12_the_latest_session_is_sent_at_every_step() {
    // SRP → NEW_PASSWORD_REQUIRED → SELECT_MFA_TYPE → SMS_MFA → tokens, each with a new session.
    let (mut d, init) = Drive::start(&config(), Start::srp("erin", PASSWORD), None);
    let srp_a = init.param("SRP_A").unwrap().to_owned();
    let server = SrpServer::for_user(&mut rng(106), "erin", PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S1",
        server.password_verifier_params(),
    ));
    server.verify(&srp_a, &claim, NOW).unwrap();
    assert_eq!(claim.session(), Some("S1"));
    let step = d.reply_step(challenge(
        "NEW_PASSWORD_REQUIRED",
        "S2",
        json!({"requiredAttributes": "[]", "userAttributes": "{}", "USER_ID_FOR_SRP": "erin"}),
    ));
    assert!(matches!(step, NextStep::NewPasswordRequired { .. }));
    let answer = d.answer(Answer::NewPassword {
        password: "N3w-password!".into(),
        attributes: BTreeMap::new(),
    });
    assert_eq!(answer.session(), Some("S2"));
    let step = d.reply_step(challenge(
        "SELECT_MFA_TYPE",
        "S3",
        json!({"MFAS_CAN_CHOOSE": "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]"}),
    ));
    assert!(matches!(step, NextStep::SelectMfaType { .. }));
    let answer = d.answer(Answer::MfaType(cognito_proto::signin::MfaType::Sms));
    assert_eq!(answer.session(), Some("S3"));
    let step = d.reply_step(challenge("SMS_MFA", "S4", json!({})));
    assert!(matches!(step, NextStep::ConfirmWithSmsCode { .. }));
    let answer = d.answer(Answer::code("123123"));
    assert_eq!(answer.session(), Some("S4"));
    d.reply_done(tokens("erin", None));
}

#[test]
fn flow_values_can_cross_threads() {
    // The async driver keeps a flow across `.await` points on a multi-threaded runtime.
    fn send_sync<T: Send + Sync>() {}
    send_sync::<cognito_proto::signin::SignInFlow>();
    send_sync::<cognito_proto::signin::Event>();
    send_sync::<cognito_proto::signin::SignedIn>();
    send_sync::<Answer>();
}
