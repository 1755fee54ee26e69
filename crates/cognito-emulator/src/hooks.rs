//! The signing-key hooks: a pool's new key pair and tokens signed with its keys, served by
//! `POST /_emulator/rotate-keys` and `POST /_emulator/sign` and by the handle's methods of the
//! same names.

use serde_json::{Map, Value};

use crate::{ApiError, Shared, api, tokens};

/// Gives `pool_id` a new key pair (generated outside the state lock); returns the new
/// `kid`s (ID key, access key).
pub(crate) fn rotate_keys(shared: &Shared, pool_id: &str) -> Result<(String, String), ApiError> {
    let lazy = tokens::lazy_keys(None);
    let keys = tokens::keys(&lazy).map_err(api::internal)?;
    let kids = (keys.id.kid.clone(), keys.access.kid.clone());
    shared.lock().pool_mut(pool_id)?.keys = lazy;
    Ok(kids)
}

/// A token with `claims`, signed by `pool_id`'s ID or access key (header overrides applied).
pub(crate) fn sign_token(
    shared: &Shared,
    pool_id: &str,
    access: bool,
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> Result<String, ApiError> {
    let lazy = shared.lock().pool(pool_id)?.keys.clone();
    let key_use = if access {
        tokens::KeyUse::Access
    } else {
        tokens::KeyUse::Id
    };
    tokens::sign_custom(&lazy, key_use, header, claims).map_err(api::internal)
}
