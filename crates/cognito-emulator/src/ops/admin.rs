//! Pool, client and user administration (unsigned, for tests and local setups).

use serde_json::{Value, json};

use crate::api::{ApiError, ApiResult, Body, check_username, invalid_param, not_authorized};
use crate::ops::{check_password_policy, set_password};
use crate::schema::{Schema, WriteKind, Writer};
use crate::state::{Pool, PoolSettings, State, User};

pub(crate) fn add_custom_attributes(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = b.str("UserPoolId")?;
    // The model requires 1 to 25 `CustomAttributes`.
    let list = b.0.get("CustomAttributes").unwrap_or(&Value::Null);
    let defs = Schema::parse_custom(list)?;
    let now = st.now_f();
    let pool = st.pool_mut(id)?;
    pool.schema.add_custom(defs)?;
    pool.modified = now;
    Ok(json!({}))
}

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

/// Refuses a username shaped like an e-mail address or phone number in a pool where that
/// attribute is a sign-in alias: sign-in looks usernames up before aliases, so such a
/// username would take the sign-ins meant for whoever verifies that address later.
pub(crate) fn check_username_not_alias(s: &PoolSettings, given: &str) -> ApiResult<()> {
    let alias = |attr: &str| s.alias_attrs.iter().any(|a| a == attr);
    if alias("email") && email_shaped(given) {
        return Err(invalid_param(
            "Username cannot be of email format, since user pool is configured for email alias.",
        ));
    }
    if alias("phone_number") && phone_shaped(given) {
        return Err(invalid_param(
            "Username cannot be of phone number format, since user pool is configured for phone number alias.",
        ));
    }
    Ok(())
}

/// `local@domain`, both parts non-empty.
fn email_shaped(s: &str) -> bool {
    s.split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
}

/// `+` and digits.
fn phone_shaped(s: &str) -> bool {
    s.strip_prefix('+')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Creates a user record, honouring email/phone-as-username pools; `attrs` have passed the
/// schema's checks.
pub(crate) fn new_user(
    pool: &Pool,
    given: &str,
    attrs: &[(String, String)],
    now: f64,
) -> ApiResult<User> {
    check_username("Username", given)?;
    let sub = crate::util::uuid();
    let as_email = pool.s.username_attrs.iter().any(|a| a == "email");
    let as_phone = pool.s.username_attrs.iter().any(|a| a == "phone_number");
    let mut user;
    if as_email || as_phone {
        user = User::new(sub.clone(), sub, now);
        if as_email && given.contains('@') {
            user = user.with_attr("email", given);
        } else if as_phone && given.starts_with('+') {
            user = user.with_attr("phone_number", given);
        } else {
            return Err(invalid_param(
                "Username should be either an email or a phone number.",
            ));
        }
    } else {
        user = User::new(given.to_string(), sub, now);
    }
    for (k, v) in attrs {
        user = user.with_attr(k, v);
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
                format!("An account with the given {alias} already exists."),
            ));
        }
    }
    Ok(user)
}

/// The attributes a user would have after `changes` (an empty value deletes). A new e-mail
/// or phone number is unverified unless the same request verifies it, so that a verified
/// flag never passes from one value to another.
pub(crate) fn apply_changes(
    before: &std::collections::BTreeMap<String, String>,
    changes: &[(String, String)],
) -> std::collections::BTreeMap<String, String> {
    let mut after = before.clone();
    for (k, v) in changes {
        if v.is_empty() {
            after.remove(k);
        } else {
            after.insert(k.clone(), v.clone());
        }
    }
    for attr in ["email", "phone_number"] {
        let flag = format!("{attr}_verified");
        let flag_given = changes.iter().any(|(k, _)| *k == flag);
        if before.get(attr) != after.get(attr) && !flag_given {
            if after.contains_key(attr) {
                after.insert(flag, "false".into());
            } else {
                after.remove(&flag);
            }
        }
    }
    after
}

/// What an attribute update does: the attributes as they are after it, the e-mail and phone
/// number values held back until the user verifies them, and the new values that get a
/// verification code.
pub(crate) struct AttrUpdate {
    pub after: std::collections::BTreeMap<String, String>,
    pub held: Vec<(String, String)>,
    pub sends: Vec<(String, String)>,
}

/// Plans an update of a user's attributes. A new e-mail or phone number gets a code when the
/// pool verifies it automatically, unless the same request marks it verified (only an
/// administrator can). In a pool whose `AttributesRequireVerificationBeforeUpdate` lists the
/// attribute, the old value stays, still usable to sign in, until the new one is verified.
pub(crate) fn plan_update(
    s: &PoolSettings,
    before: &std::collections::BTreeMap<String, String>,
    changes: &[(String, String)],
) -> AttrUpdate {
    let mut after = apply_changes(before, changes);
    let mut held = Vec::new();
    let mut sends = Vec::new();
    for attr in ["email", "phone_number"] {
        let flag = format!("{attr}_verified");
        let Some(new) = after.get(attr).cloned() else {
            continue;
        };
        if before.get(attr) == Some(&new) {
            continue;
        }
        let marked_verified = changes
            .iter()
            .any(|(k, v)| *k == flag && v.eq_ignore_ascii_case("true"));
        if marked_verified {
            continue;
        }
        let hold = s.verify_before_update.iter().any(|a| a == attr) && before.contains_key(attr);
        if hold {
            for key in [attr, flag.as_str()] {
                match before.get(key) {
                    Some(v) => after.insert(key.to_string(), v.clone()),
                    None => after.remove(key),
                };
            }
            held.push((attr.to_string(), new.clone()));
        }
        if hold || s.auto_verified.iter().any(|a| a == attr) {
            sends.push((attr.to_string(), new));
        }
    }
    AttrUpdate { after, held, sends }
}

/// Applies the held values and sends the codes of an [`AttrUpdate`]: the user's pending values
/// are the held ones (a value changed at once drops an older pending one), and each new value
/// gets a fresh code, delivered to it.
pub(crate) fn finish_update(
    st: &mut State,
    pool_id: &str,
    username: &str,
    changes: &[(String, String)],
    plan: &AttrUpdate,
) -> ApiResult<Vec<Value>> {
    let now = st.now();
    let user = st.users_mut(pool_id)?.user_mut(username)?;
    for attr in ["email", "phone_number"] {
        if changes.iter().any(|(k, _)| k == attr) {
            user.pending_attrs.remove(attr);
            // A code proves access to the value it was sent to: a new value voids it.
            user.codes.remove(&format!("VERIFY:{attr}"));
        }
    }
    for (attr, value) in &plan.held {
        user.pending_attrs.insert(attr.clone(), value.clone());
    }
    let mut to_deliver = Vec::new();
    for (attr, value) in &plan.sends {
        let code = crate::ops::new_code(
            user,
            &format!("VERIFY:{attr}"),
            now,
            crate::ops::profile::VERIFY_CODE_SECS,
        );
        to_deliver.push((attr, value, code));
    }
    let mut details = Vec::new();
    for (attr, value, code) in to_deliver {
        let medium = if attr == "phone_number" {
            "SMS"
        } else {
            "EMAIL"
        };
        crate::triggers::deliver(
            st,
            pool_id,
            username,
            value,
            medium,
            "VERIFY_ATTRIBUTE",
            &code,
        );
        details.push(crate::state::delivery_details(attr, value));
    }
    Ok(details)
}

/// The first required attribute the attributes lack.
pub(crate) fn check_required(
    schema: &Schema,
    attrs: &std::collections::BTreeMap<String, String>,
) -> ApiResult<()> {
    let missing: Vec<&str> = schema
        .required()
        .filter(|r| !attrs.contains_key(*r))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(crate::schema::required_error(&missing))
    }
}

pub(crate) fn admin_create_user(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool_id = b.str("UserPoolId")?.to_string();
    let given = b.str("Username")?;
    let attrs = b.opt_attrs("UserAttributes")?.unwrap_or_default();
    let action = b.opt_str("MessageAction")?;
    let force_alias = b.opt_bool("ForceAliasCreation")?.unwrap_or(false);
    let now = st.now();
    let now_f = st.now_f();
    let pool = st.pool_mut(&pool_id)?;
    if action == Some("RESEND") {
        return resend_invitation(st, &pool_id, given, b, now);
    }
    // Required attributes are not enforced here: AWS lets an administrator leave them to the
    // user, who is asked for them in NEW_PASSWORD_REQUIRED.
    check_username_not_alias(&pool.s, given)?;
    let attrs =
        pool.schema
            .check_writes(&attrs, Writer::Admin, WriteKind::Create, &|_: &str| None)?;
    let mut user = new_user(pool, given, &attrs, now_f).map_err(|mut e| {
        // AWS words a taken plain username differently here than in SignUp.
        if e.message == "User already exists" {
            e.message = "User account already exists".to_string();
        }
        e
    })?;
    // A verified e-mail or phone number is an alias only one user may hold; it moves to the
    // new user only with ForceAliasCreation (checked now, moved once the pre sign-up trigger
    // has accepted the user).
    if let Some(clash) = pool.users.alias_clash(&user.username, user.attrs())
        && !(force_alias && clash.movable)
    {
        return Err(clash.error());
    }
    let temp = match b.opt_str("TemporaryPassword")? {
        Some(t) => {
            check_password_policy(&pool.s, t)?;
            t.to_string()
        }
        None => format!("Tmp{}!a", crate::util::six_digits()),
    };
    set_password(&mut user, &pool_id, &temp, now)?;
    user.status = "FORCE_CHANGE_PASSWORD";
    let validation = b.opt_attrs("ValidationData")?;
    let (user, _) = crate::ops::signup::pre_sign_up(
        st,
        &pool_id,
        user,
        validation,
        "PreSignUp_AdminCreateUser",
    )?;
    let users = st.users_mut(&pool_id)?;
    users.claim_aliases(&user.username, user.attrs(), force_alias)?;
    let out = user_type(&user, "Attributes");
    let username = user.username.clone();
    let email = user.attr("email").map(str::to_string);
    let phone = user.attr("phone_number").map(str::to_string);
    users.insert(user);
    if action != Some("SUPPRESS") {
        send_invitation(st, b, &pool_id, &username, email, phone, &temp)?;
    }
    Ok(json!({ "User": out }))
}

/// Delivers the invitation with the temporary password by the mediums the request asks for
/// (e-mail when it names none).
fn send_invitation(
    st: &mut State,
    b: &Body,
    pool_id: &str,
    username: &str,
    email: Option<String>,
    phone: Option<String>,
    temp: &str,
) -> ApiResult<()> {
    let mediums = b
        .opt_str_list("DesiredDeliveryMediums")?
        .unwrap_or_default();
    if let (true, Some(p)) = (mediums.iter().any(|m| m == "SMS"), &phone) {
        crate::triggers::deliver(st, pool_id, username, p, "SMS", "INVITE", temp);
    }
    if let (true, Some(e)) = (
        mediums.is_empty() || mediums.iter().any(|m| m == "EMAIL"),
        &email,
    ) {
        crate::triggers::deliver(st, pool_id, username, e, "EMAIL", "INVITE", temp);
    }
    Ok(())
}

/// `MessageAction: RESEND`: a new temporary password (which restarts its validity) and the
/// invitation again, for a user who has not yet replaced the temporary password; any other
/// user is in a state AWS's model answers with `UnsupportedUserStateException`.
fn resend_invitation(
    st: &mut State,
    pool_id: &str,
    given: &str,
    b: &Body,
    now: u64,
) -> ApiResult<Value> {
    let pool = st.pool_mut(pool_id)?;
    let username = pool.resolve(given).ok_or_else(crate::api::user_not_found)?;
    if pool.user(&username)?.status != "FORCE_CHANGE_PASSWORD" {
        return Err(ApiError::new(
            "UnsupportedUserStateException",
            format!("Resend not possible. {username} status is not FORCE_CHANGE_PASSWORD."),
        ));
    }
    let temp = match b.opt_str("TemporaryPassword")? {
        Some(t) => {
            check_password_policy(&pool.s, t)?;
            t.to_string()
        }
        None => format!("Tmp{}!a", crate::util::six_digits()),
    };
    let user = pool.user_mut(&username)?;
    set_password(user, pool_id, &temp, now)?;
    let out = user_type(user, "Attributes");
    let email = user.attr("email").map(str::to_string);
    let phone = user.attr("phone_number").map(str::to_string);
    send_invitation(st, b, pool_id, &username, email, phone, &temp)?;
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
    let pw = b.str("Password")?;
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
    let status = pool.user(&username)?.status;
    if status != "UNCONFIRMED" {
        return Err(not_authorized(format!(
            "User cannot be confirmed. Current status is {status}"
        )));
    }
    pool.user_mut(&username)?.status = "CONFIRMED";
    let pool_id = pool.id.clone();
    crate::ops::signup::post_confirmation(
        st,
        &pool_id,
        &username,
        "PostConfirmation_ConfirmSignUp",
    )?;
    Ok(json!({}))
}

pub(crate) fn mfa_settings(u: &User, s: &PoolSettings) -> (Option<String>, Vec<String>) {
    let list: Vec<String> = u
        .enabled_factors(s)
        .into_iter()
        .map(|f| f.as_str().to_string())
        .collect();
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
    let now = st.now_f();
    let (pool, username) = admin_user(st, b)?;
    let user = pool.user(&username)?;
    let changes =
        pool.schema
            .check_writes(&attrs, Writer::Admin, WriteKind::Update, &|n: &str| {
                user.attr(n).map(str::to_string)
            })?;
    let plan = plan_update(&pool.s, user.attrs(), &changes);
    check_required(&pool.schema, &plan.after)?;
    pool.users.claim_aliases(&username, &plan.after, false)?;
    let after = plan.after.clone();
    pool.users.update_attrs(&username, |a| *a = after)?;
    pool.user_mut(&username)?.modified = now;
    let pool_id = pool.id.clone();
    // The response has no delivery details: AdminUpdateUserAttributesResponse is empty.
    finish_update(st, &pool_id, &username, &changes, &plan)?;
    Ok(json!({}))
}

pub(crate) fn admin_delete_user_attributes(st: &mut State, b: &Body) -> ApiResult<Value> {
    let names = b.opt_str_list("UserAttributeNames")?.unwrap_or_default();
    let now = st.now_f();
    let (pool, username) = admin_user(st, b)?;
    pool.schema.check_deletes(&names, Writer::Admin)?;
    let changes: Vec<(String, String)> = names.into_iter().map(|n| (n, String::new())).collect();
    let after = apply_changes(pool.user(&username)?.attrs(), &changes);
    pool.users.update_attrs(&username, |a| *a = after)?;
    pool.user_mut(&username)?.modified = now;
    Ok(json!({}))
}

pub(crate) fn admin_set_user_mfa_preference(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (pool, username) = admin_user(st, b)?;
    let change = crate::ops::mfa::check_preference(pool.user(&username)?, &pool.s, b)?;
    crate::ops::mfa::apply_preference(pool.user_mut(&username)?, change);
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
    crate::ops::signup::refuse_before_first_password(pool.user(&username)?)?;
    // AWS documents that this operation needs self-service account recovery: a pool whose
    // recovery is admin-only is refused as ForgotPassword is.
    if pool
        .s
        .recovery
        .as_ref()
        .is_some_and(|m| m.iter().any(|m| m == "admin_only"))
    {
        return Err(crate::ops::signup::admin_only_recovery());
    }
    // The code goes where ForgotPassword would send it: a verified address, by the pool's
    // recovery order. AWS documents that the message is sent only to a verified phone number
    // or e-mail address; without one the reset happens and no message is sent.
    let dest = crate::ops::signup::recovery_channel(pool.user(&username)?, &pool.s)
        .ok()
        .flatten();
    let user = pool.user_mut(&username)?;
    user.status = "RESET_REQUIRED";
    let code = crate::ops::new_code(user, "FORGOT_PASSWORD", now, 3600);
    if let Some((attr, value)) = dest {
        let m = crate::ops::signup::medium(attr);
        crate::triggers::deliver(st, &pool_id, &username, &value, m, "FORGOT_PASSWORD", &code);
    }
    st.revoke_user_tokens(&pool_id, &username);
    Ok(json!({}))
}
