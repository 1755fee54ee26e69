//! Use cases 2 and 3 of amazon-cognito-identity-js: confirming a registration with the
//! delivered code, and resending the code (async driver).
//!
//! ```sh
//! cargo run --example confirmation
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use cognito_async::{NextStep, ServiceErrorKind, SignInOutcome};
use cognito_examples::{BoxError, Demo, MessageKind, PASSWORD, ensure, ensure_eq, step};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let demo = Demo::start_default()?;
    let pool = demo.asynchronous()?.build()?;
    pool.sign_up("dana", PASSWORD, &[("email", "dana@example.com")])
        .await?;
    step("signed up dana");

    // Signing in before confirming says what to do instead of failing obscurely.
    match pool.sign_in("dana", PASSWORD).await {
        Ok(SignInOutcome::Pending(s)) => ensure(
            matches!(s.next_step(), NextStep::ConfirmSignUp { .. }),
            format!("step before confirmation: {:?}", s.next_step()),
        )?,
        Err(e) => ensure_eq(
            e.service_kind(),
            Some(&ServiceErrorKind::UserNotConfirmed),
            "error before confirmation",
        )?,
        Ok(SignInOutcome::SignedIn(_)) => {
            return Err("check failed: an unconfirmed user signed in".into());
        }
    }
    step("signing in before confirming asks for the confirmation");

    // Use case 3: resend the code. The new code replaces the first one.
    let first = demo.code("dana", MessageKind::SignUp)?;
    let delivery = pool.resend_confirmation_code("dana").await?;
    ensure(delivery.is_some(), "the resend says where the code went")?;
    let second = demo.code("dana", MessageKind::SignUp)?;
    step("resent the confirmation code");

    // A wrong code is a typed error and changes nothing.
    let wrong = if first == second {
        "000000"
    } else {
        first.as_str()
    };
    let e = pool
        .confirm_sign_up("dana", wrong)
        .await
        .err()
        .ok_or("a wrong code was accepted")?;
    ensure(
        matches!(
            e.service_kind(),
            Some(ServiceErrorKind::CodeMismatch | ServiceErrorKind::ExpiredCode)
        ),
        format!("error for a wrong code: {e:?}"),
    )?;
    step(format!("a wrong code is refused: {e}"));

    // Use case 2: confirm with the code the user received.
    pool.confirm_sign_up("dana", &second).await?;
    step("confirmed dana with the delivered code");
    let user = pool
        .sign_in("dana", PASSWORD)
        .await?
        .signed_in()
        .ok_or("a step was asked after confirmation")?;
    ensure_eq(user.username(), "dana", "signed-in username")?;
    step("dana signs in");
    println!("confirmation: every step passed");
    Ok(())
}
