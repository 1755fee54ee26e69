//! `GET /oauth2/authorize`: checks the authorization request and sends the browser to the
//! sign-in page, or straight back with a code when it is already signed in.

use http::Response;

use super::{Hosted, param, redirect, with_query};
use crate::Shared;
use crate::state::{AuthCode, AuthzRequest, HostedSession, State, client_list, oauth_enabled};

/// Why an authorization request is refused.
pub(crate) enum Refusal {
    /// The redirect URI cannot be trusted: the browser goes to the error page.
    Page(Box<Response<Vec<u8>>>),
    /// The redirect URI is the client's: the error goes back to it.
    Redirect {
        redirect_uri: String,
        error: &'static str,
        description: &'static str,
        state: Option<String>,
    },
}

impl Refusal {
    pub fn response(self) -> Response<Vec<u8>> {
        match self {
            Refusal::Page(r) => *r,
            Refusal::Redirect {
                redirect_uri,
                error,
                description,
                state,
            } => {
                let mut params = vec![("error", error), ("error_description", description)];
                if let Some(s) = &state {
                    params.push(("state", s));
                }
                redirect(&with_query(&redirect_uri, &params), &[])
            }
        }
    }
}

/// Checks the authorization parameters of `h` against the client, as `/oauth2/authorize`
/// and `/login` both do.
pub(crate) fn check(st: &State, h: &Hosted<'_>) -> Result<AuthzRequest, Refusal> {
    let q = h.query();
    let page = |error: &str, client_id: &str| {
        Refusal::Page(Box::new(redirect(
            &with_query(
                &format!("{}/error", h.base),
                &[("error", error), ("client_id", client_id)],
            ),
            &[],
        )))
    };
    let Some(client_id) = param(&q, "client_id") else {
        return Err(page("invalid_request", ""));
    };
    let client = match st.client(client_id) {
        Ok(c) if c.pool_id == h.pool_id => c,
        _ => return Err(page("invalid_request", client_id)),
    };
    let callbacks = client_list(&client, "CallbackURLs");
    let redirect_uri = match param(&q, "redirect_uri") {
        Some(r) => r.to_string(),
        None if !super::repeated(&q, "redirect_uri") => match client
            .config
            .get("DefaultRedirectURI")
            .and_then(|v| v.as_str())
        {
            Some(d) => d.to_string(),
            None => return Err(page("redirect_mismatch", client_id)),
        },
        None => return Err(page("redirect_mismatch", client_id)),
    };
    // Matched exactly: scheme, host, port, path, trailing slash and query.
    if !callbacks.contains(&redirect_uri) {
        return Err(page("redirect_mismatch", client_id));
    }
    let state = param(&q, "state").map(str::to_string);
    let refuse = |error: &'static str, description: &'static str| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        error,
        description,
        state: state.clone(),
    };
    if !oauth_enabled(&client) {
        return Err(refuse(
            "unauthorized_client",
            "Client is not enabled for OAuth2.0 flows.",
        ));
    }
    let idps = client_list(&client, "SupportedIdentityProviders");
    if !idps.iter().any(|p| p == "COGNITO") {
        return Err(refuse(
            "unauthorized_client",
            "COGNITO is not a supported identity provider of this client.",
        ));
    }
    if let Some(idp) = param(&q, "identity_provider")
        && idp != "COGNITO"
    {
        return Err(refuse(
            "invalid_request",
            "The emulator signs in with COGNITO only.",
        ));
    }
    let flows = client_list(&client, "AllowedOAuthFlows");
    let response_type = match param(&q, "response_type") {
        None => return Err(refuse("invalid_request", "response_type is required.")),
        Some("code") if flows.iter().any(|f| f == "code") => "code",
        Some("token") if flows.iter().any(|f| f == "implicit") => "token",
        Some("code" | "token") => {
            return Err(refuse(
                "unauthorized_client",
                "The response type is not allowed for this client.",
            ));
        }
        Some(_) => {
            return Err(refuse(
                "unsupported_response_type",
                "response_type must be code or token.",
            ));
        }
    };
    let code_challenge = match (
        param(&q, "code_challenge"),
        param(&q, "code_challenge_method"),
    ) {
        (None, None) => None,
        (Some(c), Some("S256")) => {
            let valid = (43..=128).contains(&c.len())
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
            if !valid {
                return Err(refuse("invalid_request", "Invalid code_challenge."));
            }
            Some(c.to_string())
        }
        (Some(_), None) => {
            return Err(refuse(
                "invalid_request",
                "code_challenge_method is required with code_challenge.",
            ));
        }
        (_, Some(_)) => {
            return Err(refuse(
                "invalid_request",
                "code_challenge_method must be S256 and come with code_challenge.",
            ));
        }
    };
    let allowed = client_list(&client, "AllowedOAuthScopes");
    let scopes = match param(&q, "scope") {
        Some(s) => {
            let mut v: Vec<String> = Vec::new();
            for scope in s.split(' ').filter(|x| !x.is_empty()) {
                if !allowed.iter().any(|a| a == scope) {
                    return Err(refuse("invalid_scope", "A requested scope is not allowed."));
                }
                if !v.iter().any(|x| x == scope) {
                    v.push(scope.to_string());
                }
            }
            v
        }
        None => allowed.clone(),
    };
    let scopes = super::token::active_scopes(st, &h.pool_id, scopes);
    Ok(AuthzRequest {
        response_type: response_type.to_string(),
        client_id: client.id.clone(),
        redirect_uri,
        state,
        scopes,
        code_challenge,
        nonce: param(&q, "nonce").map(str::to_string),
        prompt: param(&q, "prompt").map(str::to_string),
        login_hint: param(&q, "login_hint").map(str::to_string),
        query: h.req.uri().query().unwrap_or("").to_string(),
    })
}

/// The browser's hosted session for this pool, if it has a live one.
pub(crate) fn signed_in(st: &State, h: &Hosted<'_>) -> Option<HostedSession> {
    let id = h.cookie(super::SESSION_COOKIE)?;
    let s = st.oauth().sessions.get(&id)?;
    let user = st.pools().get(&s.pool_id)?.users.get(&s.username)?;
    (s.pool_id == h.pool_id && s.expires > st.now() && user.enabled && user.sub == s.sub)
        .then(|| s.clone())
}

pub(crate) fn get(shared: &Shared, h: &Hosted<'_>) -> Response<Vec<u8>> {
    let st = shared.lock();
    let request = match check(&st, h) {
        Ok(r) => r,
        Err(refusal) => return refusal.response(),
    };
    let prompts: Vec<&str> = request.prompt.as_deref().unwrap_or("").split(' ').collect();
    let session = signed_in(&st, h);
    if !prompts.contains(&"login")
        && let Some(s) = session
    {
        drop(st);
        return match complete(
            shared,
            &request,
            &h.pool_id,
            &s.username,
            &s.sub,
            s.auth_time,
        ) {
            Ok(location) => redirect(&location, &[]),
            Err(message) => super::html::page(400, "Sign-in failed", &message),
        };
    }
    if prompts.contains(&"none") {
        return Refusal::Redirect {
            redirect_uri: request.redirect_uri,
            error: "login_required",
            description: "The user is not signed in.",
            state: request.state,
        }
        .response();
    }
    redirect(&format!("{}/login?{}", h.base, request.query), &[])
}

/// The redirect that answers an authorization request of a signed-in user: a code, or the
/// tokens of the implicit grant in the fragment. Takes the state lock (and runs the pre token
/// generation trigger outside it): call it without holding the lock.
pub(crate) fn complete(
    shared: &Shared,
    request: &AuthzRequest,
    pool_id: &str,
    username: &str,
    sub: &str,
    auth_time: u64,
) -> Result<String, String> {
    if request.response_type == "token" {
        return super::token::implicit(shared, request, pool_id, username, sub, auth_time);
    }
    let mut st = shared.lock();
    Ok(issue_code(
        &mut st, request, pool_id, username, sub, auth_time,
    ))
}

/// Stores a code for a signed-in user and returns the redirect that carries it.
pub(crate) fn issue_code(
    st: &mut State,
    request: &AuthzRequest,
    pool_id: &str,
    username: &str,
    sub: &str,
    auth_time: u64,
) -> String {
    let code = super::random_token();
    let now = st.now();
    let rec = AuthCode {
        pool_id: pool_id.to_string(),
        client_id: request.client_id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        scopes: request.scopes.clone(),
        code_challenge: request.code_challenge.clone(),
        nonce: request.nonce.clone(),
        username: username.to_string(),
        sub: sub.to_string(),
        auth_time,
        expires: now + super::CODE_LIFETIME_SECS,
    };
    super::insert_bounded(
        &mut st.oauth_mut().codes,
        &code,
        rec,
        now,
        |c| c.expires,
        AuthCode::footprint,
    );
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = &request.state {
        params.push(("state", s));
    }
    with_query(&request.redirect_uri, &params)
}
