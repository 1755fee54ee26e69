//! Token issuance, access-token checks, refresh, revocation and sign-out.

use serde_json::{Map, Value, json};

use crate::api::{
    ApiError, ApiResult, Body, check_token, internal, invalid_param, not_authorized, user_not_found,
};
use crate::ops::{attr_claim, check_client_secret, check_secret_hash};
use crate::state::{Device, FlowCtx, RefreshRecord, State};
use crate::tokens as jwt;

/// The scope of API sign-ins.
const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// What the OAuth token endpoint asks `mint_with` for.
pub(crate) struct OAuthMint {
    /// The granted scopes (the access token's `scope`; they narrow the ID token's claims).
    pub scopes: Vec<String>,
    /// The `nonce` of the authorization request.
    pub nonce: Option<String>,
    /// Whether to mint an ID token.
    pub id_token: bool,
    /// Whether the ID token carries the `at_hash` of its access token.
    pub at_hash: bool,
}

/// The standard claims the `profile` scope releases.
const PROFILE_CLAIMS: &[&str] = &[
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
    "address",
];

/// Whether the granted scopes release attribute `attr`: `openid` alone releases every
/// attribute the client may read; with `email`, `phone` or `profile`, only theirs.
pub(crate) fn attribute_in_scopes(attr: &str, scopes: &[String]) -> bool {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    if !has("email") && !has("phone") && !has("profile") {
        return true;
    }
    match attr {
        "email" | "email_verified" => has("email"),
        "phone_number" | "phone_number_verified" => has("phone"),
        a if a.starts_with("custom:") => has("profile"),
        a => has("profile") && PROFILE_CLAIMS.contains(&a),
    }
}

/// A fresh ID and access token for a refresh-token family: returns their placeholders, which
/// the tokens replace once signed (`jwt::sign_all`, after the state lock is released).
/// Families granted through the OAuth endpoints keep their scopes.
pub(crate) fn mint(st: &mut State, rec: &RefreshRecord) -> ApiResult<(String, String, u64)> {
    let grant = rec.scopes.as_ref().map(|scopes| OAuthMint {
        scopes: scopes.clone(),
        nonce: None,
        // The API answers always carry an ID token.
        id_token: true,
        at_hash: false,
    });
    let (id, access, secs) = mint_with(st, rec, grant.as_ref())?;
    Ok((id.unwrap_or_default(), access, secs))
}

/// [`mint`] with OAuth scopes (`None`: an API sign-in); the ID token is `None` when `oauth`
/// asks for none.
pub(crate) fn mint_with(
    st: &mut State,
    rec: &RefreshRecord,
    oauth: Option<&OAuthMint>,
) -> ApiResult<(Option<String>, String, u64)> {
    let pool = st.pool(&rec.pool_id)?;
    let client = st.client(&rec.client_id)?;
    let user = pool.user(&rec.username)?;
    let now = st.now();
    let iss = pool.issuer();
    let event_id = crate::util::uuid();
    let scopes = oauth.map(|o| o.scopes.as_slice());

    let mut id = Map::new();
    id.insert("sub".into(), json!(user.sub));
    for (k, v) in user.attrs() {
        // A stored attribute never becomes a claim Cognito sets itself (`sub`, `iss`,
        // `cognito:*`, ...), whatever wrote it; and only what the client may read is shown.
        if !pool.schema.readable(client.read_attrs.as_deref(), k) {
            continue;
        }
        if let Some(scopes) = scopes
            && !attribute_in_scopes(k, scopes)
        {
            continue;
        }
        id.insert(k.clone(), attr_claim(k, v));
    }
    crate::ops::groups::add_group_claims(pool, &user.username, &mut id, true);
    id.insert("iss".into(), json!(iss));
    id.insert("cognito:username".into(), json!(user.username));
    if let Some(nonce) = oauth.and_then(|o| o.nonce.as_ref()) {
        id.insert("nonce".into(), json!(nonce));
    }
    id.insert("origin_jti".into(), json!(rec.origin_jti));
    id.insert("aud".into(), json!(client.id));
    id.insert("event_id".into(), json!(event_id));
    id.insert("token_use".into(), json!("id"));
    id.insert("auth_time".into(), json!(rec.auth_time));
    id.insert("exp".into(), json!(now + client.id_secs));
    id.insert("iat".into(), json!(now));
    id.insert("jti".into(), json!(crate::util::uuid()));

    let mut ac = Map::new();
    ac.insert("sub".into(), json!(user.sub));
    crate::ops::groups::add_group_claims(pool, &user.username, &mut ac, false);
    if let Some(dk) = &rec.device_key {
        ac.insert("device_key".into(), json!(dk));
    }
    ac.insert("iss".into(), json!(iss));
    if oauth.is_some() {
        // Tokens from the OAuth endpoints carry `version: 2`.
        ac.insert("version".into(), json!(2));
    }
    ac.insert("client_id".into(), json!(client.id));
    ac.insert("origin_jti".into(), json!(rec.origin_jti));
    ac.insert("event_id".into(), json!(event_id));
    ac.insert("token_use".into(), json!("access"));
    let scope = scopes.map_or_else(|| ADMIN_SCOPE.to_string(), |s| s.join(" "));
    if !scope.is_empty() {
        ac.insert("scope".into(), json!(scope));
    }
    ac.insert("auth_time".into(), json!(rec.auth_time));
    ac.insert("exp".into(), json!(now + client.access_secs));
    ac.insert("iat".into(), json!(now));
    ac.insert("jti".into(), json!(crate::util::uuid()));
    ac.insert("username".into(), json!(user.username));

    let want_id = oauth.is_none_or(|o| o.id_token);
    if !want_id {
        id = Map::new();
    }
    let keys = pool.keys.clone();
    let access_secs = client.access_secs;
    let (id_token, access_token) =
        match crate::triggers::defer_tokens(st, &rec.pool_id, &rec.username, &keys, &id, &ac)? {
            Some(pair) => pair,
            None => {
                let pool = st.pool(&rec.pool_id)?;
                let access_token =
                    jwt::Unsigned::new(&pool.keys, jwt::KeyUse::Access, &ac).map_err(internal)?;
                let access_placeholder = access_token.placeholder().to_owned();
                st.mint_later(access_token);
                let mut id_placeholder = String::new();
                if want_id {
                    let id_token =
                        jwt::Unsigned::new(&pool_keys(st, &rec.pool_id)?, jwt::KeyUse::Id, &id)
                            .map_err(internal)?;
                    id_placeholder = id_token.placeholder().to_owned();
                    st.mint_later(id_token);
                }
                (id_placeholder, access_placeholder)
            }
        };
    if !want_id {
        return Ok((None, access_token, access_secs));
    }
    if oauth.is_some_and(|o| o.at_hash) {
        st.run_mut()
            .at_hash
            .push((id_token.clone(), access_token.clone()));
    }
    Ok((Some(id_token), access_token, access_secs))
}

fn pool_keys(st: &State, pool_id: &str) -> ApiResult<jwt::LazyKeys> {
    Ok(st.pool(pool_id)?.keys.clone())
}

/// Ends a successful sign-in: new refresh family, tokens, and `NewDeviceMetadata`.
pub(crate) fn issue(
    st: &mut State,
    pool_id: &str,
    client_id: &str,
    username: &str,
    ctx: &FlowCtx,
) -> ApiResult<Value> {
    let now = st.now();
    let now_f = st.now_f();
    let client = st.client(client_id)?;
    let hosted = st.run().hosted;
    let pool = st.pool(pool_id)?;
    // The hosted pages do not track devices.
    let tracking = pool.s.device.is_some() && !hosted;
    // Taken for writing only when the sign-in changes it (a durable store rewrites a user
    // taken for writing): most sign-ins leave the counters at zero and touch no device.
    let user = pool.user(username)?;
    let sub = user.sub.clone();
    let changes =
        user.failed_logins != 0 || user.locked_until != 0 || ctx.device_key.is_some() || tracking;
    let mut new_device = None;
    let device_key = if !changes {
        None
    } else {
        let user = st.users_mut(pool_id)?.user_mut(username)?;
        user.failed_logins = 0;
        user.locked_until = 0;
        match &ctx.device_key {
            Some(dk) if user.devices.contains_key(dk) => {
                if let Some(d) = user.devices.get_mut(dk) {
                    d.last_auth = now_f;
                }
                Some(dk.clone())
            }
            _ if tracking => {
                let region = pool_id.split('_').next().unwrap_or("us-east-1");
                let key = format!("{region}_{}", crate::util::uuid());
                user.devices.insert(
                    key.clone(),
                    Device {
                        key: key.clone(),
                        name: None,
                        salt: None,
                        verifier: None,
                        remembered: false,
                        created: now_f,
                        modified: now_f,
                        last_auth: now_f,
                        confirmed_without_verifier: false,
                    },
                );
                new_device = Some(json!({
                    "DeviceKey": key,
                    "DeviceGroupKey": user.device_group_key,
                }));
                Some(key)
            }
            _ => None,
        }
    };
    let new_device_used = new_device.is_some();
    post_authentication(st, pool_id, username, new_device_used)?;
    if hosted {
        // The OAuth layer turns the sign-in into an authorization code.
        return Ok(json!({"HostedSignIn": {"Username": username, "AuthTime": now}}));
    }
    st.run_mut().token_source = Some(if ctx.device_done {
        "TokenGeneration_AuthenticateDevice"
    } else if ctx.new_password_done && !ctx.custom {
        "TokenGeneration_NewPasswordChallenge"
    } else {
        "TokenGeneration_Authentication"
    });
    let rec = RefreshRecord {
        pool_id: pool_id.to_string(),
        client_id: client_id.to_string(),
        username: username.to_string(),
        sub,
        origin_jti: crate::util::uuid(),
        auth_time: now,
        device_key,
        expires: now + client.refresh_secs,
        revoked: false,
        rotated_until: None,
        scopes: None,
    };
    let (id_token, access_token, expires_in) = mint(st, &rec)?;
    let refresh = crate::util::opaque_refresh_token();
    st.refresh_mut().insert(&refresh, rec);
    let mut result = json!({
        "AccessToken": access_token,
        "ExpiresIn": expires_in,
        "TokenType": "Bearer",
        "RefreshToken": refresh,
        "IdToken": id_token,
    });
    if let (Some(nd), Some(obj)) = (new_device, result.as_object_mut()) {
        obj.insert("NewDeviceMetadata".into(), nd);
    }
    Ok(json!({ "AuthenticationResult": result, "ChallengeParameters": {} }))
}

/// The post authentication trigger of a successful sign-in (its error still fails the
/// sign-in).
fn post_authentication(
    st: &mut State,
    pool_id: &str,
    username: &str,
    new_device_used: bool,
) -> ApiResult<()> {
    if !crate::triggers::any(st, pool_id) {
        return Ok(());
    }
    let user = st.pool(pool_id)?.user(username)?;
    let request = json!({
        "userAttributes": crate::triggers::user_attributes(user),
        "newDeviceUsed": new_device_used,
        "clientMetadata": crate::triggers::client_metadata(st),
    });
    let event = crate::triggers::event(
        st,
        pool_id,
        1,
        "PostAuthentication_Authentication",
        username,
        request,
        json!({}),
    );
    crate::triggers::notify(
        st,
        pool_id,
        crate::triggers::Trigger::PostAuthentication,
        event,
    )
}

/// The identity behind a valid access token.
pub(crate) struct Caller {
    pub pool_id: String,
    pub username: String,
    pub claims: Map<String, Value>,
}

/// Checks an `AccessToken` (docs/protocol.md#12-who-may-call-what, docs/protocol.md#75-sessions-and-tokens): signature, expiry, scope, revocation, user.
pub(crate) fn authorize(st: &State, token: &str) -> ApiResult<Caller> {
    let caller = verify_access(st, token)?;
    let scopes = caller
        .claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !scopes.split(' ').any(|s| s == ADMIN_SCOPE) {
        return Err(not_authorized("Access Token does not have required scopes"));
    }
    Ok(caller)
}

/// Checks an access token of a user (signature, expiry, revocation, user), whatever its
/// scopes.
pub(crate) fn verify_access(st: &State, token: &str) -> ApiResult<Caller> {
    check_token("AccessToken", token)?;
    let invalid = || not_authorized("Invalid Access Token");
    let (_, claims) = jwt::decode_unverified(token).ok_or_else(invalid)?;
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    let pool_id = iss.rsplit('/').next().ok_or_else(invalid)?;
    let pool = st.pool(pool_id).map_err(|_| invalid())?;
    if pool.issuer() != iss {
        return Err(invalid());
    }
    let keys = jwt::keys(&pool.keys).map_err(internal)?;
    let claims = jwt::verify(token, &keys.access).ok_or_else(invalid)?;
    if claims.get("token_use").and_then(Value::as_str) != Some("access") {
        return Err(invalid());
    }
    let exp = claims
        .get("exp")
        .and_then(Value::as_u64)
        .ok_or_else(invalid)?;
    if exp <= st.now() {
        return Err(not_authorized("Access Token has expired"));
    }
    let username = claims
        .get("username")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?
        .to_string();
    // A deleted user's token answers that the user does not exist (AWS's SDKs sign the user
    // out on it), even though deleting the user also revoked the token; a user created again
    // under the same name is another user, with another `sub`.
    let user = pool
        .user(&username)
        .ok()
        .filter(|u| Some(u.sub.as_str()) == claims.get("sub").and_then(Value::as_str))
        .ok_or_else(user_not_found)?;
    if let Some(o) = claims.get("origin_jti").and_then(Value::as_str)
        && st.family_revoked(o)
    {
        return Err(not_authorized("Access Token has been revoked"));
    }
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    Ok(Caller {
        pool_id: pool_id.to_string(),
        username,
        claims,
    })
}

/// Reads and authorizes the request's `AccessToken`.
pub(crate) fn caller(st: &State, b: &Body) -> ApiResult<Caller> {
    let token = b.str("AccessToken")?;
    authorize(st, token)
}

/// [`caller`] for the operations whose model declares no `UserNotFoundException`: a deleted
/// user's token answers there as the revoked token it is.
pub(crate) fn caller_of_declared_errors(st: &State, b: &Body) -> ApiResult<Caller> {
    caller(st, b).map_err(gone_as_revoked)
}

/// A deleted user's token as a revoked token, for the operations that cannot answer
/// `UserNotFoundException`.
pub(crate) fn gone_as_revoked(e: ApiError) -> ApiError {
    if e.kind == "UserNotFoundException" {
        not_authorized("Access Token has been revoked")
    } else {
        e
    }
}

/// Looks up a live refresh token for a client.
pub(crate) fn live_refresh(st: &State, token: &str, client_id: &str) -> ApiResult<RefreshRecord> {
    check_token("RefreshToken", token)?;
    let rec = st
        .refresh()
        .get(token)
        .ok_or_else(|| not_authorized("Invalid Refresh Token"))?;
    if rec.client_id != client_id {
        return Err(not_authorized("Invalid Refresh Token"));
    }
    // As with access tokens, a deleted user's refresh token answers that the user does not
    // exist (AWS's mobile SDKs clear their cached tokens on it), before its revocation.
    let pool = st.pool(&rec.pool_id)?;
    let user = pool
        .users
        .get(&rec.username)
        .filter(|u| u.sub == rec.sub)
        .ok_or_else(user_not_found)?;
    if rec.revoked {
        return Err(not_authorized("Refresh Token has been revoked"));
    }
    let now = st.now();
    if rec.expires <= now {
        return Err(not_authorized("Refresh Token has expired"));
    }
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    Ok(rec.clone())
}

fn check_device(rec: &RefreshRecord, device_key: Option<&str>) -> ApiResult<()> {
    if let Some(dk) = &rec.device_key
        && device_key.is_some_and(|d| d != dk)
    {
        return Err(not_authorized("Invalid Refresh Token"));
    }
    Ok(())
}

/// `InitiateAuth(REFRESH_TOKEN_AUTH)`.
pub(crate) fn refresh_token_auth(
    st: &mut State,
    client_id: &str,
    params: &std::collections::BTreeMap<String, String>,
) -> ApiResult<Value> {
    let client = st.client(client_id)?;
    if !client.allows("ALLOW_REFRESH_TOKEN_AUTH") {
        return Err(invalid_param(
            "Refresh Token auth flow not enabled for this client",
        ));
    }
    if client.rotation {
        return Err(invalid_param(
            "Refresh token rotation is enabled for this client: use GetTokensFromRefreshToken",
        ));
    }
    let token = params
        .get("REFRESH_TOKEN")
        .ok_or_else(|| invalid_param("Missing required parameter REFRESH_TOKEN"))?;
    let rec = live_refresh(st, token, client_id)?;
    check_secret_hash(
        &client,
        &rec.username,
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    check_device(&rec, params.get("DEVICE_KEY").map(String::as_str))?;
    let (id_token, access_token, expires_in) = mint(st, &rec)?;
    Ok(json!({
        "AuthenticationResult": {
            "AccessToken": access_token,
            "ExpiresIn": expires_in,
            "TokenType": "Bearer",
            "IdToken": id_token,
        },
        "ChallengeParameters": {},
    }))
}

/// `GetTokensFromRefreshToken`, with rotation when the client enables it.
pub(crate) fn get_tokens_from_refresh_token(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client_id = b.str("ClientId")?;
    let token = b.str("RefreshToken")?;
    let client = st.client(client_id)?;
    if !check_client_secret(&client, b.opt_str("ClientSecret")?) {
        return Err(not_authorized(format!(
            "Unable to verify secret hash for client {client_id}"
        )));
    }
    check_token("RefreshToken", token)?;
    let now = st.now();
    if let Some(rec) = st.refresh().get(token)
        && let Some(until) = rec.rotated_until
        && until <= now
        && !rec.revoked
        && rec.client_id == client_id
    {
        return Err(ApiError::new(
            "RefreshTokenReuseException",
            "Refresh token has been reused after its grace period",
        ));
    }
    let rec = live_refresh(st, token, client_id)?;
    check_device(&rec, b.opt_str("DeviceKey")?)?;
    let (id_token, access_token, expires_in) = mint(st, &rec)?;
    let mut result = json!({
        "AccessToken": access_token,
        "ExpiresIn": expires_in,
        "TokenType": "Bearer",
        "IdToken": id_token,
    });
    if client.rotation {
        let new_token = crate::util::opaque_refresh_token();
        let mut new_rec = rec.clone();
        new_rec.rotated_until = None;
        new_rec.expires = now + client.refresh_secs;
        st.refresh_mut()
            .set_rotated_until(token, now + client.grace_secs);
        st.refresh_mut().insert(&new_token, new_rec);
        if let Some(obj) = result.as_object_mut() {
            obj.insert("RefreshToken".into(), json!(new_token));
        }
    }
    Ok(json!({ "AuthenticationResult": result }))
}

/// `RevokeToken`: the refresh token's whole family (matched by `origin_jti`).
pub(crate) fn revoke_token(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client_id = b.str("ClientId")?;
    let token = b.str("Token")?;
    // An unknown client fails client authentication: the model declares no
    // `ResourceNotFoundException` for `RevokeToken`.
    let client = st
        .client(client_id)
        .map_err(|_| ApiError::new("UnauthorizedException", "Client authentication failed."))?;
    if !check_client_secret(&client, b.opt_str("ClientSecret")?) {
        return Err(ApiError::new(
            "UnauthorizedException",
            "Client authentication failed.",
        ));
    }
    if !client.revocation {
        return Err(ApiError::new(
            "UnsupportedOperationException",
            "Token revocation is not enabled for this client.",
        ));
    }
    check_token("Token", token)?;
    if jwt::decode_unverified(token).is_some() {
        return Err(ApiError::new(
            "UnsupportedTokenTypeException",
            "The token type is not supported; only refresh tokens can be revoked.",
        ));
    }
    let Some(rec) = st.refresh().get(token).cloned() else {
        // AWS answers success for unknown tokens.
        return Ok(json!({}));
    };
    if rec.client_id != client_id {
        return Err(ApiError::new(
            "UnauthorizedException",
            "Client authentication failed.",
        ));
    }
    st.revoke_family(&rec.origin_jti);
    Ok(json!({}))
}

/// `GlobalSignOut`: every refresh family of the user, and their access tokens.
pub(crate) fn global_sign_out(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller_of_declared_errors(st, b)?;
    st.revoke_user_tokens(&c.pool_id, &c.username);
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::{Map, Value, json};

    use super::mint;
    use crate::ops::{Service, dispatch};
    use crate::state::{RefreshRecord, State, User};

    fn payload(placeholder: &str) -> Map<String, Value> {
        let p = placeholder.split('.').nth(1).expect("payload");
        let bytes = URL_SAFE_NO_PAD.decode(p).expect("base64url");
        serde_json::from_slice(&bytes).expect("claims")
    }

    /// The schema keeps reserved names out of the attributes; should one be stored anyway
    /// (an older state, a future path that forgets the checks), the token still carries
    /// Cognito's own value or nothing.
    #[test]
    fn a_stored_attribute_never_becomes_a_reserved_claim() {
        let mut st = State::new("us-east-1".to_owned());
        let call = |st: &mut State, op: &str, body: Value| {
            dispatch(
                st,
                Service::UserPools,
                op,
                body.as_object().expect("object"),
            )
            .expect(op)
        };
        let pool = call(&mut st, "CreateUserPool", json!({"PoolName": "p"}));
        let pool_id = pool["UserPool"]["Id"].as_str().expect("id").to_string();
        let client = call(
            &mut st,
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "c"}),
        );
        let client_id = client["UserPoolClient"]["ClientId"]
            .as_str()
            .expect("client id")
            .to_string();
        let mut user =
            User::new("mallory".into(), "real-sub".into(), 0.0).with_attr("email", "m@example.com");
        for (k, v) in [
            ("cognito:groups", "admins"),
            ("cognito:username", "root"),
            ("sub", "forged-sub"),
            ("iss", "https://evil.example"),
            ("aud", "other-client"),
            ("token_use", "access"),
            ("exp", "99999999999"),
            ("origin_jti", "x"),
            ("username", "root"),
            ("scope", "admin"),
        ] {
            user = user.with_attr(k, v);
        }
        st.find_pool_mut(&pool_id).expect("pool").users.insert(user);
        let rec = RefreshRecord {
            pool_id: pool_id.clone(),
            client_id: client_id.clone(),
            username: "mallory".into(),
            sub: "real-sub".into(),
            origin_jti: "origin".into(),
            auth_time: 1,
            device_key: None,
            expires: u64::MAX,
            revoked: false,
            rotated_until: None,
            scopes: None,
        };
        let (id, access, _) = mint(&mut st, &rec).expect("mint");
        let id = payload(&id);
        let access = payload(&access);
        assert_eq!(id["email"], "m@example.com");
        assert!(id.get("cognito:groups").is_none(), "{id:?}");
        assert!(
            id.get("username").is_none() && id.get("scope").is_none(),
            "{id:?}"
        );
        assert_eq!(id["cognito:username"], "mallory");
        assert_eq!(id["sub"], "real-sub");
        assert_eq!(id["aud"], json!(client_id));
        assert_eq!(id["token_use"], "id");
        assert_eq!(id["origin_jti"], "origin");
        assert_ne!(id["iss"], "https://evil.example");
        assert_ne!(id["exp"], 99_999_999_999u64);
        assert_eq!(access["username"], "mallory");
        assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
        assert!(access.get("cognito:groups").is_none());
    }
}
