//! Refresh under concurrency with threads: single flight across 16 threads, for a session
//! and for a client-credentials token. The other
//! emulator tests are shared (`crates/driver-tests/emulator.rs`).

use std::sync::Arc;

use crate::emulator::{PASSWORD, signed_in};
use crate::support::Setup;

#[test]
fn pitfall_18_sixteen_threads_one_refresh() {
    let s = Setup::new();
    s.user("ruth");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("ruth", PASSWORD).unwrap());
    s.advance(7200); // the access token has expired
    let barrier = Arc::new(std::sync::Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let user = user.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                user.session()
                    .map(|t| t.access_token().token().expose_secret().clone())
            })
        })
        .collect();
    let tokens: Vec<String> = threads
        .into_iter()
        .map(|t| t.join().unwrap().unwrap())
        .collect();
    assert_eq!(s.refresh_count(), 1);
    assert!(tokens.iter().all(|t| t == &tokens[0]));
}

#[test]
fn sixteen_threads_one_client_credentials_token() {
    let o = crate::oauth::OAuth::new();
    let source = o.machine_pool().client_credentials(&["orders/read"]);
    let barrier = Arc::new(std::sync::Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let source = source.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                source.access_token().map(|t| t.expose_secret().clone())
            })
        })
        .collect();
    let tokens: Vec<String> = threads
        .into_iter()
        .map(|t| t.join().unwrap().unwrap())
        .collect();
    assert_eq!(o.setup.emu.request_count("oauth2/token"), 1);
    assert!(tokens.iter().all(|t| t == &tokens[0]));
}

/// Identity-pool credentials: 16 threads asking at once, while the first request is slow,
/// send one `GetId` and one `GetCredentialsForIdentity` and all get the same credentials; at
/// renewal time (within the margin before expiry) again exactly one request is sent.
#[test]
fn sixteen_threads_one_get_credentials_for_identity() {
    let s = Setup::new();
    s.user("cora");
    let identities = s.identity_pool(false);
    let pool = s.pool();
    let user = signed_in(pool.sign_in("cora", PASSWORD).unwrap());
    for (round, advance) in [(1, 0), (2, 3400)] {
        s.advance(advance);
        s.emu.inject_fault(
            cognito_emulator::Fault::new(
                "GetCredentialsForIdentity",
                cognito_emulator::FaultKind::Delay,
            )
            .delay_ms(300),
        );
        let barrier = Arc::new(std::sync::Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let user = user.clone();
                let barrier = Arc::clone(&barrier);
                let identities = identities.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    user.aws_credentials(&identities).map(|c| c.access_key_id)
                })
            })
            .collect();
        let keys: Vec<String> = threads
            .into_iter()
            .map(|t| t.join().unwrap().unwrap())
            .collect();
        assert_eq!(s.identity_calls(), (1, round), "round {round}");
        assert!(
            keys.iter().all(|k| k == &keys[0]),
            "round {round}: {keys:?}"
        );
    }
}
