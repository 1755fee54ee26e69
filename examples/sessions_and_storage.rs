//! Use cases 16, 26 and 32 of amazon-cognito-identity-js: the current user from storage, where
//! tokens are kept (here a file instead of cookies), and refreshing expired tokens (blocking
//! driver).
//!
//! ```sh
//! cargo run --example sessions_and_storage
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use cognito_blocking::Error;
use cognito_examples::{BoxError, Demo, PASSWORD, ensure, ensure_eq, rfc3339, step};
use cognito_store::{FileStore, KeyValueStore};

fn main() -> Result<(), BoxError> {
    let demo = Demo::start_default()?;
    demo.create_user("mona")?;
    let dir = std::env::temp_dir().join(format!("cognito-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("session.json");
    let result = run(&demo, &path);
    std::fs::remove_dir_all(&dir).ok();
    result?;
    println!("sessions_and_storage: every step passed");
    Ok(())
}

fn run(demo: &Demo, path: &std::path::Path) -> Result<(), BoxError> {
    // Use case 26: choose the storage. A FileStore writes one JSON file atomically.
    {
        let pool = demo.blocking()?.store(FileStore::new(path)).build()?;
        pool.sign_in("mona", PASSWORD)?
            .signed_in()
            .ok_or("a step was asked")?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        ensure_eq(mode, 0o600, "session file permissions")?;
    }
    // The keys are the JavaScript client's localStorage layout.
    let keys = FileStore::new(path).keys_with_prefix("CognitoIdentityServiceProvider.")?;
    ensure(
        keys.iter().any(|k| k.ends_with(".LastAuthUser")),
        "LastAuthUser stored",
    )?;
    ensure(
        keys.iter().any(|k| k.ends_with(".mona.idToken")),
        "idToken stored",
    )?;
    step(format!(
        "signed in; {} keys written to {} (mode 0600)",
        keys.len(),
        path.display()
    ));

    // Use case 16: a new process (here: a new handle) finds the current user in the store.
    let pool = demo.blocking()?.store(FileStore::new(path)).build()?;
    let user = pool.current_user()?.ok_or("no current user in the file")?;
    ensure_eq(user.username(), "mona", "current user")?;
    let tokens = user.session()?;
    ensure(
        tokens.is_valid(demo.emu.now(), std::time::Duration::ZERO),
        "the stored session is valid",
    )?;
    ensure_eq(user.get_user()?.username.as_str(), "mona", "GetUser")?;
    step("a new handle found mona in the file; her session is valid");

    // Use case 32: after expiry, session() refreshes with the refresh token, once.
    let refreshes =
        || demo.count("GetTokensFromRefreshToken") + demo.count("InitiateAuth:REFRESH_TOKEN_AUTH");
    let before = refreshes();
    demo.advance(2 * 3600);
    let fresh = user.session()?;
    ensure_eq(refreshes(), before + 1, "refresh requests")?;
    ensure(fresh.expiration() > tokens.expiration(), "later expiry")?;
    user.session()?;
    ensure_eq(refreshes(), before + 1, "no second refresh while valid")?;
    step(format!(
        "two hours later the tokens were refreshed once (new expiry {})",
        rfc3339(fresh.expiration())
    ));

    // The refreshed tokens are in the file too.
    let again = demo.blocking()?.store(FileStore::new(path)).build()?;
    let stored = again.user("mona").session()?;
    ensure_eq(
        stored.access_token().token().expose_secret(),
        fresh.access_token().token().expose_secret(),
        "the file holds the refreshed tokens",
    )?;
    ensure_eq(refreshes(), before + 1, "no refresh from the file")?;
    step("the refreshed tokens were saved to the file");

    // A file that is not a session store is reported, never overwritten.
    std::fs::write(path, b"not json")?;
    let e = again
        .current_user()
        .err()
        .ok_or("a corrupt file was accepted")?;
    ensure(
        matches!(e, Error::Session(_)),
        format!("error for a corrupt file: {e:?}"),
    )?;
    ensure_eq(
        std::fs::read(path)?,
        b"not json".to_vec(),
        "the corrupt file is left alone",
    )?;
    step(format!("a corrupt file is an error: {e}"));
    Ok(())
}
