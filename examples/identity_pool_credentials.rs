//! Use cases 4 (second half) and 17 of amazon-cognito-identity-js: exchanging the user's ID
//! token for AWS credentials from a Cognito identity pool (async driver), and a guest's
//! credentials. The handle caches the credentials per identity and renews them shortly before
//! they expire; concurrent callers share one request.
//!
//! ```sh
//! cargo run --example identity_pool_credentials
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use cognito_examples::{BoxError, Demo, PASSWORD, ensure, ensure_eq, rfc3339, step};

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
        "AWS credentials for identity {} (access key {}, valid until {})",
        credentials.identity_id,
        credentials.access_key_id,
        rfc3339(credentials.expiration as i64)
    ));

    // Asking again is served from the cache: no request, the same credentials.
    let again = user.aws_credentials(&identity_pool_id).await?;
    ensure_eq(&again.identity_id, &credentials.identity_id, "identity id")?;
    ensure_eq(
        &again.access_key_id,
        &credentials.access_key_id,
        "cached key",
    )?;
    ensure_eq(
        demo.count("GetCredentialsForIdentity"),
        1,
        "no request for cached credentials",
    )?;
    step("asking again is served from the cache");

    // Ten concurrent callers at once (say, request handlers signing AWS calls): served from
    // the same cache, still no request.
    let callers: Vec<_> = (0..10)
        .map(|_| {
            let (user, identity_pool_id) = (user.clone(), identity_pool_id.clone());
            tokio::spawn(async move { user.aws_credentials(&identity_pool_id).await })
        })
        .collect();
    for caller in callers {
        let shared = caller.await??;
        ensure_eq(&shared.access_key_id, &credentials.access_key_id, "shared")?;
    }
    ensure_eq(
        demo.count("GetCredentialsForIdentity"),
        1,
        "no request for ten callers",
    )?;
    step("ten concurrent callers share the cached credentials");

    // 58 minutes later (the emulator's credentials last an hour) they are within the renewal
    // margin of 5 minutes: the next call renews them with one GetCredentialsForIdentity for
    // the same identity (GetId is not sent again).
    demo.advance(58 * 60);
    let renewed = user.aws_credentials(&identity_pool_id).await?;
    ensure_eq(
        &renewed.identity_id,
        &credentials.identity_id,
        "identity id",
    )?;
    ensure(
        renewed.expiration > credentials.expiration,
        "a later expiry",
    )?;
    ensure_eq(demo.count("GetId"), 1, "GetId calls")?;
    ensure_eq(demo.count("GetCredentialsForIdentity"), 2, "one renewal")?;
    step(format!(
        "renewed before expiry: valid until {}",
        rfc3339(renewed.expiration as i64)
    ));

    // A guest (no sign-in) of an identity pool that admits guests.
    let guests = demo
        .emu
        .create_identity_pool(&demo.pool_id, &demo.client_id, true)?;
    let guest = pool.guest_aws_credentials(&guests).await?;
    ensure(
        guest.identity_id != credentials.identity_id,
        "a guest identity",
    )?;
    step(format!(
        "guest credentials for identity {}",
        guest.identity_id
    ));

    println!("identity_pool_credentials: every step passed");
    Ok(())
}
