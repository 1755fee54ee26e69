//! Refresh under concurrency with tasks: single flight across 100 tasks, and a cancelled
//! leader does not strand the waiters. The other emulator tests are shared
//! (`crates/driver-tests/emulator.rs`).

use std::sync::Arc;
use std::time::Duration;

use cognito_emulator::{Fault, FaultKind};

use crate::emulator::{PASSWORD, signed_in};
use crate::support::Setup;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pitfall_18_hundred_tasks_one_refresh() {
    let s = Setup::new();
    s.user("ruth");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("ruth", PASSWORD).await.unwrap());
    s.advance(7200); // the access token has expired
    let barrier = Arc::new(tokio::sync::Barrier::new(100));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let user = user.clone();
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                user.session()
                    .await
                    .map(|t| t.access_token().token().expose_secret().clone())
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().unwrap());
    }
    assert_eq!(s.refresh_count(), 1);
    assert!(tokens.iter().all(|t| t == &tokens[0]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancelled_refresh_does_not_strand_waiters() {
    let s = Setup::new();
    s.user("rosa");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("rosa", PASSWORD).await.unwrap());
    s.advance(7200);
    // The leader's refresh hangs for a while; cancel it mid-flight.
    s.emu
        .inject_fault(Fault::new("*", FaultKind::Delay).delay_ms(2_000));
    let leader = {
        let user = user.clone();
        tokio::spawn(async move { user.session().await.map(drop) })
    };
    while s.refresh_count() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let waiter = {
        let user = user.clone();
        tokio::spawn(async move { user.session().await.map(drop) })
    };
    leader.abort();
    assert!(leader.await.unwrap_err().is_cancelled());
    // The waiter takes over and refreshes; it does not wait forever.
    tokio::time::timeout(Duration::from_secs(30), waiter)
        .await
        .expect("waiter not stranded")
        .unwrap()
        .unwrap();
    assert!(user.is_signed_in().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_tasks_one_client_credentials_token() {
    let o = crate::oauth::OAuth::new();
    let source = o.machine_pool().client_credentials(&["orders/read"]);
    let barrier = Arc::new(tokio::sync::Barrier::new(100));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let source = source.clone();
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                source
                    .access_token()
                    .await
                    .map(|t| t.expose_secret().clone())
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().unwrap());
    }
    assert_eq!(o.setup.emu.request_count("oauth2/token"), 1);
    assert!(tokens.iter().all(|t| t == &tokens[0]));
}

/// Identity-pool credentials: 100 tasks asking at once, while the first request is slow, send
/// one `GetId` and one `GetCredentialsForIdentity` and all get the same credentials; at
/// renewal time (within the margin before expiry) again exactly one request is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_tasks_one_get_credentials_for_identity() {
    let s = Setup::new();
    s.user("cora");
    let identities = s.identity_pool(false);
    let pool = s.pool();
    let user = signed_in(pool.sign_in("cora", PASSWORD).await.unwrap());
    for (round, advance) in [(1, 0), (2, 3400)] {
        s.advance(advance);
        s.emu
            .inject_fault(Fault::new("GetCredentialsForIdentity", FaultKind::Delay).delay_ms(300));
        let barrier = Arc::new(tokio::sync::Barrier::new(100));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let user = user.clone();
                let barrier = Arc::clone(&barrier);
                let identities = identities.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    user.aws_credentials(&identities)
                        .await
                        .map(|c| c.access_key_id)
                })
            })
            .collect();
        let mut keys = Vec::new();
        for t in tasks {
            keys.push(t.await.unwrap().unwrap());
        }
        assert_eq!(s.identity_calls(), (1, round), "round {round}");
        assert!(keys.iter().all(|k| k == &keys[0]), "round {round}");
    }
}

/// A leader cancelled while its `GetCredentialsForIdentity` hangs does not strand the
/// callers waiting on it: one of them leads next.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancelled_credentials_leader_does_not_strand_waiters() {
    let s = Setup::new();
    s.user("cleo");
    let identities = s.identity_pool(false);
    let pool = s.pool();
    let user = signed_in(pool.sign_in("cleo", PASSWORD).await.unwrap());
    s.emu
        .inject_fault(Fault::new("GetCredentialsForIdentity", FaultKind::Delay).delay_ms(2_000));
    let leader = {
        let (user, identities) = (user.clone(), identities.clone());
        tokio::spawn(async move { user.aws_credentials(&identities).await.map(drop) })
    };
    while s.identity_calls().1 == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let waiter = {
        let (user, identities) = (user.clone(), identities.clone());
        tokio::spawn(async move { user.aws_credentials(&identities).await.map(drop) })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    leader.abort();
    tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("the waiter is not stranded")
        .unwrap()
        .unwrap();
}
