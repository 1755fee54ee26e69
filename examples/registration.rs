//! Use case 1 of amazon-cognito-identity-js: registering a user (blocking driver).
//!
//! Signs up a user with attributes, shows where the confirmation code went, and shows the
//! typed errors for a taken username and a password the pool's policy refuses.
//!
//! ```sh
//! cargo run --example registration
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use cognito_blocking::ServiceErrorKind;
use cognito_examples::{BoxError, Demo, PASSWORD, ensure, ensure_eq, step};

fn main() -> Result<(), BoxError> {
    let demo = Demo::start_default()?;
    let pool = demo.blocking()?.build()?;

    // Use case 1: sign up with a username, a password and attributes.
    let result = pool.sign_up(
        "bob",
        PASSWORD,
        &[
            ("email", "bob@example.com"),
            ("phone_number", "+15555550100"),
        ],
    )?;
    ensure(!result.user_confirmed, "a new user starts unconfirmed")?;
    ensure(!result.user_sub.is_empty(), "the user's sub is returned")?;
    let delivery = result
        .code_delivery_details
        .ok_or("no code delivery details")?;
    ensure_eq(
        delivery.attribute_name.as_deref(),
        Some("email"),
        "the code goes to the email address",
    )?;
    step(format!(
        "signed up bob (sub {}); code sent to {}",
        result.user_sub,
        delivery.destination.unwrap_or_default()
    ));

    // The same username again is a typed error.
    let taken = pool
        .sign_up("bob", PASSWORD, &[("email", "bob@example.com")])
        .err()
        .ok_or("a second sign-up of bob succeeded")?;
    ensure_eq(
        taken.service_kind(),
        Some(&ServiceErrorKind::UsernameExists),
        "error for a taken username",
    )?;
    step(format!("signing up bob again fails: {taken}"));

    // So is a password the pool's policy refuses.
    let weak = pool
        .sign_up("carol", "short", &[("email", "carol@example.com")])
        .err()
        .ok_or("a weak password was accepted")?;
    ensure(
        matches!(
            weak.service_kind(),
            Some(ServiceErrorKind::InvalidPassword | ServiceErrorKind::InvalidParameter)
        ),
        format!("error for a weak password: {weak:?}"),
    )?;
    step(format!("a weak password is refused: {weak}"));
    println!("registration: every step passed");
    Ok(())
}
