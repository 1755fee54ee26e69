//! Every user-facing challenge of docs/protocol.md#32-challenges after the first factor, and custom auth.

use crate::signin_support as support;

use std::collections::BTreeMap;

use cognito_proto::signin::{Answer, MfaType, NextStep, Start};
use serde_json::json;
use support::*;

const PASSWORD: &str = "Temp-passw0rd!";

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// USER_PASSWORD_AUTH whose first reply is `name` with `parameters` in session `S1`.
fn after_password(name: &str, parameters: serde_json::Value) -> (Drive, NextStep) {
    let (mut d, _init) = Drive::start(
        &config_with_secret(),
        Start::password("alice", PASSWORD),
        None,
    );
    let step = d.reply_step(challenge(name, "S1", parameters));
    (d, step)
}

#[test]
fn pitfall_11_new_password_required_strips_prefix_and_never_sends_read_only_attributes() {
    let (mut d, step) = after_password(
        "NEW_PASSWORD_REQUIRED",
        json!({
            "USER_ID_FOR_SRP": "alice-internal",
            "requiredAttributes": "[\"userAttributes.name\",\"userAttributes.family_name\"]",
            "userAttributes": "{\"email_verified\":\"true\",\"email\":\"a@b.c\",\"phone_number_verified\":false,\"sub\":\"0f6c\",\"name\":null}",
        }),
    );
    let NextStep::NewPasswordRequired {
        required_attributes,
        user_attributes,
    } = step
    else {
        panic!("expected NewPasswordRequired, got {step:?}");
    };
    assert_eq!(required_attributes, vec!["name", "family_name"]);
    assert_eq!(
        user_attributes.get("email").map(String::as_str),
        Some("a@b.c")
    );
    assert_eq!(
        user_attributes.get("email_verified").map(String::as_str),
        Some("true")
    );
    assert_eq!(
        user_attributes
            .get("phone_number_verified")
            .map(String::as_str),
        Some("false")
    );
    assert!(!user_attributes.contains_key("name"), "null means absent");

    // The caller echoes everything back plus the required values (one with the prefix).
    let mut attributes = user_attributes.clone();
    attributes.insert("name".to_owned(), "Alice".to_owned());
    attributes.insert(
        "userAttributes.family_name".to_owned(),
        "Liddell".to_owned(),
    );
    let answer = d.answer(Answer::NewPassword {
        password: "N3w-passw0rd!".into(),
        attributes,
    });
    answer.expect("RespondToAuthChallenge", Some("NEW_PASSWORD_REQUIRED"));
    assert_eq!(answer.session(), Some("S1"));
    assert_eq!(
        answer.params(),
        map(&[
            ("NEW_PASSWORD", "N3w-passw0rd!"),
            ("SECRET_HASH", &expected_secret_hash("alice-internal")),
            ("USERNAME", "alice-internal"),
            ("userAttributes.family_name", "Liddell"),
            ("userAttributes.name", "Alice"),
        ])
    );
    let done = d.reply_done(tokens("alice-internal", None));
    assert_eq!(done.username, "alice-internal");
}

#[test]
fn new_password_refused_by_policy_returns_to_the_same_step() {
    let (mut d, step) = after_password(
        "NEW_PASSWORD_REQUIRED",
        json!({"requiredAttributes": "[]", "userAttributes": "{}"}),
    );
    let answer = d.answer(Answer::NewPassword {
        password: "short".into(),
        attributes: BTreeMap::new(),
    });
    assert_eq!(answer.session(), Some("S1"));
    let error = d.reply_err(service_error(
        "InvalidPasswordException",
        "Password does not conform to policy: Password not long enough",
    ));
    assert_eq!(
        error.service_kind().map(|k| k.as_str()),
        Some("InvalidPasswordException")
    );
    assert_eq!(d.flow.waiting_for(), Some(&step));
    let answer = d.answer(Answer::NewPassword {
        password: "L0nger-passw0rd!".into(),
        attributes: BTreeMap::new(),
    });
    assert_eq!(answer.session(), Some("S1"));
    assert_eq!(answer.param("NEW_PASSWORD"), Some("L0nger-passw0rd!"));
    d.reply_done(tokens("alice", None));
}

#[test]
fn pitfall_11_mfa_setup_totp_then_a_further_challenge() {
    // NEW_PASSWORD_REQUIRED → MFA_SETUP (TOTP) → SOFTWARE_TOKEN_MFA → tokens.
    let (mut d, _step) = after_password(
        "NEW_PASSWORD_REQUIRED",
        json!({"requiredAttributes": "[]", "userAttributes": "{}", "USER_ID_FOR_SRP": "alice"}),
    );
    d.answer(Answer::NewPassword {
        password: "N3w-passw0rd!".into(),
        attributes: BTreeMap::new(),
    });
    let associate = d.reply_send(challenge(
        "MFA_SETUP",
        "S2",
        json!({"MFAS_CAN_SETUP": "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]", "USER_ID_FOR_SRP": "alice"}),
    ));
    associate.expect("AssociateSoftwareToken", None);
    assert_eq!(associate.session(), Some("S2"));
    assert!(associate.body.get("AccessToken").is_none());

    let step = d.reply_step(ok(
        json!({"SecretCode": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "Session": "S3"}),
    ));
    let NextStep::SetUpTotp { shared_secret } = &step else {
        panic!("expected SetUpTotp, got {step:?}");
    };
    assert_eq!(
        shared_secret.expose_secret(),
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    );
    assert_eq!(
        shared_secret.otpauth_uri("My App", "alice@example.com"),
        "otpauth://totp/My%20App:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=My%20App"
    );
    assert_eq!(
        step.otpauth_uri("My App", "alice@example.com"),
        Some(shared_secret.otpauth_uri("My App", "alice@example.com"))
    );
    assert!(
        !format!("{step:?}").contains("JBSWY3DP"),
        "the secret is redacted in Debug"
    );

    let verify = d.answer(Answer::TotpSetup {
        code: "123456".into(),
        friendly_device_name: Some("My phone".to_owned()),
    });
    verify.expect("VerifySoftwareToken", None);
    assert_eq!(verify.session(), Some("S3"));
    assert_eq!(verify.str("UserCode"), Some("123456"));
    assert_eq!(verify.str("FriendlyDeviceName"), Some("My phone"));

    let finish = d.reply_send(ok(json!({"Status": "SUCCESS", "Session": "S4"})));
    finish.expect("RespondToAuthChallenge", Some("MFA_SETUP"));
    assert_eq!(finish.session(), Some("S4"));
    assert_eq!(
        finish.params(),
        map(&[
            ("SECRET_HASH", &expected_secret_hash("alice")),
            ("USERNAME", "alice")
        ])
    );

    // Not assumed to be tokens: the server may ask for the new factor right away.
    let step = d.reply_step(challenge("SOFTWARE_TOKEN_MFA", "S5", json!({})));
    assert_eq!(step, NextStep::ConfirmWithTotpCode);
    let answer = d.answer(Answer::code("654321"));
    assert_eq!(answer.session(), Some("S5"));
    d.reply_done(tokens("alice", None));
}

#[test]
fn totp_setup_with_a_wrong_code_can_be_retried_in_the_same_session() {
    let (mut d, _init) = Drive::start(&config(), Start::password("alice", PASSWORD), None);
    let associate = d.reply_send(challenge(
        "MFA_SETUP",
        "S1",
        json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]"}),
    ));
    associate.expect("AssociateSoftwareToken", None);
    let step = d.reply_step(ok(
        json!({"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "S2"}),
    ));
    d.answer(Answer::code("000000"));
    let error = d.reply_err(service_error(
        "CodeMismatchException",
        "Invalid code received for user",
    ));
    assert_eq!(
        error.service_kind().map(|k| k.as_str()),
        Some("CodeMismatchException")
    );
    assert_eq!(d.flow.waiting_for(), Some(&step));
    let verify = d.answer(Answer::code("111111"));
    assert_eq!(verify.session(), Some("S2"));
    assert!(verify.body.get("FriendlyDeviceName").is_none());
    // Status ERROR is a wrong code too.
    let error = d.reply_err(ok(json!({"Status": "ERROR"})));
    assert_eq!(
        error.service_kind().map(|k| k.as_str()),
        Some("CodeMismatchException")
    );
    let verify = d.answer(Answer::code("222222"));
    assert_eq!(verify.session(), Some("S2"));
    let finish = d.reply_send(ok(json!({"Status": "SUCCESS", "Session": "S3"})));
    assert_eq!(finish.session(), Some("S3"));
    d.reply_done(tokens("alice", None));
}

#[test]
fn mfa_setup_email_then_email_code() {
    let (mut d, step) = after_password("MFA_SETUP", json!({"MFAS_CAN_SETUP": "[\"EMAIL_OTP\"]"}));
    assert_eq!(step, NextStep::SetUpEmail);
    let setup = d.answer(Answer::Email("alice@example.com".to_owned()));
    setup.expect("RespondToAuthChallenge", Some("MFA_SETUP"));
    assert_eq!(setup.session(), Some("S1"));
    assert_eq!(setup.param("EMAIL"), Some("alice@example.com"));
    assert_eq!(setup.param("USERNAME"), Some("alice"));
    let step = d.reply_step(challenge(
        "EMAIL_OTP",
        "S2",
        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "a***@e***.com"}),
    ));
    assert_eq!(
        step,
        NextStep::ConfirmWithEmailCode {
            destination: Some("a***@e***.com".to_owned())
        }
    );
    let answer = d.answer(Answer::code("12345678"));
    answer.expect("RespondToAuthChallenge", Some("EMAIL_OTP"));
    assert_eq!(answer.param("EMAIL_OTP_CODE"), Some("12345678"));
    assert_eq!(answer.session(), Some("S2"));
    d.reply_done(tokens("alice", None));
}

#[test]
fn mfa_setup_with_a_choice_of_totp_or_email() {
    let parameters =
        json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\",\"SMS_MFA\"]"});
    let (mut d, step) = after_password("MFA_SETUP", parameters.clone());
    assert_eq!(
        step,
        NextStep::SelectMfaSetupType {
            allowed: vec![MfaType::Totp, MfaType::Email]
        }
    );
    let step = match d.answer_event(Answer::MfaType(MfaType::Email)) {
        cognito_proto::signin::Event::Step(step) => step,
        other => panic!("expected SetUpEmail, got {other:?}"),
    };
    assert_eq!(step, NextStep::SetUpEmail);
    let setup = d.answer(Answer::Email("alice@example.com".to_owned()));
    assert_eq!(setup.param("EMAIL"), Some("alice@example.com"));
    assert_eq!(setup.session(), Some("S1"));

    let (mut d, _step) = after_password("MFA_SETUP", parameters);
    let associate = d.answer(Answer::MfaType(MfaType::Totp));
    associate.expect("AssociateSoftwareToken", None);
    assert_eq!(associate.session(), Some("S1"));
}

#[test]
fn mfa_setup_offering_only_sms_is_unsupported_but_answerable() {
    let (mut d, step) = after_password("MFA_SETUP", json!({"MFAS_CAN_SETUP": "[\"SMS_MFA\"]"}));
    let NextStep::Unsupported { name, parameters } = &step else {
        panic!("expected Unsupported, got {step:?}");
    };
    assert_eq!(name, "MFA_SETUP");
    assert_eq!(
        parameters.get("MFAS_CAN_SETUP").map(String::as_str),
        Some("[\"SMS_MFA\"]")
    );
    let raw = d.answer(Answer::Raw(map(&[("PHONE", "+15550100")])));
    raw.expect("RespondToAuthChallenge", Some("MFA_SETUP"));
    assert_eq!(raw.param("PHONE"), Some("+15550100"));
    assert_eq!(raw.param("USERNAME"), Some("alice"));
    assert_eq!(raw.session(), Some("S1"));
}

#[test]
fn pitfall_11_select_mfa_type_dispatches_on_the_returned_challenge() {
    let (mut d, step) = after_password(
        "SELECT_MFA_TYPE",
        json!({"MFAS_CAN_CHOOSE": "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\",\"FUTURE_MFA\"]"}),
    );
    assert_eq!(
        step,
        NextStep::SelectMfaType {
            allowed: vec![
                MfaType::Sms,
                MfaType::Totp,
                MfaType::Email,
                MfaType::Other("FUTURE_MFA".to_owned())
            ]
        }
    );
    let answer = d.answer(Answer::MfaType(MfaType::Sms));
    answer.expect("RespondToAuthChallenge", Some("SELECT_MFA_TYPE"));
    assert_eq!(answer.param("ANSWER"), Some("SMS_MFA"));
    assert_eq!(answer.session(), Some("S1"));
    // The server answers with a TOTP challenge: the flow follows the server, not the choice.
    let step = d.reply_step(challenge("SOFTWARE_TOKEN_MFA", "S2", json!({})));
    assert_eq!(step, NextStep::ConfirmWithTotpCode);
    let answer = d.answer(Answer::code("123456"));
    answer.expect("RespondToAuthChallenge", Some("SOFTWARE_TOKEN_MFA"));
    assert_eq!(answer.param("SOFTWARE_TOKEN_MFA_CODE"), Some("123456"));
    assert_eq!(answer.session(), Some("S2"));
    d.reply_done(tokens("alice", None));
}

#[test]
fn pitfall_11_a_challenge_after_mfa_is_handled() {
    let (mut d, _step) = after_password(
        "SMS_MFA",
        json!({"CODE_DELIVERY_DESTINATION": "+*******0100"}),
    );
    d.answer(Answer::code("123456"));
    let step = d.reply_step(challenge(
        "CUSTOM_CHALLENGE",
        "S2",
        json!({"USERNAME": "alice", "hint": "pet"}),
    ));
    assert!(matches!(step, NextStep::CustomChallenge { .. }), "{step:?}");
    assert!(!d.flow.is_finished());
}

#[test]
fn wrong_mfa_code_returns_to_the_step_and_other_errors_end_the_flow() {
    let (mut d, step) = after_password(
        "SMS_MFA",
        json!({"CODE_DELIVERY_DESTINATION": "+*******0100"}),
    );
    d.answer(Answer::code("000000"));
    let error = d.reply_err(service_error(
        "CodeMismatchException",
        "Invalid code or auth state for the user.",
    ));
    assert_eq!(
        error.service_kind().map(|k| k.as_str()),
        Some("CodeMismatchException")
    );
    assert_eq!(d.flow.waiting_for(), Some(&step));
    let again = d.answer(Answer::code("111111"));
    assert_eq!(
        again.session(),
        Some("S1"),
        "a wrong code leaves the session usable"
    );
    let error = d.reply_err(service_error(
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    ));
    assert_eq!(
        error.service_kind().map(|k| k.as_str()),
        Some("NotAuthorizedException")
    );
    assert!(d.flow.is_finished());
    assert!(d.flow.answer(Answer::code("2"), NOW, &mut rng(1)).is_err());
}

#[test]
fn custom_auth_without_srp_any_number_of_rounds() {
    let start = Start::custom("alice@example.com", map(&[("CUSTOM_FLAG", "magic-link")]));
    let (mut d, init) = Drive::start(&config_with_secret(), start, None);
    init.expect("InitiateAuth", None);
    assert_eq!(init.body["AuthFlow"], "CUSTOM_AUTH");
    assert_eq!(
        init.params(),
        map(&[
            ("CUSTOM_FLAG", "magic-link"),
            ("SECRET_HASH", &expected_secret_hash("alice@example.com")),
            ("USERNAME", "alice@example.com"),
        ])
    );
    let step = d.reply_step(challenge(
        "CUSTOM_CHALLENGE",
        "S1",
        json!({"USERNAME": "uuid-alice", "question": "2+2"}),
    ));
    assert_eq!(
        step,
        NextStep::CustomChallenge {
            parameters: map(&[("USERNAME", "uuid-alice"), ("question", "2+2")])
        }
    );
    let answer = d.answer(Answer::Custom {
        answer: "4".into(),
        extra: map(&[("attempt", "1")]),
    });
    answer.expect("RespondToAuthChallenge", Some("CUSTOM_CHALLENGE"));
    assert_eq!(
        answer.params(),
        map(&[
            ("ANSWER", "4"),
            ("SECRET_HASH", &expected_secret_hash("uuid-alice")),
            ("USERNAME", "uuid-alice"),
            ("attempt", "1"),
        ])
    );
    assert_eq!(answer.session(), Some("S1"));
    for round in 2..=4 {
        let session = format!("S{round}");
        let step = d.reply_step(challenge(
            "CUSTOM_CHALLENGE",
            &session,
            json!({"USERNAME": "uuid-alice", "round": round.to_string()}),
        ));
        assert!(matches!(step, NextStep::CustomChallenge { .. }));
        let answer = d.answer(Answer::Custom {
            answer: format!("answer {round}").into(),
            extra: BTreeMap::new(),
        });
        assert_eq!(answer.session(), Some(session.as_str()));
        assert_eq!(
            answer.param("ANSWER"),
            Some(format!("answer {round}").as_str())
        );
    }
    let done = d.reply_done(tokens("uuid-alice", None));
    assert_eq!(done.username, "uuid-alice");
}

#[test]
fn custom_auth_with_srp_then_custom_challenge() {
    let (mut d, init) = Drive::start(&config(), Start::custom_with_srp("alice", PASSWORD), None);
    assert_eq!(init.body["AuthFlow"], "CUSTOM_AUTH");
    assert_eq!(init.param("CHALLENGE_NAME"), Some("SRP_A"));
    let srp_a = init.param("SRP_A").unwrap().to_owned();
    let server = SrpServer::for_user(&mut rng(300), "alice", PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S1",
        server.password_verifier_params(),
    ));
    server.verify(&srp_a, &claim, NOW).expect("claim");
    let step = d.reply_step(challenge(
        "CUSTOM_CHALLENGE",
        "S2",
        json!({"USERNAME": "alice"}),
    ));
    assert!(matches!(step, NextStep::CustomChallenge { .. }));
    let answer = d.answer(Answer::Custom {
        answer: "42".into(),
        extra: BTreeMap::new(),
    });
    assert_eq!(answer.session(), Some("S2"));
    d.reply_done(tokens("alice", None));
}
