//! Service-to-service calls with OAuth client credentials: a machine client (an app client
//! with a secret and the `client_credentials` flow) gets access tokens scoped by a resource
//! server from the pool's domain, and calls an API that verifies them with
//! `cognito_async::Verifier` and requires the scope.
//!
//! The token source caches the token and renews it before it expires; twenty concurrent
//! calls share one token request. The example starts an emulator with a domain, a resource
//! server `orders` (scopes `read`, `write`) and the machine client, serves the API on a local
//! port, and exits non-zero on a wrong answer.
//!
//! ```sh
//! cargo run --example oauth_client_credentials
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use cognito_async::{TokenUse, UserPool, Verifier};
use cognito_examples::{BoxError, Demo, ensure, ensure_eq, step};
use serde_json::{Value, json};

/// `GET /orders`: needs an access token of the machine client with `orders/read`.
async fn orders(
    axum::extract::State(verifier): axum::extract::State<Verifier>,
    headers: HeaderMap,
) -> (StatusCode, Json<Value>) {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "no token"})));
    };
    match verifier.verify(token).await {
        Ok(claims) if claims.has_scope("orders/read") => (
            StatusCode::OK,
            Json(json!({"orders": ["#1001", "#1002"], "caller": claims.client_id})),
        ),
        Ok(_) => (
            StatusCode::FORBIDDEN,
            Json(json!({"error": "orders/read required"})),
        ),
        Err(e) => (StatusCode::UNAUTHORIZED, Json(json!({"error": e.check()}))),
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let demo = Demo::start_default()?;
    // What an administrator sets up once: a domain, a resource server and a machine client.
    demo.emu.call(
        "CreateUserPoolDomain",
        json!({"UserPoolId": demo.pool_id, "Domain": "orders-demo"}),
    )?;
    demo.emu.call(
        "CreateResourceServer",
        json!({"UserPoolId": demo.pool_id, "Identifier": "orders", "Name": "Orders API",
               "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read orders"},
                          {"ScopeName": "write", "ScopeDescription": "Create orders"}]}),
    )?;
    let client = demo.emu.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": demo.pool_id, "ClientName": "billing-service", "GenerateSecret": true,
               "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["client_credentials"],
               "AllowedOAuthScopes": ["orders/read"]}),
    )?;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .ok_or("client id")?;
    let secret = client["UserPoolClient"]["ClientSecret"]
        .as_str()
        .ok_or("secret")?;
    // The domain's hosted endpoints; against AWS this is
    // `https://orders-demo.auth.<region>.amazoncognito.com`.
    let domain = format!("{}/_hosted/orders-demo", demo.url());
    step(format!(
        "machine client {client_id} with scope orders/read on {domain}"
    ));

    // The API: verifies access tokens of the machine client.
    let verifier = Verifier::builder(&demo.pool_id)
        .token_use(TokenUse::Access)
        .client_id(client_id)
        .endpoint(demo.url())
        .build()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let api = format!("http://{}", listener.local_addr()?);
    let app = Router::new()
        .route("/orders", get(orders))
        .with_state(verifier);
    tokio::spawn(async move { axum::serve(listener, app).await });

    // The calling service: a pool handle of the machine client and a token source.
    let pool = UserPool::builder(&demo.pool_id, client_id)
        .endpoint_url(&demo.url())?
        .client_secret(secret)
        .domain(&domain)?
        .clock(demo.clock())
        .build()?;
    let tokens = pool.client_credentials(&["orders/read"]);
    let http = reqwest::Client::new();

    // Twenty concurrent calls: one token request, one token for all.
    let calls = (0..20).map(|_| {
        let (tokens, http, api) = (tokens.clone(), http.clone(), api.clone());
        tokio::spawn(async move {
            let token = tokens.access_token().await?;
            let response = http
                .get(format!("{api}/orders"))
                .bearer_auth(token.expose_secret())
                .send()
                .await?;
            let status = response.status().as_u16();
            let body: Value = response.json().await?;
            Ok::<_, BoxError>((status, body, token.expose_secret().clone()))
        })
    });
    let mut seen = std::collections::BTreeSet::new();
    for call in calls {
        let (status, body, token) = call.await??;
        ensure_eq(
            (status, body["caller"].as_str()),
            (200, Some(client_id)),
            "GET /orders",
        )?;
        seen.insert(token);
    }
    ensure_eq(seen.len(), 1, "distinct tokens for 20 concurrent callers")?;
    step("20 concurrent GET /orders: all 200, one shared access token");

    let first = tokens.token().await?;
    ensure_eq(first.scopes(), vec!["orders/read"], "granted scopes")?;
    let claims = first.access_token().claims();
    ensure_eq(
        claims.sub.as_deref(),
        Some(client_id),
        "sub is the client id",
    )?;
    ensure(claims.username.is_none(), "a machine token has no username")?;
    step("the token: sub = client id, no username, scope orders/read");

    // Close to expiry the source renews the token before handing it out.
    demo.advance(first.expires_in() - 30);
    let renewed = tokens.token().await?;
    ensure(
        renewed.access_token().token() != first.access_token().token(),
        "the token was renewed before expiry",
    )?;
    let response = http
        .get(format!("{api}/orders"))
        .bearer_auth(renewed.access_token().token().expose_secret())
        .send()
        .await?;
    ensure_eq(
        response.status().as_u16(),
        200,
        "GET /orders with the renewed token",
    )?;
    step("30 s before expiry: a new token, accepted by the API");

    // A scope the client may not use is refused by the token endpoint with invalid_scope.
    let refused = pool.client_credentials_token(&["orders/write"]).await;
    match refused {
        Err(cognito_async::Error::OAuth(e)) => {
            ensure_eq(
                e.code().map(|c| c.as_str().to_owned()),
                Some("invalid_scope".to_owned()),
                "error code",
            )?;
            step(format!("orders/write refused: {e}"));
        }
        other => return Err(format!("expected invalid_scope, got {other:?}").into()),
    }
    Ok(())
}
