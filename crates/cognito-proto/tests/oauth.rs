//! The OAuth module of the core against scripted responses shaped as Cognito's domain sends
//! them: the authorization URL, the redirect's checks, every token request's wire form, and
//! the typed errors.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognito_proto::oauth::{
    ErrorCode, OAuthClient, OAuthEndpoints, OAuthError, PendingAuthorization, PkceVerifier,
    parse_revoke_response, parse_token_response, parse_user_info_response,
};
use cognito_proto::secret::SecretString;
use serde_json::{Value, json};

use crate::signin_support::{CLIENT_ID, CLIENT_SECRET, NOW, jwt, rng};

const DOMAIN: &str = "https://example.auth.us-east-1.amazoncognito.com";
const REDIRECT: &str = "http://127.0.0.1:8400/callback";

fn client() -> OAuthClient {
    OAuthClient::new(OAuthEndpoints::new(DOMAIN).unwrap(), CLIENT_ID)
}

fn query(url: &str) -> BTreeMap<String, String> {
    let q = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn body(request: &http::Request<Vec<u8>>) -> BTreeMap<String, String> {
    form_urlencoded::parse(request.body())
        .into_owned()
        .collect()
}

fn pending() -> PendingAuthorization {
    client()
        .authorize(REDIRECT)
        .scopes(["openid", "email"])
        .build(&mut rng(1))
        .pending
}

fn json_response(status: u16, body: Value) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json;charset=UTF-8")
        .body(body.to_string().into_bytes())
        .unwrap()
}

fn id_token(nonce: Option<&str>, aud: &str) -> String {
    let mut claims = json!({"sub": "5f0c", "token_use": "id", "aud": aud,
        "cognito:username": "alice", "exp": NOW + 3600, "iat": NOW});
    if let Some(n) = nonce {
        claims["nonce"] = json!(n);
    }
    jwt(claims)
}

fn access_token(scope: &str) -> String {
    jwt(
        json!({"sub": "5f0c", "token_use": "access", "client_id": CLIENT_ID,
        "username": "alice", "scope": scope, "exp": NOW + 3600, "iat": NOW}),
    )
}

#[test]
fn the_authorize_url_carries_pkce_state_nonce_and_scopes() {
    let request = client()
        .authorize(REDIRECT)
        .scopes(["openid", "email", "orders/read"])
        .identity_provider("COGNITO")
        .lang("fr")
        .build(&mut rng(1));
    assert!(
        request
            .url
            .starts_with(&format!("{DOMAIN}/oauth2/authorize?"))
    );
    let q = query(&request.url);
    let p = &request.pending;
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["redirect_uri"], REDIRECT);
    assert_eq!(q["scope"], "openid email orders/read");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"], p.verifier().challenge());
    assert_eq!(q["state"], p.state());
    assert_eq!(Some(q["nonce"].as_str()), p.nonce());
    assert_eq!(q["identity_provider"], "COGNITO");
    assert_eq!(q["lang"], "fr");
    // 32 random bytes → 43 characters; state and nonce 24 bytes → 32 characters.
    assert_eq!(p.verifier().expose_secret().len(), 43);
    assert_eq!(p.state().len(), 32);
    // The RNG is the only source: the same seed gives the same values, another seed others.
    let again = client().authorize(REDIRECT).build(&mut rng(1)).pending;
    assert_eq!(again.verifier(), p.verifier());
    let other = client().authorize(REDIRECT).build(&mut rng(2)).pending;
    assert_ne!(other.state(), p.state());
    assert_ne!(other.verifier(), p.verifier());
    // No scope asked: the parameter is left out (the client's allowed scopes apply).
    let bare = client().authorize(REDIRECT).nonce(false).build(&mut rng(3));
    assert!(!query(&bare.url).contains_key("scope"));
    assert!(!query(&bare.url).contains_key("nonce"));
}

#[test]
fn a_scope_with_a_space_is_refused_by_try_build() {
    let err = client()
        .authorize(REDIRECT)
        .scopes(["openid email"])
        .try_build(&mut rng(1))
        .unwrap_err();
    assert!(matches!(err, OAuthError::InvalidInput(_)));
}

#[test]
fn the_redirect_must_carry_this_sign_ins_state() {
    let p = pending();
    let state = p.state().to_owned();
    let code = p
        .callback(&format!("{REDIRECT}?code=c0de&state={state}"))
        .unwrap();
    assert_eq!(code.expose_secret(), "c0de");
    assert_eq!(format!("{code:?}"), "AuthorizationCode([redacted])");
    // What a loopback listener receives: the path and query only.
    assert!(
        p.callback(&format!("/callback?state={state}&code=c0de"))
            .is_ok()
    );
    // Scheme and host are case-insensitive.
    assert!(
        p.callback(&format!(
            "HTTP://127.0.0.1:8400/callback?code=c0de&state={state}"
        ))
        .is_ok()
    );
    assert_eq!(
        p.callback(&format!("{REDIRECT}?code=c0de&state=someone-else"))
            .unwrap_err(),
        OAuthError::StateMismatch
    );
    assert_eq!(
        p.callback(&format!("{REDIRECT}?code=c0de")).unwrap_err(),
        OAuthError::StateMismatch
    );
    assert_eq!(
        p.callback(&format!("{REDIRECT}?state={state}"))
            .unwrap_err(),
        OAuthError::MissingCode
    );
    assert!(matches!(
        p.callback(&format!("{REDIRECT}?code=a&code=b&state={state}"))
            .unwrap_err(),
        OAuthError::BadCallback(_)
    ));
    for elsewhere in [
        format!("http://127.0.0.1:8401/callback?code=c0de&state={state}"),
        format!("http://127.0.0.1:8400/other?code=c0de&state={state}"),
        format!("https://127.0.0.1:8400/callback?code=c0de&state={state}"),
        format!("/other?code=c0de&state={state}"),
    ] {
        assert!(
            matches!(
                p.callback(&elsewhere).unwrap_err(),
                OAuthError::BadCallback(_)
            ),
            "{elsewhere}"
        );
    }
}

#[test]
fn an_error_redirect_is_a_typed_server_error() {
    let p = pending();
    let url = format!(
        "{REDIRECT}?error=invalid_scope&error_description=scope+not+allowed&state={}",
        p.state()
    );
    match p.callback(&url).unwrap_err() {
        OAuthError::Server(e) => {
            assert_eq!(e.code, ErrorCode::InvalidScope);
            assert_eq!(e.description.as_deref(), Some("scope not allowed"));
            assert_eq!(e.status, 0);
        }
        other => panic!("{other:?}"),
    }
    // Another sign-in's error is not reported as ours.
    let forged = format!("{REDIRECT}?error=access_denied&state=forged");
    assert_eq!(p.callback(&forged).unwrap_err(), OAuthError::StateMismatch);
    // An unknown code is kept as sent.
    let odd = format!("{REDIRECT}?error=weird_thing&state={}", p.state());
    assert_eq!(
        p.callback(&odd).unwrap_err().code(),
        Some(&ErrorCode::Other("weird_thing".into()))
    );
}

#[test]
fn the_code_exchange_sends_the_verifier_and_redirect_uri() {
    let p = pending();
    let code = p
        .callback_query(&format!("code=c0de&state={}", p.state()))
        .unwrap();
    let prepared = client().exchange_code(&p, &code).unwrap();
    assert!(!prepared.idempotent, "a code is single-use: never resent");
    let r = &prepared.request;
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(r.uri(), &*format!("{DOMAIN}/oauth2/token"));
    assert_eq!(
        r.headers()["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert!(
        r.headers().get("authorization").is_none(),
        "a public client sends no secret"
    );
    let b = body(r);
    assert_eq!(b["grant_type"], "authorization_code");
    assert_eq!(b["client_id"], CLIENT_ID);
    assert_eq!(b["code"], "c0de");
    assert_eq!(b["redirect_uri"], REDIRECT);
    assert_eq!(b["code_verifier"], p.verifier().expose_secret());
    // Another app client cannot exchange this authorization's code.
    let other = OAuthClient::new(OAuthEndpoints::new(DOMAIN).unwrap(), "another");
    assert!(other.exchange_code(&p, &code).is_err());
}

#[test]
fn a_client_with_a_secret_authenticates_with_basic_and_debug_hides_it() {
    let client = client().with_secret(CLIENT_SECRET);
    let prepared = client
        .client_credentials(&["orders/read", "orders/write"])
        .unwrap();
    assert!(prepared.idempotent);
    let auth = prepared.request.headers()["authorization"]
        .to_str()
        .unwrap();
    let decoded = STANDARD
        .decode(auth.strip_prefix("Basic ").unwrap())
        .unwrap();
    assert_eq!(decoded, format!("{CLIENT_ID}:{CLIENT_SECRET}").into_bytes());
    let b = body(&prepared.request);
    assert_eq!(b["grant_type"], "client_credentials");
    assert_eq!(b["scope"], "orders/read orders/write");
    let debug = format!("{prepared:?} {client:?}");
    assert!(
        !debug.contains(CLIENT_SECRET) && !debug.contains(&auth[6..]),
        "{debug}"
    );
    // Without scopes, none is sent (the client's allowed scopes apply).
    let all = client.client_credentials::<&str>(&[]).unwrap();
    assert!(!body(&all.request).contains_key("scope"));
    // A public client cannot use client credentials.
    assert_eq!(
        self::client()
            .client_credentials(&["orders/read"])
            .unwrap_err(),
        OAuthError::MissingClientSecret
    );
}

#[test]
fn refresh_revoke_user_info_and_logout_requests() {
    let client = client().with_secret(CLIENT_SECRET);
    let refresh_token = SecretString::from("eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.r.e.f.t");
    let refresh = client.refresh(&refresh_token).unwrap();
    assert!(!refresh.idempotent);
    assert_eq!(body(&refresh.request)["grant_type"], "refresh_token");
    assert_eq!(
        body(&refresh.request)["refresh_token"],
        refresh_token.expose_secret().as_str()
    );
    let revoke = client.revoke(&refresh_token).unwrap();
    assert_eq!(revoke.request.uri(), &*format!("{DOMAIN}/oauth2/revoke"));
    assert_eq!(
        body(&revoke.request)["token"],
        refresh_token.expose_secret().as_str()
    );
    assert!(revoke.request.headers().contains_key("authorization"));
    let info = client
        .user_info(&SecretString::from("acc.ess.tok"))
        .unwrap();
    assert_eq!(info.request.method(), http::Method::GET);
    assert_eq!(info.request.uri(), &*format!("{DOMAIN}/oauth2/userInfo"));
    assert_eq!(
        info.request.headers()["authorization"],
        "Bearer acc.ess.tok"
    );
    assert!(!format!("{info:?}").contains("acc.ess.tok"));
    let logout = client.logout_url("https://app.example.com/signed-out?x=1");
    assert!(logout.starts_with(&format!("{DOMAIN}/logout?")));
    let q = query(&logout);
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["logout_uri"], "https://app.example.com/signed-out?x=1");
}

#[test]
fn token_responses_parse_and_the_nonce_is_checked() {
    let p = pending();
    let ok = json_response(
        200,
        json!({
            "access_token": access_token("openid email"),
            "id_token": id_token(p.nonce(), CLIENT_ID),
            "refresh_token": "eyJ.r.e.f.t",
            "token_type": "Bearer",
            "expires_in": 3600,
        }),
    );
    let tokens = p.finish(&ok, NOW + 5).unwrap();
    assert_eq!(tokens.expires_in(), 3600);
    assert_eq!(tokens.expires_at(), NOW + 5 + 3600);
    assert_eq!(tokens.scopes(), ["openid", "email"]);
    assert_eq!(
        tokens.refresh_token().unwrap().expose_secret(),
        "eyJ.r.e.f.t"
    );
    assert!(tokens.is_valid(NOW + 3000, std::time::Duration::from_secs(60)));
    assert!(!tokens.is_valid(NOW + 3560, std::time::Duration::from_secs(60)));
    let set = tokens.to_token_set().unwrap();
    assert_eq!(set.username(), Some("alice"));
    assert!(!format!("{tokens:?}").contains("eyJ.r.e.f.t"));

    let with = |id: String| {
        json_response(
            200,
            json!({"access_token": access_token("openid"), "id_token": id,
            "token_type": "Bearer", "expires_in": 3600}),
        )
    };
    assert_eq!(
        p.finish(&with(id_token(Some("other"), CLIENT_ID)), NOW)
            .unwrap_err(),
        OAuthError::NonceMismatch
    );
    assert_eq!(
        p.finish(&with(id_token(None, CLIENT_ID)), NOW).unwrap_err(),
        OAuthError::NonceMismatch
    );
    assert_eq!(
        p.finish(&with(id_token(p.nonce(), "another-client")), NOW)
            .unwrap_err(),
        OAuthError::WrongAudience
    );
    let no_id = json_response(
        200,
        json!({"access_token": access_token("openid"),
        "token_type": "Bearer", "expires_in": 3600}),
    );
    assert_eq!(
        p.finish(&no_id, NOW).unwrap_err(),
        OAuthError::MissingIdToken
    );
    // An access token in the ID token's place is refused.
    assert!(matches!(
        p.finish(&with(access_token("openid")), NOW).unwrap_err(),
        OAuthError::Token(_)
    ));
}

#[test]
fn client_credentials_tokens_have_no_id_token() {
    let ok = json_response(
        200,
        json!({"access_token": access_token("orders/read"),
        "token_type": "Bearer", "expires_in": 3600}),
    );
    let tokens = parse_token_response(&ok, NOW).unwrap();
    assert!(tokens.id_token().is_none() && tokens.refresh_token().is_none());
    assert_eq!(tokens.scopes(), ["orders/read"]);
    assert_eq!(
        tokens.to_token_set().unwrap_err(),
        OAuthError::MissingIdToken
    );
}

#[test]
fn token_endpoint_errors_are_typed() {
    for (code, expected) in [
        ("invalid_request", ErrorCode::InvalidRequest),
        ("invalid_client", ErrorCode::InvalidClient),
        ("invalid_grant", ErrorCode::InvalidGrant),
        ("unauthorized_client", ErrorCode::UnauthorizedClient),
        ("unsupported_grant_type", ErrorCode::UnsupportedGrantType),
        ("invalid_scope", ErrorCode::InvalidScope),
    ] {
        let status = if code == "invalid_client" { 401 } else { 400 };
        let err =
            parse_token_response(&json_response(status, json!({"error": code})), NOW).unwrap_err();
        assert_eq!(err.code(), Some(&expected));
        assert_eq!(err.status(), Some(status));
        assert!(!err.is_retryable());
        assert_eq!(expected.as_str(), code);
    }
    let err = parse_token_response(
        &json_response(503, json!({"error": "temporarily_unavailable"})),
        NOW,
    )
    .unwrap_err();
    assert!(err.is_retryable());
    // An HTML page from a proxy is a protocol error that keeps the body but never prints it.
    let html = http::Response::builder()
        .status(502)
        .body(b"<html>bad gateway</html>".to_vec())
        .unwrap();
    let err = parse_token_response(&html, NOW).unwrap_err();
    assert!(matches!(err, OAuthError::Protocol { status: 502, .. }) && err.is_retryable());
    assert!(!format!("{err:?}").contains("bad gateway"));
    // A 200 that is not a token response.
    let odd = json_response(200, json!({"token_type": "Bearer"}));
    assert!(matches!(
        parse_token_response(&odd, NOW).unwrap_err(),
        OAuthError::Protocol { .. }
    ));
    let mac = json_response(
        200,
        json!({"access_token": access_token("x"), "token_type": "mac"}),
    );
    assert!(matches!(
        parse_token_response(&mac, NOW).unwrap_err(),
        OAuthError::Protocol { .. }
    ));
}

#[test]
fn user_info_reads_cognitos_string_booleans_and_bearer_errors() {
    let ok = json_response(
        200,
        json!({"sub": "5f0c", "username": "alice",
        "email": "alice@example.com", "email_verified": "true", "phone_number_verified": false}),
    );
    let info = parse_user_info_response(&ok).unwrap();
    assert_eq!(info.sub(), Some("5f0c"));
    assert_eq!(info.username(), Some("alice"));
    assert_eq!(info.email_verified(), Some(true));
    assert_eq!(info.phone_number_verified(), Some(false));
    assert!(!format!("{info:?}").contains("alice@example.com"));
    let expired = http::Response::builder()
        .status(401)
        .header("www-authenticate", r#"Bearer error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user has globally signed out.""#)
        .body(Vec::new())
        .unwrap();
    let err = parse_user_info_response(&expired).unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::InvalidToken));
    assert_eq!(err.status(), Some(401));
    assert!(parse_user_info_response(&json_response(200, json!({"email": "x"}))).is_err());
}

#[test]
fn revocation_answers() {
    let ok = http::Response::builder()
        .status(200)
        .body(Vec::new())
        .unwrap();
    assert!(parse_revoke_response(&ok).is_ok());
    let err = parse_revoke_response(&json_response(
        400,
        json!({"error": "unsupported_token_type"}),
    ))
    .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::UnsupportedTokenType));
}

#[test]
fn pending_authorizations_survive_serde_and_domains_are_checked() {
    let p = pending();
    let text = serde_json::to_string(&p).unwrap();
    let back: PendingAuthorization = serde_json::from_str(&text).unwrap();
    assert_eq!(back, p);
    assert!(!format!("{p:?}").contains(p.verifier().expose_secret()));
    assert!(PkceVerifier::new(p.verifier().expose_secret()).is_ok());

    assert_eq!(
        OAuthEndpoints::for_prefix_domain("example", "eu-west-1")
            .unwrap()
            .token_url(),
        "https://example.auth.eu-west-1.amazoncognito.com/oauth2/token"
    );
    let prefixed = OAuthEndpoints::new("http://127.0.0.1:9229/_hosted/example/").unwrap();
    assert_eq!(
        prefixed.authorize_url(),
        "http://127.0.0.1:9229/_hosted/example/oauth2/authorize"
    );
    for bad in [
        "ftp://x",
        "not a url",
        "https://x/?q=1",
        "https://x/#f",
        "/relative",
    ] {
        assert!(OAuthEndpoints::new(bad).is_err(), "{bad}");
    }
    assert!(OAuthEndpoints::for_prefix_domain("Bad_Prefix", "eu-west-1").is_err());
}
