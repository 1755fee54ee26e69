//! Use cases 4 (second half) and 17 of amazon-cognito-identity-js: exchanging the user's ID
//! token for AWS credentials from a Cognito identity pool (async driver).
//!
//! ```sh
//! cargo run --example identity_pool_credentials
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use cognito_examples::{BoxError, Demo, PASSWORD, ensure, ensure_eq, step};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let demo = Demo::start_default()?;
    demo.create_user("omar")?;
    // An identity pool that trusts the demo's app client (CreateIdentityPool and
    // SetIdentityPoolRoles against the emulator; with AWS, the console or IaC makes it).
    let identity_pool_id = demo
        .emu
        .create_identity_pool(&demo.pool_id, &demo.client_id, false)?;
    let pool = demo.asynchronous()?.build()?;
    let user = pool
        .sign_in("omar", PASSWORD)
        .await?
        .signed_in()
        .ok_or("a step was asked")?;

    // GetId, then GetCredentialsForIdentity, with the ID token under the pool's login key
    // (`cognito-idp.<region>.amazonaws.com/<pool id>`).
    let credentials = user.aws_credentials(&identity_pool_id).await?;
    ensure(
        credentials.identity_id.starts_with("us-east-1:"),
        "identity id in the pool's region",
    )?;
    ensure(!credentials.access_key_id.is_empty(), "an access key id")?;
    ensure(
        !credentials.secret_access_key.expose_secret().is_empty(),
        "a secret key",
    )?;
    ensure(
        credentials.expiration > demo.emu.now() as f64,
        "credentials not expired",
    )?;
    ensure_eq(demo.count("GetId"), 1, "GetId calls")?;
    ensure_eq(
        demo.count("GetCredentialsForIdentity"),
        1,
        "GetCredentialsForIdentity calls",
    )?;
    // The secret key and session token are `SecretString`s: their Debug output is redacted.
    ensure(
        !format!("{credentials:?}").contains(credentials.secret_access_key.expose_secret()),
        "the secret key is not in Debug output",
    )?;
    step(format!(
        "AWS credentials for identity {} (access key {})",
        credentials.identity_id, credentials.access_key_id
    ));

    // The same user always maps to the same identity.
    let again = user.aws_credentials(&identity_pool_id).await?;
    ensure_eq(again.identity_id, credentials.identity_id, "identity id")?;
    step("asking again gives the same identity");
    println!("identity_pool_credentials: every step passed");
    Ok(())
}
