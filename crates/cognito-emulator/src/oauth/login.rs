//! `GET /login` and `POST /login`: the hosted sign-in page. Each step of the sign-in is an API
//! call made on the user's behalf (`InitiateAuth` with the password, then
//! `RespondToAuthChallenge`), so the checks, lockout, triggers and MFA are the API's own.

use http::Response;
use serde_json::{Map, Value, json};

use super::authorize::{check, complete};
use super::html::{login_page, page};
use super::{
    HOSTED_SESSION_SECS, Hosted, LOGIN_COOKIE, LOGIN_SESSION_SECS, SESSION_COOKIE, insert_bounded,
    param, parse_form, random_token, redirect,
};
use crate::Shared;
use crate::srp_server::{ct_eq, prim};
use crate::state::{HostedSession, LoginSession, LoginStep, SealedStep};

pub(crate) fn get(shared: &Shared, h: &Hosted<'_>) -> Response<Vec<u8>> {
    let mut st = shared.lock();
    let request = match check(&st, h) {
        Ok(r) => r,
        Err(refusal) => return refusal.response(),
    };
    let id = random_token();
    let csrf = random_token();
    let now = st.now();
    let shown = request.clone();
    let Some(step) = SealedStep::seal(&id, &LoginStep::Password) else {
        return page(500, "Error", "The sign-in could not be started.");
    };
    let sess = LoginSession {
        csrf: csrf.clone(),
        request,
        step,
        expires: now + LOGIN_SESSION_SECS,
    };
    insert_bounded(
        &mut st.oauth_mut().logins,
        &id,
        sess,
        now,
        |s| s.expires,
        LoginSession::footprint,
    );
    drop(st);
    let cookie = h.set_cookie(LOGIN_COOKIE, Some(&id));
    login_page(200, h, &shown, &csrf, &LoginStep::Password, None, &[cookie])
}

/// The answer to a form that is not bound to a live sign-in of this browser.
fn stale(h: &Hosted<'_>) -> Response<Vec<u8>> {
    let mut r = page(
        403,
        "Sign-in expired",
        "This sign-in form has expired or was not opened in this browser. Start the sign-in again from your application.",
    );
    if let Ok(v) = h.set_cookie(LOGIN_COOKIE, None).parse() {
        r.headers_mut().append("Set-Cookie", v);
    }
    r
}

pub(crate) fn post(shared: &Shared, h: &Hosted<'_>) -> Response<Vec<u8>> {
    let form = parse_form(h.req.body());
    let Some(id) = h.cookie(LOGIN_COOKIE) else {
        return stale(h);
    };
    let (sess, client) = {
        let st = shared.lock();
        let Some(sess) = st.oauth().logins.get(&id).cloned() else {
            return stale(h);
        };
        if sess.expires <= st.now() {
            return stale(h);
        }
        let Ok(client) = st.client(&sess.request.client_id) else {
            return stale(h);
        };
        (sess, client)
    };
    // The CSRF token is bound to the sign-in's cookie: another site cannot read it.
    if !param(&form, "_csrf").is_some_and(|c| ct_eq(c, &sess.csrf)) {
        return stale(h);
    }
    let Some(current) = sess.step.open(&id) else {
        return stale(h);
    };
    let secret_hash = |username: &str| {
        client
            .secret
            .as_ref()
            .map(|s| prim::secret_hash(username, &client.id, s.expose_secret()))
    };
    let rerender = |step: &LoginStep, error: &str| {
        login_page(400, h, &sess.request, &sess.csrf, step, Some(error), &[])
    };
    let mut answers = Map::new();
    let (op, session, username) = match &current {
        LoginStep::Password => {
            let (Some(user), Some(pw)) = (param(&form, "username"), param(&form, "password"))
            else {
                return rerender(&current, "Enter your username and password.");
            };
            answers.insert("USERNAME".into(), json!(user));
            answers.insert("PASSWORD".into(), json!(pw));
            ("InitiateAuth", None, user.to_string())
        }
        LoginStep::NewPassword {
            session,
            username,
            required,
        } => {
            let (Some(pw), confirm) = (
                param(&form, "new_password"),
                param(&form, "confirm_password"),
            ) else {
                return rerender(&current, "Enter a new password.");
            };
            if confirm != Some(pw) {
                return rerender(&current, "The passwords do not match.");
            }
            answers.insert("NEW_PASSWORD".into(), json!(pw));
            for attr in required {
                let key = format!("userAttributes.{attr}");
                if let Some(v) = param(&form, &key) {
                    answers.insert(key, json!(v));
                }
            }
            answers.insert("USERNAME".into(), json!(username));
            (
                "NEW_PASSWORD_REQUIRED",
                Some(session.clone()),
                username.clone(),
            )
        }
        LoginStep::Mfa {
            session,
            username,
            kind,
            ..
        } => {
            let Some(code) = param(&form, "code") else {
                return rerender(&current, "Enter the code.");
            };
            let key = match kind.as_str() {
                "SMS_MFA" => "SMS_MFA_CODE",
                "EMAIL_OTP" => "EMAIL_OTP_CODE",
                _ => "SOFTWARE_TOKEN_MFA_CODE",
            };
            answers.insert(key.into(), json!(code.trim()));
            answers.insert("USERNAME".into(), json!(username));
            (kind.as_str(), Some(session.clone()), username.clone())
        }
        LoginStep::SelectMfa {
            session,
            username,
            options,
        } => {
            let Some(choice) = param(&form, "mfa_type").filter(|c| options.iter().any(|o| o == c))
            else {
                return rerender(&current, "Choose how to receive your code.");
            };
            answers.insert("ANSWER".into(), json!(choice));
            answers.insert("USERNAME".into(), json!(username));
            ("SELECT_MFA_TYPE", Some(session.clone()), username.clone())
        }
        LoginStep::MfaSetup {
            session, username, ..
        } => {
            let Some(code) = param(&form, "code") else {
                return rerender(&current, "Enter the code from your authenticator app.");
            };
            let verified = shared.dispatch_hosted(
                "VerifySoftwareToken",
                &as_map(json!({
                    "Session": session,
                    "UserCode": code.trim(),
                    "FriendlyDeviceName": "hosted sign-in",
                })),
            );
            let next = match verified {
                Ok(v) => v.get("Session").and_then(Value::as_str).map(str::to_string),
                // A wrong code leaves the authenticator waiting for another try.
                Err(e) => return rerender(&current, &e.message),
            };
            answers.insert("USERNAME".into(), json!(username));
            ("MFA_SETUP", next, username.clone())
        }
    };
    if let Some(hash) = secret_hash(&username) {
        answers.insert("SECRET_HASH".into(), json!(hash));
    }
    let result = match session {
        None => shared.dispatch_hosted(
            "InitiateAuth",
            &as_map(json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": client.id,
                "AuthParameters": answers,
            })),
        ),
        Some(session) => shared.dispatch_hosted(
            "RespondToAuthChallenge",
            &as_map(json!({
                "ChallengeName": op,
                "ClientId": client.id,
                "Session": session,
                "ChallengeResponses": answers,
            })),
        ),
    };
    let out = match result {
        Ok(out) => out,
        Err(e) => {
            // A wrong code keeps the challenge for another try (the API keeps its session);
            // any other refusal ends this sign-in attempt and asks for the password again.
            let retry =
                matches!(current, LoginStep::Mfa { .. }) && e.kind == "CodeMismatchException";
            let step = if retry {
                current.clone()
            } else {
                LoginStep::Password
            };
            set_step(shared, &id, step.clone());
            return rerender(&step, &e.message);
        }
    };
    if let Some(done) = out.get("HostedSignIn") {
        return finish(shared, h, &id, &sess, done);
    }
    let params = out
        .get("ChallengeParameters")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let session = out
        .get("Session")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let username = params
        .get("USERNAME")
        .and_then(Value::as_str)
        .unwrap_or(&username)
        .to_string();
    let list = |key: &str| -> Vec<String> {
        params
            .get(key)
            .and_then(Value::as_str)
            .and_then(|s| serde_json::from_str::<Vec<String>>(s).ok())
            .unwrap_or_default()
    };
    let next = match out.get("ChallengeName").and_then(Value::as_str) {
        Some("NEW_PASSWORD_REQUIRED") => LoginStep::NewPassword {
            session,
            username,
            required: list("requiredAttributes")
                .into_iter()
                .map(|a| a.trim_start_matches("userAttributes.").to_string())
                .collect(),
        },
        Some(kind @ ("SMS_MFA" | "SOFTWARE_TOKEN_MFA" | "EMAIL_OTP")) => LoginStep::Mfa {
            session,
            username,
            kind: kind.to_string(),
            destination: params
                .get("CODE_DELIVERY_DESTINATION")
                .and_then(Value::as_str)
                .map(str::to_string),
        },
        Some("SELECT_MFA_TYPE") => LoginStep::SelectMfa {
            session,
            username,
            options: list("MFAS_CAN_CHOOSE"),
        },
        Some("MFA_SETUP")
            if list("MFAS_CAN_SETUP")
                .iter()
                .any(|m| m == "SOFTWARE_TOKEN_MFA") =>
        {
            let associated = shared.dispatch_hosted(
                "AssociateSoftwareToken",
                &as_map(json!({ "Session": session })),
            );
            let str_of = |v: &Value, k: &str| {
                v.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            match associated {
                Ok(v) => LoginStep::MfaSetup {
                    session: str_of(&v, "Session"),
                    username,
                    secret: str_of(&v, "SecretCode").into(),
                },
                Err(e) => {
                    set_step(shared, &id, LoginStep::Password);
                    return rerender(&LoginStep::Password, &e.message);
                }
            }
        }
        other => {
            set_step(shared, &id, LoginStep::Password);
            let msg = format!(
                "This sign-in needs a step the hosted pages do not offer ({}); set it up through the API first.",
                other.unwrap_or("unknown")
            );
            return rerender(&LoginStep::Password, &msg);
        }
    };
    set_step(shared, &id, next.clone());
    login_page(200, h, &sess.request, &sess.csrf, &next, None, &[])
}

fn as_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn set_step(shared: &Shared, id: &str, step: LoginStep) {
    let sealed = SealedStep::seal(id, &step);
    let mut st = shared.lock();
    match sealed {
        Some(sealed) => {
            if let Some(s) = st.oauth_mut().logins.get_mut(id) {
                s.step = sealed;
            }
        }
        // A step that cannot be sealed ends the sign-in: the form then asks to start again.
        None => {
            st.oauth_mut().logins.remove(id);
        }
    }
}

/// A completed sign-in: the code goes back to the client, and the browser stays signed in to
/// the hosted pages.
fn finish(
    shared: &Shared,
    h: &Hosted<'_>,
    id: &str,
    sess: &LoginSession,
    done: &Value,
) -> Response<Vec<u8>> {
    let username = done
        .get("Username")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut st = shared.lock();
    let now = st.now();
    let auth_time = done.get("AuthTime").and_then(Value::as_u64).unwrap_or(now);
    let Some(sub) = st
        .pools()
        .get(&h.pool_id)
        .and_then(|p| p.users.get(username))
        .map(|u| u.sub.clone())
    else {
        return page(400, "Sign-in failed", "The user no longer exists.");
    };
    st.oauth_mut().logins.remove(id);
    let sid = random_token();
    let hosted = HostedSession {
        pool_id: h.pool_id.clone(),
        username: username.to_string(),
        sub: sub.clone(),
        auth_time,
        expires: now + HOSTED_SESSION_SECS,
    };
    insert_bounded(
        &mut st.oauth_mut().sessions,
        &sid,
        hosted,
        now,
        |s| s.expires,
        HostedSession::footprint,
    );
    drop(st);
    let location = match complete(shared, &sess.request, &h.pool_id, username, &sub, auth_time) {
        Ok(l) => l,
        Err(message) => return page(400, "Sign-in failed", &message),
    };
    redirect(
        &location,
        &[
            h.set_cookie(SESSION_COOKIE, Some(&sid)),
            h.set_cookie(LOGIN_COOKIE, None),
        ],
    )
}
