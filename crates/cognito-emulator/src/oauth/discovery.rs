//! The OpenID discovery document at `<issuer>/.well-known/openid-configuration`.

use serde_json::{Value, json};

/// The discovery document of a pool, its endpoints on the address the request came to
/// (`host`): the JWKS under the pool id, the OAuth endpoints under the path prefix of the
/// pool's domain (every HTTP client reaches those without name resolution). Like AWS's, it
/// does not list `code_challenge_methods_supported`, although S256 is accepted.
pub(crate) fn document(issuer: &str, pool_id: &str, domain: Option<&str>, host: &str) -> Value {
    let origin = format!("http://{host}");
    let mut doc = json!({
        "issuer": issuer,
        "jwks_uri": format!("{origin}/{pool_id}/.well-known/jwks.json"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public"],
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    });
    if let (Some(domain), Some(m)) = (domain, doc.as_object_mut()) {
        let base = format!("{origin}/_hosted/{domain}");
        m.insert(
            "authorization_endpoint".into(),
            json!(format!("{base}/oauth2/authorize")),
        );
        m.insert(
            "token_endpoint".into(),
            json!(format!("{base}/oauth2/token")),
        );
        m.insert(
            "userinfo_endpoint".into(),
            json!(format!("{base}/oauth2/userInfo")),
        );
        m.insert(
            "revocation_endpoint".into(),
            json!(format!("{base}/oauth2/revoke")),
        );
        m.insert(
            "end_session_endpoint".into(),
            json!(format!("{base}/logout")),
        );
        m.insert(
            "grant_types_supported".into(),
            json!(["authorization_code", "refresh_token", "client_credentials"]),
        );
    }
    doc
}
