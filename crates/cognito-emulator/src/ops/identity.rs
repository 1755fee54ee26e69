//! Identity pools: `GetId`, `GetCredentialsForIdentity`, `GetOpenIdToken` with fake credentials.
//!
//! Any well-formed identity-pool id is accepted (no pool needs to be created). Logins of
//! this emulator's user pools are verified (signature, expiry, `token_use = id`, revocation).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::api::{ApiError, ApiResult, Body, check_len, invalid_param, not_authorized};
use crate::state::State;
use crate::tokens as jwt;

fn check_id(name: &str, v: &str) -> ApiResult<()> {
    check_len(name, v, 1, 55)?;
    let ok = v.split_once(':').is_some_and(|(r, u)| {
        !r.is_empty()
            && r.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            && !u.is_empty()
            && u.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
    });
    if ok {
        Ok(())
    } else {
        Err(invalid_param(format!(
            "1 validation error detected: Value at '{name}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+"
        )))
    }
}

/// Validates the `Logins` map; returns the provider key and `sub` of the user-pool login.
fn check_logins(st: &State, b: &Body) -> ApiResult<Option<(String, String)>> {
    let logins = b.str_map("Logins")?;
    if logins.len() > 10 {
        return Err(invalid_param("Too many logins"));
    }
    let mut found = None;
    for (provider, token) in logins {
        let Some(pool_id) = provider
            .strip_prefix("cognito-idp.")
            .and_then(|p| p.split_once(".amazonaws.com/"))
            .map(|(_, id)| id.to_string())
        else {
            return Err(not_authorized(format!(
                "Invalid login token. Unsupported provider {provider}"
            )));
        };
        let invalid =
            || not_authorized("Invalid login token. Not a valid OpenId Connect identity token.");
        let pool = st.pool(&pool_id).map_err(|_| invalid())?;
        let keys = jwt::keys(&pool.keys).map_err(crate::api::internal)?;
        let claims = jwt::verify(&token, &keys.id).ok_or_else(invalid)?;
        if claims.get("token_use").and_then(Value::as_str) != Some("id")
            || claims.get("iss").and_then(Value::as_str) != Some(pool.issuer().as_str())
        {
            return Err(invalid());
        }
        let exp = claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
        let now = st.now();
        if exp <= now {
            return Err(not_authorized(format!(
                "Invalid login token. Token expired: {now} >= {exp}"
            )));
        }
        let aud = claims.get("aud").and_then(Value::as_str).unwrap_or("");
        if st.clients.get(aud).is_none_or(|c| c.pool_id != pool_id) {
            return Err(invalid());
        }
        if let Some(o) = claims.get("origin_jti").and_then(Value::as_str)
            && st.revoked_origins.contains(o)
        {
            return Err(not_authorized(
                "Invalid login token. Token has been revoked.",
            ));
        }
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .ok_or_else(invalid)?
            .to_string();
        found = Some((provider, sub));
    }
    Ok(found)
}

fn derived_uuid(seed: &str) -> String {
    let d = Sha256::digest(seed.as_bytes());
    let h: String = d.iter().take(16).map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

pub(crate) fn get_id(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool_id = b.str("IdentityPoolId")?.to_string();
    check_id("IdentityPoolId", &pool_id)?;
    if let Some(a) = b.opt_str("AccountId")?
        && (a.is_empty() || a.len() > 15 || !a.bytes().all(|c| c.is_ascii_digit()))
    {
        return Err(invalid_param("Invalid AccountId"));
    }
    let region = pool_id.split(':').next().unwrap_or("us-east-1").to_string();
    let id = match check_logins(st, b)? {
        Some((_, sub)) => {
            let id = format!("{region}:{}", derived_uuid(&format!("{pool_id}|{sub}")));
            st.identities.insert(id.clone(), sub);
            id
        }
        None => {
            let id = format!("{region}:{}", crate::util::uuid());
            st.identities.insert(id.clone(), String::new());
            id
        }
    };
    Ok(json!({ "IdentityId": id }))
}

fn authorize_identity(st: &State, b: &Body) -> ApiResult<String> {
    let id = b.str("IdentityId")?.to_string();
    check_id("IdentityId", &id)?;
    let owner = st.identities.get(&id).cloned().ok_or_else(|| {
        ApiError::new(
            "ResourceNotFoundException",
            format!("Identity '{id}' not found."),
        )
    })?;
    let login = check_logins(st, b)?;
    if !owner.is_empty() && login.as_ref().map(|(_, s)| s) != Some(&owner) {
        return Err(not_authorized(
            "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        ));
    }
    Ok(id)
}

pub(crate) fn get_credentials(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = authorize_identity(st, b)?;
    if let Some(arn) = b.opt_str("CustomRoleArn")? {
        check_len("CustomRoleArn", arn, 20, 2048)?;
    }
    let up = |n| {
        let mut s = String::new();
        for byte in crate::util::random_bytes(n) {
            s.push(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(byte % 32) as usize] as char);
        }
        s
    };
    let secret: String = STANDARD
        .encode(crate::util::random_bytes(30))
        .chars()
        .take(40)
        .collect();
    Ok(json!({
        "IdentityId": id,
        "Credentials": {
            "AccessKeyId": format!("ASIA{}", up(16)),
            "SecretKey": secret,
            "SessionToken": STANDARD.encode(crate::util::random_bytes(300)),
            "Expiration": st.now_f() + 3600.0,
        }
    }))
}

pub(crate) fn get_open_id_token(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = authorize_identity(st, b)?;
    let token = format!(
        "eyJraWQiOiJlbXVsYXRvciIsImFsZyI6Im5vbmUifQ.{}.",
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(json!({"sub": id, "aud": "cognito-identity.amazonaws.com"}).to_string())
    );
    Ok(json!({ "IdentityId": id, "Token": token }))
}
