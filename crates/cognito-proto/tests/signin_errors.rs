//! Errors that are steps, unexpected challenges, malformed server replies and API misuse:
//! always a typed outcome, never a panic and never empty tokens.

use crate::signin_support as support;

use std::collections::BTreeMap;

use cognito_proto::error::CoreError as Error;
use cognito_proto::ops::ChallengeName;
use cognito_proto::signin::{Answer, Event, NextStep, SignInFlow, Start};
use cognito_proto::srp::SrpError;
use serde_json::json;
use support::*;

const PASSWORD: &str = "Corr3ct-horse!";

fn srp_flow() -> Drive {
    Drive::start(&config(), Start::srp("alice", PASSWORD), None).0
}

fn password_flow() -> Drive {
    Drive::start(&config(), Start::password("alice", PASSWORD), None).0
}

/// A password sign-in that met MFA_SETUP and sent `AssociateSoftwareToken`.
fn totp_setup_started() -> Drive {
    let mut d = password_flow();
    d.reply_send(challenge(
        "MFA_SETUP",
        "S1",
        json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]"}),
    ))
    .expect("AssociateSoftwareToken", None);
    d
}

/// Whether the flow holds no session (its `Debug` shows the field, redacted when set).
fn holds_no_session(d: &Drive) -> bool {
    format!("{:?}", d.flow).contains("session: None")
}

fn is_protocol(error: &Error) -> bool {
    matches!(
        error,
        Error::InvalidResponse { .. }
            | Error::ChallengeParameter { .. }
            | Error::UnexpectedChallenge { .. }
    )
}

fn is_misuse(error: &Error) -> bool {
    matches!(error, Error::Misuse(_))
}

fn is_answer_mismatch(error: &Error) -> bool {
    matches!(error, Error::AnswerMismatch { .. })
}

#[test]
fn pitfall_13_user_not_confirmed_is_the_confirm_sign_up_step() {
    let (mut d, _init) = Drive::start(&config(), Start::srp("alice@example.com", PASSWORD), None);
    let step = d.reply_step(service_error(
        "UserNotConfirmedException",
        "User is not confirmed.",
    ));
    assert_eq!(
        step,
        NextStep::ConfirmSignUp {
            username: "alice@example.com".to_owned()
        }
    );
    assert!(step.is_terminal());
    assert!(d.flow.is_finished());
    assert!(is_misuse(
        &d.flow
            .answer(Answer::code("1"), NOW, &mut rng(1))
            .unwrap_err()
    ));
}

#[test]
fn pitfall_13_password_reset_required_is_the_reset_password_step() {
    let mut d = password_flow();
    let step = d.reply_step(service_error(
        "PasswordResetRequiredException",
        "Password reset required for the user",
    ));
    assert_eq!(
        step,
        NextStep::ResetPassword {
            username: "alice".to_owned()
        }
    );
    assert!(step.is_terminal());
    assert!(!NextStep::ConfirmWithTotpCode.is_terminal());
    assert!(d.flow.is_finished());

    // Also when it comes in answer to PASSWORD_VERIFIER.
    let mut d = srp_flow();
    let server = SrpServer::for_user(&mut rng(500), "alice", PASSWORD);
    d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S1",
        server.password_verifier_params(),
    ));
    let step = d.reply_step(service_error("PasswordResetRequiredException", "reset"));
    assert!(matches!(step, NextStep::ResetPassword { .. }));
}

#[test]
fn pitfall_10_unknown_challenge_is_a_typed_step_and_answerable_raw() {
    let mut d = password_flow();
    let step = d.reply_step(challenge("FUTURE_CHALLENGE", "S1", json!({"HINT": "x"})));
    let NextStep::Unsupported { name, parameters } = &step else {
        panic!("expected Unsupported, got {step:?}");
    };
    assert_eq!(name, "FUTURE_CHALLENGE");
    assert_eq!(parameters.get("HINT").map(String::as_str), Some("x"));
    // A wrong kind of answer is refused and leaves the step in place.
    assert!(is_answer_mismatch(
        &d.flow
            .answer(Answer::code("1"), NOW, &mut rng(1))
            .unwrap_err()
    ));
    assert_eq!(d.flow.waiting_for(), Some(&step));
    let raw: BTreeMap<String, String> = [("FUTURE_ANSWER".to_owned(), "y".to_owned())].into();
    let sent = d.answer(Answer::Raw(raw));
    sent.expect("RespondToAuthChallenge", Some("FUTURE_CHALLENGE"));
    assert_eq!(sent.param("FUTURE_ANSWER"), Some("y"));
    assert_eq!(sent.param("USERNAME"), Some("alice"));
    assert_eq!(sent.session(), Some("S1"));
}

#[test]
fn pitfall_10_admin_no_srp_auth_is_unsupported() {
    let mut d = password_flow();
    let step = d.reply_step(challenge("ADMIN_NO_SRP_AUTH", "S1", json!({})));
    assert!(matches!(step, NextStep::Unsupported { ref name, .. } if name == "ADMIN_NO_SRP_AUTH"));
}

#[test]
fn pitfall_10_challenge_name_wins_over_tokens_and_empty_tokens_are_refused() {
    // A reply with both a challenge and tokens is treated as the challenge.
    let mut d = password_flow();
    let step = d.reply_step(ok(json!({
        "ChallengeName": "SOFTWARE_TOKEN_MFA",
        "Session": "S1",
        "ChallengeParameters": {},
        "AuthenticationResult": {"AccessToken": "", "IdToken": "", "ExpiresIn": 0},
    })));
    assert_eq!(step, NextStep::ConfirmWithTotpCode);

    // Empty tokens never reach the caller.
    let mut d = password_flow();
    let error = d.reply_err(ok(json!({
        "AuthenticationResult": {"AccessToken": "", "IdToken": "", "ExpiresIn": 3600},
    })));
    assert!(is_protocol(&error), "{error:?}");
    assert!(d.flow.is_finished());

    // Negative lifetime.
    let mut d = password_flow();
    let error = d.reply_err(ok(json!({
        "AuthenticationResult": {"AccessToken": "a.b.c", "IdToken": "d.e.f", "ExpiresIn": -5},
    })));
    assert!(is_protocol(&error), "{error:?}");

    // Neither tokens nor challenge.
    for body in [
        json!({}),
        json!({"Session": "S1"}),
        json!({"ChallengeParameters": {}}),
    ] {
        let mut d = password_flow();
        let error = d.reply_err(ok(body));
        assert!(is_protocol(&error), "{error:?}");
    }
    // An empty 200 body.
    let mut d = password_flow();
    let error = d.reply_err(response(200, b""));
    assert!(is_protocol(&error), "{error:?}");
}

#[test]
fn malformed_password_verifier_parameters_are_typed_errors() {
    let server = SrpServer::for_user(&mut rng(501), "alice", PASSWORD);
    let good = server.password_verifier_params();
    let n_hex = cognito_proto::srp::to_hex(cognito_proto::srp::modulus());
    let cases: Vec<(&str, serde_json::Value, Option<SrpError>)> = vec![
        (
            "missing SALT",
            json!({"SRP_B": good["SRP_B"], "SECRET_BLOCK": good["SECRET_BLOCK"], "USER_ID_FOR_SRP": "alice"}),
            None,
        ),
        (
            "missing SRP_B",
            json!({"SALT": good["SALT"], "SECRET_BLOCK": good["SECRET_BLOCK"], "USER_ID_FOR_SRP": "alice"}),
            None,
        ),
        (
            "missing SECRET_BLOCK",
            json!({"SALT": good["SALT"], "SRP_B": good["SRP_B"], "USER_ID_FOR_SRP": "alice"}),
            None,
        ),
        (
            "missing USER_ID_FOR_SRP",
            json!({"SALT": good["SALT"], "SRP_B": good["SRP_B"], "SECRET_BLOCK": good["SECRET_BLOCK"]}),
            None,
        ),
        (
            "empty SALT",
            json!({"SALT": "", "SRP_B": good["SRP_B"], "SECRET_BLOCK": good["SECRET_BLOCK"], "USER_ID_FOR_SRP": "alice"}),
            None,
        ),
        (
            "SALT not hex",
            json!({"SALT": "xyz", "SRP_B": good["SRP_B"], "SECRET_BLOCK": good["SECRET_BLOCK"], "USER_ID_FOR_SRP": "alice"}),
            Some(SrpError::InvalidHex { field: "SALT" }),
        ),
        (
            "SRP_B = 0",
            json!({"SALT": good["SALT"], "SRP_B": "0", "SECRET_BLOCK": good["SECRET_BLOCK"], "USER_ID_FOR_SRP": "alice"}),
            Some(SrpError::ServerKeyZero),
        ),
        (
            "SRP_B = N",
            json!({"SALT": good["SALT"], "SRP_B": n_hex, "SECRET_BLOCK": good["SECRET_BLOCK"], "USER_ID_FOR_SRP": "alice"}),
            Some(SrpError::ServerKeyZero),
        ),
        (
            "SECRET_BLOCK url-safe",
            json!({"SALT": good["SALT"], "SRP_B": good["SRP_B"], "SECRET_BLOCK": "ab-_", "USER_ID_FOR_SRP": "alice"}),
            Some(SrpError::InvalidBase64 {
                field: "SECRET_BLOCK",
            }),
        ),
    ];
    for (what, parameters, expected) in cases {
        let mut d = srp_flow();
        let error = d.reply_err(challenge("PASSWORD_VERIFIER", "S1", parameters));
        match (&error, expected) {
            (
                Error::ChallengeParameter {
                    challenge: ChallengeName::PasswordVerifier,
                    ..
                },
                None,
            ) => {}
            (Error::Srp(got), Some(want)) => assert_eq!(got, &want, "{what}"),
            _ => panic!("{what}: unexpected {error:?}"),
        }
        assert!(d.flow.is_finished(), "{what}");
        let again = d
            .flow
            .handle_response(tokens("alice", None), NOW, &mut rng(1));
        assert!(is_misuse(&again.unwrap_err()), "{what}: the flow is over");
    }
}

#[test]
fn password_verifier_without_srp_is_a_protocol_error() {
    let mut d = password_flow();
    let server = SrpServer::for_user(&mut rng(502), "alice", PASSWORD);
    let error = d.reply_err(challenge(
        "PASSWORD_VERIFIER",
        "S1",
        server.password_verifier_params(),
    ));
    assert!(is_protocol(&error), "{error:?}");
}

#[test]
fn malformed_challenge_parameters_are_protocol_errors() {
    let cases = [
        ("SELECT_MFA_TYPE", json!({})),
        ("SELECT_MFA_TYPE", json!({"MFAS_CAN_CHOOSE": "SMS_MFA"})),
        ("SELECT_MFA_TYPE", json!({"MFAS_CAN_CHOOSE": "[1,2]"})),
        (
            "MFA_SETUP",
            json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\""}),
        ),
        ("MFA_SETUP", json!({})),
        ("NEW_PASSWORD_REQUIRED", json!({"requiredAttributes": "{}"})),
        ("NEW_PASSWORD_REQUIRED", json!({"userAttributes": "[]"})),
        ("WEB_AUTHN", json!({})),
        ("SELECT_CHALLENGE", json!({"USERNAME": "alice"})),
    ];
    for (name, parameters) in cases {
        let mut d = password_flow();
        let error = d.reply_err(challenge(name, "S1", parameters.clone()));
        assert!(is_protocol(&error), "{name} {parameters}: {error:?}");
        assert!(d.flow.is_finished());
    }
}

#[test]
fn wrong_json_types_truncated_json_and_html_are_protocol_errors() {
    let bodies: [(u16, &[u8]); 6] = [
        (200, br#"{"ChallengeName":"SMS_MFA","Session":"S1","ChallengeParameters":{"CODE_DELIVERY_DESTINATION":5}}"#),
        (200, br#"{"ChallengeName":7}"#),
        (200, br#"{"AuthenticationResult":{"IdToken":"a.b.c","ExpiresIn":3600}}"#),
        (200, br#"{"ChallengeName":"SMS_MFA","Sess"#),
        (500, b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
        (200, b"not json"),
    ];
    for (status, body) in bodies {
        let mut d = password_flow();
        let error = d.reply_err(response(status, body));
        match &error {
            Error::InvalidResponse { status: got, .. } => assert_eq!(*got, status),
            other => panic!("expected a protocol error for {body:?}, got {other:?}"),
        }
        assert!(d.flow.is_finished());
    }
}

#[test]
fn associate_software_token_without_secret_is_a_protocol_error() {
    let mut d = totp_setup_started();
    let error = d.reply_err(ok(json!({"Session": "S2"})));
    assert!(is_protocol(&error), "{error:?}");
    assert!(d.flow.is_finished());
    // A finished flow holds no credential: not the session it was just given.
    assert!(holds_no_session(&d), "{:?}", d.flow);
}

#[test]
fn associate_software_token_refused_ends_the_flow_without_its_session() {
    let mut d = totp_setup_started();
    let error = d.reply_err(service_error(
        "NotAuthorizedException",
        "Invalid session for the user.",
    ));
    assert_eq!(
        error.service_kind().map(|k| k.as_str()),
        Some("NotAuthorizedException")
    );
    assert!(d.flow.is_finished());
    assert!(holds_no_session(&d), "{:?}", d.flow);
}

#[test]
fn service_errors_end_the_flow_with_the_typed_kind() {
    let mut d = srp_flow();
    let error = d.reply_err(service_error("TooManyRequestsException", "Rate exceeded"));
    assert_eq!(
        error.service_kind().map(|k| k.as_str()),
        Some("TooManyRequestsException")
    );
    assert!(error.is_retryable());
    assert!(d.flow.is_finished());
}

#[test]
fn handle_response_without_an_outstanding_request_is_misuse() {
    let mut d = password_flow();
    let step = d.reply_step(challenge("SMS_MFA", "S1", json!({})));
    let error = d
        .flow
        .handle_response(tokens("alice", None), NOW, &mut rng(1))
        .unwrap_err();
    assert!(is_misuse(&error), "{error:?}");
    assert_eq!(
        d.flow.waiting_for(),
        Some(&step),
        "the step is still answerable"
    );
    d.answer(Answer::code("123456"));
    // And after Done.
    d.reply_done(tokens("alice", None));
    let error = d
        .flow
        .handle_response(tokens("alice", None), NOW, &mut rng(1))
        .unwrap_err();
    assert!(is_misuse(&error));
    assert!(is_misuse(
        &d.flow
            .answer(Answer::code("1"), NOW, &mut rng(1))
            .unwrap_err()
    ));
}

#[test]
fn answering_while_a_request_is_out_or_the_wrong_step_is_misuse() {
    let mut d = password_flow();
    let error = d
        .flow
        .answer(Answer::code("1"), NOW, &mut rng(1))
        .unwrap_err();
    assert!(is_misuse(&error));
    assert_eq!(d.flow.state_name(), "InitiateAuthSent");
    let step = d.reply_step(challenge("SOFTWARE_TOKEN_MFA", "S1", json!({})));
    for wrong in [
        Answer::Password("p".into()),
        Answer::Email("a@b.c".to_owned()),
        Answer::WebAuthnCredential("{}".to_owned()),
        Answer::Raw(BTreeMap::new()),
        Answer::MfaType(cognito_proto::signin::MfaType::Sms),
    ] {
        let error = d.flow.answer(wrong, NOW, &mut rng(1)).unwrap_err();
        assert!(
            matches!(
                error,
                Error::AnswerMismatch {
                    step: "ConfirmWithTotpCode",
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(d.flow.waiting_for(), Some(&step));
    }
    d.answer(Answer::code("123456"));
}

#[test]
fn empty_username_is_invalid_input() {
    let result = SignInFlow::start(
        &config(),
        &endpoint(),
        Start::srp("", PASSWORD),
        None,
        NOW,
        &mut rng(1),
    );
    assert!(matches!(result, Err(Error::InvalidInput { .. })));
}

#[test]
fn debug_output_never_shows_secrets() {
    let (mut d, _init) = Drive::start(
        &config_with_secret(),
        Start::user_auth(
            "alice",
            Some(cognito_proto::signin::FirstFactor::Password(
                PASSWORD.into(),
            )),
        ),
        None,
    );
    let flow_debug = format!("{:?}", d.flow);
    assert!(!flow_debug.contains(PASSWORD), "{flow_debug}");
    assert!(!flow_debug.contains(CLIENT_SECRET));
    let done = d.reply_done(tokens("alice", None));
    let done_debug = format!("{done:?}");
    assert!(!done_debug.contains(&access_token("alice")));
    assert!(!done_debug.contains("eyJjdHkiOiJKV1Qi"));
    let answers = [
        Answer::code("123456"),
        Answer::Password("123456".into()),
        Answer::Email("123456@example.com".to_owned()),
        Answer::WebAuthnCredential("{\"id\":\"123456\"}".to_owned()),
        Answer::TotpSetup {
            code: "123456".into(),
            friendly_device_name: None,
        },
        Answer::Custom {
            answer: "123456".into(),
            extra: [("otp".to_owned(), "123456".to_owned())].into(),
        },
        Answer::NewPassword {
            password: "123456".into(),
            attributes: [("name".to_owned(), "123456".to_owned())].into(),
        },
        Answer::Raw([("CODE".to_owned(), "123456".to_owned())].into()),
        Answer::FirstFactor(cognito_proto::signin::FirstFactor::Password(
            "123456".into(),
        )),
    ];
    for answer in answers {
        let answer_debug = format!("{answer:?}");
        assert!(!answer_debug.contains("123456"), "{answer_debug}");
    }
    let start = Start::custom("alice", [("secret".to_owned(), "123456".to_owned())].into());
    let (d, _init) = Drive::start(&config(), start, None);
    let flow_debug = format!("{:?}", d.flow);
    assert!(!flow_debug.contains("123456"), "{flow_debug}");
    let event = Event::Step(NextStep::ConfirmWithTotpCode);
    assert!(format!("{event:?}").contains("ConfirmWithTotpCode"));
}

#[test]
fn verify_software_token_refused_for_good_ends_the_flow() {
    let mut d = totp_setup_started();
    let _ = d.reply_step(ok(
        json!({"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "S2"}),
    ));
    d.answer(Answer::code("123456"))
        .expect("VerifySoftwareToken", None);
    let error = d.reply_err(service_error(
        "NotAuthorizedException",
        "Invalid session for the user.",
    ));
    assert_eq!(
        error.service_kind().map(|k| k.as_str()),
        Some("NotAuthorizedException")
    );
    assert!(d.flow.is_finished());
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Bodies shaped like Cognito replies with arbitrary values, and arbitrary bytes.
    fn body() -> impl Strategy<Value = Vec<u8>> {
        let name = prop_oneof![
            Just("PASSWORD_VERIFIER".to_owned()),
            Just("DEVICE_SRP_AUTH".to_owned()),
            Just("DEVICE_PASSWORD_VERIFIER".to_owned()),
            Just("SMS_MFA".to_owned()),
            Just("SELECT_MFA_TYPE".to_owned()),
            Just("MFA_SETUP".to_owned()),
            Just("NEW_PASSWORD_REQUIRED".to_owned()),
            Just("SELECT_CHALLENGE".to_owned()),
            Just("WEB_AUTHN".to_owned()),
            "[A-Z_]{0,12}",
        ];
        let key = prop_oneof![
            Just("SALT".to_owned()),
            Just("SRP_B".to_owned()),
            Just("SECRET_BLOCK".to_owned()),
            Just("USER_ID_FOR_SRP".to_owned()),
            Just("MFAS_CAN_CHOOSE".to_owned()),
            Just("MFAS_CAN_SETUP".to_owned()),
            Just("requiredAttributes".to_owned()),
            Just("userAttributes".to_owned()),
            Just("CREDENTIAL_REQUEST_OPTIONS".to_owned()),
        ];
        let value = prop_oneof![
            "[0-9a-f]{0,8}",
            "[A-Za-z0-9+/=\\[\\]{}\",:]{0,24}",
            Just(String::new())
        ];
        let challenge_body = (
            name,
            proptest::collection::btree_map(key, value, 0..6),
            any::<bool>(),
        )
            .prop_map(|(name, params, session)| {
                let mut body = json!({"ChallengeName": name, "ChallengeParameters": params});
                if session {
                    body["Session"] = json!("S");
                }
                body.to_string().into_bytes()
            });
        let tokens_body =
            ("[a-z.]{0,6}", any::<i64>(), any::<bool>()).prop_map(|(token, expires, device)| {
                let mut result =
                    json!({"AccessToken": token, "IdToken": token, "ExpiresIn": expires});
                if device {
                    result["NewDeviceMetadata"] =
                        json!({"DeviceKey": token, "DeviceGroupKey": token});
                }
                json!({"AuthenticationResult": result, "SecretCode": token, "Status": "ERROR"})
                    .to_string()
                    .into_bytes()
            });
        prop_oneof![
            challenge_body,
            tokens_body,
            proptest::collection::vec(any::<u8>(), 0..64)
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn any_reply_in_any_state_is_a_typed_outcome(
            setup in 0u8..4,
            status in prop_oneof![Just(200u16), Just(400u16), Just(500u16)],
            first in body(),
            second in body(),
        ) {
            let mut d = match setup {
                0 => srp_flow(),
                1 => password_flow(),
                2 => Drive::start(&config_with_secret(), Start::user_auth("alice", None), None).0,
                _ => {
                    let mut d = password_flow();
                    let _ = d.reply_send(challenge(
                        "MFA_SETUP", "S1", json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]"})));
                    d
                }
            };
            for body in [first, second] {
                let outcome = d.flow.handle_response(response(status, &body), NOW, &mut d.rng);
                if let Ok(Event::Done(done)) = outcome {
                    prop_assert!(!done.tokens.access_token.expose_secret().is_empty());
                    prop_assert!(!done.tokens.id_token.expose_secret().is_empty());
                }
            }
        }
    }
}
