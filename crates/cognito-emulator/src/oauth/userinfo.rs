//! `GET`/`POST /oauth2/userInfo`: the attributes an access token with `openid` may read.

use http::Response;
use serde_json::{Map, Value, json};

use super::{Hosted, json_no_store};
use crate::Shared;
use crate::ops::tokens::attribute_in_scopes;

/// A bearer-token error: the status and the `WWW-Authenticate` challenge RFC 6750 asks for.
fn bearer_error(status: u16, error: &str, description: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/json;charset=UTF-8")
        .header("Access-Control-Allow-Origin", "*")
        .header("Access-Control-Expose-Headers", "WWW-Authenticate")
        .header(
            "WWW-Authenticate",
            format!("Bearer error=\"{error}\", error_description=\"{description}\""),
        )
        .body(
            json!({"error": error, "error_description": description})
                .to_string()
                .into_bytes(),
        )
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

pub(crate) fn handle(shared: &Shared, h: &Hosted<'_>) -> Response<Vec<u8>> {
    let token = h
        .req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return bearer_error(
            400,
            "invalid_request",
            "Bad OAuth2 request at UserInfo Endpoint",
        );
    };
    let invalid = || {
        bearer_error(
            401,
            "invalid_token",
            "Access token is expired, disabled, or deleted, or the user has globally signed out.",
        )
    };
    let st = shared.lock();
    let Ok(caller) = crate::ops::tokens::verify_access(&st, token) else {
        return invalid();
    };
    if caller.pool_id != h.pool_id {
        return invalid();
    }
    let scopes: Vec<String> = caller
        .claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split(' ')
        .map(str::to_string)
        .collect();
    if !scopes.iter().any(|s| s == "openid") {
        return bearer_error(
            401,
            "invalid_token",
            "Access token does not contain openid scope",
        );
    }
    let client_id = caller.claims.get("client_id").and_then(Value::as_str);
    let read = client_id
        .and_then(|c| st.clients().get(c))
        .and_then(|c| c.read_attrs.clone());
    let Some(pool) = st.pools().get(&caller.pool_id) else {
        return invalid();
    };
    let Some(user) = pool.users.get(&caller.username) else {
        return invalid();
    };
    let mut out = Map::new();
    out.insert("sub".into(), json!(user.sub));
    for (k, v) in user.attrs() {
        if k == "sub"
            || !pool.schema.readable(read.as_deref(), k)
            || !attribute_in_scopes(k, &scopes)
        {
            continue;
        }
        // userInfo sends every value as a string, `*_verified` included.
        out.insert(k.clone(), json!(v));
    }
    out.insert("username".into(), json!(user.username));
    json_no_store(200, &Value::Object(out))
}
