//! Identity pools (Cognito Identity): stored pools with their roles and role mappings, identities
//! that a guest gets and keeps when a login is added, and fake but well-formed AWS credentials.
//!
//! Only this emulator's user pools are login providers (`cognito-idp.<region>.amazonaws.com/<pool>`);
//! their ID tokens are verified (signature, issuer, expiry, `token_use = id`, revocation) and must
//! come from an app client the identity pool lists. Credentials are random strings in AWS's
//! formats; the session token is `base64(JSON)` naming the role, identity and expiry, so a test
//! can check which role the configuration chose.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use crate::api::{ApiError, ApiResult, Body, invalid_param, not_authorized};
use crate::state::{Identity, IdentityPool, State};
use crate::tokens as jwt;

/// Credentials from `GetCredentialsForIdentity` last an hour, as AWS's do.
const CREDENTIALS_SECS: f64 = 3600.0;

fn pool_not_found(id: &str) -> ApiError {
    ApiError::new(
        "ResourceNotFoundException",
        format!("IdentityPool '{id}' not found."),
    )
}

fn identity_not_found(id: &str) -> ApiError {
    ApiError::new(
        "ResourceNotFoundException",
        format!("Identity '{id}' not found."),
    )
}

fn invalid_configuration() -> ApiError {
    ApiError::new(
        "InvalidIdentityPoolConfigurationException",
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
    )
}

/// The members of AWS's `IdentityPool` shape that CreateIdentityPool and UpdateIdentityPool
/// store; what a request omits is absent (AWS's update replaces the whole description).
const POOL_MEMBERS: &[&str] = &[
    "IdentityPoolName",
    "AllowUnauthenticatedIdentities",
    "AllowClassicFlow",
    "SupportedLoginProviders",
    "DeveloperProviderName",
    "OpenIdConnectProviderARNs",
    "CognitoIdentityProviders",
    "SamlProviderARNs",
    "IdentityPoolTags",
];

fn description(id: &str, b: &Body) -> ApiResult<Map<String, Value>> {
    let name = b.str("IdentityPoolName")?;
    let mut d = Map::new();
    d.insert("IdentityPoolId".into(), json!(id));
    for m in POOL_MEMBERS {
        if let Some(v) = b.0.get(*m).filter(|v| !v.is_null()) {
            d.insert((*m).to_string(), v.clone());
        }
    }
    d.insert("IdentityPoolName".into(), json!(name));
    Ok(d)
}

pub(crate) fn create_identity_pool(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = format!("{}:{}", st.region(), crate::util::uuid());
    let d = description(&id, b)?;
    let out = Value::Object(d.clone());
    st.identity_pools_mut().insert(
        id,
        IdentityPool {
            description: d,
            roles: BTreeMap::new(),
            role_mappings: Map::new(),
        },
    );
    Ok(out)
}

fn identity_pool<'s>(st: &'s State, b: &Body) -> ApiResult<(&'s str, &'s IdentityPool)> {
    let id = b.str("IdentityPoolId")?;
    st.identity_pools()
        .get_key_value(id)
        .map(|(k, v)| (k.as_str(), v))
        .ok_or_else(|| pool_not_found(id))
}

pub(crate) fn describe_identity_pool(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (_, pool) = identity_pool(st, b)?;
    Ok(Value::Object(pool.description.clone()))
}

pub(crate) fn update_identity_pool(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = identity_pool(st, b)?.0.to_string();
    let d = description(&id, b)?;
    let out = Value::Object(d.clone());
    if let Some(pool) = st.identity_pools_mut().get_mut(&id) {
        pool.description = d;
    }
    Ok(out)
}

pub(crate) fn delete_identity_pool(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = identity_pool(st, b)?.0.to_string();
    st.delete_identity_pool(&id);
    Ok(json!({}))
}

/// `MaxResults` (1–60, required) and the key after which a page starts (`NextToken`).
fn page_request(b: &Body) -> ApiResult<(usize, Option<String>)> {
    // The model requires `MaxResults` and bounds it to 1–60.
    let max = b.opt_i64("MaxResults")?.unwrap_or(60).clamp(1, 60) as usize;
    let after = match b.opt_str("NextToken")? {
        None => None,
        Some(t) => {
            Some(decode_page_token(t).ok_or_else(|| invalid_param("Invalid pagination token."))?)
        }
    };
    Ok((max, after))
}

/// Page tokens name the last key of the previous page (not an offset), so a page stays right
/// when identities are added meanwhile.
fn encode_page_token(last: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("idp1:{last}"))
}

fn decode_page_token(token: &str) -> Option<String> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("idp1:")
        .map(String::from)
}

/// One page of `items` (sorted by key) after `after`, and the token of the next page.
fn page<'a, T: 'a>(
    items: impl Iterator<Item = (&'a String, T)>,
    max: usize,
    after: Option<&str>,
) -> (Vec<(&'a String, T)>, Option<String>) {
    let mut rest = items.skip_while(|(k, _)| after.is_some_and(|a| k.as_str() <= a));
    let chosen: Vec<_> = rest.by_ref().take(max).collect();
    let next = match (rest.next(), chosen.last()) {
        (Some(_), Some((last, _))) => Some(encode_page_token(last)),
        _ => None,
    };
    (chosen, next)
}

pub(crate) fn list_identity_pools(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (max, after) = page_request(b)?;
    let (pools, next) = page(st.identity_pools().iter(), max, after.as_deref());
    let pools: Vec<Value> = pools
        .into_iter()
        .map(|(id, p)| {
            json!({
                "IdentityPoolId": id,
                "IdentityPoolName": p.description.get("IdentityPoolName"),
            })
        })
        .collect();
    let mut out = json!({ "IdentityPools": pools });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

pub(crate) fn set_identity_pool_roles(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = identity_pool(st, b)?.0.to_string();
    // The model requires `Roles`, its keys `authenticated`/`unauthenticated` and ARNs of
    // 20–2048 characters; a null ARN is left to this loop.
    let mut stored = BTreeMap::new();
    for (kind, arn) in
        b.0.get("Roles")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
    {
        let arn = arn
            .as_str()
            .ok_or_else(|| crate::api::serialization("Roles values must be strings"))?;
        stored.insert(kind.clone(), arn.to_string());
    }
    // The model makes `RoleMappings` a map whose mappings have a `Type`, `Token` or `Rules`;
    // what the keys name and what each type needs are the service's own checks.
    let mappings =
        b.0.get("RoleMappings")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
    let pool = identity_pool(st, b)?.1;
    for (provider, mapping) in &mappings {
        // AWS keys a mapping by the provider a login names: a user pool with its app client
        // (`cognito-idp.<region>.amazonaws.com/<pool>:<client>`), a social provider's domain,
        // an OIDC or SAML provider. Any other key is refused with this wording (quoted in
        // CDK users' reports of a user-pool key given without its client id).
        if !pool.role_mapping_keys().iter().any(|k| k == provider) {
            return Err(invalid_param(format!(
                "{provider} is not a valid RoleMapping ProviderName or is not a configured provider."
            )));
        }
        let ty = mapping.get("Type").and_then(Value::as_str).unwrap_or("");
        let rules = mapping
            .get("RulesConfiguration")
            .and_then(|r| r.get("Rules"))
            .and_then(Value::as_array);
        if ty == "Rules" && rules.is_none() {
            return Err(invalid_param(format!(
                "Rules are required for the role mapping of {provider} of type Rules"
            )));
        }
        // AWS's reference: AmbiguousRoleResolution is "Required if you specify Token or Rules
        // as the Type" (the model cannot say so: it is optional in the shape).
        if matches!(ty, "Token" | "Rules") && mapping.get("AmbiguousRoleResolution").is_none() {
            return Err(invalid_param(format!(
                "AmbiguousRoleResolution is required for the role mapping of {provider} of type {ty}"
            )));
        }
    }
    if let Some(pool) = st.identity_pools_mut().get_mut(&id) {
        pool.roles = stored;
        pool.role_mappings = mappings;
    }
    Ok(json!({}))
}

pub(crate) fn get_identity_pool_roles(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (id, pool) = identity_pool(st, b)?;
    let mut out = json!({ "IdentityPoolId": id, "Roles": pool.roles });
    if !pool.role_mappings.is_empty() {
        out["RoleMappings"] = Value::Object(pool.role_mappings.clone());
    }
    Ok(out)
}

/// A verified user-pool login: its provider name, `sub` and ID-token claims.
struct Login {
    provider: String,
    sub: String,
    claims: Map<String, Value>,
}

/// Verifies the `Logins` map against an identity pool; `None` when it is absent or empty.
fn check_logins(st: &State, pool: &IdentityPool, b: &Body) -> ApiResult<Option<Login>> {
    let logins = b.str_map("Logins")?;
    if logins.len() > 10 {
        return Err(invalid_param("Too many logins"));
    }
    let mut found = None;
    for (provider, token) in logins {
        let Some(user_pool_id) = provider
            .strip_prefix("cognito-idp.")
            .and_then(|p| p.split_once(".amazonaws.com/"))
            .map(|(_, id)| id.to_string())
        else {
            return Err(not_authorized(format!(
                "Invalid login token. Unsupported provider {provider}"
            )));
        };
        let Some(clients) = pool.provider_clients(&provider) else {
            return Err(not_authorized(
                "Token is not from a supported provider of this identity pool.",
            ));
        };
        let invalid =
            || not_authorized("Invalid login token. Not a valid OpenId Connect identity token.");
        let user_pool = st.pool(&user_pool_id).map_err(|_| invalid())?;
        let keys = jwt::keys(&user_pool.keys).map_err(crate::api::internal)?;
        let claims = jwt::verify(&token, &keys.id).ok_or_else(invalid)?;
        if claims.get("token_use").and_then(Value::as_str) != Some("id")
            || claims.get("iss").and_then(Value::as_str) != Some(user_pool.issuer().as_str())
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
        if !clients.contains(&aud) {
            return Err(not_authorized(
                "Token is not from a supported provider of this identity pool.",
            ));
        }
        if let Some(o) = claims.get("origin_jti").and_then(Value::as_str)
            && st.family_revoked(o)
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
        found = Some(Login {
            provider,
            sub,
            claims,
        });
    }
    Ok(found)
}

/// The identity of `pool_id` a login is linked to.
fn linked_identity(st: &State, pool_id: &str, login: &Login) -> Option<String> {
    st.identities()
        .iter()
        .find(|(_, i)| i.pool_id == pool_id && i.logins.get(&login.provider) == Some(&login.sub))
        .map(|(id, _)| id.clone())
}

fn new_identity(st: &mut State, pool_id: &str, login: Option<&Login>) -> String {
    let id = format!("{}:{}", st.region(), crate::util::uuid());
    let now = st.now_f();
    let logins = login
        .map(|l| BTreeMap::from([(l.provider.clone(), l.sub.clone())]))
        .unwrap_or_default();
    st.identities_mut().insert(
        id.clone(),
        Identity {
            pool_id: pool_id.to_string(),
            logins,
            created: now,
            modified: now,
        },
    );
    id
}

pub(crate) fn get_id(st: &mut State, b: &Body) -> ApiResult<Value> {
    if let Some(a) = b.opt_str("AccountId")?
        && (a.is_empty() || a.len() > 15 || !a.bytes().all(|c| c.is_ascii_digit()))
    {
        return Err(invalid_param("Invalid AccountId"));
    }
    let (pool_id, pool) = identity_pool(st, b)?;
    let (pool_id, guests) = (pool_id.to_string(), pool.allows_guests());
    let login = check_logins(st, pool, b)?;
    let id = match login {
        Some(login) => match linked_identity(st, &pool_id, &login) {
            Some(id) => id,
            None => new_identity(st, &pool_id, Some(&login)),
        },
        None if guests => new_identity(st, &pool_id, None),
        None => {
            return Err(not_authorized(
                "Unauthenticated access is not supported for this identity pool.",
            ));
        }
    };
    Ok(json!({ "IdentityId": id }))
}

/// Checks that the caller may act for `IdentityId` and links a new login to a guest identity
/// (AWS keeps the guest's identity id for the user who signs in on that device). Returns the
/// identity id and the verified login.
fn authorize_identity(st: &mut State, b: &Body) -> ApiResult<(String, Option<Login>)> {
    let id = b.str("IdentityId")?.to_string();
    let identity = st
        .identities()
        .get(&id)
        .cloned()
        .ok_or_else(|| identity_not_found(&id))?;
    let pool = st
        .identity_pools()
        .get(&identity.pool_id)
        .ok_or_else(|| identity_not_found(&id))?;
    let login = check_logins(st, pool, b)?;
    let mismatch = || {
        not_authorized(
            "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        )
    };
    match &login {
        None if identity.logins.is_empty() => {
            if !pool.allows_guests() {
                return Err(not_authorized(
                    "Unauthenticated access is not supported for this identity pool.",
                ));
            }
        }
        None => return Err(mismatch()),
        Some(l) => match identity.logins.get(&l.provider) {
            Some(sub) if *sub == l.sub => {}
            Some(_) => return Err(mismatch()),
            None => {
                // A login already linked to another identity is not merged into this one
                // (AWS merges identities; the emulator refuses instead).
                if linked_identity(st, &identity.pool_id, l).is_some() {
                    return Err(ApiError::new(
                        "ResourceConflictException",
                        "Login is already linked to another identity.",
                    ));
                }
                let now = st.now_f();
                if let Some(i) = st.identities_mut().get_mut(&id) {
                    i.logins.insert(l.provider.clone(), l.sub.clone());
                    i.modified = now;
                }
            }
        },
    }
    Ok((id, login))
}

/// The role that `GetCredentialsForIdentity` assumes for a guest or a login.
fn choose_role(
    pool: &IdentityPool,
    login: Option<&Login>,
    custom: Option<&str>,
) -> ApiResult<String> {
    let Some(login) = login else {
        return pool
            .roles
            .get("unauthenticated")
            .cloned()
            .ok_or_else(invalid_configuration);
    };
    let default = pool.roles.get("authenticated").cloned();
    // A user-pool login's mapping is keyed by the provider and the app client it signed in to.
    let aud = login
        .claims
        .get("aud")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mapping = pool.role_mappings.get(&format!("{}:{aud}", login.provider));
    let claim_str = |name: &str| -> Vec<String> {
        match login.claims.get(name) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            Some(v) => vec![v.to_string()],
            None => Vec::new(),
        }
    };
    let mapped = match mapping.and_then(|m| m.get("Type")).and_then(Value::as_str) {
        Some("Token") => {
            let roles = claim_str("cognito:roles");
            match custom {
                Some(c) if roles.iter().any(|r| r == c) => Some(c.to_string()),
                Some(_) => {
                    return Err(not_authorized(
                        "The role requested is not in the roles of the token.",
                    ));
                }
                None => claim_str("cognito:preferred_role")
                    .into_iter()
                    .next()
                    .or_else(|| (roles.len() == 1).then(|| roles[0].clone())),
            }
        }
        Some("Rules") => mapping
            .and_then(|m| m.pointer("/RulesConfiguration/Rules"))
            .and_then(Value::as_array)
            .and_then(|rules| {
                rules.iter().find_map(|r| {
                    let claim = r.get("Claim")?.as_str()?;
                    let want = r.get("Value")?.as_str()?;
                    let values = claim_str(claim);
                    let hit = match r.get("MatchType")?.as_str()? {
                        "Equals" => values.iter().any(|v| v == want),
                        "Contains" => values.iter().any(|v| v.contains(want)),
                        "StartsWith" => values.iter().any(|v| v.starts_with(want)),
                        "NotEqual" => !values.is_empty() && values.iter().all(|v| v != want),
                        _ => false,
                    };
                    hit.then(|| r.get("RoleARN")?.as_str().map(String::from))?
                })
            }),
        _ => None,
    };
    match (mapped, mapping) {
        (Some(role), _) => Ok(role),
        (None, Some(m))
            if m.get("AmbiguousRoleResolution").and_then(Value::as_str) == Some("Deny") =>
        {
            Err(not_authorized(
                "Ambiguous role resolution is set to Deny and no role could be chosen.",
            ))
        }
        (None, _) => default.ok_or_else(invalid_configuration),
    }
}

pub(crate) fn get_credentials(st: &mut State, b: &Body) -> ApiResult<Value> {
    let custom = b.opt_str("CustomRoleArn")?.map(str::to_string);
    let (id, login) = authorize_identity(st, b)?;
    let pool_id = st
        .identities()
        .get(&id)
        .map(|i| i.pool_id.clone())
        .unwrap_or_default();
    let pool = st
        .identity_pools()
        .get(&pool_id)
        .ok_or_else(|| identity_not_found(&id))?;
    let role = choose_role(pool, login.as_ref(), custom.as_deref())?;
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
    let expiration = st.now_f() + CREDENTIALS_SECS;
    let session = json!({
        "roleArn": role,
        "identityId": id,
        "expiration": expiration,
        "nonce": STANDARD.encode(crate::util::random_bytes(24)),
    });
    Ok(json!({
        "IdentityId": id,
        "Credentials": {
            "AccessKeyId": format!("ASIA{}", up(16)),
            "SecretKey": secret,
            "SessionToken": STANDARD.encode(session.to_string()),
            "Expiration": expiration,
        }
    }))
}

pub(crate) fn get_open_id_token(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (id, _) = authorize_identity(st, b)?;
    let token = format!(
        "eyJraWQiOiJlbXVsYXRvciIsImFsZyI6Im5vbmUifQ.{}.",
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(json!({"sub": id, "aud": "cognito-identity.amazonaws.com"}).to_string())
    );
    Ok(json!({ "IdentityId": id, "Token": token }))
}

fn describe(id: &str, i: &Identity) -> Value {
    let mut out = json!({
        "IdentityId": id,
        "CreationDate": i.created,
        "LastModifiedDate": i.modified,
    });
    if !i.logins.is_empty() {
        out["Logins"] = json!(i.logins.keys().collect::<Vec<_>>());
    }
    out
}

pub(crate) fn describe_identity(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = b.str("IdentityId")?;
    let i = st
        .identities()
        .get(id)
        .ok_or_else(|| identity_not_found(id))?;
    Ok(describe(id, i))
}

pub(crate) fn list_identities(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (pool_id, _) = identity_pool(st, b)?;
    let pool_id = pool_id.to_string();
    let (max, after) = page_request(b)?;
    b.opt_bool("HideDisabled")?;
    let mut ids: Vec<(&String, &Identity)> = st
        .identities()
        .iter()
        .filter(|(_, i)| i.pool_id == pool_id)
        .collect();
    ids.sort_by(|a, b| a.0.cmp(b.0));
    let (chosen, next) = page(ids.into_iter(), max, after.as_deref());
    let identities: Vec<Value> = chosen.into_iter().map(|(id, i)| describe(id, i)).collect();
    let mut out = json!({ "IdentityPoolId": pool_id, "Identities": identities });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

pub(crate) fn unlink_identity(st: &mut State, b: &Body) -> ApiResult<Value> {
    let remove = b.opt_str_list("LoginsToRemove")?.unwrap_or_default();
    let (id, login) = authorize_identity(st, b)?;
    if login.is_none() {
        return Err(not_authorized(
            "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        ));
    }
    let now = st.now_f();
    if let Some(i) = st.identities_mut().get_mut(&id) {
        for provider in &remove {
            i.logins.remove(provider);
        }
        i.modified = now;
    }
    Ok(json!({}))
}
