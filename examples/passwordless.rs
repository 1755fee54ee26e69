//! Choice-based sign-in (`USER_AUTH`): passwordless email one-time codes, and choosing the
//! first factor from what the pool offers (async driver). Not in the amazon-cognito-identity-js
//! README (that client predates `USER_AUTH`); Amplify v6 calls it passwordless sign-in.
//!
//! ```sh
//! cargo run --example passwordless
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use cognito_async::{Answer, FirstFactor, NextStep, SignInOutcome, Start};
use cognito_examples::{
    BoxError, ClientConfig, Demo, MessageKind, PASSWORD, PoolConfig, ensure, ensure_eq, step,
};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let demo = Demo::start(
        PoolConfig {
            allowed_first_auth_factors: vec!["PASSWORD".to_owned(), "EMAIL_OTP".to_owned()],
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )?;
    demo.create_user("quinn")?;
    let pool = demo.asynchronous()?.build()?;

    // Passwordless: ask for an email code as the first factor.
    let start = Start::user_auth("quinn", Some(FirstFactor::EmailOtp));
    let mut sign_in = match pool.sign_in_with(start).await? {
        SignInOutcome::Pending(s) => s,
        SignInOutcome::SignedIn(_) => return Err("check failed: no code asked".into()),
    };
    let destination = match sign_in.next_step() {
        NextStep::ConfirmWithEmailCode { destination } => destination.clone().unwrap_or_default(),
        other => return Err(format!("check failed: expected an email code, got {other:?}").into()),
    };
    step(format!(
        "USER_AUTH with EMAIL_OTP: code sent to {destination}"
    ));
    let code = demo.code("quinn", MessageKind::Otp)?;
    let user = sign_in
        .answer(Answer::code(code))
        .await?
        .signed_in()
        .ok_or("another step after the code")?;
    ensure_eq(user.username(), "quinn", "username")?;
    ensure_eq(
        demo.count("InitiateAuth:USER_AUTH"),
        1,
        "USER_AUTH sign-ins",
    )?;
    step("signed in without a password");

    // No preference: the pool offers its first factors, and the user picks one.
    let mut sign_in = match pool.sign_in_with(Start::user_auth("quinn", None)).await? {
        SignInOutcome::Pending(s) => s,
        SignInOutcome::SignedIn(_) => return Err("check failed: no choice offered".into()),
    };
    let offered = match sign_in.next_step() {
        NextStep::SelectFirstFactor { available } => available
            .iter()
            .map(|f| f.as_str().to_owned())
            .collect::<Vec<_>>(),
        other => return Err(format!("check failed: expected a choice, got {other:?}").into()),
    };
    ensure(
        offered.iter().any(|f| f == "EMAIL_OTP"),
        format!("EMAIL_OTP offered: {offered:?}"),
    )?;
    step(format!("without a preference the pool offers {offered:?}"));
    let user = sign_in
        .answer(Answer::FirstFactor(FirstFactor::PasswordSrp(
            PASSWORD.into(),
        )))
        .await?
        .signed_in()
        .ok_or("another step after the password")?;
    ensure(user.is_signed_in().await?, "signed in")?;
    step("picked PASSWORD_SRP and signed in with the password");
    println!("passwordless: every step passed");
    Ok(())
}
