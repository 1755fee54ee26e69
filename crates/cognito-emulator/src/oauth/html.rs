//! The server-rendered HTML of the hosted pages: no scripts, no resources from elsewhere,
//! a language, a title and a label for every field.

use http::Response;

use super::{Hosted, param};
use crate::state::{AuthzRequest, LoginStep};

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f2f3f3;margin:0}\
main{max-width:22rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:6px;\
box-shadow:0 1px 4px rgba(0,0,0,.2)}h1{font-size:1.4rem}label{display:block;margin-top:1rem}\
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;\
font-size:1rem}button{margin-top:1.5rem;width:100%;padding:.6rem;font-size:1rem;\
background:#0972d3;color:#fff;border:0;border-radius:4px}\
#error{color:#b0141e;background:#fdecea;padding:.5rem}.radio label{display:inline;margin:0}\
.radio{margin-top:.75rem}small{color:#555}";

fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n\
         </body>\n</html>\n",
        escape(title)
    )
}

/// An HTML answer with the hosted pages' headers (plus `cookies`).
pub(crate) fn respond(status: u16, html: String, cookies: &[String]) -> Response<Vec<u8>> {
    let mut b = Response::builder()
        .status(status)
        .header("Content-Type", "text/html; charset=utf-8")
        .header("Cache-Control", "no-store")
        .header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        )
        .header("X-Frame-Options", "DENY")
        .header("Referrer-Policy", "no-referrer");
    for c in cookies {
        b = b.header("Set-Cookie", c);
    }
    b.body(html.into_bytes())
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

/// A page with a heading and a message.
pub(crate) fn page(status: u16, title: &str, message: &str) -> Response<Vec<u8>> {
    let body = format!(
        "<h1>{}</h1>\n<p id=\"message\">{}</p>\n",
        escape(title),
        escape(message)
    );
    respond(status, document(title, &body), &[])
}

/// `GET /error`: the page a browser lands on when the request cannot go back to the client.
pub(crate) fn error_page(h: &Hosted<'_>) -> Response<Vec<u8>> {
    let q = h.query();
    let error = param(&q, "error").unwrap_or("invalid_request");
    let body = format!(
        "<h1>Error</h1>\n<p id=\"message\">An error was encountered with the requested page.</p>\n\
         <p><small>error: <code id=\"error-code\">{}</code></small></p>\n",
        escape(error)
    );
    respond(400, document("Error", &body), &[])
}

/// The sign-in page of a step.
pub(crate) fn login_page(
    status: u16,
    h: &Hosted<'_>,
    request: &AuthzRequest,
    csrf: &str,
    step: &LoginStep,
    error: Option<&str>,
    cookies: &[String],
) -> Response<Vec<u8>> {
    let query = &request.query;
    let (step_name, heading, fields) = match step {
        LoginStep::Password => (
            "password",
            "Sign in",
            username_field(request.login_hint.as_deref())
                + &text_field(
                    "password",
                    "Password",
                    "password",
                    "current-password",
                    false,
                ),
        ),
        LoginStep::NewPassword { required, .. } => {
            let mut f =
                String::from("<p>Your password must be changed before you can sign in.</p>\n");
            f += &text_field(
                "new_password",
                "New password",
                "password",
                "new-password",
                true,
            );
            f += &text_field(
                "confirm_password",
                "Confirm new password",
                "password",
                "new-password",
                false,
            );
            for attr in required {
                let id = format!(
                    "attr_{}",
                    attr.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                );
                f += &format!(
                    "<label for=\"{id}\">{}</label>\n<input type=\"text\" id=\"{id}\" name=\"userAttributes.{}\" required>\n",
                    escape(attr),
                    escape(attr)
                );
            }
            ("new_password", "Change your password", f)
        }
        LoginStep::Mfa {
            kind, destination, ..
        } => {
            let what = match kind.as_str() {
                "SMS_MFA" => format!(
                    "We sent a code by SMS to {}.",
                    escape(destination.as_deref().unwrap_or("your phone"))
                ),
                "EMAIL_OTP" => format!(
                    "We sent a code by e-mail to {}.",
                    escape(destination.as_deref().unwrap_or("your address"))
                ),
                _ => "Enter the code from your authenticator app.".to_string(),
            };
            let f = format!(
                "<p id=\"mfa-kind\" data-kind=\"{}\">{what}</p>\n",
                escape(kind)
            ) + &text_field("code", "Code", "text", "one-time-code", true);
            ("mfa", "Multi-factor authentication", f)
        }
        LoginStep::SelectMfa { options, .. } => {
            let mut f =
                String::from("<fieldset>\n<legend>Choose how to receive your code</legend>\n");
            for (i, o) in options.iter().enumerate() {
                let label = match o.as_str() {
                    "SMS_MFA" => "Text message (SMS)",
                    "EMAIL_OTP" => "E-mail",
                    _ => "Authenticator app",
                };
                f += &format!(
                    "<div class=\"radio\"><input type=\"radio\" id=\"mfa_type_{o}\" name=\"mfa_type\" value=\"{o}\"{}> <label for=\"mfa_type_{o}\">{label}</label></div>\n",
                    if i == 0 { " checked" } else { "" },
                    o = escape(o),
                );
            }
            f += "</fieldset>\n";
            ("select_mfa", "Multi-factor authentication", f)
        }
        LoginStep::MfaSetup {
            username, secret, ..
        } => {
            let secret = secret.expose_secret();
            let uri = format!(
                "otpauth://totp/{}?secret={secret}&issuer=Cognito",
                super::encode(username)
            );
            let f = format!(
                "<p>Your account needs an authenticator app. Add this key to it, then enter the code it shows.</p>\n\
                 <p>Key: <code id=\"totp_secret\">{}</code></p>\n\
                 <p><small>Or open <code id=\"totp_uri\">{}</code></small></p>\n",
                escape(secret),
                escape(&uri)
            ) + &text_field("code", "Code", "text", "one-time-code", true);
            ("mfa_setup", "Set up multi-factor authentication", f)
        }
    };
    let error = error
        .map(|e| format!("<p id=\"error\" role=\"alert\">{}</p>\n", escape(e)))
        .unwrap_or_default();
    let action = format!("{}/login?{}", h.base, query);
    let body = format!(
        "<h1>{heading}</h1>\n{error}<form id=\"signin-form\" method=\"post\" action=\"{}\" data-step=\"{step_name}\">\n\
         <input type=\"hidden\" name=\"_csrf\" value=\"{}\">\n\
         <input type=\"hidden\" name=\"step\" value=\"{step_name}\">\n{fields}\
         <button type=\"submit\" id=\"submit\">{}</button>\n</form>\n",
        escape(&action),
        escape(csrf),
        if step_name == "password" {
            "Sign in"
        } else {
            "Continue"
        },
    );
    respond(status, document(heading, &body), cookies)
}

fn text_field(id: &str, label: &str, kind: &str, autocomplete: &str, autofocus: bool) -> String {
    format!(
        "<label for=\"{id}\">{label}</label>\n<input type=\"{kind}\" id=\"{id}\" name=\"{id}\" autocomplete=\"{autocomplete}\" required{}>\n",
        if autofocus { " autofocus" } else { "" }
    )
}

/// The username field, pre-filled with the request's `login_hint`.
fn username_field(hint: Option<&str>) -> String {
    let field = text_field("username", "Username", "text", "username", true);
    match hint {
        Some(h) => field.replacen(
            " required",
            &format!(" value=\"{}\" required", escape(h)),
            1,
        ),
        None => field,
    }
}
