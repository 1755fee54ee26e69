//! Use cases 9, 10, 24, 27, 28 and 29 of amazon-cognito-identity-js: enabling and disabling
//! SMS MFA, reading the MFA settings, setting up an authenticator app (TOTP), choosing the
//! factor at sign-in, and setting up TOTP during sign-in when the pool requires MFA (blocking
//! driver).
//!
//! ```sh
//! cargo run --example mfa
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use cognito_blocking::ops::{MfaSetting, MfaSettings, VerifySoftwareTokenStatus};
use cognito_blocking::{Answer, MfaPreference, MfaType, NextStep, SignInOutcome, UserPool};
use cognito_examples::{
    BoxError, ClientConfig, Demo, MessageKind, MfaConfiguration, PASSWORD, PoolConfig, ensure,
    ensure_eq, step,
};

fn on(preferred: bool) -> Option<MfaSettings> {
    Some(MfaSettings {
        enabled: Some(true),
        preferred_mfa: Some(preferred),
    })
}

fn step_of(pool: &UserPool, username: &str) -> Result<cognito_blocking::PendingSignIn, BoxError> {
    match pool.sign_in(username, PASSWORD)? {
        SignInOutcome::Pending(s) => Ok(s),
        SignInOutcome::SignedIn(_) => Err("check failed: signed in without MFA".into()),
    }
}

fn main() -> Result<(), BoxError> {
    let demo = Demo::start(
        PoolConfig {
            mfa: MfaConfiguration::Optional,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )?;
    demo.emu.create_user(
        &demo.pool_id,
        "ivan",
        PASSWORD,
        &[
            ("email", "ivan@example.com"),
            ("phone_number", "+15555550101"),
        ],
    )?;
    let pool = demo.blocking()?.build()?;
    let user = pool
        .sign_in("ivan", PASSWORD)?
        .signed_in()
        .ok_or("MFA asked before any factor was enabled")?;
    step("ivan signed in; no second factor yet");

    // Use cases 9 and 28: enable SMS MFA and make it preferred.
    user.set_mfa_preference(MfaPreference {
        sms: on(true),
        ..MfaPreference::default()
    })?;
    // Use case 24: the MFA settings.
    let data = user.get_user()?;
    ensure_eq(
        data.preferred_mfa_setting,
        Some(MfaSetting::SmsMfa),
        "preferred factor",
    )?;
    ensure_eq(
        data.user_mfa_setting_list,
        vec![MfaSetting::SmsMfa],
        "enabled factors",
    )?;
    step("enabled SMS MFA (PreferredMfaSetting = SMS_MFA)");
    user.sign_out()?;

    let mut sign_in = step_of(&pool, "ivan")?;
    ensure(
        matches!(sign_in.next_step(), NextStep::ConfirmWithSmsCode { .. }),
        format!("SMS step: {:?}", sign_in.next_step()),
    )?;
    let code = demo.code("ivan", MessageKind::Mfa)?;
    let user = sign_in
        .answer(Answer::code(code))?
        .signed_in()
        .ok_or("another step after the SMS code")?;
    step("signed in with the SMS code");

    // Use case 29 (first half): add an authenticator app.
    let secret = user.associate_software_token()?;
    let status = user.verify_software_token(&demo.totp(secret.expose_secret())?, Some("phone"))?;
    ensure_eq(
        status,
        Some(VerifySoftwareTokenStatus::Success),
        "VerifySoftwareToken",
    )?;
    // Both factors enabled, neither preferred: the sign-in asks which one to use.
    user.set_mfa_preference(MfaPreference {
        sms: on(false),
        software_token: on(false),
        ..MfaPreference::default()
    })?;
    step("added an authenticator app; SMS and TOTP both enabled, none preferred");
    user.sign_out()?;

    // Use case 27: select the MFA type, then answer with the TOTP code.
    let mut sign_in = step_of(&pool, "ivan")?;
    match sign_in.next_step() {
        NextStep::SelectMfaType { allowed } => {
            ensure(allowed.contains(&MfaType::Totp), "TOTP offered")?;
            ensure(allowed.contains(&MfaType::Sms), "SMS offered")?;
        }
        other => return Err(format!("check failed: expected a choice, got {other:?}").into()),
    }
    let mut sign_in = match sign_in.answer(Answer::MfaType(MfaType::Totp))? {
        SignInOutcome::Pending(s) => s,
        SignInOutcome::SignedIn(_) => return Err("check failed: no TOTP code asked".into()),
    };
    ensure_eq(
        sign_in.next_step(),
        &NextStep::ConfirmWithTotpCode,
        "step after choosing TOTP",
    )?;
    demo.advance(30); // a TOTP code is single-use: wait for the next window
    let user = sign_in
        .answer(Answer::code(demo.totp(secret.expose_secret())?))?
        .signed_in()
        .ok_or("another step after the TOTP code")?;
    step("chose TOTP at sign-in and answered with the app's code");

    // Use cases 10 and 29: disable SMS, prefer TOTP.
    user.set_mfa_preference(MfaPreference {
        sms: Some(MfaSettings {
            enabled: Some(false),
            preferred_mfa: Some(false),
        }),
        software_token: on(true),
        ..MfaPreference::default()
    })?;
    let data = user.get_user()?;
    ensure_eq(
        data.preferred_mfa_setting,
        Some(MfaSetting::SoftwareTokenMfa),
        "preferred factor",
    )?;
    ensure_eq(
        data.user_mfa_setting_list,
        vec![MfaSetting::SoftwareTokenMfa],
        "enabled factors",
    )?;
    step("disabled SMS MFA; TOTP preferred");

    // Use case 27 (mfaSetup): a pool that requires MFA makes a user without a factor set one
    // up during sign-in.
    let strict = Demo::start(
        PoolConfig {
            mfa: MfaConfiguration::On,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )?;
    strict.create_user("judy")?;
    let pool = strict.blocking()?.build()?;
    let mut sign_in = step_of(&pool, "judy")?;
    if let NextStep::SelectMfaSetupType { allowed } = sign_in.next_step() {
        ensure(allowed.contains(&MfaType::Totp), "TOTP can be set up")?;
        sign_in = match sign_in.answer(Answer::MfaType(MfaType::Totp))? {
            SignInOutcome::Pending(s) => s,
            SignInOutcome::SignedIn(_) => return Err("check failed: no TOTP setup".into()),
        };
    }
    let secret = match sign_in.next_step() {
        NextStep::SetUpTotp { shared_secret } => shared_secret.expose_secret().to_owned(),
        other => return Err(format!("check failed: expected TOTP setup, got {other:?}").into()),
    };
    let uri = sign_in
        .next_step()
        .otpauth_uri("Example", "judy")
        .ok_or("no otpauth URI")?;
    ensure(
        uri.starts_with("otpauth://totp/"),
        "an otpauth URI for a QR code",
    )?;
    let user = sign_in
        .answer(Answer::TotpSetup {
            code: strict.totp(&secret)?.into(),
            friendly_device_name: Some("judy's phone".to_owned()),
        })?
        .signed_in()
        .ok_or("another step after the TOTP setup")?;
    ensure_eq(
        user.get_user()?.user_mfa_setting_list,
        vec![MfaSetting::SoftwareTokenMfa],
        "judy's factors",
    )?;
    step("MFA required: judy set up TOTP during sign-in and is signed in");
    println!("mfa: every step passed");
    Ok(())
}
