//! Choice-based sign-in (USER_AUTH): preferred first factors, SELECT_CHALLENGE, passwordless
//! codes, passkeys, the PASSWORD / PASSWORD_SRP challenges, and auto sign-in after sign-up.

use crate::signin_support as support;

use cognito_proto::signin::{Answer, FirstFactor, FirstFactorType, NextStep, Start};
use serde_json::json;
use support::*;

const PASSWORD: &str = "Corr3ct-horse!";
const OPTIONS: &str = r#"{"challenge":"mJXERjy2a3Mk","rpId":"example.com","timeout":180000,"allowCredentials":[{"type":"public-key","id":"AbCd"}],"userVerification":"preferred"}"#;
const CREDENTIAL: &str = r#"{"id":"AbCd","rawId":"AbCd","type":"public-key","response":{"authenticatorData":"x","clientDataJSON":"y","signature":"z","userHandle":"u"},"clientExtensionResults":{}}"#;

fn start_user_auth(preferred: Option<FirstFactor>) -> (Drive, Sent) {
    let (d, init) = Drive::start(
        &config_with_secret(),
        Start::user_auth("alice", preferred),
        None,
    );
    init.expect("InitiateAuth", None);
    assert_eq!(init.body["AuthFlow"], "USER_AUTH");
    assert_eq!(init.param("USERNAME"), Some("alice"));
    assert_eq!(
        init.param("SECRET_HASH"),
        Some(expected_secret_hash("alice").as_str())
    );
    (d, init)
}

#[test]
fn preferred_password_goes_straight_to_tokens() {
    let (mut d, init) = start_user_auth(Some(FirstFactor::Password(PASSWORD.into())));
    assert_eq!(init.param("PREFERRED_CHALLENGE"), Some("PASSWORD"));
    assert_eq!(init.param("PASSWORD"), Some(PASSWORD));
    assert_eq!(init.param("SRP_A"), None);
    d.reply_done(tokens("alice", None));
}

#[test]
fn preferred_password_srp_runs_srp() {
    let (mut d, init) = start_user_auth(Some(FirstFactor::PasswordSrp(PASSWORD.into())));
    assert_eq!(init.param("PREFERRED_CHALLENGE"), Some("PASSWORD_SRP"));
    assert_eq!(init.param("PASSWORD"), None);
    let srp_a = init.param("SRP_A").expect("SRP_A").to_owned();
    let server = SrpServer::for_user(&mut rng(400), "alice-uuid", PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S1",
        server.password_verifier_params(),
    ));
    server.verify(&srp_a, &claim, NOW).expect("claim");
    assert_eq!(
        claim.param("SECRET_HASH"),
        Some(expected_secret_hash("alice-uuid").as_str())
    );
    d.reply_done(tokens("alice-uuid", None));
}

#[test]
fn preferred_email_otp() {
    let (mut d, init) = start_user_auth(Some(FirstFactor::EmailOtp));
    assert_eq!(init.param("PREFERRED_CHALLENGE"), Some("EMAIL_OTP"));
    let step = d.reply_step(challenge(
        "EMAIL_OTP",
        "S1",
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
    assert_eq!(answer.session(), Some("S1"));
    assert_eq!(
        answer.param("SECRET_HASH"),
        Some(expected_secret_hash("alice").as_str())
    );
    d.reply_done(tokens("alice", None));
}

#[test]
fn preferred_sms_otp() {
    let (mut d, init) = start_user_auth(Some(FirstFactor::SmsOtp));
    assert_eq!(init.param("PREFERRED_CHALLENGE"), Some("SMS_OTP"));
    let step = d.reply_step(challenge(
        "SMS_OTP",
        "S1",
        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******0100"}),
    ));
    assert_eq!(
        step,
        NextStep::ConfirmWithSmsCode {
            destination: Some("+*******0100".to_owned())
        }
    );
    let answer = d.answer(Answer::code("123456"));
    answer.expect("RespondToAuthChallenge", Some("SMS_OTP"));
    assert_eq!(answer.param("SMS_OTP_CODE"), Some("123456"));
    assert_eq!(answer.param("SMS_MFA_CODE"), None);
    d.reply_done(tokens("alice", None));
}

#[test]
fn preferred_web_authn_passes_json_both_ways() {
    let (mut d, init) = start_user_auth(Some(FirstFactor::WebAuthn));
    assert_eq!(init.param("PREFERRED_CHALLENGE"), Some("WEB_AUTHN"));
    let step = d.reply_step(challenge(
        "WEB_AUTHN",
        "S1",
        json!({"CREDENTIAL_REQUEST_OPTIONS": OPTIONS}),
    ));
    assert_eq!(
        step,
        NextStep::WebAuthn {
            request_options_json: OPTIONS.to_owned()
        }
    );
    let answer = d.answer(Answer::WebAuthnCredential(CREDENTIAL.to_owned()));
    answer.expect("RespondToAuthChallenge", Some("WEB_AUTHN"));
    assert_eq!(answer.param("CREDENTIAL"), Some(CREDENTIAL));
    assert_eq!(answer.session(), Some("S1"));
    d.reply_done(tokens("alice", None));
}

fn select_challenge(d: &mut Drive) -> NextStep {
    let step = d.reply_step(ok(json!({
        "ChallengeName": "SELECT_CHALLENGE",
        "Session": "S1",
        "ChallengeParameters": {"USERNAME": "alice"},
        "AvailableChallenges": ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN", "FUTURE_FACTOR"],
    })));
    assert!(
        matches!(step, NextStep::SelectFirstFactor { .. }),
        "{step:?}"
    );
    step
}

#[test]
fn no_preference_offers_the_available_first_factors() {
    let (mut d, init) = start_user_auth(None);
    assert_eq!(init.param("PREFERRED_CHALLENGE"), None);
    let step = select_challenge(&mut d);
    assert_eq!(
        step,
        NextStep::SelectFirstFactor {
            available: vec![
                FirstFactorType::PasswordSrp,
                FirstFactorType::Password,
                FirstFactorType::EmailOtp,
                FirstFactorType::SmsOtp,
                FirstFactorType::WebAuthn,
                FirstFactorType::Other("FUTURE_FACTOR".to_owned()),
            ]
        }
    );
}

#[test]
fn select_challenge_password_srp() {
    let (mut d, _init) = start_user_auth(None);
    let _ = select_challenge(&mut d);
    let answer = d.answer(Answer::FirstFactor(FirstFactor::PasswordSrp(
        PASSWORD.into(),
    )));
    answer.expect("RespondToAuthChallenge", Some("SELECT_CHALLENGE"));
    assert_eq!(answer.session(), Some("S1"));
    assert_eq!(answer.param("ANSWER"), Some("PASSWORD_SRP"));
    assert_eq!(answer.param("PASSWORD"), None);
    let srp_a = answer.param("SRP_A").expect("SRP_A").to_owned();
    let server = SrpServer::for_user(&mut rng(401), "alice", PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S2",
        server.password_verifier_params(),
    ));
    assert_eq!(claim.session(), Some("S2"));
    server.verify(&srp_a, &claim, NOW).expect("claim");
    d.reply_done(tokens("alice", None));
}

#[test]
fn select_challenge_password() {
    let (mut d, _init) = start_user_auth(None);
    let _ = select_challenge(&mut d);
    let answer = d.answer(Answer::FirstFactor(FirstFactor::Password(PASSWORD.into())));
    assert_eq!(answer.param("ANSWER"), Some("PASSWORD"));
    assert_eq!(answer.param("PASSWORD"), Some(PASSWORD));
    assert_eq!(
        answer.param("SECRET_HASH"),
        Some(expected_secret_hash("alice").as_str())
    );
    d.reply_done(tokens("alice", None));
}

#[test]
fn select_challenge_codes_and_passkey() {
    for (factor, wire, next) in [
        (FirstFactor::EmailOtp, "EMAIL_OTP", "EMAIL_OTP"),
        (FirstFactor::SmsOtp, "SMS_OTP", "SMS_OTP"),
        (FirstFactor::WebAuthn, "WEB_AUTHN", "WEB_AUTHN"),
    ] {
        let (mut d, _init) = start_user_auth(None);
        let _ = select_challenge(&mut d);
        let answer = d.answer(Answer::FirstFactor(factor));
        assert_eq!(answer.param("ANSWER"), Some(wire));
        assert_eq!(answer.param("PASSWORD"), None);
        assert_eq!(answer.param("SRP_A"), None);
        let step = d.reply_step(challenge(
            next,
            "S2",
            json!({"CODE_DELIVERY_DESTINATION": "masked", "CREDENTIAL_REQUEST_OPTIONS": OPTIONS}),
        ));
        let reply = match step {
            NextStep::ConfirmWithEmailCode { .. } | NextStep::ConfirmWithSmsCode { .. } => {
                Answer::code("123456")
            }
            NextStep::WebAuthn { .. } => Answer::WebAuthnCredential(CREDENTIAL.to_owned()),
            other => panic!("unexpected step {other:?} for {wire}"),
        };
        let sent = d.answer(reply);
        assert_eq!(sent.challenge(), Some(next));
        assert_eq!(sent.session(), Some("S2"));
        d.reply_done(tokens("alice", None));
    }
}

#[test]
fn password_and_password_srp_challenges_ask_for_the_password() {
    let (mut d, _init) = start_user_auth(None);
    let step = d.reply_step(challenge("PASSWORD", "S1", json!({"USERNAME": "alice"})));
    assert_eq!(step, NextStep::EnterPassword);
    let answer = d.answer(Answer::Password(PASSWORD.into()));
    answer.expect("RespondToAuthChallenge", Some("PASSWORD"));
    assert_eq!(answer.param("PASSWORD"), Some(PASSWORD));
    d.reply_done(tokens("alice", None));

    let (mut d, _init) = start_user_auth(None);
    let step = d.reply_step(challenge(
        "PASSWORD_SRP",
        "S1",
        json!({"USERNAME": "alice"}),
    ));
    assert_eq!(step, NextStep::EnterPassword);
    let answer = d.answer(Answer::Password(PASSWORD.into()));
    answer.expect("RespondToAuthChallenge", Some("PASSWORD_SRP"));
    assert_eq!(answer.param("PASSWORD"), None);
    let srp_a = answer.param("SRP_A").expect("SRP_A").to_owned();
    let server = SrpServer::for_user(&mut rng(402), "alice", PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S2",
        server.password_verifier_params(),
    ));
    server.verify(&srp_a, &claim, NOW).expect("claim");
    d.reply_done(tokens("alice", None));
}

#[test]
fn auto_sign_in_sends_the_confirm_sign_up_session() {
    let (mut d, init) = Drive::start(
        &config_with_secret(),
        Start::auto_sign_in("alice", "confirm-sign-up-session-0123456789"),
        None,
    );
    init.expect("InitiateAuth", None);
    assert_eq!(init.body["AuthFlow"], "USER_AUTH");
    assert_eq!(init.session(), Some("confirm-sign-up-session-0123456789"));
    assert_eq!(init.param("USERNAME"), Some("alice"));
    assert_eq!(
        init.param("SECRET_HASH"),
        Some(expected_secret_hash("alice").as_str())
    );
    assert_eq!(init.param("PREFERRED_CHALLENGE"), None);
    let done = d.reply_done(tokens("alice", None));
    assert_tokens(&done, "alice");
}
