//! Pool, client and user administration (unsigned, for tests and local setups).

use serde_json::{Value, json};

use crate::api::{ApiError, ApiResult, Body, check_username, invalid_param, not_authorized};
use crate::ops::{check_password_policy, set_password};
use crate::state::{Pool, PoolSettings, State, User};

/// The `UserType` shape of admin responses.
pub(crate) fn user_type(u: &User, attrs_key: &str) -> Value {
    json!({
        "Username": u.username,
        attrs_key: u.attribute_list(),
        "UserCreateDate": u.created,
        "UserLastModifiedDate": u.modified,
        "Enabled": u.enabled,
        "UserStatus": u.status,
    })
}

/// Validates a list of attributes a caller wants to write.
pub(crate) fn check_attr_names(attrs: &[(String, String)]) -> ApiResult<()> {
    for (n, _) in attrs {
        if n == "sub" {
            return Err(invalid_param("Cannot modify the non-mutable attribute sub"));
        }
    }
    Ok(())
}

/// Creates a user record, honouring email/phone-as-username pools.
pub(crate) fn new_user(
    pool: &Pool,
    given: &str,
    attrs: &[(String, String)],
    now: f64,
) -> ApiResult<User> {
    check_username("Username", given)?;
    check_attr_names(attrs)?;
    let sub = crate::util::uuid();
    let as_email = pool.s.username_attrs.iter().any(|a| a == "email");
    let as_phone = pool.s.username_attrs.iter().any(|a| a == "phone_number");
    let mut user;
    if as_email || as_phone {
        user = User::new(sub.clone(), sub, now);
        if as_email && given.contains('@') {
            user.attrs.insert("email".into(), given.to_string());
        } else if as_phone && given.starts_with('+') {
            user.attrs.insert("phone_number".into(), given.to_string());
        } else {
            return Err(invalid_param(
                "Username should be either an email or a phone number.",
            ));
        }
    } else {
        user = User::new(given.to_string(), sub, now);
    }
    for (k, v) in attrs {
        if !v.is_empty() {
            user.attrs.insert(k.clone(), v.clone());
        }
    }
    if pool.resolve(given).is_some() || pool.users.contains_key(&user.username) {
        return Err(ApiError::new(
            "UsernameExistsException",
            if as_email || as_phone {
                "An account with the given email already exists."
            } else {
                "User already exists"
            },
        ));
    }
    for alias in &pool.s.username_attrs {
        if let Some(v) = user.attr(alias)
            && pool.resolve(v).is_some()
        {
            return Err(ApiError::new(
                "UsernameExistsException",
                "An account with the given email already exists.",
            ));
        }
    }
    Ok(user)
}

pub(crate) fn admin_create_user(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool_id = b.str("UserPoolId")?.to_string();
    let given = b.str("Username")?;
    let attrs = b.opt_attrs("UserAttributes")?.unwrap_or_default();
    let action = b.opt_str("MessageAction")?;
    let now = st.now();
    let now_f = st.now_f();
    let pool = st.pool_mut(&pool_id)?;
    if action == Some("RESEND") {
        let username = pool.resolve(given).ok_or_else(crate::api::user_not_found)?;
        let user = pool.user(&username)?;
        return Ok(json!({ "User": user_type(user, "Attributes") }));
    }
    let mut user = new_user(pool, given, &attrs, now_f)?;
    let temp = match b.opt_str("TemporaryPassword")? {
        Some(t) => {
            check_password_policy(&pool.s, t)?;
            t.to_string()
        }
        None => format!("Tmp{}!a", crate::util::six_digits()),
    };
    set_password(&mut user, &pool_id, &temp, now)?;
    user.status = "FORCE_CHANGE_PASSWORD";
    let out = user_type(&user, "Attributes");
    let username = user.username.clone();
    let email = user.attr("email").map(str::to_string);
    let phone = user.attr("phone_number").map(str::to_string);
    pool.users.insert(user);
    if action != Some("SUPPRESS") {
        let mediums = b
            .opt_str_list("DesiredDeliveryMediums")?
            .unwrap_or_default();
        if let (true, Some(p)) = (mediums.iter().any(|m| m == "SMS"), &phone) {
            st.deliver(&pool_id, &username, p, "SMS", "INVITE", &temp);
        }
        if let (true, Some(e)) = (
            mediums.is_empty() || mediums.iter().any(|m| m == "EMAIL"),
            &email,
        ) {
            st.deliver(&pool_id, &username, e, "EMAIL", "INVITE", &temp);
        }
    }
    Ok(json!({ "User": out }))
}

fn admin_user<'a>(st: &'a mut State, b: &Body) -> ApiResult<(&'a mut Pool, String)> {
    let pool_id = b.str("UserPoolId")?;
    let given = b.str("Username")?;
    let pool = st.pool_mut(pool_id)?;
    let username = pool.resolve(given).ok_or_else(crate::api::user_not_found)?;
    Ok((pool, username))
}

pub(crate) fn admin_set_user_password(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pw = b.str_len("Password", 1, 256)?;
    let permanent = b.opt_bool("Permanent")?.unwrap_or(false);
    let now = st.now();
    let (pool, username) = admin_user(st, b)?;
    check_password_policy(&pool.s, pw)?;
    let pool_id = pool.id.clone();
    let user = pool.user_mut(&username)?;
    set_password(user, &pool_id, pw, now)?;
    user.status = if permanent {
        "CONFIRMED"
    } else {
        "FORCE_CHANGE_PASSWORD"
    };
    user.failed_logins = 0;
    user.locked_until = 0;
    Ok(json!({}))
}

pub(crate) fn admin_confirm_sign_up(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (pool, username) = admin_user(st, b)?;
    let user = pool.user_mut(&username)?;
    if user.status != "UNCONFIRMED" {
        return Err(not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status
        )));
    }
    user.status = "CONFIRMED";
    Ok(json!({}))
}

pub(crate) fn mfa_settings(u: &User, s: &PoolSettings) -> (Option<String>, Vec<String>) {
    let list = u.enabled_factors(s);
    let pref = u.preferred.clone().filter(|p| list.contains(p));
    (pref, list)
}

pub(crate) fn admin_get_user(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (pool, username) = admin_user(st, b)?;
    let s = pool.s.clone();
    let user = pool.user(&username)?;
    let mut out = user_type(user, "UserAttributes");
    let (pref, list) = mfa_settings(user, &s);
    if let Some(o) = out.as_object_mut() {
        if let Some(p) = pref {
            o.insert("PreferredMfaSetting".into(), json!(p));
        }
        if !list.is_empty() {
            o.insert("UserMFASettingList".into(), json!(list));
        }
    }
    Ok(out)
}

pub(crate) fn admin_delete_user(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (pool, username) = admin_user(st, b)?;
    let pool_id = pool.id.clone();
    pool.remove_user(&username);
    st.revoke_user_tokens(&pool_id, &username);
    st.drop_sessions_of(&pool_id, &username);
    Ok(json!({}))
}

pub(crate) fn admin_enable(st: &mut State, b: &Body, enabled: bool) -> ApiResult<Value> {
    let (pool, username) = admin_user(st, b)?;
    let pool_id = pool.id.clone();
    pool.user_mut(&username)?.enabled = enabled;
    if !enabled {
        st.revoke_user_tokens(&pool_id, &username);
    }
    Ok(json!({}))
}

pub(crate) fn admin_update_user_attributes(st: &mut State, b: &Body) -> ApiResult<Value> {
    let attrs = b.opt_attrs("UserAttributes")?.unwrap_or_default();
    check_attr_names(&attrs)?;
    let now = st.now_f();
    let (pool, username) = admin_user(st, b)?;
    let user = pool.user_mut(&username)?;
    for (k, v) in attrs {
        if v.is_empty() {
            user.attrs.remove(&k);
        } else {
            user.attrs.insert(k, v);
        }
    }
    user.modified = now;
    Ok(json!({}))
}

pub(crate) fn admin_set_user_mfa_preference(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (pool, username) = admin_user(st, b)?;
    let s = pool.s.clone();
    let user = pool.user_mut(&username)?;
    crate::ops::mfa::apply_preference(user, &s, b)?;
    Ok(json!({}))
}

pub(crate) fn admin_user_global_sign_out(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (pool, username) = admin_user(st, b)?;
    let pool_id = pool.id.clone();
    st.revoke_user_tokens(&pool_id, &username);
    Ok(json!({}))
}

pub(crate) fn admin_reset_user_password(st: &mut State, b: &Body) -> ApiResult<Value> {
    let now = st.now();
    let (pool, username) = admin_user(st, b)?;
    let pool_id = pool.id.clone();
    let user = pool.user_mut(&username)?;
    user.status = "RESET_REQUIRED";
    let dest = user
        .attr("email")
        .map(|e| (e.to_string(), "EMAIL"))
        .or_else(|| user.attr("phone_number").map(|p| (p.to_string(), "SMS")));
    let code = crate::ops::new_code(user, "FORGOT_PASSWORD", now, 3600);
    if let Some((d, m)) = dest {
        st.deliver(&pool_id, &username, &d, m, "FORGOT_PASSWORD", &code);
    }
    st.revoke_user_tokens(&pool_id, &username);
    Ok(json!({}))
}
