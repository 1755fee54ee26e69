//! The OAuth settings of an app client, checked as `CreateUserPoolClient` and
//! `UpdateUserPoolClient` check them.

use crate::api::{ApiError, ApiResult, invalid_param};
use crate::state::{Client, STANDARD_SCOPES, State, client_list, oauth_enabled};

fn oauth_flow(msg: impl Into<String>) -> ApiError {
    ApiError::new("InvalidOAuthFlowException", msg)
}

/// Whether `url` may be a callback or sign-out URL: absolute, no fragment, and HTTPS unless
/// it is a loopback address (custom schemes such as `myapp://` are allowed).
fn check_url(url: &str) -> ApiResult<()> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(invalid_param(format!("{url} is not a valid redirect URI.")));
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || url.contains('#') {
        return Err(invalid_param(format!("{url} is not a valid redirect URI.")));
    }
    if scheme.eq_ignore_ascii_case("http") {
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        // The host follows any user information (`http://localhost:1@example.com` goes to
        // example.com).
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let host = if authority.starts_with('[') {
            authority.split(']').next().map(|h| format!("{h}]"))
        } else {
            authority.split(':').next().map(str::to_string)
        };
        let loopback = matches!(host.as_deref(), Some("localhost" | "127.0.0.1" | "[::1]"));
        if !loopback {
            return Err(invalid_param(format!(
                "{url} cannot use the HTTP protocol."
            )));
        }
    }
    Ok(())
}

/// Checks a client's OAuth settings against AWS's rules and the pool's resource servers and
/// identity providers.
pub(crate) fn validate(st: &State, c: &Client) -> ApiResult<()> {
    let callbacks = client_list(c, "CallbackURLs");
    for url in callbacks.iter().chain(client_list(c, "LogoutURLs").iter()) {
        check_url(url)?;
    }
    if let Some(d) = c.config.get("DefaultRedirectURI").and_then(|v| v.as_str()) {
        check_url(d)?;
        if !callbacks.iter().any(|u| u == d) {
            return Err(invalid_param(
                "DefaultRedirectURI must be one of the CallbackURLs.",
            ));
        }
    }
    let pool = st.pool(&c.pool_id)?;
    for idp in client_list(c, "SupportedIdentityProviders") {
        if idp != "COGNITO" && !pool.res.idps.contains_key(&idp) {
            return Err(invalid_param(format!(
                "The provider {idp} does not exist for User Pool {}",
                c.pool_id
            )));
        }
    }
    let scopes = client_list(c, "AllowedOAuthScopes");
    for s in &scopes {
        let custom = s.rsplit_once('/').is_some_and(|(server, name)| {
            pool.res
                .resource_servers
                .get(server)
                .and_then(|r| r.body.get("Scopes"))
                .and_then(|v| v.as_array())
                .is_some_and(|l| {
                    l.iter()
                        .any(|x| x.get("ScopeName").and_then(|n| n.as_str()) == Some(name))
                })
        });
        if !STANDARD_SCOPES.contains(&s.as_str()) && !custom {
            return Err(ApiError::new(
                "ScopeDoesNotExistException",
                format!("Invalid scope requested: {s}"),
            ));
        }
    }
    if !oauth_enabled(c) {
        // Stored as given; the OAuth endpoints refuse the client.
        return Ok(());
    }
    let flows = client_list(c, "AllowedOAuthFlows");
    if flows.is_empty() || scopes.is_empty() {
        return Err(invalid_param(
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.",
        ));
    }
    if flows.iter().any(|f| f == "client_credentials") {
        if flows.len() > 1 {
            return Err(oauth_flow(
                "client_credentials flow can not be selected along with code flow or implicit flow.",
            ));
        }
        if c.secret.is_none() {
            return Err(oauth_flow(
                "client_credentials flow can not be selected if client does not have a client secret.",
            ));
        }
        if let Some(s) = scopes
            .iter()
            .find(|s| STANDARD_SCOPES.contains(&s.as_str()))
        {
            return Err(oauth_flow(format!(
                "{s} is not supported with client_credentials flow"
            )));
        }
    } else if callbacks.is_empty() {
        return Err(oauth_flow(
            "CallbackUrls can not be empty when code flow or implicit flow is selected",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_url;

    #[test]
    fn callback_urls_need_https_except_loopback() {
        for ok in [
            "https://example.com/cb",
            "http://localhost/cb",
            "http://localhost:3000/cb",
            "http://127.0.0.1:8080",
            "http://[::1]:9/x",
            "myapp://callback",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/cb",
            "http://localhost.example.com/cb",
            "https://example.com/cb#frag",
            "/relative",
            "example.com",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
