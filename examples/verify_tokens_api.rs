//! A web API that verifies Cognito access tokens: an axum extractor checks the bearer token
//! with `cognito_async::Verifier` (signature against the pool's JWKS, issuer, expiry,
//! `token_use: access`, the app client), and routes require a group or a scope on top.
//!
//! The example starts an emulator, serves the API on a local port and calls it with tokens
//! from a real sign-in and with tokens the emulator signs for other cases (a member of a
//! group, a machine-to-machine client, an expired one); it exits non-zero on a wrong answer.
//!
//! ```sh
//! cargo run --example verify_tokens_api
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cognito_async::{Claims, SignInOutcome, TokenUse, Verifier};
use cognito_examples::{BoxError, Demo, PASSWORD, ensure_eq, step};
use serde_json::{Map, Value, json};

/// The verified claims of the request's `Authorization: Bearer` access token.
struct AccessToken(Claims);

/// Why a request is refused: 401 for a missing or invalid token, 403 for a valid token
/// without the group or scope the route needs.
enum Refused {
    Unauthenticated(&'static str),
    Forbidden(String),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Refused::Unauthenticated(check) => (StatusCode::UNAUTHORIZED, json!({"error": check})),
            Refused::Forbidden(need) => (StatusCode::FORBIDDEN, json!({"error": need})),
        };
        (status, Json(body)).into_response()
    }
}

impl<S> FromRequestParts<S> for AccessToken
where
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Refused> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(Refused::Unauthenticated("missing bearer token"))?;
        let verifier = Verifier::from_ref(state);
        match verifier.verify(token).await {
            Ok(claims) => Ok(AccessToken(claims)),
            // The check's name only: the client learns which check failed, never more.
            Err(e) => Err(Refused::Unauthenticated(e.check())),
        }
    }
}

impl AccessToken {
    fn require_group(&self, group: &str) -> Result<(), Refused> {
        match self.0.in_group(group) {
            true => Ok(()),
            false => Err(Refused::Forbidden(format!("group {group} required"))),
        }
    }

    fn require_scope(&self, scope: &str) -> Result<(), Refused> {
        match self.0.has_scope(scope) {
            true => Ok(()),
            false => Err(Refused::Forbidden(format!("scope {scope} required"))),
        }
    }
}

async fn profile(AccessToken(claims): AccessToken) -> Json<Value> {
    Json(json!({"username": claims.username, "sub": claims.sub}))
}

async fn admin(token: AccessToken) -> Result<Json<Value>, Refused> {
    token.require_group("admins")?;
    Ok(Json(json!({"admin": token.0.username})))
}

async fn orders(token: AccessToken) -> Result<Json<Value>, Refused> {
    token.require_scope("orders/read")?;
    Ok(Json(json!({"orders": [], "client": token.0.client_id})))
}

/// The API: every route needs a valid access token of our app client.
fn api(verifier: Verifier) -> Router {
    Router::new()
        .route("/profile", get(profile))
        .route("/admin", get(admin))
        .route("/orders", get(orders))
        .with_state(verifier)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let demo = Demo::start_default()?;
    demo.create_user("ada")?;

    // The verifier a real API builds with `Verifier::builder(pool_id)`; `.endpoint(..)` points
    // it at the emulator's JWKS (`<endpoint>/<poolId>/.well-known/jwks.json`).
    let verifier = Verifier::builder(&demo.pool_id)
        .token_use(TokenUse::Access)
        .client_id(&demo.client_id)
        .endpoint(demo.url())
        .build()?;
    verifier.hydrate().await?;
    step("verifier hydrated from the emulator's JWKS");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = api(verifier.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Tokens: a real sign-in, and tokens signed by the emulator's key for the other cases
    // (the emulator has no groups or resource servers to issue them itself).
    let pool = demo.asynchronous()?.build()?;
    let user = match pool.sign_in("ada", PASSWORD).await? {
        SignInOutcome::SignedIn(user) => user,
        SignInOutcome::NextStep(s) => return Err(format!("unexpected {:?}", s.next_step()).into()),
    };
    let session = user.session().await?;
    let access = session.access_token().token().expose_secret().to_owned();
    let id = session.id_token().token().expose_secret().to_owned();
    let claims = match verifier.verify(&access).await?.to_json() {
        Value::Object(m) => m,
        _ => return Err("claims are an object".into()),
    };
    let forge = |changes: Value| -> Result<String, BoxError> {
        let mut c = claims.clone();
        c.extend(changes.as_object().cloned().unwrap_or_default());
        Ok(demo.emu.sign_token(&demo.pool_id, true, &Map::new(), &c)?)
    };
    let admin_token = forge(json!({"cognito:groups": ["admins"]}))?;
    let now = demo.emu.now();
    let m2m = demo.emu.sign_token(
        &demo.pool_id,
        true,
        &Map::new(),
        json!({"sub": demo.client_id, "token_use": "access", "scope": "orders/read",
               "iss": claims["iss"], "client_id": demo.client_id, "exp": now + 3600, "iat": now})
        .as_object()
        .ok_or("claims")?,
    )?;
    let expired = forge(json!({"exp": now - 1}))?;

    let http = reqwest::Client::new();
    let call = |path: &str, token: Option<&str>| {
        let mut request = http.get(format!("{base}{path}"));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        async move {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let body: Value = response.json().await?;
            Ok::<_, BoxError>((status, body))
        }
    };

    let (status, body) = call("/profile", Some(&access)).await?;
    ensure_eq(
        (status, body["username"].as_str()),
        (200, Some("ada")),
        "GET /profile",
    )?;
    step("GET /profile with ada's access token: 200, username ada");

    for (token, check) in [
        (None, "missing bearer token"),
        (Some("not-a-jwt"), "malformed"),
        (Some(id.as_str()), "token_use"),
        (Some(expired.as_str()), "expired"),
    ] {
        let (status, body) = call("/profile", token).await?;
        ensure_eq(
            (status, body["error"].as_str()),
            (401, Some(check)),
            "GET /profile refused",
        )?;
        step(format!("GET /profile refused with 401: {check}"));
    }

    let (status, _) = call("/admin", Some(&access)).await?;
    ensure_eq(status, 403, "GET /admin without the group")?;
    let (status, body) = call("/admin", Some(&admin_token)).await?;
    ensure_eq(
        (status, body["admin"].as_str()),
        (200, Some("ada")),
        "GET /admin as admin",
    )?;
    step("GET /admin: 403 for ada, 200 with a token of the admins group");

    let (status, _) = call("/orders", Some(&access)).await?;
    ensure_eq(status, 403, "GET /orders without the scope")?;
    let (status, body) = call("/orders", Some(&m2m)).await?;
    ensure_eq(
        (status, body["client"].as_str()),
        (200, Some(demo.client_id.as_str())),
        "M2M",
    )?;
    step("GET /orders: 403 without orders/read, 200 for a machine token with it");

    ensure_eq(demo.count("jwks.json"), 1, "JWKS downloads")?;
    step("one JWKS download for every request");
    // Forgetting to decide on the client check is a configuration error, not an open door.
    ensure_eq(
        matches!(
            Verifier::builder(&demo.pool_id)
                .token_use(TokenUse::Access)
                .build()
                .map(|_| ()),
            Err(cognito_async::cognito_jwt::ConfigError::ClientIdNotSet(_))
        ),
        true,
        "the client check must be decided",
    )?;
    step("a verifier without a client decision is refused at build time");
    Ok(())
}
