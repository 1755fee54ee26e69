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
