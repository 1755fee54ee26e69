//! [`PoolCore`]: what a driver's `UserPool` holds besides its transport, assembled from parts
//! with one job each: [`Settings`] (configuration), [`SessionBook`] (the store and the device
//! memory in it) and [`Refreshes`] (single-flight refresh). [`Ctx`] is the view of them an
//! operation gets.

use std::sync::Arc;

use crate::book::SessionBook;
use crate::credentials::{CredentialCache, Credentials};
use crate::oauth::{ClientTokens, TokenQuery};
use crate::options::SharedStore;
use crate::refresh::{Refreshes, Resets, SessionQuery, Signal};
use crate::settings::Settings;

/// Everything a pool handle holds but its transport. `W` wakes the callers waiting for a
/// refresh (a `Condvar` for threads, a tokio `Notify` for tasks).
pub struct PoolCore<W> {
    settings: Arc<Settings>,
    book: Arc<SessionBook>,
    refreshes: Refreshes<W>,
    client_tokens: ClientTokens<W>,
    credentials: Arc<Credentials<W>>,
    /// The same cache, as operations see it.
    credential_cache: Arc<dyn CredentialCache>,
}

impl<W> std::fmt::Debug for PoolCore<W> {
    /// Prints as `UserPool { .. }`: this is what a driver's `UserPool` shows.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.settings.fmt(f)
    }
}

impl<W: Signal> PoolCore<W> {
    /// A core of `settings` keeping sessions in `store`.
    pub fn new(settings: Settings, store: SharedStore) -> Self {
        let book = SessionBook::new(store, settings.client_id());
        let credentials = Arc::new(Credentials::default());
        PoolCore {
            settings: Arc::new(settings),
            book: Arc::new(book),
            refreshes: Refreshes::default(),
            client_tokens: ClientTokens::default(),
            credential_cache: Arc::clone(&credentials) as Arc<dyn CredentialCache>,
            credentials,
        }
    }

    /// The configuration.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The session records.
    pub fn book(&self) -> &SessionBook {
        &self.book
    }

    /// The refresh slots.
    pub fn refreshes(&self) -> &Refreshes<W> {
        &self.refreshes
    }

    /// The identity-pool credentials cache and the signal its waiting callers sleep on.
    pub fn credentials(&self) -> &Credentials<W> {
        &self.credentials
    }

    /// One caller's request for the tokens of `username`, refreshed when due.
    pub fn session_query(&self, username: &str) -> SessionQuery<W> {
        SessionQuery::new(
            Arc::clone(&self.settings),
            Arc::clone(&self.book),
            self.refreshes.slot(username),
            username,
        )
    }

    /// One caller's request for a cached client-credentials token of `scopes`, renewed when
    /// due (single-flight per set of scopes).
    pub fn client_token_query(&self, scopes: &[String]) -> TokenQuery<W> {
        TokenQuery::new(
            Arc::clone(&self.settings),
            self.client_tokens.slot(scopes),
            scopes,
        )
    }

    /// What an operation sees of the pool.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            settings: &self.settings,
            book: &self.book,
            resets: &self.refreshes,
            credentials: &self.credential_cache,
        }
    }
}

/// What an operation sees of the pool while it runs: the configuration, the session records,
/// and the means to reset a user's refresh slot after replacing or clearing its tokens.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The configuration.
    pub settings: &'a Settings,
    /// The session records.
    pub book: &'a SessionBook,
    resets: &'a dyn Resets,
    credentials: &'a Arc<dyn CredentialCache>,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").finish_non_exhaustive()
    }
}

impl Ctx<'_> {
    /// A refresh of `username` in flight must not store its result (its tokens were just
    /// replaced or cleared); waiting callers look again.
    pub fn reset(&self, username: &str) {
        self.resets.reset(username);
    }

    /// The identity-pool credentials cache.
    pub fn credentials(&self) -> Arc<dyn CredentialCache> {
        Arc::clone(self.credentials)
    }
}
