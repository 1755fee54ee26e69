//! Use cases 5–8 and 31 of amazon-cognito-identity-js: reading, verifying, deleting and
//! updating attributes, and reading the user's data (async driver).
//!
//! ```sh
//! cargo run --example attributes
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use cognito_examples::{BoxError, Demo, MessageKind, PASSWORD, ensure, ensure_eq, step};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let demo = Demo::start_default()?;
    demo.create_user("hana")?;
    let pool = demo.asynchronous()?.build()?;
    let user = pool
        .sign_in("hana", PASSWORD)
        .await?
        .signed_in()
        .ok_or("a step was asked")?;

    // Use cases 5 and 31: the user's data and attributes (GetUser).
    let data = user.get_user().await?;
    ensure_eq(data.username.as_str(), "hana", "username")?;
    ensure_eq(data.attribute("email"), Some("hana@example.com"), "email")?;
    for attribute in &data.user_attributes {
        println!(
            "     {} = {}",
            attribute.name,
            attribute.value.as_deref().unwrap_or("")
        );
    }
    step(format!("read {} attributes", data.user_attributes.len()));

    // Use case 8: update attributes. Changing the email sends a code to the new address.
    let deliveries = user
        .update_attributes(&[("nickname", "joe"), ("email", "hana2@example.com")])
        .await?;
    ensure_eq(deliveries.len(), 1, "verification codes sent")?;
    let data = user.get_user().await?;
    ensure_eq(data.attribute("nickname"), Some("joe"), "nickname")?;
    ensure_eq(
        data.attribute("email_verified"),
        Some("false"),
        "email_verified",
    )?;
    step("updated nickname = joe and email = hana2@example.com (now unverified)");

    // Use case 6: verify the attribute with the code the user received.
    user.get_attribute_verification_code("email").await?;
    let code = demo.code("hana", MessageKind::VerifyAttribute)?;
    user.verify_attribute("email", &code).await?;
    let data = user.get_user().await?;
    ensure_eq(
        data.attribute("email_verified"),
        Some("true"),
        "email_verified",
    )?;
    step("verified the new email address with the delivered code");

    // Use case 7: delete an attribute.
    user.delete_attributes(&["nickname"]).await?;
    let data = user.get_user().await?;
    ensure(data.attribute("nickname").is_none(), "nickname deleted")?;
    step("deleted nickname");
    println!("attributes: every step passed");
    Ok(())
}
