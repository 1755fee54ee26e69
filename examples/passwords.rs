//! Use cases 11 and 12 of amazon-cognito-identity-js: changing the password of a signed-in
//! user, and the forgotten-password flow (async driver).
//!
//! ```sh
//! cargo run --example passwords
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use cognito_async::ServiceErrorKind;
use cognito_examples::{BoxError, Demo, MessageKind, PASSWORD, ensure, ensure_eq, step};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let demo = Demo::start_default()?;
    demo.create_user("kim")?;
    let pool = demo.asynchronous()?.build()?;
    let user = pool
        .sign_in("kim", PASSWORD)
        .await?
        .signed_in()
        .ok_or("a step was asked")?;

    // Use case 11: change the password (the old one must be right).
    let e = user
        .change_password("Not-The-Password-1", "Second-Pass-2")
        .await
        .err()
        .ok_or("a wrong old password was accepted")?;
    ensure_eq(
        e.service_kind(),
        Some(&ServiceErrorKind::NotAuthorized),
        "error for a wrong old password",
    )?;
    user.change_password(PASSWORD, "Second-Pass-2").await?;
    ensure(
        pool.sign_in("kim", PASSWORD).await.is_err(),
        "the old password no longer works",
    )?;
    pool.sign_in("kim", "Second-Pass-2")
        .await?
        .signed_in()
        .ok_or("a step was asked")?;
    step("changed kim's password; the old one is refused, the new one works");

    // Use case 12: forgot password. A code goes to the user; it sets the new password.
    let delivery = pool.forgot_password("kim").await?.ok_or("no delivery")?;
    step(format!(
        "password reset code sent to {}",
        delivery.destination.unwrap_or_default()
    ));
    let code = demo.code("kim", MessageKind::ForgotPassword)?;
    let e = pool
        .confirm_forgot_password("kim", &code, "weak")
        .await
        .err()
        .ok_or("a weak password was accepted")?;
    ensure(
        matches!(
            e.service_kind(),
            Some(ServiceErrorKind::InvalidPassword | ServiceErrorKind::InvalidParameter)
        ),
        format!("error for a weak new password: {e:?}"),
    )?;
    pool.confirm_forgot_password("kim", &code, "Third-Pass-3")
        .await?;
    pool.sign_in("kim", "Third-Pass-3")
        .await?
        .signed_in()
        .ok_or("a step was asked")?;
    step("reset the password with the delivered code; kim signs in with it");
    println!("passwords: every step passed");
    Ok(())
}
