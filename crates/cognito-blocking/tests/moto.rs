//! Our blocking client against moto (issue 5, "Two more peers"): another implementation of the
//! Cognito API checks that our requests have the shapes it expects, and our parsers accept its
//! answers (its 128-bit `SRP_B` and `SALT` in particular; moto does not check SRP signatures,
//! and its `SECRET_BLOCK` is a UUID rather than base64, which our client refuses).
//!
//! Ignored by default: `tests/interop/python/test_moto.py` starts `moto_server`, creates a pool
//! and a client with boto3, and runs this test with `--ignored` and `MOTO_URL`,
//! `MOTO_POOL_ID` and `MOTO_CLIENT_ID` set.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use std::collections::BTreeMap;

use cognito_blocking::cognito_proto::error::CoreError;
use cognito_blocking::cognito_proto::srp::{self, SrpError};
use cognito_blocking::{Error, SignInOutcome, Start, User, UserPool, ops};

const PASSWORD: &str = "Moto-Pass-1!";

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run tests/interop/python/test_moto.py, which starts moto")
    })
}

fn ok<T>(step: &str, r: Result<T, Error>) -> T {
    r.unwrap_or_else(|e| panic!("moto / {step}: {e} ({e:?})"))
}

fn signed_in(step: &str, outcome: SignInOutcome) -> User {
    match outcome {
        SignInOutcome::SignedIn(u) => u,
        SignInOutcome::Pending(s) => panic!("moto / {step}: unexpected step {:?}", s.next_step()),
    }
}

/// An admin call moto needs no signature for, sent as a plain request.
fn admin(url: &str, op: &str, body: serde_json::Value) {
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build(),
    );
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header(
            "X-Amz-Target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .send(body.to_string())
        .unwrap_or_else(|e| panic!("moto / {op}: {e}"));
    let status = response.status();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    assert!(status.is_success(), "moto / {op}: {status} {text}");
}

#[test]
#[ignore = "needs moto_server: run tests/interop/python/test_moto.py"]
fn moto_sign_up_confirm_sign_in_attributes_refresh_sign_out() {
    let url = env("MOTO_URL");
    let pool_id = env("MOTO_POOL_ID");
    let client_id = env("MOTO_CLIENT_ID");
    let skew = Arc::new(AtomicU64::new(0));
    let clock = Arc::clone(&skew);
    let pool = UserPool::builder(&pool_id, &client_id)
        .endpoint_url(&url)
        .expect("moto url")
        .clock(move || SystemTime::now() + Duration::from_secs(clock.load(Ordering::SeqCst)))
        .build()
        .expect("pool handle");
    let username = format!(
        "rusty{}",
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros())
    );

    // Sign-up, then moto's admin confirm.
    let signed_up = ok(
        "sign up",
        pool.sign_up(&username, PASSWORD, &[("email", "rusty@example.com")]),
    );
    assert!(!signed_up.user_sub.is_empty(), "moto / sign up: UserSub");
    admin(
        &url,
        "AdminConfirmSignUp",
        serde_json::json!({"UserPoolId": pool_id, "Username": username}),
    );

    // USER_PASSWORD_AUTH.
    let user = signed_in(
        "USER_PASSWORD_AUTH",
        ok(
            "USER_PASSWORD_AUTH",
            pool.sign_in_with(Start::password(username.as_str(), PASSWORD)),
        ),
    );
    assert_eq!(
        user.username(),
        username,
        "moto / USER_PASSWORD_AUTH: username"
    );
    let first = ok("USER_PASSWORD_AUTH tokens", user.session());
    assert!(
        first.refresh_token().is_some(),
        "moto / USER_PASSWORD_AUTH: refresh token"
    );

    // SRP. moto answers USER_SRP_AUTH with a random 128-bit SALT and SRP_B, and a SECRET_BLOCK
    // that is a UUID, not base64 (it checks no signature, and expects the UUID back as
    // PASSWORD_CLAIM_SECRET_BLOCK). Real Cognito sends base64, and known client bug docs/protocol.md#pitfall-8 says a block
    // that is not standard base64 is an error: our sign-in must stop with that typed error,
    // after parsing moto's SALT and SRP_B.
    let e = match pool.sign_in(&username, PASSWORD) {
        Err(e) => e,
        Ok(o) => panic!("moto / USER_SRP_AUTH: moto's UUID SECRET_BLOCK was accepted: {o:?}"),
    };
    assert!(
        matches!(
            &e,
            Error::Cognito(CoreError::Srp(SrpError::InvalidBase64 {
                field: "SECRET_BLOCK"
            }))
        ),
        "moto / USER_SRP_AUTH: expected the typed SECRET_BLOCK error, got {e:?}"
    );
    // The same challenge, fetched by hand: its SALT and SRP_B parse and yield a claim.
    let eph = srp::Ephemeral::generate(&mut rand::rng());
    let challenge = ok(
        "USER_SRP_AUTH challenge",
        pool.call(&ops::InitiateAuth {
            auth_flow: ops::AuthFlow::UserSrpAuth,
            client_id: client_id.clone(),
            auth_parameters: BTreeMap::from([
                ("USERNAME".to_owned(), username.clone()),
                ("SRP_A".to_owned(), eph.public_hex()),
            ]),
            client_metadata: BTreeMap::new(),
            analytics_metadata: None,
            user_context_data: None,
            session: None,
        }),
    );
    let params = &challenge.challenge_parameters;
    let field = |name: &str| {
        params
            .get(name)
            .unwrap_or_else(|| panic!("moto / USER_SRP_AUTH challenge: no {name}: {params:?}"))
            .as_str()
    };
    assert_eq!(
        field("SALT").len(),
        32,
        "moto / USER_SRP_AUTH: 128-bit SALT"
    );
    assert_eq!(
        field("SRP_B").len(),
        32,
        "moto / USER_SRP_AUTH: 128-bit SRP_B"
    );
    let server = srp::ServerChallenge::parse(field("SALT"), field("SRP_B"), "AAAA")
        .unwrap_or_else(|e| panic!("moto / USER_SRP_AUTH: SALT or SRP_B refused: {e:?}"));
    let claim = srp::password_claim(
        &eph,
        &pool_id,
        field("USER_ID_FOR_SRP"),
        PASSWORD,
        &server,
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    )
    .unwrap_or_else(|e| panic!("moto / USER_SRP_AUTH: no claim from moto's values: {e:?}"));
    assert!(
        !claim.signature.is_empty(),
        "moto / USER_SRP_AUTH: signature"
    );

    // Attributes (on the USER_PASSWORD_AUTH session).
    let profile = ok("get user", user.get_user());
    assert_eq!(
        profile.attribute("email"),
        Some("rusty@example.com"),
        "moto / get user: email"
    );
    ok(
        "update attributes",
        user.update_attributes(&[("name", "Rusty")]),
    );
    let profile = ok("get user after update", user.get_user());
    assert_eq!(
        profile.attribute("name"),
        Some("Rusty"),
        "moto / get user after update: name"
    );

    // Refresh: move the client clock past expiry.
    let before = ok("tokens before refresh", user.session());
    skew.store(3700, Ordering::SeqCst);
    let after = ok("refresh", user.session());
    assert_ne!(
        after.access_token().token(),
        before.access_token().token(),
        "moto / refresh: a new access token"
    );
    ok("get user after refresh", user.get_user());

    // Sign-out everywhere, then with revocation on a new session.
    ok("global sign-out", user.global_sign_out());
    assert!(
        !ok("after global sign-out", user.is_signed_in()),
        "moto / global sign-out: tokens cleared"
    );
    skew.store(0, Ordering::SeqCst);
    let user = signed_in(
        "sign in again",
        ok(
            "sign in again",
            pool.sign_in_with(Start::password(username.as_str(), PASSWORD)),
        ),
    );
    // moto 5.2.5 has no RevokeToken (it answers HTTP 500 with an HTML page): our sign-out
    // reports that as a typed protocol error and clears the stored tokens all the same.
    match user.sign_out() {
        Ok(()) => {}
        Err(e) => assert!(
            matches!(
                &e,
                Error::Cognito(CoreError::InvalidResponse {
                    operation: "RevokeToken",
                    ..
                })
            ) && e.status() == Some(500),
            "moto / sign out: unexpected error {e:?}"
        ),
    }
    assert!(
        ok("after sign-out", pool.current_user()).is_none(),
        "moto / sign out: no current user"
    );
}
