//! The async driver never blocks a runtime thread on the session store: with a store that
//! takes 200 ms per call (as a file store on a slow disk or a remote store would), another
//! task of a current-thread runtime keeps running while a call waits for the store.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use cognito_async::cognito_proto::session::{SessionRecord, SessionStore, SessionStoreError};
use cognito_async::{Error, UserPool};
use cognito_store::MemoryStore;

const DELAY: Duration = Duration::from_millis(200);

/// A memory store that blocks its thread for [`DELAY`] on every call.
struct SlowStore(MemoryStore);

impl SessionStore for SlowStore {
    fn load(
        &self,
        client_id: &str,
        username: &str,
    ) -> Result<Option<SessionRecord>, SessionStoreError> {
        std::thread::sleep(DELAY);
        self.0.load(client_id, username)
    }

    fn save(&self, record: &SessionRecord) -> Result<(), SessionStoreError> {
        std::thread::sleep(DELAY);
        self.0.save(record)
    }

    fn clear_tokens(&self, client_id: &str, username: &str) -> Result<(), SessionStoreError> {
        std::thread::sleep(DELAY);
        self.0.clear_tokens(client_id, username)
    }

    fn remove_device(&self, client_id: &str, username: &str) -> Result<(), SessionStoreError> {
        std::thread::sleep(DELAY);
        self.0.remove_device(client_id, username)
    }

    fn last_user(&self, client_id: &str) -> Result<Option<String>, SessionStoreError> {
        std::thread::sleep(DELAY);
        self.0.last_user(client_id)
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_slow_store_does_not_stall_other_tasks() {
    let pool = UserPool::builder("eu-west-1_AbC", "client")
        .endpoint_url("http://127.0.0.1:9")
        .unwrap()
        .store(SlowStore(MemoryStore::new()))
        .build()
        .unwrap();
    let ticks = Arc::new(AtomicU32::new(0));
    let ticker = tokio::spawn({
        let ticks = Arc::clone(&ticks);
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(10)).await;
                ticks.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let user = pool.user("alice");
    let started = Instant::now();
    // Three calls that only read the store: whoever is signed in, is this user, its tokens.
    assert!(pool.current_user().await.unwrap().is_none());
    assert!(!user.is_signed_in().await.unwrap());
    assert!(matches!(user.session().await, Err(Error::NotSignedIn)));
    let elapsed = started.elapsed();
    let ticked = ticks.load(Ordering::Relaxed);
    ticker.abort();
    assert!(elapsed >= DELAY * 3, "the store was called: {elapsed:?}");
    // A blocked runtime thread would have let the ticker run at most once in between.
    assert!(
        ticked >= 20,
        "the other task ran only {ticked} times in {elapsed:?}"
    );
}
