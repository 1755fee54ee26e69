//! Remembered devices: device SRP inside the flow, ConfirmDevice after NewDeviceMetadata, and
//! forgetting a device the server no longer knows.

use crate::signin_support as support;

use cognito_proto::config::RememberedDevice;
use cognito_proto::error::{CoreError, ResponseProblem};
use cognito_proto::ops::ChallengeName;
use cognito_proto::signin::{Answer, NextStep, Start};
use cognito_proto::srp;
use serde_json::json;
use support::*;

const PASSWORD: &str = "Corr3ct-horse!";
const DEVICE_KEY: &str = "us-east-1_0f6c1e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
const GROUP_KEY: &str = "-v7w9UcY6";

/// A device registered earlier, and the server's record of it (salt and verifier as
/// ConfirmDevice sent them).
fn registered_device() -> (RememberedDevice, String, String) {
    let reg = srp::register_device_with(&[7u8; 40], &[9u8; 16], GROUP_KEY, DEVICE_KEY);
    (
        RememberedDevice {
            device_key: DEVICE_KEY.to_owned(),
            device_group_key: GROUP_KEY.to_owned(),
            device_password: reg.device_password,
        },
        reg.salt_b64,
        reg.verifier_b64,
    )
}

/// Runs the password part of SRP and returns the flow's claim.
fn password_step(d: &mut Drive, srp_a: &str, user: &str, seed: u64) -> Sent {
    let server = SrpServer::for_user(&mut rng(seed), user, PASSWORD);
    let claim = d.reply_send(challenge(
        "PASSWORD_VERIFIER",
        "S1",
        server.password_verifier_params(),
    ));
    claim.expect("RespondToAuthChallenge", Some("PASSWORD_VERIFIER"));
    server.verify(srp_a, &claim, NOW).expect("password claim");
    claim
}

#[test]
fn remembered_device_answers_device_srp_inside_the_flow() {
    let (device, salt_b64, verifier_b64) = registered_device();
    let (mut d, init) = Drive::start(
        &config_with_secret(),
        Start::srp("alice", PASSWORD),
        Some(device.clone()),
    );
    assert_eq!(init.param("DEVICE_KEY"), Some(DEVICE_KEY));
    let srp_a = init.param("SRP_A").unwrap().to_owned();
    let claim = password_step(&mut d, &srp_a, "alice", 200);
    assert_eq!(claim.param("DEVICE_KEY"), Some(DEVICE_KEY));

    // DEVICE_SRP_AUTH is never shown to the user.
    let start = d.reply_send(challenge("DEVICE_SRP_AUTH", "S2", json!({})));
    start.expect("RespondToAuthChallenge", Some("DEVICE_SRP_AUTH"));
    assert_eq!(start.session(), Some("S2"));
    assert_eq!(start.param("USERNAME"), Some("alice"));
    assert_eq!(start.param("DEVICE_KEY"), Some(DEVICE_KEY));
    assert_eq!(
        start.param("SECRET_HASH"),
        Some(expected_secret_hash("alice").as_str())
    );
    let device_a = start.param("SRP_A").expect("device SRP_A").to_owned();
    assert_ne!(device_a, srp_a, "device SRP uses a fresh a");

    let server = SrpServer::for_device(
        &mut rng(201),
        GROUP_KEY,
        DEVICE_KEY,
        &salt_b64,
        &verifier_b64,
    );
    let proof = d.reply_send(challenge(
        "DEVICE_PASSWORD_VERIFIER",
        "S3",
        server.device_verifier_params(),
    ));
    proof.expect("RespondToAuthChallenge", Some("DEVICE_PASSWORD_VERIFIER"));
    assert_eq!(proof.session(), Some("S3"));
    assert_eq!(proof.param("USERNAME"), Some("alice"));
    assert_eq!(proof.param("DEVICE_KEY"), Some(DEVICE_KEY));
    assert_eq!(
        proof.param("SECRET_HASH"),
        Some(expected_secret_hash("alice").as_str())
    );
    server.verify(&device_a, &proof, NOW).expect("device claim");

    let done = d.reply_done(tokens("alice", None));
    assert_tokens(&done, "alice");
    assert_eq!(done.device, Some(device), "the device used is reported");
    assert!(!done.new_device && !done.device_forgotten);
}

#[test]
fn pitfall_14_device_srp_uses_group_key_device_key_and_device_password() {
    // A claim built with the username instead of the device key must fail the server's check;
    // the flow's claim must pass it.
    let (device, salt_b64, verifier_b64) = registered_device();
    let (mut d, init) = Drive::start(&config(), Start::password("alice", PASSWORD), Some(device));
    assert_eq!(init.param("DEVICE_KEY"), Some(DEVICE_KEY));
    let start = d.reply_send(challenge("DEVICE_SRP_AUTH", "S1", json!({})));
    let device_a = start.param("SRP_A").unwrap().to_owned();
    let server = SrpServer::for_device(
        &mut rng(202),
        GROUP_KEY,
        DEVICE_KEY,
        &salt_b64,
        &verifier_b64,
    );
    let proof = d.reply_send(challenge(
        "DEVICE_PASSWORD_VERIFIER",
        "S2",
        server.device_verifier_params(),
    ));
    server.verify(&device_a, &proof, NOW).expect("device claim");
    let wrong = SrpServer::for_device(&mut rng(202), POOL_NAME, "alice", &salt_b64, &verifier_b64);
    assert!(wrong.verify(&device_a, &proof, NOW).is_err());
}

#[test]
fn new_device_is_confirmed_by_the_flow_and_then_signs_in_with_device_srp() {
    let (mut d, init) = Drive::start(
        &config(),
        Start::srp("alice", PASSWORD).with_device_name("Firefox on Linux"),
        None,
    );
    let srp_a = init.param("SRP_A").unwrap().to_owned();
    password_step(&mut d, &srp_a, "alice", 203);
    let confirm = d.reply_send(tokens("alice", Some((DEVICE_KEY, GROUP_KEY))));
    confirm.expect("ConfirmDevice", None);
    assert_eq!(
        confirm.str("AccessToken"),
        Some(access_token("alice").as_str())
    );
    assert_eq!(confirm.str("DeviceKey"), Some(DEVICE_KEY));
    assert_eq!(confirm.str("DeviceName"), Some("Firefox on Linux"));
    let config_json = &confirm.body["DeviceSecretVerifierConfig"];
    let salt_b64 = config_json["Salt"].as_str().expect("Salt").to_owned();
    let verifier_b64 = config_json["PasswordVerifier"]
        .as_str()
        .expect("PasswordVerifier")
        .to_owned();

    let done = d.reply_done(ok(json!({"UserConfirmationNecessary": true})));
    assert_tokens(&done, "alice");
    assert!(done.new_device);
    assert!(done.user_confirmation_necessary);
    let device = done.device.clone().expect("new device");
    assert_eq!(device.device_key, DEVICE_KEY);
    assert_eq!(device.device_group_key, GROUP_KEY);
    assert!(d.flow.is_finished());

    // The verifier the flow registered must accept the device password it stored.
    let (mut d, _init) = Drive::start(&config(), Start::password("alice", PASSWORD), Some(device));
    let start = d.reply_send(challenge("DEVICE_SRP_AUTH", "S1", json!({})));
    let device_a = start.param("SRP_A").unwrap().to_owned();
    let server = SrpServer::for_device(
        &mut rng(204),
        GROUP_KEY,
        DEVICE_KEY,
        &salt_b64,
        &verifier_b64,
    );
    let proof = d.reply_send(challenge(
        "DEVICE_PASSWORD_VERIFIER",
        "S2",
        server.device_verifier_params(),
    ));
    server
        .verify(&device_a, &proof, NOW)
        .expect("registered verifier matches");
}

#[test]
fn confirm_device_without_user_confirmation() {
    let (mut d, _init) = Drive::start(&config(), Start::password("alice", PASSWORD), None);
    let confirm = d.reply_send(tokens("alice", Some((DEVICE_KEY, GROUP_KEY))));
    confirm.expect("ConfirmDevice", None);
    assert!(confirm.body.get("DeviceName").is_none());
    let done = d.reply_done(ok(json!({})));
    assert!(done.new_device && !done.user_confirmation_necessary);
    assert!(done.device.is_some());
}

#[test]
fn confirm_device_failure_keeps_the_tokens() {
    let (mut d, _init) = Drive::start(&config(), Start::password("alice", PASSWORD), None);
    d.reply_send(tokens("alice", Some((DEVICE_KEY, GROUP_KEY))))
        .expect("ConfirmDevice", None);
    let done = d.reply_done(service_error("InvalidParameterException", "bad verifier"));
    assert_tokens(&done, "alice");
    assert!(done.device.is_none() && !done.new_device);
    let error = done.device_error.expect("device error");
    assert_eq!(
        error.service_kind().map(|k| k.as_str()),
        Some("InvalidParameterException")
    );
}

#[test]
fn pitfall_15_unknown_device_at_initiate_auth_is_forgotten_and_retried_once() {
    let (device, _, _) = registered_device();
    let (mut d, init) = Drive::start(
        &config_with_secret(),
        Start::srp("alice", PASSWORD),
        Some(device),
    );
    assert_eq!(init.param("DEVICE_KEY"), Some(DEVICE_KEY));
    let first_a = init.param("SRP_A").unwrap().to_owned();
    let retry = d.reply_send(service_error(
        "ResourceNotFoundException",
        "Device does not exist.",
    ));
    retry.expect("InitiateAuth", None);
    assert_eq!(retry.param("DEVICE_KEY"), None);
    assert_eq!(retry.param("USERNAME"), Some("alice"));
    assert_eq!(
        retry.param("SECRET_HASH"),
        Some(expected_secret_hash("alice").as_str())
    );
    let srp_a = retry.param("SRP_A").unwrap().to_owned();
    assert_ne!(srp_a, first_a, "a fresh SRP_A for the new attempt");
    assert!(d.flow.device_forgotten());

    let claim = password_step(&mut d, &srp_a, "alice", 205);
    assert_eq!(claim.param("DEVICE_KEY"), None);
    // Without the device the server now asks for MFA; the user answers.
    let step = d.reply_step(challenge("SOFTWARE_TOKEN_MFA", "S2", json!({})));
    assert_eq!(step, NextStep::ConfirmWithTotpCode);
    d.answer(Answer::code("123456"));
    let done = d.reply_done(tokens("alice", None));
    assert!(done.device_forgotten);
    assert!(done.device.is_none());
}

#[test]
fn pitfall_15_unknown_device_at_password_verifier_restarts_from_initiate_auth() {
    let (device, _, _) = registered_device();
    let (mut d, init) = Drive::start(&config(), Start::srp("alice", PASSWORD), Some(device));
    let srp_a = init.param("SRP_A").unwrap().to_owned();
    password_step(&mut d, &srp_a, "alice", 206);
    // The PASSWORD_VERIFIER session is never re-sent: the flow starts over.
    let retry = d.reply_send(service_error(
        "ResourceNotFoundException",
        "Device does not exist.",
    ));
    retry.expect("InitiateAuth", None);
    assert_eq!(retry.param("DEVICE_KEY"), None);
    assert!(retry.session().is_none());
    // A second unknown-resource error is not retried again.
    let error = d.reply_err(service_error(
        "ResourceNotFoundException",
        "Device does not exist.",
    ));
    assert_eq!(
        error.service_kind().map(|k| k.as_str()),
        Some("ResourceNotFoundException")
    );
    assert!(d.flow.is_finished());
    assert!(d.flow.device_forgotten());
}

#[test]
fn pitfall_15_unknown_device_at_device_srp_restarts_once() {
    let (device, _, _) = registered_device();
    let (mut d, _init) = Drive::start(&config(), Start::password("alice", PASSWORD), Some(device));
    d.reply_send(challenge("DEVICE_SRP_AUTH", "S1", json!({})))
        .expect("RespondToAuthChallenge", Some("DEVICE_SRP_AUTH"));
    let retry = d.reply_send(service_error(
        "ResourceNotFoundException",
        "Device does not exist.",
    ));
    retry.expect("InitiateAuth", None);
    assert_eq!(retry.body["AuthFlow"], "USER_PASSWORD_AUTH");
    assert_eq!(retry.param("DEVICE_KEY"), None);
    assert_eq!(retry.param("PASSWORD"), Some(PASSWORD));
    let done = d.reply_done(tokens("alice", None));
    assert!(done.device_forgotten);
}

#[test]
fn pitfall_15_auto_sign_in_session_is_not_replayed_after_it_was_consumed() {
    let (device, _, _) = registered_device();
    let (mut d, init) = Drive::start(
        &config(),
        Start::auto_sign_in("alice", "signup-session-xyz"),
        Some(device),
    );
    assert_eq!(init.session(), Some("signup-session-xyz"));
    d.reply_send(challenge("DEVICE_SRP_AUTH", "S1", json!({})));
    let error = d.reply_err(service_error(
        "ResourceNotFoundException",
        "Device does not exist.",
    ));
    assert_eq!(
        error.service_kind().map(|k| k.as_str()),
        Some("ResourceNotFoundException")
    );
    assert!(
        d.flow.device_forgotten(),
        "the driver must still drop the device"
    );
    assert!(d.flow.is_finished());
}

#[test]
fn resource_not_found_about_something_else_is_an_error_and_keeps_the_device() {
    let (device, _, _) = registered_device();
    let (mut d, _init) = Drive::start(&config(), Start::srp("alice", PASSWORD), Some(device));
    let error = d.reply_err(service_error(
        "ResourceNotFoundException",
        "User pool client 3n4b5urk1ft4fl3mg5e62d9ado does not exist.",
    ));
    assert_eq!(
        error.service_kind().map(|k| k.as_str()),
        Some("ResourceNotFoundException")
    );
    assert!(!d.flow.device_forgotten());
    assert!(d.flow.is_finished());
}

#[test]
fn device_challenge_without_a_device_is_a_protocol_error() {
    let (mut d, _init) = Drive::start(&config(), Start::password("alice", PASSWORD), None);
    let error = d.reply_err(challenge("DEVICE_SRP_AUTH", "S1", json!({})));
    assert!(
        matches!(
            &error,
            CoreError::UnexpectedChallenge { challenge, .. }
                if *challenge == ChallengeName::DeviceSrpAuth
        ),
        "{error:?}"
    );
    let (device, _, _) = registered_device();
    let (mut d, _init) = Drive::start(&config(), Start::password("alice", PASSWORD), Some(device));
    let error = d.reply_err(challenge(
        "DEVICE_PASSWORD_VERIFIER",
        "S1",
        json!({"SALT": "ab", "SRP_B": "cd", "SECRET_BLOCK": "AAAA"}),
    ));
    assert!(
        matches!(
            &error,
            CoreError::UnexpectedChallenge { challenge, .. }
                if *challenge == ChallengeName::DevicePasswordVerifier
        ),
        "{error:?}"
    );
}

#[test]
fn pitfall_16_stale_device_of_a_recreated_user_does_not_break_sign_in() {
    // The user was deleted and re-created: the stored device key belongs to the old account.
    let (device, _, _) = registered_device();
    let (mut d, init) = Drive::start(&config(), Start::srp("alice", PASSWORD), Some(device));
    assert_eq!(init.param("DEVICE_KEY"), Some(DEVICE_KEY));
    let srp_a = init.param("SRP_A").unwrap().to_owned();
    password_step(&mut d, &srp_a, "alice-new-uuid", 207);
    let retry = d.reply_send(service_error(
        "ResourceNotFoundException",
        "Device does not exist.",
    ));
    let srp_a = retry.param("SRP_A").unwrap().to_owned();
    assert_eq!(retry.param("DEVICE_KEY"), None);
    password_step(&mut d, &srp_a, "alice-new-uuid", 208);
    // The new account gets a new device, confirmed by the flow.
    d.reply_send(tokens(
        "alice-new-uuid",
        Some(("us-east-1_new-device", "-newGroup")),
    ))
    .expect("ConfirmDevice", None);
    let done = d.reply_done(ok(json!({"UserConfirmationNecessary": false})));
    assert!(done.device_forgotten && done.new_device);
    assert_eq!(
        done.device.map(|dev| dev.device_key),
        Some("us-east-1_new-device".to_owned())
    );
}

#[test]
fn new_device_metadata_with_empty_keys_is_reported_not_confirmed() {
    let (mut d, _init) = Drive::start(&config(), Start::password("alice", PASSWORD), None);
    let done = d.reply_done(tokens("alice", Some(("", GROUP_KEY))));
    assert_tokens(&done, "alice");
    assert!(done.device.is_none() && !done.new_device);
    assert!(matches!(
        done.device_error,
        Some(CoreError::InvalidResponse {
            problem: ResponseProblem::InvalidMember {
                member: "NewDeviceMetadata",
                ..
            },
            ..
        })
    ));
}

#[test]
fn the_states_can_be_followed_one_by_one() {
    let (device, salt_b64, verifier_b64) = registered_device();
    let (mut d, init) = Drive::start(&config(), Start::srp("alice", PASSWORD), Some(device));
    assert_eq!(d.flow.state_name(), "InitiateAuthSent");
    let srp_a = init.param("SRP_A").unwrap().to_owned();
    password_step(&mut d, &srp_a, "alice", 209);
    assert_eq!(d.flow.state_name(), "PasswordVerifierSent");
    let start = d.reply_send(challenge("DEVICE_SRP_AUTH", "S2", json!({})));
    assert_eq!(d.flow.state_name(), "DeviceSrpAuthSent");
    let device_a = start.param("SRP_A").unwrap().to_owned();
    let server = SrpServer::for_device(
        &mut rng(210),
        GROUP_KEY,
        DEVICE_KEY,
        &salt_b64,
        &verifier_b64,
    );
    let proof = d.reply_send(challenge(
        "DEVICE_PASSWORD_VERIFIER",
        "S3",
        server.device_verifier_params(),
    ));
    server.verify(&device_a, &proof, NOW).expect("device claim");
    assert_eq!(d.flow.state_name(), "DevicePasswordVerifierSent");
    let step = d.reply_step(challenge("NEW_PASSWORD_REQUIRED", "S4", json!({})));
    assert_eq!(d.flow.state_name(), "WaitingForAnswer");
    assert_eq!(d.flow.waiting_for(), Some(&step));
    d.answer(Answer::NewPassword {
        password: "N3w-passw0rd!".into(),
        attributes: Default::default(),
    });
    assert_eq!(d.flow.state_name(), "AnswerSent");
    d.reply_send(challenge(
        "MFA_SETUP",
        "S5",
        json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]"}),
    ));
    assert_eq!(d.flow.state_name(), "AssociateSoftwareTokenSent");
    let _ = d.reply_step(ok(
        json!({"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "S6"}),
    ));
    d.answer(Answer::code("123456"));
    assert_eq!(d.flow.state_name(), "VerifySoftwareTokenSent");
    d.reply_send(ok(json!({"Status": "SUCCESS", "Session": "S7"})));
    assert_eq!(d.flow.state_name(), "MfaSetupSent");
    d.reply_send(tokens("alice", Some(("us-east-1_other", "-grp"))));
    assert_eq!(d.flow.state_name(), "ConfirmDeviceSent");
    let done = d.reply_done(ok(json!({})));
    assert_eq!(d.flow.state_name(), "Finished");
    assert!(done.new_device);
    assert_eq!(d.flow.username(), "alice");
}
