//! `cognito login --hosted`: the authorization-code flow with PKCE through the pool's hosted
//! pages, with the redirect caught by a listener on 127.0.0.1 (the loopback redirect of
//! RFC 8252, as desktop apps do it).

use std::io::{BufRead, BufReader, Read as _, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use cognito_blocking::{Error, OAuthError, User, UserPool};

use crate::Failure;
use crate::sanitize::{MAX_FIELD, clean};

/// What `login --hosted` was asked for.
pub(crate) struct Login {
    pub(crate) port: u16,
    pub(crate) path: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) timeout: Duration,
}

/// The longest request head read from the browser.
const MAX_HEAD: usize = 16 * 1024;

pub(crate) fn login(pool: &UserPool, options: &Login) -> Result<User, Failure> {
    if !options.path.starts_with('/') || options.path.contains(['?', '#', ' ']) {
        return Err(Failure::Usage(
            "--path starts with / and has no query or fragment".to_owned(),
        ));
    }
    let listener = TcpListener::bind(("127.0.0.1", options.port))
        .map_err(|e| Failure::Other(format!("cannot listen on 127.0.0.1:{}: {e}", options.port)))?;
    let port = listener
        .local_addr()
        .map_err(|e| Failure::Other(format!("cannot read the listener's port: {e}")))?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}{}", options.path);
    let scopes: Vec<&str> = options.scopes.iter().map(String::as_str).collect();
    let request = pool.hosted_sign_in(&redirect_uri, &scopes)?;
    eprintln!(
        "Open this URL in a browser to sign in (waiting for the redirect to {redirect_uri}):"
    );
    eprintln!("{}", request.url);

    listener
        .set_nonblocking(true)
        .map_err(|e| Failure::Other(format!("cannot configure the listener: {e}")))?;
    let deadline = Instant::now() + options.timeout;
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    return Err(Failure::Other(format!(
                        "no redirect within {} s",
                        options.timeout.as_secs()
                    )));
                }
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(e) => return Err(Failure::Other(format!("cannot accept a connection: {e}"))),
        };
        let Some((mut stream, target)) = read_target(stream) else {
            continue;
        };
        let path = target.split('?').next().unwrap_or_default();
        if path != options.path {
            respond(&mut stream, 404, "Not found.");
            continue;
        }
        match pool.finish_hosted_sign_in(&request.pending, &target) {
            Ok(user) => {
                respond(
                    &mut stream,
                    200,
                    "Signed in. You can close this window and return to the terminal.",
                );
                return Ok(user);
            }
            // Another page's request to the loopback port (a forged or stale redirect): not
            // this sign-in's, so keep waiting for the real one.
            Err(Error::OAuth(OAuthError::StateMismatch | OAuthError::BadCallback(_))) => {
                respond(
                    &mut stream,
                    400,
                    "This is not the redirect of this sign-in.",
                );
            }
            Err(e) => {
                respond(&mut stream, 400, "The sign-in failed; see the terminal.");
                return Err(e.into());
            }
        }
    }
}

/// The request target of a `GET` request, read with a time and size limit.
fn read_target(stream: TcpStream) -> Option<(TcpStream, String)> {
    stream.set_nonblocking(false).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?).take(MAX_HEAD as u64);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    // Read the rest of the head so the browser sees a complete exchange.
    let mut header = String::new();
    while reader.read_line(&mut header).ok()? > 2 {
        header.clear();
    }
    let mut parts = line.split_whitespace();
    let mut stream = stream;
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Some((stream, target.to_owned())),
        _ => {
            respond(&mut stream, 405, "Only GET.");
            None
        }
    }
}

fn respond(stream: &mut TcpStream, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>cognito</title></head><body><p>{}</p></body></html>",
        clean(text, MAX_FIELD)
    );
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}
