//! Refresh tokens, indexed by user and by family.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::changes::{Kind, mark};

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

/// Refresh tokens by token, indexed by user and by family, so that GlobalSignOut, DeleteUser
/// and RevokeToken touch only the tokens concerned instead of scanning every token issued.
#[derive(Clone, Debug, Default)]
pub(crate) struct RefreshTokens {
    by_token: HashMap<String, RefreshRecord>,
    /// (pool id, username) → the user's tokens.
    by_user: HashMap<(String, String), Vec<String>>,
    /// `origin_jti` → the family's tokens.
    by_family: HashMap<String, Vec<String>>,
}

impl RefreshTokens {
    pub fn get(&self, token: &str) -> Option<&RefreshRecord> {
        self.by_token.get(token)
    }

    /// Marks a token as replaced by rotation (the only change a stored record gets besides
    /// revocation, so the indices stay valid).
    pub fn set_rotated_until(&mut self, token: &str, until: u64) {
        if let Some(r) = self.by_token.get_mut(token)
            && r.rotated_until.is_none()
        {
            r.rotated_until = Some(until);
            mark(Kind::Refresh, "", token);
        }
    }

    /// Every stored token.
    pub fn tokens(&self) -> impl Iterator<Item = &String> {
        self.by_token.keys()
    }

    pub fn insert(&mut self, token: String, rec: RefreshRecord) {
        mark(Kind::Refresh, "", &token);
        self.load(token, rec);
    }

    /// [`RefreshTokens::insert`] without noting a change (a token loaded from the data
    /// directory).
    pub(crate) fn load(&mut self, token: String, rec: RefreshRecord) {
        self.by_user
            .entry((rec.pool_id.clone(), rec.username.clone()))
            .or_default()
            .push(token.clone());
        self.by_family
            .entry(rec.origin_jti.clone())
            .or_default()
            .push(token.clone());
        self.by_token.insert(token, rec);
    }

    /// Revokes every token of a family.
    pub fn revoke_family(&mut self, origin_jti: &str) {
        for t in self.by_family.get(origin_jti).into_iter().flatten() {
            if let Some(r) = self.by_token.get_mut(t) {
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
            if let Some(r) = self.by_token.get_mut(t) {
                r.revoked = true;
                origins.push(r.origin_jti.clone());
                mark(Kind::Refresh, "", t);
            }
        }
        origins
    }

    /// Forgets every token of a pool.
    pub fn remove_pool(&mut self, pool_id: &str) {
        self.by_token.retain(|t, r| {
            let keep = r.pool_id != pool_id;
            if !keep {
                mark(Kind::Refresh, "", t);
            }
            keep
        });
        self.by_user.retain(|(p, _), _| p != pool_id);
        let live = &self.by_token;
        self.by_family.retain(|_, tokens| {
            tokens.retain(|t| live.contains_key(t));
            !tokens.is_empty()
        });
    }
}
