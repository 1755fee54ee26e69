//! A sign-in spread over two HTTP requests of a web backend (async driver): the first request
//! posts the username and password and gets "enter the code we sent"; the second posts the
//! code. Between them the backend keeps nothing in memory: the paused sign-in is serialized
//! (serde) into the user's server-side session record, and the second request, here handled
//! by a fresh pool handle as another process would, resumes it.
//!
//! The paused value holds Cognito's `Session` string, the usernames and the step; never the
//! password or an SRP private value.
//!
//! ```sh
//! cargo run --example web_sign_in
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use std::collections::HashMap;

use cognito_async::{Answer, MfaPreference, NextStep, PausedSignIn, SignInOutcome, UserPool};
use cognito_examples::{
    BoxError, ClientConfig, Demo, MessageKind, MfaConfiguration, PASSWORD, PoolConfig, ensure,
    rfc3339, step,
};

/// What the backend keeps between requests, keyed by the browser's session cookie (a
/// database table or a cache in a real deployment).
type SessionTable = HashMap<String, String>;

/// Request 1: `POST /login` with the username and password.
async fn login(
    pool: &UserPool,
    sessions: &mut SessionTable,
    cookie: &str,
    username: &str,
    password: &str,
) -> Result<String, BoxError> {
    match pool.sign_in(username, password).await? {
        SignInOutcome::SignedIn(user) => Ok(format!("welcome, {}", user.username())),
        SignInOutcome::Pending(pending) => {
            let prompt = match pending.next_step() {
                NextStep::ConfirmWithSmsCode { destination } => format!(
                    "enter the code sent to {}",
                    destination.as_deref().unwrap_or("your phone")
                ),
                other => return Err(format!("this demo does not handle {other:?}").into()),
            };
            let paused = serde_json::to_string(&pending.pause()?)?;
            sessions.insert(cookie.to_owned(), paused);
            Ok(prompt)
        }
    }
}

/// Request 2: `POST /login/code` with the code, handled by another process.
async fn confirm_code(
    pool: &UserPool,
    sessions: &mut SessionTable,
    cookie: &str,
    code: &str,
) -> Result<String, BoxError> {
    let stored = sessions.remove(cookie).ok_or("no sign-in in progress")?;
    let paused: PausedSignIn = serde_json::from_str(&stored)?;
    let mut pending = pool.resume_sign_in(paused).await?;
    let user = pending
        .answer(Answer::code(code))
        .await?
        .signed_in()
        .ok_or("another step after the code")?;
    let tokens = user.session().await?;
    Ok(format!(
        "welcome, {} (session valid until {})",
        user.username(),
        rfc3339(tokens.expiration())
    ))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let demo = Demo::start(
        PoolConfig {
            mfa: MfaConfiguration::Optional,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )?;
    demo.emu.create_user(
        &demo.pool_id,
        "wendy",
        PASSWORD,
        &[("phone_number", "+15555550142")],
    )?;
    // Wendy turns SMS MFA on once.
    let setup = demo.asynchronous()?.build()?;
    let user = setup
        .sign_in("wendy", PASSWORD)
        .await?
        .signed_in()
        .ok_or("MFA asked before it was enabled")?;
    user.set_mfa_preference(MfaPreference {
        sms: Some(cognito_async::ops::MfaSettings {
            enabled: Some(true),
            preferred_mfa: Some(true),
        }),
        ..MfaPreference::default()
    })
    .await?;
    user.sign_out().await?;
    step("wendy has SMS MFA enabled");

    let mut sessions = SessionTable::new();
    // Process A handles the first request.
    let process_a = demo.asynchronous()?.build()?;
    let answer = login(&process_a, &mut sessions, "cookie-1", "wendy", PASSWORD).await?;
    ensure(answer.starts_with("enter the code"), answer.clone())?;
    let stored = &sessions["cookie-1"];
    ensure(
        !stored.contains(PASSWORD),
        "the password is not in the paused sign-in",
    )?;
    step(format!(
        "request 1: {answer}; {} bytes of paused sign-in kept",
        stored.len()
    ));
    drop(process_a);

    // Process B, with nothing in memory from process A, handles the second.
    let process_b = demo.asynchronous()?.build()?;
    let code = demo.code("wendy", MessageKind::Mfa)?;
    let answer = confirm_code(&process_b, &mut sessions, "cookie-1", &code).await?;
    ensure(answer.starts_with("welcome, wendy"), answer.clone())?;
    ensure(sessions.is_empty(), "the paused sign-in was used up")?;
    step(format!("request 2: {answer}"));
    Ok(())
}
