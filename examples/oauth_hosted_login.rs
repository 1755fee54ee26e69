//! A desktop app's sign-in through the pool's hosted pages: authorization code with PKCE and
//! a loopback redirect (RFC 8252). The app listens on 127.0.0.1, opens the authorize URL in
//! the user's browser, and gets the code back on its listener; the SDK checks the `state`,
//! exchanges the code with the PKCE verifier, checks the ID token's `nonce` and stores the
//! session, which then refreshes like any other.
//!
//! So that it runs unattended, the "browser" here is a scripted user who fills in the
//! emulator's sign-in form over HTTP. The example exits non-zero on a wrong result.
//!
//! ```sh
//! cargo run --example oauth_hosted_login
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;

use cognito_blocking::UserPool;
use cognito_examples::{BoxError, Demo, PASSWORD, ensure_eq, step};
use serde_json::json;

fn main() -> Result<(), BoxError> {
    let demo = Demo::start_default()?;
    demo.create_user("mika")?;

    // The app's loopback listener; its URL is one of the app client's callback URLs.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let redirect_uri = format!("http://{}/callback", listener.local_addr()?);
    let client_id = web_client(&demo, &redirect_uri)?;
    // Against AWS: `https://<prefix>.auth.<region>.amazoncognito.com`. The emulator also
    // answers on `http://desktop-demo.localhost:<port>`, which browsers resolve by themselves.
    let domain = format!("{}/_hosted/desktop-demo", demo.url());

    let pool = UserPool::builder(&demo.pool_id, &client_id)
        .endpoint_url(&demo.url())?
        .domain(&domain)?
        .clock(demo.clock())
        .build()?;
    let request = pool.hosted_sign_in(&redirect_uri, &["openid", "email", "profile"])?;
    step(format!("open in the browser: {}", request.url));

    // The user's browser, scripted.
    let browser = {
        let url = request.url.clone();
        std::thread::spawn(move || scripted_user(&url, "mika"))
    };

    // The app: wait for the redirect on the listener and finish the sign-in with it.
    let (stream, _) = listener.accept()?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line
        .split_whitespace()
        .nth(1)
        .ok_or("no request target")?
        .to_owned();
    let user = pool.finish_hosted_sign_in(&request.pending, &target);
    let page = match &user {
        Ok(_) => "Signed in. You can close this window.",
        Err(_) => "The sign-in failed.",
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
        page.len()
    )?;
    drop(stream);
    let user = user?;
    ensure_eq(
        browser.join().map_err(|_| "browser thread")??,
        page.to_owned(),
        "page shown",
    )?;
    step(format!(
        "redirect received; signed in as {}",
        user.username()
    ));

    let tokens = user.session()?;
    ensure_eq(
        tokens.id_token().claims().get_str("nonce"),
        request.pending.nonce(),
        "the ID token carries this sign-in's nonce",
    )?;
    let info = user.user_info()?;
    ensure_eq(info.email(), Some("mika@example.com"), "userInfo email")?;
    step(format!(
        "userInfo: email {} (verified: {:?})",
        info.email().unwrap_or_default(),
        info.email_verified()
    ));
    ensure_eq(
        pool.current_user()?.map(|u| u.username().to_owned()),
        Some("mika".to_owned()),
        "the stored session's user",
    )?;
    step("the session is stored: current_user() is mika, and it refreshes like any other");

    // Signing out: the hosted pages' session (logout URL) and the tokens (revocation).
    let logout = pool.logout_url("http://127.0.0.1/signed-out")?;
    step(format!("sign-out URL for the browser: {logout}"));
    let refresh = tokens.refresh_token().ok_or("a refresh token")?.clone();
    pool.revoke_refresh_token(&refresh)?;
    let refused = pool.refresh_with_token_endpoint(&refresh);
    ensure_eq(
        refused.err().and_then(|e| match e {
            cognito_blocking::Error::OAuth(e) => e.code().map(|c| c.as_str().to_owned()),
            _ => None,
        }),
        Some("invalid_grant".to_owned()),
        "a revoked refresh token",
    )?;
    step("refresh token revoked: the token endpoint answers invalid_grant");
    Ok(())
}

/// The domain and an app client for the code flow with `redirect_uri` (an administrator's
/// one-time setup).
fn web_client(demo: &Demo, redirect_uri: &str) -> Result<String, BoxError> {
    demo.emu.call(
        "CreateUserPoolDomain",
        json!({"UserPoolId": demo.pool_id, "Domain": "desktop-demo"}),
    )?;
    let client = demo.emu.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": demo.pool_id, "ClientName": "desktop",
               "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
               "AllowedOAuthScopes": ["openid", "email", "profile"],
               "CallbackURLs": [redirect_uri], "LogoutURLs": ["http://127.0.0.1/signed-out"],
               "SupportedIdentityProviders": ["COGNITO"],
               "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )?;
    Ok(client["UserPoolClient"]["ClientId"]
        .as_str()
        .ok_or("client id")?
        .to_owned())
}

/// What the user does in the browser: follow the redirect to the sign-in page, fill in the
/// username and password, follow the redirect back to the app. Returns the app's page.
fn scripted_user(authorize_url: &str, username: &str) -> Result<String, BoxError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let origin = authorize_url
        .find("/_hosted/")
        .map(|i| authorize_url[..i].to_owned())
        .ok_or("an emulator URL")?;
    let absolute = |location: &str| match location.starts_with('/') {
        true => format!("{origin}{location}"),
        false => location.to_owned(),
    };
    let location = |response: &http::Response<ureq::Body>| -> Result<String, BoxError> {
        let value = response.headers().get("location").ok_or("no redirect")?;
        Ok(absolute(value.to_str()?))
    };
    let login = location(&agent.get(authorize_url).call()?)?;
    let mut page = agent.get(&login).call()?;
    let cookie = page
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_owned();
    let html = page.body_mut().read_to_string()?;
    let csrf = attribute(&html, "name=\"_csrf\"", "value").ok_or("no CSRF token")?;
    let action = attribute(&html, "id=\"signin-form\"", "action").ok_or("no form")?;
    let response = agent
        .post(absolute(&action))
        .header("cookie", &cookie)
        .send_form([
            ("_csrf", csrf.as_str()),
            ("step", "password"),
            ("username", username),
            ("password", PASSWORD),
        ])?;
    let callback = location(&response)?;
    Ok(agent.get(&callback).call()?.body_mut().read_to_string()?)
}

/// The value of `name="…"` in the tag of `html` holding `marker`, HTML entities decoded.
fn attribute(html: &str, marker: &str, name: &str) -> Option<String> {
    let at = html.find(marker)?;
    let start = html[..at].rfind('<')?;
    let tag = &html[start..start + html[start..].find('>')?];
    let key = format!("{name}=\"");
    let value = &tag[tag.find(&key)? + key.len()..];
    Some(
        value[..value.find('"')?]
            .replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&#39;", "'"),
    )
}
