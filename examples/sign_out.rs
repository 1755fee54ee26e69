//! Use cases 13, 14 and 15 of amazon-cognito-identity-js: signing out on this device, signing
//! out everywhere, and deleting the user (async driver).
//!
//! ```sh
//! cargo run --example sign_out
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use cognito_async::{Error, ServiceErrorKind};
use cognito_examples::{BoxError, Demo, PASSWORD, ensure, ensure_eq, step};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let demo = Demo::start_default()?;
    demo.create_user("nina")?;
    let laptop = demo.asynchronous()?.build()?;
    let phone = demo.asynchronous()?.build()?; // another device, its own store

    // Use case 14: sign out here. The refresh token is revoked and the tokens are cleared.
    let user = laptop
        .sign_in("nina", PASSWORD)
        .await?
        .signed_in()
        .ok_or("a step was asked")?;
    user.sign_out().await?;
    ensure_eq(demo.count("RevokeToken"), 1, "RevokeToken calls")?;
    ensure(!user.is_signed_in().await?, "tokens cleared")?;
    ensure(laptop.current_user().await?.is_none(), "no current user")?;
    ensure(
        matches!(user.session().await, Err(Error::NotSignedIn)),
        "session() says not signed in",
    )?;
    step("signed out on the laptop: refresh token revoked, tokens cleared");

    // Use case 15: global sign-out ends the sessions on every device.
    let on_laptop = laptop
        .sign_in("nina", PASSWORD)
        .await?
        .signed_in()
        .ok_or("a step was asked")?;
    let on_phone = phone
        .sign_in("nina", PASSWORD)
        .await?
        .signed_in()
        .ok_or("a step was asked")?;
    on_laptop.global_sign_out().await?;
    ensure(!on_laptop.is_signed_in().await?, "laptop tokens cleared")?;
    let e = on_phone
        .get_user()
        .await
        .err()
        .ok_or("the phone's access token still works")?;
    ensure_eq(
        e.service_kind(),
        Some(&ServiceErrorKind::NotAuthorized),
        "phone after global sign-out",
    )?;
    step(format!(
        "global sign-out: the phone's token is refused ({e})"
    ));

    // Use case 13: delete the user.
    let user = laptop
        .sign_in("nina", PASSWORD)
        .await?
        .signed_in()
        .ok_or("a step was asked")?;
    user.delete_user().await?;
    ensure(!user.is_signed_in().await?, "tokens cleared")?;
    let e = laptop
        .sign_in("nina", PASSWORD)
        .await
        .err()
        .ok_or("a deleted user signed in")?;
    ensure(
        matches!(
            e.service_kind(),
            Some(ServiceErrorKind::UserNotFound | ServiceErrorKind::NotAuthorized)
        ),
        format!("error for a deleted user: {e:?}"),
    )?;
    step("deleted nina; she can no longer sign in");
    println!("sign_out: every step passed");
    Ok(())
}
