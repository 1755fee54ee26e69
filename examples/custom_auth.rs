//! Use case 25 of amazon-cognito-identity-js: a custom (Lambda-defined) challenge flow
//! (blocking driver). The emulator's built-in custom-auth scenario sends a 6-digit code and
//! accepts up to three answers.
//!
//! ```sh
//! cargo run --example custom_auth
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;

use cognito_blocking::{Answer, NextStep, ServiceErrorKind, SignInOutcome, Start};
use cognito_examples::{
    BoxError, ClientConfig, Demo, MessageKind, PASSWORD, PoolConfig, ensure, ensure_eq, step,
};

fn custom(code: String) -> Answer {
    Answer::Custom {
        answer: code.into(),
        extra: BTreeMap::new(),
    }
}

fn main() -> Result<(), BoxError> {
    let demo = Demo::start(
        PoolConfig {
            custom_auth_trigger: true,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )?;
    demo.create_user("pia")?;
    let pool = demo.blocking()?.build()?;

    // CUSTOM_AUTH without a password: the challenge is all there is.
    let mut sign_in = match pool.sign_in_with(Start::custom("pia", BTreeMap::new()))? {
        SignInOutcome::Pending(s) => s,
        SignInOutcome::SignedIn(_) => return Err("check failed: no challenge".into()),
    };
    ensure(
        matches!(sign_in.next_step(), NextStep::CustomChallenge { .. }),
        format!("custom challenge: {:?}", sign_in.next_step()),
    )?;
    step("CUSTOM_AUTH started; the trigger sent a challenge code");

    // A wrong answer: the trigger asks again (a new round), it does not fail yet.
    let mut sign_in = match sign_in.answer(custom("000000".to_owned()))? {
        SignInOutcome::Pending(s) => s,
        SignInOutcome::SignedIn(_) => {
            return Err("check failed: a wrong answer signed in".into());
        }
    };
    ensure(
        matches!(sign_in.next_step(), NextStep::CustomChallenge { .. }),
        "a second round after a wrong answer",
    )?;
    step("a wrong answer leads to another round");
    let code = demo.code("pia", MessageKind::Custom)?;
    let user = sign_in
        .answer(custom(code))?
        .signed_in()
        .ok_or("another step after the right answer")?;
    ensure_eq(user.username(), "pia", "username")?;
    step("answered the challenge with the delivered code; signed in");

    // CUSTOM_AUTH with SRP first: the password is proven, then the challenge follows.
    let mut sign_in = match pool.sign_in_with(Start::custom_with_srp("pia", PASSWORD))? {
        SignInOutcome::Pending(s) => s,
        SignInOutcome::SignedIn(_) => return Err("check failed: no challenge".into()),
    };
    ensure(
        matches!(sign_in.next_step(), NextStep::CustomChallenge { .. }),
        "custom challenge after SRP",
    )?;
    let code = demo.code("pia", MessageKind::Custom)?;
    sign_in
        .answer(custom(code))?
        .signed_in()
        .ok_or("another step after the right answer")?;
    step("CUSTOM_AUTH with SRP first, then the challenge; signed in");

    // With SRP first, a wrong password fails before any challenge.
    let e = pool
        .sign_in_with(Start::custom_with_srp("pia", "Wrong-Password-9"))
        .err()
        .ok_or("a wrong password passed")?;
    ensure_eq(
        e.service_kind(),
        Some(&ServiceErrorKind::NotAuthorized),
        "wrong password",
    )?;
    step(format!("a wrong password fails before the challenge: {e}"));
    println!("custom_auth: every step passed");
    Ok(())
}
