//! `POST /oauth2/token`: the `authorization_code`, `refresh_token` and `client_credentials`
//! grants.

use http::Response;
use serde_json::{Map, Value, json};

use super::{Hosted, authenticate_client, json_no_store, oauth_error, param, parse_form};
use crate::api::ApiError;
use crate::ops::tokens::OAuthMint;
use crate::state::{Client, RefreshRecord, STANDARD_SCOPES, State, client_list, oauth_enabled};
use crate::{Pass, Shared};

/// `scopes` without custom scopes whose resource server or scope was deleted: those stay
/// allowed but are left out of tokens.
pub(crate) fn active_scopes(st: &State, pool_id: &str, scopes: Vec<String>) -> Vec<String> {
    scopes
        .into_iter()
        .filter(|s| STANDARD_SCOPES.contains(&s.as_str()) || custom_scope_exists(st, pool_id, s))
        .collect()
}

fn custom_scope_exists(st: &State, pool_id: &str, scope: &str) -> bool {
    let Some((server, name)) = scope.rsplit_once('/') else {
        return false;
    };
    st.pools()
        .get(pool_id)
        .and_then(|p| p.res.resource_servers.get(server))
        .and_then(|s| s.body.get("Scopes"))
        .and_then(Value::as_array)
        .is_some_and(|list| {
            list.iter()
                .any(|x| x.get("ScopeName").and_then(Value::as_str) == Some(name))
        })
}

/// An OAuth error carried through the operation machinery as an [`ApiError`] whose kind is
/// the RFC 6749 error code.
fn refuse(error: &str) -> ApiError {
    ApiError::new(error, "")
}

pub(crate) fn post(shared: &Shared, h: &Hosted<'_>) -> Response<Vec<u8>> {
    let form = parse_form(h.req.body());
    let client = {
        let st = shared.lock();
        match authenticate_client(&st, h, &form) {
            Ok(c) => c,
            Err(r) => return *r,
        }
    };
    let grant = param(&form, "grant_type");
    let (source, metadata) = match grant {
        Some("authorization_code") => (Some("TokenGeneration_HostedAuth"), None),
        Some("refresh_token") => (Some("TokenGeneration_RefreshTokens"), None),
        Some("client_credentials") => {
            let metadata = match param(&form, "aws_client_metadata") {
                None => None,
                Some(m) => match serde_json::from_str::<Value>(m) {
                    Ok(v @ Value::Object(_)) => Some(v),
                    _ => return oauth_error(400, "invalid_request", None),
                },
            };
            (Some(crate::triggers::CLIENT_CREDENTIALS_SOURCE), metadata)
        }
        None => return oauth_error(400, "invalid_request", None),
        Some(_) => return oauth_error(400, "unsupported_grant_type", None),
    };
    let pass = Pass {
        op: "Token",
        client_id: Some(&client.id),
        client_metadata: metadata,
        hosted: false,
        token_source: source,
    };
    let result = shared.run_passes(&pass, |st| match grant {
        Some("authorization_code") => authorization_code(st, &client, &form),
        Some("refresh_token") => refresh_token(st, &client, &form),
        _ => client_credentials(st, &client, &form),
    });
    match result {
        Ok(body) => json_no_store(200, &body),
        Err(e) if e.message.is_empty() => oauth_error(400, &e.kind, None),
        // A trigger or a user check failed: the grant cannot be honoured.
        Err(e) => oauth_error(400, "invalid_grant", Some(&e.message)),
    }
}

fn authorization_code(
    st: &mut State,
    client: &Client,
    form: &[(String, String)],
) -> Result<Value, ApiError> {
    if !oauth_enabled(client)
        || !client_list(client, "AllowedOAuthFlows")
            .iter()
            .any(|f| f == "code")
    {
        return Err(refuse("unauthorized_client"));
    }
    let code = param(form, "code").ok_or_else(|| refuse("invalid_request"))?;
    let redirect_uri = param(form, "redirect_uri").ok_or_else(|| refuse("invalid_request"))?;
    // A code is good for one exchange, whatever the outcome of that exchange.
    let rec = st
        .oauth_mut()
        .codes
        .remove(code)
        .ok_or_else(|| refuse("invalid_grant"))?;
    if rec.client_id != client.id || rec.expires <= st.now() {
        return Err(refuse("invalid_grant"));
    }
    if !client_list(client, "CallbackURLs")
        .iter()
        .any(|c| c == redirect_uri)
    {
        return Err(refuse("unauthorized_client"));
    }
    if rec.redirect_uri != redirect_uri {
        return Err(refuse("invalid_grant"));
    }
    if let Some(challenge) = &rec.code_challenge {
        let verifier = param(form, "code_verifier").ok_or_else(|| refuse("invalid_request"))?;
        let digest = <sha2::Sha256 as sha2::Digest>::digest(verifier.as_bytes());
        let computed =
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, digest);
        if !crate::srp_server::ct_eq(&computed, challenge) {
            return Err(refuse("invalid_grant"));
        }
    }
    let user_ok = st
        .pools()
        .get(&rec.pool_id)
        .and_then(|p| p.users.get(&rec.username))
        .is_some_and(|u| u.enabled && u.sub == rec.sub);
    if !user_ok {
        return Err(refuse("invalid_grant"));
    }
    let now = st.now();
    let family = RefreshRecord {
        pool_id: rec.pool_id.clone(),
        client_id: client.id.clone(),
        username: rec.username.clone(),
        sub: rec.sub.clone(),
        origin_jti: crate::util::uuid(),
        auth_time: rec.auth_time,
        device_key: None,
        expires: now + client.refresh_secs,
        revoked: false,
        rotated_until: None,
        scopes: Some(rec.scopes.clone()),
    };
    let mint = OAuthMint {
        scopes: rec.scopes.clone(),
        nonce: rec.nonce.clone(),
        id_token: rec.scopes.iter().any(|s| s == "openid"),
        at_hash: true,
    };
    let (id_token, access_token, expires_in) =
        crate::ops::tokens::mint_with(st, &family, Some(&mint))?;
    let refresh = crate::util::opaque_refresh_token();
    st.refresh_mut().insert(&refresh, family);
    let mut out = Map::new();
    if let Some(id) = id_token {
        out.insert("id_token".into(), json!(id));
    }
    out.insert("access_token".into(), json!(access_token));
    out.insert("refresh_token".into(), json!(refresh));
    out.insert("expires_in".into(), json!(expires_in));
    out.insert("token_type".into(), json!("Bearer"));
    Ok(Value::Object(out))
}

fn refresh_token(
    st: &mut State,
    client: &Client,
    form: &[(String, String)],
) -> Result<Value, ApiError> {
    if !oauth_enabled(client) {
        return Err(refuse("unauthorized_client"));
    }
    let token = param(form, "refresh_token").ok_or_else(|| refuse("invalid_request"))?;
    let rec = crate::ops::tokens::live_refresh(st, token, &client.id)
        .map_err(|_| refuse("invalid_grant"))?;
    // A token replaced by rotation dies once its grace period is over.
    if rec.rotated_until.is_some_and(|until| until <= st.now()) {
        return Err(refuse("invalid_grant"));
    }
    let scopes = rec.scopes.clone();
    let mint = scopes.map(|scopes| OAuthMint {
        id_token: scopes.iter().any(|s| s == "openid"),
        scopes,
        nonce: None,
        at_hash: true,
    });
    let (id_token, access_token, expires_in) =
        crate::ops::tokens::mint_with(st, &rec, mint.as_ref())?;
    let mut out = Map::new();
    if let Some(id) = id_token {
        out.insert("id_token".into(), json!(id));
    }
    out.insert("access_token".into(), json!(access_token));
    out.insert("expires_in".into(), json!(expires_in));
    out.insert("token_type".into(), json!("Bearer"));
    if client.rotation {
        let now = st.now();
        let new_token = crate::util::opaque_refresh_token();
        let mut new_rec = rec.clone();
        new_rec.rotated_until = None;
        new_rec.expires = now + client.refresh_secs;
        st.refresh_mut()
            .set_rotated_until(token, now + client.grace_secs);
        st.refresh_mut().insert(&new_token, new_rec);
        out.insert("refresh_token".into(), json!(new_token));
    }
    Ok(Value::Object(out))
}

fn client_credentials(
    st: &mut State,
    client: &Client,
    form: &[(String, String)],
) -> Result<Value, ApiError> {
    let flows = client_list(client, "AllowedOAuthFlows");
    if !oauth_enabled(client) {
        // What AWS answers a client whose OAuth switch is off.
        return Err(refuse("invalid_grant"));
    }
    if client.secret.is_none() || !flows.iter().any(|f| f == "client_credentials") {
        return Err(refuse("unauthorized_client"));
    }
    let allowed = client_list(client, "AllowedOAuthScopes");
    let requested: Vec<String> = match param(form, "scope") {
        Some(s) => s
            .split(' ')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect(),
        None => allowed.clone(),
    };
    let mut scopes: Vec<String> = Vec::new();
    for s in requested {
        // Only resource-server scopes the client is allowed.
        if !allowed.contains(&s) || STANDARD_SCOPES.contains(&s.as_str()) {
            return Err(refuse("invalid_scope"));
        }
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    let scopes = active_scopes(st, &client.pool_id, scopes);
    if scopes.is_empty() {
        return Err(refuse("invalid_scope"));
    }
    let pool = st.pool(&client.pool_id)?;
    let now = st.now();
    let mut ac = Map::new();
    ac.insert("sub".into(), json!(client.id));
    ac.insert("token_use".into(), json!("access"));
    ac.insert("scope".into(), json!(scopes.join(" ")));
    ac.insert("auth_time".into(), json!(now));
    ac.insert("iss".into(), json!(pool.issuer()));
    ac.insert("exp".into(), json!(now + client.access_secs));
    ac.insert("iat".into(), json!(now));
    ac.insert("version".into(), json!(2));
    ac.insert("jti".into(), json!(crate::util::uuid()));
    ac.insert("client_id".into(), json!(client.id));
    let keys = pool.keys.clone();
    let access_token = match crate::triggers::defer_tokens(
        st,
        &client.pool_id,
        "ClientCredentials",
        &keys,
        &Map::new(),
        &ac,
    )? {
        Some((_, access)) => access,
        None => {
            let t = crate::tokens::Unsigned::new(&keys, crate::tokens::KeyUse::Access, &ac)
                .map_err(crate::api::internal)?;
            let p = t.placeholder().to_owned();
            st.mint_later(t);
            p
        }
    };
    Ok(json!({
        "access_token": access_token,
        "expires_in": client.access_secs,
        "token_type": "Bearer",
    }))
}

/// The redirect of the implicit grant: the tokens in the fragment (no refresh token).
pub(crate) fn implicit(
    shared: &Shared,
    request: &crate::state::AuthzRequest,
    pool_id: &str,
    username: &str,
    sub: &str,
    auth_time: u64,
) -> Result<String, String> {
    let pass = Pass {
        op: "Authorize",
        client_id: Some(&request.client_id),
        client_metadata: None,
        hosted: false,
        token_source: Some("TokenGeneration_HostedAuth"),
    };
    let minted = shared.run_passes(&pass, |st| {
        let client = st.client(&request.client_id)?;
        let now = st.now();
        let family = RefreshRecord {
            pool_id: pool_id.to_string(),
            client_id: client.id.clone(),
            username: username.to_string(),
            sub: sub.to_string(),
            origin_jti: crate::util::uuid(),
            auth_time,
            device_key: None,
            expires: now,
            revoked: false,
            rotated_until: None,
            scopes: None,
        };
        let mint = OAuthMint {
            scopes: request.scopes.clone(),
            nonce: request.nonce.clone(),
            id_token: request.scopes.iter().any(|s| s == "openid"),
            at_hash: true,
        };
        let (id, access, expires_in) = crate::ops::tokens::mint_with(st, &family, Some(&mint))?;
        Ok(json!({"id_token": id, "access_token": access, "expires_in": expires_in}))
    });
    let minted = minted.map_err(|e| e.message)?;
    let str_of = |k: &str| minted.get(k).and_then(Value::as_str).map(str::to_string);
    let expires_in = minted
        .get("expires_in")
        .and_then(Value::as_u64)
        .unwrap_or_default()
        .to_string();
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(id) = str_of("id_token") {
        params.push(("id_token", id));
    }
    params.push(("access_token", str_of("access_token").unwrap_or_default()));
    // The implicit grant's fragment spells the type in lower case.
    params.push(("token_type", "bearer".to_string()));
    params.push(("expires_in", expires_in));
    if let Some(s) = &request.state {
        params.push(("state", s.clone()));
    }
    let fragment: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", super::encode(v)))
        .collect();
    Ok(format!("{}#{}", request.redirect_uri, fragment.join("&")))
}
