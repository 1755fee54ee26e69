//! MFA preferences and software-token (TOTP) enrolment.

use serde_json::{Value, json};

use cognito_proto::secret::Secret;

use crate::api::{ApiError, ApiResult, Body, invalid_param, session_expired};
use crate::ops::tokens::authorize;
use crate::state::{AuthSession, PoolSettings, State, Step, User};

/// A checked change of a user's MFA preferences: per method, `Enabled` and `PreferredMfa`.
pub(crate) struct PreferenceChange(Vec<(&'static str, Option<bool>, Option<bool>)>);

/// Checks `SMSMfaSettings` / `SoftwareTokenMfaSettings` / `EmailMfaSettings` against the
/// user and the pool (docs/protocol.md#25-mfa), changing nothing.
pub(crate) fn check_preference(
    user: &User,
    s: &PoolSettings,
    b: &Body,
) -> ApiResult<PreferenceChange> {
    let mut req = Vec::new();
    for (key, name) in [
        ("SMSMfaSettings", "SMS_MFA"),
        ("SoftwareTokenMfaSettings", "SOFTWARE_TOKEN_MFA"),
        ("EmailMfaSettings", "EMAIL_OTP"),
    ] {
        if let Some(o) = b.opt_obj(key)? {
            req.push((name, o.opt_bool("Enabled")?, o.opt_bool("PreferredMfa")?));
        }
    }
    if let Some(o) = b.opt_obj("WebAuthnMfaSettings")? {
        o.opt_bool("Enabled")?;
    }
    if req.iter().filter(|(_, _, p)| *p == Some(true)).count() > 1 {
        return Err(invalid_param("Only one MFA method can be preferred"));
    }
    for (name, enabled, preferred) in &req {
        if *preferred == Some(true) && *enabled == Some(false) {
            return Err(invalid_param(format!(
                "Cannot prefer {name} while disabling it"
            )));
        }
        let turning_on = *enabled == Some(true) || *preferred == Some(true);
        if turning_on {
            let ok = match *name {
                "SMS_MFA" => s.sms_mfa && user.attr("phone_number").is_some(),
                "SOFTWARE_TOKEN_MFA" => s.totp_mfa && user.totp_key.is_some(),
                _ => s.email_mfa && user.attr("email").is_some(),
            };
            if !ok {
                return Err(invalid_param(format!(
                    "User does not have delivery config set to turn on {name}"
                )));
            }
        }
    }
    Ok(PreferenceChange(req))
}

/// Applies a checked change of MFA preferences.
pub(crate) fn apply_preference(user: &mut User, change: PreferenceChange) {
    for (name, enabled, preferred) in change.0 {
        let on = enabled.or(preferred.filter(|p| *p).map(|_| true));
        if let Some(on) = on {
            match name {
                "SMS_MFA" => user.sms_mfa = on,
                "SOFTWARE_TOKEN_MFA" => user.totp_mfa = on,
                _ => user.email_mfa = on,
            }
            if !on && user.preferred.as_deref() == Some(name) {
                user.preferred = None;
            }
        }
        match preferred {
            Some(true) => user.preferred = Some(name.to_string()),
            Some(false) if user.preferred.as_deref() == Some(name) => user.preferred = None,
            _ => {}
        }
    }
}

pub(crate) fn set_user_mfa_preference(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = crate::ops::tokens::caller(st, b)?;
    let pool = st.pool(&c.pool_id)?;
    let change = check_preference(pool.user(&c.username)?, &pool.s, b)?;
    apply_preference(st.users_mut(&c.pool_id)?.user_mut(&c.username)?, change);
    Ok(json!({}))
}

pub(crate) fn set_user_settings(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = crate::ops::tokens::caller(st, b)?;
    apply_settings(st, &c.pool_id, &c.username, b)
}

/// `AdminSetUserSettings`: `SetUserSettings` for a user named by pool and username.
pub(crate) fn admin_set_user_settings(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool = st.pool(b.str("UserPoolId")?)?;
    let username = pool
        .resolve(b.str("Username")?)
        .ok_or_else(crate::api::user_not_found)?;
    let pool_id = pool.id.clone();
    apply_settings(st, &pool_id, &username, b)
}

/// Applies the legacy `MFAOptions` (SMS on or off) to a user.
fn apply_settings(st: &mut State, pool_id: &str, username: &str, b: &Body) -> ApiResult<Value> {
    // The model requires `MFAOptions`, a list of objects.
    let opts = b.0.get("MFAOptions").and_then(Value::as_array);
    let mut sms = false;
    for m in opts.into_iter().flatten().filter_map(Value::as_object) {
        let ob = Body(m);
        match ob.opt_str("DeliveryMedium")? {
            Some("SMS") => sms = true,
            Some("EMAIL") => {}
            other => return Err(invalid_param(format!("Invalid DeliveryMedium {other:?}"))),
        }
    }
    let users = st.users_mut(pool_id)?;
    if sms && users.user(username)?.attr("phone_number").is_none() {
        return Err(invalid_param(
            "User does not have delivery config set to turn on SMS_MFA",
        ));
    }
    let user = users.user_mut(username)?;
    user.sms_mfa = sms;
    if !sms && user.preferred.as_deref() == Some("SMS_MFA") {
        user.preferred = None;
    }
    Ok(json!({}))
}

/// Resolves exactly one of `AccessToken` / `Session` (an `MFA_SETUP` session).
enum Who {
    Token { pool_id: String, username: String },
    Session { id: String, sess: Box<AuthSession> },
}

fn who(st: &State, b: &Body) -> ApiResult<Who> {
    let token = b.opt_str("AccessToken")?;
    let session = b.opt_str("Session")?;
    match (token, session) {
        (Some(t), None) => {
            let c = authorize(st, t)?;
            Ok(Who::Token {
                pool_id: c.pool_id,
                username: c.username,
            })
        }
        (None, Some(s)) => {
            let sess = st.sessions().get(s).ok_or_else(session_expired)?;
            if sess.expires <= st.now() || !matches!(sess.step, Step::MfaSetup { .. }) {
                return Err(session_expired());
            }
            Ok(Who::Session {
                id: s.to_string(),
                sess: Box::new(sess.clone()),
            })
        }
        _ => Err(invalid_param(
            "Exactly one of AccessToken or Session must be provided",
        )),
    }
}

pub(crate) fn associate_software_token(st: &mut State, b: &Body) -> ApiResult<Value> {
    let who = who(st, b).map_err(crate::ops::tokens::gone_as_revoked)?;
    let key = crate::util::random_bytes(20);
    let secret = crate::util::base32_encode(&key);
    match who {
        Who::Token { pool_id, username } => {
            st.users_mut(&pool_id)?.user_mut(&username)?.pending_totp = Some(Secret::new(key));
            Ok(json!({ "SecretCode": secret }))
        }
        Who::Session { id, sess } => {
            st.users_mut(&sess.pool_id)?
                .user_mut(&sess.username)?
                .pending_totp = Some(Secret::new(key));
            let new = crate::util::session_token();
            st.sessions_mut().renew(&id, new.clone(), *sess);
            Ok(json!({ "SecretCode": secret, "Session": new }))
        }
    }
}

pub(crate) fn verify_software_token(st: &mut State, b: &Body) -> ApiResult<Value> {
    let code = b.str("UserCode")?;
    b.opt_str("FriendlyDeviceName")?;
    let who = who(st, b)?;
    let now = st.now();
    let (pool_id, username) = match &who {
        Who::Token { pool_id, username } => (pool_id.clone(), username.clone()),
        Who::Session { sess, .. } => (sess.pool_id.clone(), sess.username.clone()),
    };
    let Some(key) = st.pool(&pool_id)?.user(&username)?.pending_totp.clone() else {
        return Err(ApiError::new(
            "SoftwareTokenMFANotFoundException",
            "Software Token MFA has not been associated with the user.",
        ));
    };
    // The pending key is new: no step of it was used yet. The step this code matched is
    // consumed, so the same code cannot answer SOFTWARE_TOKEN_MFA afterwards.
    let mut used = Vec::new();
    if crate::totp::check_and_consume(key.expose_secret(), code, now, &mut used)
        != crate::totp::TotpCheck::Accepted
    {
        return Err(ApiError::new(
            "EnableSoftwareTokenMFAException",
            "Code mismatch",
        ));
    }
    let user = st.users_mut(&pool_id)?.user_mut(&username)?;
    user.totp_key = Some(key);
    user.totp_used_steps = used;
    user.pending_totp = None;
    match who {
        Who::Token { .. } => Ok(json!({ "Status": "SUCCESS" })),
        Who::Session { id, mut sess } => {
            user.totp_mfa = true;
            if user.preferred.is_none() {
                user.preferred = Some("SOFTWARE_TOKEN_MFA".into());
            }
            sess.step = Step::MfaSetup {
                totp_verified: true,
            };
            let new = crate::util::session_token();
            st.sessions_mut().renew(&id, new.clone(), *sess);
            Ok(json!({ "Status": "SUCCESS", "Session": new }))
        }
    }
}
