//! The sign-in state machine (`cognito_proto::signin::SignInFlow`) driven by a hostile server.
//!
//! Input: blocks separated by a line `----`. The first block is the start:
//! `start <srp|password|custom_srp|custom|user_auth|user_auth_srp|auto> [device]`. Every other
//! block is either a response in the text form of `cognito_fuzz::TextResponse` (first line
//! `<anything> <status>`), fed to `handle_response`, or `answer <text>`, turned into the
//! answer that fits the step waiting (or `wrong <text>`, always a code), fed to `answer`.
//! Token values given as JSON objects are turned into JWTs with those claims.
//!
//! Invariants:
//! * a `RespondToAuthChallenge`, `AssociateSoftwareToken` or `VerifySoftwareToken` request
//!   carries the current `Session`: the one of the latest reply (known client bug docs/protocol.md#pitfall-12), so never the
//!   one a successful step consumed, and none left over from before a restart; and it carries
//!   `USERNAME` with a `SECRET_HASH` over that name (known client bug docs/protocol.md#pitfall-25);
//! * a response while a step waits for the user, or an answer while a request is out, is a
//!   misuse error that leaves the flow where it was;
//! * tokens are delivered only from a reply that carried them, unchanged;
//! * every request is a well-formed Cognito request; nothing panics.
#![no_main]

use std::collections::BTreeMap;

use chacha20::ChaCha20Rng;
use cognito_fuzz::{parse_text_response, templated_body};
use cognito_proto::config::{ClientConfig, RememberedDevice};
use cognito_proto::envelope::{Endpoint, PreparedRequest};
use cognito_proto::error::CoreError as Error;
use cognito_proto::secret::SecretString;
use cognito_proto::signin::{Answer, Event, FirstFactor, MfaType, NextStep, SignInFlow, Start};
use cognito_proto::srp;
use libfuzzer_sys::fuzz_target;
use rand_core::SeedableRng;
use serde_json::Value;

const CLIENT_ID: &str = "4l2k0abcdexample0client0id";
const CLIENT_SECRET: &str = "s3cr3tvalue0s3cr3tvalue0s3cr3t";
const NOW: u64 = 1_715_100_742;

/// What the target knows of the conversation so far.
#[derive(Default)]
struct Track {
    /// The session the next step must carry: the latest reply's (known client bug docs/protocol.md#pitfall-12).
    current: Option<String>,
    /// The operation of the last request sent.
    last_op: String,
    /// The tokens of the latest challenge reply that carried an `AuthenticationResult`.
    tokens: Option<(String, String)>,
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut blocks = text.split("\n----\n");
    let Some(start_line) = blocks.next() else {
        return;
    };
    let mut words = start_line.split_whitespace();
    if words.next() != Some("start") {
        return;
    }
    let kind = words.next().unwrap_or("password");
    let with_device = words.any(|w| w == "device");
    let start = match kind {
        "srp" => Start::srp("alice", "Passw0rd!"),
        "password" => Start::password("alice", "Passw0rd!"),
        "custom_srp" => Start::custom_with_srp("alice", "Passw0rd!"),
        "custom" => Start::custom("alice", BTreeMap::new()),
        "user_auth" => Start::user_auth("alice", None),
        "user_auth_srp" => {
            Start::user_auth("alice", Some(FirstFactor::PasswordSrp("Passw0rd!".into())))
        }
        "auto" => Start::auto_sign_in("alice", "AYABeSignUpSessionFromConfirmSignUp"),
        _ => return,
    };
    let device = with_device.then(|| RememberedDevice {
        device_key: "us-east-1_0f6c4b1e-aaaa-bbbb-cccc-ddddeeeeffff".to_owned(),
        device_group_key: "-v7w9UcY6".to_owned(),
        device_password: SecretString::from("bGF6eSBkZXZpY2UgcGFzc3dvcmQgb2YgZm9ydHkgYnl0ZXMhISE="),
    });
    let config = ClientConfig::new("us-east-1_AbCdEfGhI", CLIENT_ID)
        .expect("valid config")
        .with_secret(SecretString::from(CLIENT_SECRET));
    let endpoint =
        Endpoint::from_url("https://cognito-idp.us-east-1.amazonaws.com/").expect("valid url");
    let mut rng = ChaCha20Rng::seed_from_u64(7);

    let (mut flow, first) =
        SignInFlow::start(&config, &endpoint, start, device, NOW, &mut rng).expect("a valid start");
    let mut track = Track::default();
    let mut event = Some(first);
    for (i, block) in blocks.enumerate() {
        let now = NOW + i as u64;
        match event.take() {
            Some(Event::Send(request)) => {
                check_request(&request, &mut track);
                if let Some(value) = block
                    .strip_prefix("answer ")
                    .or(block.strip_prefix("wrong "))
                {
                    // An answer while a request is out: refused, nothing changes.
                    let before = flow.state_name();
                    let err = flow
                        .answer(Answer::code(value), now, &mut rng)
                        .expect_err("answer accepted while a request is out");
                    assert!(matches!(err, Error::Misuse(_)), "{err:?}");
                    assert_eq!(flow.state_name(), before);
                    // Still waiting for the same request's response.
                    event = Some(Event::Send(request));
                    continue;
                }
                let Some(parsed) = parse_text_response(block.as_bytes()) else {
                    return;
                };
                let mut response = parsed.response;
                *response.body_mut() = templated_body(response.body());
                observe_response(&response, &mut track);
                match flow.handle_response(response, now, &mut rng) {
                    Ok(next) => event = Some(next),
                    Err(_) => {
                        if flow.is_finished() {
                            return;
                        }
                        // A refused answer: back to the same step.
                        let step = flow
                            .waiting_for()
                            .expect("after an error the flow is over or back at a step")
                            .clone();
                        event = Some(Event::Step(step));
                    }
                }
            }
            Some(Event::Step(step)) => {
                if parse_text_response(block.as_bytes()).is_some()
                    && !block.starts_with("answer ")
                    && !block.starts_with("wrong ")
                {
                    let before = flow.state_name();
                    let mut response = http::Response::new(b"{}".to_vec());
                    *response.status_mut() = http::StatusCode::OK;
                    let err = flow
                        .handle_response(response, now, &mut rng)
                        .expect_err("response accepted while a step waits");
                    assert!(matches!(err, Error::Misuse(_)), "{err:?}");
                    assert_eq!(flow.state_name(), before);
                    event = Some(Event::Step(step));
                    continue;
                }
                let answer = if let Some(value) = block.strip_prefix("answer ") {
                    fitting_answer(&step, value)
                } else if let Some(value) = block.strip_prefix("wrong ") {
                    Answer::code(value)
                } else {
                    return;
                };
                match flow.answer(answer, now, &mut rng) {
                    Ok(next) => event = Some(next),
                    Err(Error::Misuse(_) | Error::AnswerMismatch { .. }) => {
                        assert_eq!(
                            flow.waiting_for(),
                            Some(&step),
                            "a refused answer moved the flow"
                        );
                        event = Some(Event::Step(step));
                    }
                    Err(_) => return,
                }
            }
            Some(Event::Done(signed_in)) => {
                check_done(&signed_in, &track);
                return;
            }
            // The device lookup is opt-in (`Start::with_device_lookup`); this start never asks.
            Some(other) => panic!("unexpected event {other:?}"),
            None => return,
        }
    }
    match event {
        Some(Event::Send(request)) => check_request(&request, &mut track),
        Some(Event::Done(signed_in)) => check_done(&signed_in, &track),
        _ => {}
    }
});

fn fitting_answer(step: &NextStep, value: &str) -> Answer {
    match step {
        NextStep::SelectMfaType { allowed } | NextStep::SelectMfaSetupType { allowed } => {
            Answer::MfaType(allowed.first().cloned().unwrap_or(MfaType::Totp))
        }
        NextStep::SetUpEmail => Answer::Email(value.to_owned()),
        NextStep::NewPasswordRequired {
            required_attributes,
            ..
        } => Answer::NewPassword {
            password: value.into(),
            attributes: required_attributes
                .iter()
                .map(|a| (a.clone(), "x".to_owned()))
                .collect(),
        },
        NextStep::CustomChallenge { .. } => Answer::Custom {
            answer: value.into(),
            extra: BTreeMap::new(),
        },
        NextStep::SelectFirstFactor { available } => {
            Answer::FirstFactor(match available.first().map(|f| f.as_str()) {
                Some("PASSWORD") => FirstFactor::Password(value.into()),
                Some("EMAIL_OTP") => FirstFactor::EmailOtp,
                Some("SMS_OTP") => FirstFactor::SmsOtp,
                Some("WEB_AUTHN") => FirstFactor::WebAuthn,
                _ => FirstFactor::PasswordSrp(value.into()),
            })
        }
        NextStep::EnterPassword => Answer::Password(value.into()),
        NextStep::WebAuthn { .. } => Answer::WebAuthnCredential(value.to_owned()),
        NextStep::Unsupported { .. } => {
            Answer::Raw(BTreeMap::from([("ANSWER".to_owned(), value.to_owned())]))
        }
        _ => Answer::code(value),
    }
}

fn target(request: &PreparedRequest) -> String {
    request
        .request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn check_request(request: &PreparedRequest, track: &mut Track) {
    let target = target(request);
    let op = target
        .strip_prefix("AWSCognitoIdentityProviderService.")
        .expect("a user-pool request");
    assert_eq!(op, request.operation);
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(request.request.body()) else {
        panic!("{op}: the body is not a JSON object");
    };
    let session = body
        .get("Session")
        .map(|s| s.as_str().expect("Session is a string").to_owned());
    match op {
        "InitiateAuth" => {
            // A new start: nothing before it counts.
            track.current = None;
        }
        "RespondToAuthChallenge" | "AssociateSoftwareToken" | "VerifySoftwareToken" => {
            // The latest reply's session, so never one a successful step consumed (unless
            // the server hands the same value out again).
            assert_eq!(session, track.current, "{op} without the current Session");
        }
        _ => {}
    }
    if op == "RespondToAuthChallenge" {
        let responses = body
            .get("ChallengeResponses")
            .and_then(Value::as_object)
            .expect("ChallengeResponses");
        let username = responses
            .get("USERNAME")
            .and_then(Value::as_str)
            .expect("USERNAME in every answer");
        assert_eq!(
            responses.get("SECRET_HASH").and_then(Value::as_str),
            Some(srp::secret_hash(username, CLIENT_ID, CLIENT_SECRET).as_str()),
            "SECRET_HASH not over the USERNAME sent"
        );
    }
    track.last_op = op.to_owned();
}

fn observe_response(response: &http::Response<Vec<u8>>, track: &mut Track) {
    if !response.status().is_success() {
        return;
    }
    let body = if response.body().iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        match serde_json::from_slice::<Value>(response.body()) {
            Ok(v) => v,
            Err(_) => return,
        }
    };
    let Value::Object(body) = body else { return };
    let session = body
        .get("Session")
        .and_then(Value::as_str)
        .map(str::to_owned);
    match track.last_op.as_str() {
        // Each challenge reply replaces the session, even with none (known client bug docs/protocol.md#pitfall-12).
        "InitiateAuth" | "RespondToAuthChallenge" => track.current = session,
        // TOTP enrolment replies carry a new session; without one the old stays.
        _ => {
            if session.is_some() {
                track.current = session;
            }
        }
    }
    // Only challenge replies deliver tokens; an `AuthenticationResult` in any other reply
    // (ConfirmDevice's, say) is a member the model does not declare there and must be ignored.
    let delivers_tokens = matches!(
        track.last_op.as_str(),
        "InitiateAuth" | "RespondToAuthChallenge"
    );
    if delivers_tokens
        && let Some(result) = body.get("AuthenticationResult").and_then(Value::as_object)
        && let (Some(id), Some(access)) = (
            result.get("IdToken").and_then(Value::as_str),
            result.get("AccessToken").and_then(Value::as_str),
        )
    {
        track.tokens = Some((id.to_owned(), access.to_owned()));
    }
}

fn check_done(signed_in: &cognito_proto::signin::SignedIn, track: &Track) {
    let (id, access) = track
        .tokens
        .as_ref()
        .expect("tokens delivered without a reply carrying them");
    assert_eq!(signed_in.tokens.id_token.expose_secret(), id);
    assert_eq!(signed_in.tokens.access_token.expose_secret(), access);
    assert!(!signed_in.username.is_empty());
}
