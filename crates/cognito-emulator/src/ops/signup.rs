//! Sign-up, confirmation codes and forgotten passwords.

use serde_json::{Value, json};

use crate::api::{
    ApiError, ApiResult, Body, check_username, code_mismatch, invalid_param, not_authorized,
};
use crate::ops::admin::new_user;
use crate::ops::{check_code, check_password_policy, check_secret_hash, new_code, set_password};
use crate::state::{PoolSettings, SignupSession, State, User, delivery_details};

/// Sign-up codes last 24 h, forgot-password codes 1 h (§7.3).
const SIGNUP_CODE_SECS: u64 = 24 * 3600;
const FORGOT_CODE_SECS: u64 = 3600;

/// Number of sign-up sessions above which a confirmation first drops the expired ones.
const SIGNUP_SWEEP_AT: usize = 4096;

/// Where sign-up codes go: the first auto-verified attribute the user has.
fn signup_channel(s: &PoolSettings, u: &User) -> Option<(String, String)> {
    ["email", "phone_number"]
        .into_iter()
        .filter(|a| s.auto_verified.iter().any(|x| x == a))
        .find_map(|a| u.attr(a).map(|v| (a.to_string(), v.to_string())))
}

fn medium(attr: &str) -> &'static str {
    if attr == "phone_number" {
        "SMS"
    } else {
        "EMAIL"
    }
}

/// A simulated delivery for unknown users under `PreventUserExistenceErrors=ENABLED`.
fn simulated_delivery() -> Value {
    json!({"Destination": "u***@e***.com", "DeliveryMedium": "EMAIL", "AttributeName": "email"})
}

pub(crate) fn sign_up(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client = st.client(b.str("ClientId")?)?;
    let given = b.str("Username")?;
    check_username("Username", given)?;
    check_secret_hash(&client, given, b.opt_str("SecretHash")?)?;
    let password = b.opt_str_len("Password", 0, 256)?.unwrap_or("");
    let attrs = b.opt_attrs("UserAttributes")?.unwrap_or_default();
    if let Some(w) = &client.write_attrs {
        for (n, _) in &attrs {
            if !w.iter().any(|x| x == n) {
                return Err(not_authorized(format!(
                    "A client attempted to write unauthorized attribute {n}"
                )));
            }
        }
    }
    let now = st.now();
    let now_f = st.now_f();
    let pool_id = client.pool_id.clone();
    let pool = st.pool_mut(&pool_id)?;
    if pool.s.admin_create_only {
        return Err(not_authorized("SignUp is not permitted for this user pool"));
    }
    let passwordless = pool
        .s
        .first_factors
        .iter()
        .any(|f| f == "EMAIL_OTP" || f == "SMS_OTP");
    if password.is_empty() && !passwordless {
        return Err(invalid_param(
            "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must not be null",
        ));
    }
    let mut user = new_user(pool, given, &attrs, now_f)?;
    if let Some(r) = pool
        .s
        .required_attrs
        .iter()
        .find(|r| user.attr(r).is_none())
    {
        return Err(invalid_param(format!(
            "Attributes did not conform to the schema: {r}: The attribute is required"
        )));
    }
    if !password.is_empty() {
        check_password_policy(&pool.s, password)?;
        set_password(&mut user, &pool_id, password, now)?;
    }
    let channel = signup_channel(&pool.s, &user);
    let code = channel
        .as_ref()
        .map(|_| new_code(&mut user, "SIGN_UP", now, SIGNUP_CODE_SECS));
    let username = user.username.clone();
    let sub = user.sub.clone();
    pool.users.insert(user);
    let mut out = json!({ "UserConfirmed": false, "UserSub": sub });
    if let (Some((attr, value)), Some(code)) = (channel, code) {
        st.deliver(&pool_id, &username, &value, medium(&attr), "SIGN_UP", &code);
        out["CodeDeliveryDetails"] = delivery_details(&attr, &value);
    }
    let session = crate::util::session_token();
    st.signups.insert(
        session.clone(),
        SignupSession {
            client_id: client.id.clone(),
            username,
            confirmed: false,
            expires: now + client.session_secs,
        },
    );
    out["Session"] = json!(session);
    Ok(out)
}

pub(crate) fn confirm_sign_up(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client = st.client(b.str("ClientId")?)?;
    let given = b.str("Username")?;
    check_username("Username", given)?;
    check_secret_hash(&client, given, b.opt_str("SecretHash")?)?;
    let code = b.str_len("ConfirmationCode", 1, 2048)?;
    let force_alias = b.opt_bool("ForceAliasCreation")?.unwrap_or(false);
    let now = st.now();
    let pool = st.pool_mut(&client.pool_id)?;
    let Some(username) = pool.resolve(given) else {
        return Err(if client.prevent_existence {
            code_mismatch()
        } else {
            crate::api::user_not_found()
        });
    };
    let s = pool.s.clone();
    // Alias clash check for the attribute about to be verified.
    let channel = signup_channel(&s, pool.user(&username)?);
    if let Some((attr, value)) = &channel
        && s.alias_attrs.iter().any(|a| a == attr)
    {
        let other = pool.users.values().find(|u| {
            u.username != username && u.attr(attr) == Some(value.as_str()) && u.verified(attr)
        });
        if let Some(other) = other.map(|u| u.username.clone()) {
            if !force_alias {
                return Err(ApiError::new(
                    "AliasExistsException",
                    "An account with the given email already exists.",
                ));
            }
            if let Some(o) = pool.users.get_mut(&other) {
                o.attrs.insert(format!("{attr}_verified"), "false".into());
            }
        }
    }
    let user = pool.user_mut(&username)?;
    if user.status != "UNCONFIRMED" {
        return Err(not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status
        )));
    }
    check_code(user, "SIGN_UP", code, now)?;
    user.status = "CONFIRMED";
    if let Some((attr, _)) = channel {
        user.attrs.insert(format!("{attr}_verified"), "true".into());
    }
    // The sign-up session (when the request carries it) is spent; the answer always carries
    // a session for immediate sign-in (USER_AUTH), as AWS documents: clients such as Amplify
    // never send the sign-up session and take this one for auto sign-in.
    if let Some(sess) = b.opt_str("Session")?
        && st
            .signups
            .get(sess)
            .is_some_and(|s| s.username == username && s.client_id == client.id)
    {
        st.signups.remove(sess);
    }
    if st.signups.len() >= SIGNUP_SWEEP_AT {
        st.signups.retain(|_, s| s.expires > now);
    }
    let new = crate::util::session_token();
    st.signups.insert(
        new.clone(),
        SignupSession {
            client_id: client.id.clone(),
            username,
            confirmed: true,
            expires: now + client.session_secs,
        },
    );
    Ok(json!({ "Session": new }))
}

pub(crate) fn resend_confirmation_code(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client = st.client(b.str("ClientId")?)?;
    let given = b.str("Username")?;
    check_username("Username", given)?;
    check_secret_hash(&client, given, b.opt_str("SecretHash")?)?;
    let now = st.now();
    let pool_id = client.pool_id.clone();
    let pool = st.pool_mut(&pool_id)?;
    let Some(username) = pool.resolve(given) else {
        return if client.prevent_existence {
            Ok(json!({ "CodeDeliveryDetails": simulated_delivery() }))
        } else {
            Err(ApiError::new(
                "UserNotFoundException",
                "Username/client id combination not found.",
            ))
        };
    };
    let s = pool.s.clone();
    let user = pool.user_mut(&username)?;
    if user.status != "UNCONFIRMED" {
        return Err(invalid_param("User is already confirmed."));
    }
    let (attr, value) = signup_channel(&s, user).ok_or_else(|| {
        invalid_param("Auto verification not turned on or no email/phone for the user.")
    })?;
    let code = new_code(user, "SIGN_UP", now, SIGNUP_CODE_SECS);
    st.deliver(&pool_id, &username, &value, medium(&attr), "SIGN_UP", &code);
    Ok(json!({ "CodeDeliveryDetails": delivery_details(&attr, &value) }))
}

pub(crate) fn forgot_password(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client = st.client(b.str("ClientId")?)?;
    let given = b.str("Username")?;
    check_username("Username", given)?;
    check_secret_hash(&client, given, b.opt_str("SecretHash")?)?;
    let now = st.now();
    let pool_id = client.pool_id.clone();
    let pool = st.pool_mut(&pool_id)?;
    let Some(username) = pool.resolve(given) else {
        return if client.prevent_existence {
            Ok(json!({ "CodeDeliveryDetails": simulated_delivery() }))
        } else {
            Err(ApiError::new(
                "UserNotFoundException",
                "Username/client id combination not found.",
            ))
        };
    };
    let recovery = pool.s.recovery.clone();
    let user = pool.user_mut(&username)?;
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    let mut channel = None;
    for m in &recovery {
        match m.as_str() {
            "admin_only" => {
                return Err(not_authorized(
                    "Cannot reset password for the user as the account recovery is admin only.",
                ));
            }
            "verified_email" if user.verified("email") => {
                channel = user.attr("email").map(|v| ("email", v.to_string()));
            }
            "verified_phone_number" if user.verified("phone_number") => {
                channel = user
                    .attr("phone_number")
                    .map(|v| ("phone_number", v.to_string()));
            }
            _ => {}
        }
        if channel.is_some() {
            break;
        }
    }
    let Some((attr, value)) = channel else {
        return Err(invalid_param(
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        ));
    };
    let code = new_code(user, "FORGOT_PASSWORD", now, FORGOT_CODE_SECS);
    st.deliver(
        &pool_id,
        &username,
        &value,
        medium(attr),
        "FORGOT_PASSWORD",
        &code,
    );
    Ok(json!({ "CodeDeliveryDetails": delivery_details(attr, &value) }))
}

pub(crate) fn confirm_forgot_password(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client = st.client(b.str("ClientId")?)?;
    let given = b.str("Username")?;
    check_username("Username", given)?;
    check_secret_hash(&client, given, b.opt_str("SecretHash")?)?;
    let code = b.str_len("ConfirmationCode", 1, 2048)?;
    let password = b.str_len("Password", 1, 256)?;
    let now = st.now();
    let pool_id = client.pool_id.clone();
    let pool = st.pool_mut(&pool_id)?;
    let Some(username) = pool.resolve(given) else {
        return Err(if client.prevent_existence {
            code_mismatch()
        } else {
            crate::api::user_not_found()
        });
    };
    let s = pool.s.clone();
    let user = pool.user_mut(&username)?;
    check_password_policy(&s, password)?;
    check_code(user, "FORGOT_PASSWORD", code, now)?;
    set_password(user, &pool_id, password, now)?;
    user.status = "CONFIRMED";
    user.failed_logins = 0;
    user.locked_until = 0;
    Ok(json!({}))
}
