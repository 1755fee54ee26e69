//! Sign-up, confirmation codes and forgotten passwords.

use serde_json::{Value, json};

use crate::api::{
    ApiError, ApiResult, Body, check_username, code_mismatch, invalid_param, not_authorized,
};
use crate::ops::admin::{check_required, new_user};
use crate::ops::{check_code, check_password_policy, check_secret_hash, new_code, set_password};
use crate::schema::{WriteKind, Writer};
use crate::state::{PoolSettings, SignupSession, State, User, delivery_details};

/// Sign-up codes last 24 h, forgot-password codes 1 h (§7.3).
const SIGNUP_CODE_SECS: u64 = 24 * 3600;
const FORGOT_CODE_SECS: u64 = 3600;

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
    json!({"Destination": "u***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"})
}

pub(crate) fn sign_up(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client = st.client(b.str("ClientId")?)?;
    let given = b.str("Username")?;
    check_username("Username", given)?;
    check_secret_hash(&client, given, b.opt_str("SecretHash")?)?;
    let password = b.opt_str_len("Password", 0, 256)?.unwrap_or("");
    let attrs = b.opt_attrs("UserAttributes")?.unwrap_or_default();
    let now = st.now();
    let now_f = st.now_f();
    let pool_id = client.pool_id.clone();
    let pool = st.pool_mut(&pool_id)?;
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
    // A client writes only what its WriteAttributes allow, never a verification flag, a
    // developer-only, reserved or unknown attribute.
    let attrs = pool.schema.check_writes(
        &attrs,
        Writer::Client(client.write_attrs.as_deref()),
        WriteKind::Create,
        &|_: &str| None,
    )?;
    let mut user = new_user(pool, given, &attrs, now_f)?;
    check_required(&pool.schema, user.attrs())?;
    // An unverified e-mail or phone number is no alias yet (the clash comes at confirmation);
    // a username attribute or preferred_username is one at once.
    if let Some(clash) = pool.users.alias_clash(&user.username, user.attrs()) {
        return Err(clash.error());
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
    let user = pool.user(&username)?;
    if user.status != "UNCONFIRMED" {
        return Err(not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status
        )));
    }
    // The attribute the code went to becomes verified: if that makes it an alias another user
    // holds, AWS refuses unless ForceAliasCreation moves the alias to this user.
    let channel = signup_channel(&s, user);
    let mut after = user.attrs().clone();
    if let Some((attr, _)) = &channel {
        after.insert(format!("{attr}_verified"), "true".into());
        if let Some(clash) = pool.users.alias_clash(&username, &after)
            && !(force_alias && clash.movable)
        {
            return Err(clash.error());
        }
    }
    check_code(pool.user_mut(&username)?, "SIGN_UP", code, now)?;
    pool.users.claim_aliases(&username, &after, force_alias)?;
    pool.users.update_attrs(&username, |a| *a = after)?;
    pool.user_mut(&username)?.status = "CONFIRMED";
    let mut out = json!({});
    if let Some(sess) = b.opt_str("Session")?
        && let Some(s) = st.signups.remove(sess)
        && s.username == username
        && s.expires > now
    {
        let new = crate::util::session_token();
        st.signups.insert(
            new.clone(),
            SignupSession {
                confirmed: true,
                expires: now + client.session_secs,
                ..s
            },
        );
        out["Session"] = json!(new);
    }
    Ok(out)
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
