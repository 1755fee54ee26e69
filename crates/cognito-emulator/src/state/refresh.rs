//! Refresh tokens, indexed by user and by family.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::changes::{Kind, digest, mark};

/// A refresh-token family member.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct RefreshRecord {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub sub: String,
    pub origin_jti: String,
    pub auth_time: u64,
    pub device_key: Option<String>,
    pub expires: u64,
    pub revoked: bool,
    /// Set when rotation replaced this token: it dies at this time.
    pub rotated_until: Option<u64>,
    /// The scopes of a family granted through the OAuth token endpoint (refreshing keeps
    /// them); `None` for API sign-ins. Absent from records stored before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

/// Refresh tokens, indexed by user and by family, so that GlobalSignOut, DeleteUser and
/// RevokeToken touch only the tokens concerned instead of scanning every token issued.
///
/// A token is kept under its [`digest`], never as itself: the records (and the data directory
/// that stores them under the same keys) hold nothing that works as a refresh token. The
/// methods that take a token digest it; the indices and the change log hold digests.
#[derive(Clone, Debug, Default)]
pub(crate) struct RefreshTokens {
    by_digest: HashMap<String, RefreshRecord>,
    /// (pool id, username) → the digests of the user's tokens.
    by_user: HashMap<(String, String), Vec<String>>,
    /// `origin_jti` → the digests of the family's tokens.
    by_family: HashMap<String, Vec<String>>,
}

impl RefreshTokens {
    pub fn get(&self, token: &str) -> Option<&RefreshRecord> {
        self.by_digest.get(&digest(token))
    }

    /// The record of the token whose digest is `key`.
    pub fn get_by_digest(&self, key: &str) -> Option<&RefreshRecord> {
        self.by_digest.get(key)
    }

    /// Marks a token as replaced by rotation (the only change a stored record gets besides
    /// revocation, so the indices stay valid).
    pub fn set_rotated_until(&mut self, token: &str, until: u64) {
        let key = digest(token);
        if let Some(r) = self.by_digest.get_mut(&key)
            && r.rotated_until.is_none()
        {
            r.rotated_until = Some(until);
            mark(Kind::Refresh, "", &key);
        }
    }

    /// The digest of every stored token.
    pub fn digests(&self) -> impl Iterator<Item = &String> {
        self.by_digest.keys()
    }

    pub fn insert(&mut self, token: &str, rec: RefreshRecord) {
        let key = digest(token);
        mark(Kind::Refresh, "", &key);
        self.load_digest(key, rec);
    }

    /// Inserts the record of the token whose digest is `key` without noting a change (a token
    /// loaded from the data directory).
    pub(crate) fn load_digest(&mut self, key: String, rec: RefreshRecord) {
        self.by_user
            .entry((rec.pool_id.clone(), rec.username.clone()))
            .or_default()
            .push(key.clone());
        self.by_family
            .entry(rec.origin_jti.clone())
            .or_default()
            .push(key.clone());
        self.by_digest.insert(key, rec);
    }

    /// Revokes every token of a family.
    pub fn revoke_family(&mut self, origin_jti: &str) {
        for t in self.by_family.get(origin_jti).into_iter().flatten() {
            if let Some(r) = self.by_digest.get_mut(t) {
                r.revoked = true;
                mark(Kind::Refresh, "", t);
            }
        }
    }

    /// Revokes every token of a user; returns the families concerned.
    pub fn revoke_user(&mut self, pool_id: &str, username: &str) -> Vec<String> {
        let key = (pool_id.to_string(), username.to_string());
        let mut origins = Vec::new();
        for t in self.by_user.get(&key).into_iter().flatten() {
            if let Some(r) = self.by_digest.get_mut(t) {
                r.revoked = true;
                origins.push(r.origin_jti.clone());
                mark(Kind::Refresh, "", t);
            }
        }
        origins
    }

    /// Forgets every token of a pool.
    pub fn remove_pool(&mut self, pool_id: &str) {
        self.by_digest.retain(|t, r| {
            let keep = r.pool_id != pool_id;
            if !keep {
                mark(Kind::Refresh, "", t);
            }
            keep
        });
        self.by_user.retain(|(p, _), _| p != pool_id);
        let live = &self.by_digest;
        self.by_family.retain(|_, tokens| {
            tokens.retain(|t| live.contains_key(t));
            !tokens.is_empty()
        });
    }
}
