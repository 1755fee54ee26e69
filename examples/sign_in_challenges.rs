//! Use cases 4, 23 and 30 of amazon-cognito-identity-js: signing in with SRP, completing the
//! new-password challenge of a user an administrator created, and the plain-password flow
//! (blocking driver).
//!
//! ```sh
//! cargo run --example sign_in_challenges
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;

use cognito_blocking::{Answer, NextStep, ServiceErrorKind, SignInOutcome, Start};
use cognito_examples::{BoxError, Demo, PASSWORD, ensure, ensure_eq, step};

fn main() -> Result<(), BoxError> {
    let demo = Demo::start_default()?;
    let pool = demo.blocking()?.build()?;
    demo.create_user("frank")?;

    // Use case 4: SRP sign-in (USER_SRP_AUTH). The password never leaves this process.
    let user = match pool.sign_in("frank", PASSWORD)? {
        SignInOutcome::SignedIn(user) => user,
        SignInOutcome::Pending(s) => {
            return Err(format!("unexpected step {:?}", s.next_step()).into());
        }
    };
    let tokens = user.session()?;
    ensure_eq(tokens.username(), Some("frank"), "access token username")?;
    ensure_eq(
        tokens.id_token().claims().email(),
        Some("frank@example.com"),
        "ID token email",
    )?;
    ensure(tokens.refresh_token().is_some(), "a refresh token")?;
    ensure_eq(demo.count("InitiateAuth:USER_SRP_AUTH"), 1, "SRP sign-ins")?;
    step("frank signed in with SRP; ID token says frank@example.com");

    // A wrong password is a typed, non-retryable error.
    let e = pool
        .sign_in("frank", "Wrong-Password-9")
        .err()
        .ok_or("a wrong password was accepted")?;
    ensure_eq(
        e.service_kind(),
        Some(&ServiceErrorKind::NotAuthorized),
        "error for a wrong password",
    )?;
    ensure(!e.is_retryable(), "a wrong password is not retryable")?;
    step(format!("a wrong password is refused: {e}"));

    // Use case 30: USER_PASSWORD_AUTH (the password goes to Cognito over TLS).
    let user = pool
        .sign_in_with(Start::password("frank", PASSWORD))?
        .signed_in()
        .ok_or("a step was asked")?;
    ensure_eq(user.username(), "frank", "username")?;
    ensure_eq(
        demo.count("InitiateAuth:USER_PASSWORD_AUTH"),
        1,
        "password sign-ins",
    )?;
    step("frank signed in with USER_PASSWORD_AUTH");

    // Use case 23: an administrator created gina with a temporary password.
    demo.emu.call(
        "AdminCreateUser",
        serde_json::json!({
            "UserPoolId": demo.pool_id,
            "Username": "gina",
            "TemporaryPassword": "Temporary-Pass-1",
            "UserAttributes": [{"Name": "email", "Value": "gina@example.com"}],
        }),
    )?;
    let mut sign_in = match pool.sign_in("gina", "Temporary-Pass-1")? {
        SignInOutcome::Pending(s) => s,
        SignInOutcome::SignedIn(_) => {
            return Err("check failed: no new password was asked for".into());
        }
    };
    ensure(
        matches!(sign_in.next_step(), NextStep::NewPasswordRequired { .. }),
        format!("step for a temporary password: {:?}", sign_in.next_step()),
    )?;
    step("gina's temporary password works, and a new password is required");
    let user = sign_in
        .answer(Answer::NewPassword {
            password: "Gina-Chosen-Pass-2".into(),
            attributes: BTreeMap::from([("name".to_owned(), "Gina".to_owned())]),
        })?
        .signed_in()
        .ok_or("another step after the new password")?;
    ensure_eq(user.get_user()?.attribute("name"), Some("Gina"), "name")?;
    step("gina chose a new password (and gave her name) and is signed in");
    pool.sign_in("gina", "Gina-Chosen-Pass-2")?
        .signed_in()
        .ok_or("a step after the new password")?;
    step("gina signs in with the new password");
    println!("sign_in_challenges: every step passed");
    Ok(())
}
