//! Pool, client and user administration (unsigned, for tests and local setups).

use serde_json::{Map, Value, json};

use crate::api::{
    ApiError, ApiResult, Body, check_username, invalid_param, not_authorized, not_found,
};
use crate::ops::{check_password_policy, set_password};
use crate::state::{Client, Mfa, Pool, PoolSettings, State, User};

fn pool_description(p: &Pool) -> Value {
    let mut m = p.config.clone();
    m.insert("Id".into(), json!(p.id));
    m.insert("Name".into(), json!(p.name));
    let region = p.id.split('_').next().unwrap_or("us-east-1");
    m.insert(
        "Arn".into(),
        json!(format!(
            "arn:aws:cognito-idp:{region}:000000000000:userpool/{}",
            p.id
        )),
    );
    m.insert("CreationDate".into(), json!(p.created));
    m.insert("LastModifiedDate".into(), json!(p.modified));
    m.insert("EstimatedNumberOfUsers".into(), json!(p.users.len()));
    m.entry("MfaConfiguration").or_insert_with(|| json!("OFF"));
    m.entry("Policies").or_insert_with(|| {
        json!({"PasswordPolicy": {
            "MinimumLength": 8, "RequireUppercase": true, "RequireLowercase": true,
            "RequireNumbers": true, "RequireSymbols": true, "TemporaryPasswordValidityDays": 7
        }})
    });
    Value::Object(m)
}

/// Members of CreateUserPool/UpdateUserPool that are stored as configuration.
fn store_config(config: &mut Map<String, Value>, body: &Map<String, Value>) {
    for (k, v) in body {
        if k != "PoolName" && k != "UserPoolId" {
            config.insert(k.clone(), v.clone());
        }
    }
}

fn validate_pool_config(b: &Body) -> ApiResult<()> {
    if let Some(m) = b.opt_str("MfaConfiguration")?
        && !matches!(m, "OFF" | "ON" | "OPTIONAL")
    {
        return Err(invalid_param(format!("Invalid MfaConfiguration {m}")));
    }
    if let Some(p) = b.opt_obj("Policies")?
        && let Some(pp) = p.opt_obj("PasswordPolicy")?
        && let Some(n) = pp.opt_i64("MinimumLength")?
        && !(6..=99).contains(&n)
    {
        return Err(invalid_param("MinimumLength must be between 6 and 99"));
    }
    if let Some(p) = b.opt_obj("Policies")?
        && let Some(pp) = p.opt_obj("PasswordPolicy")?
        && let Some(n) = pp.opt_i64("TemporaryPasswordValidityDays")?
        && !(0..=365).contains(&n)
    {
        return Err(invalid_param(
            "TemporaryPasswordValidityDays must be between 0 and 365",
        ));
    }
    for key in [
        "UsernameAttributes",
        "AliasAttributes",
        "AutoVerifiedAttributes",
    ] {
        b.opt_str_list(key)?;
    }
    Ok(())
}

pub(crate) fn create_user_pool(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str_len("PoolName", 1, 128)?.to_string();
    validate_pool_config(b)?;
    let mut config = Map::new();
    store_config(&mut config, b.0);
    let now = st.now_f();
    let id = crate::util::pool_id(&st.region);
    let pool = Pool {
        id: id.clone(),
        name,
        created: now,
        modified: now,
        s: PoolSettings::from_config(&config),
        config,
        users: Default::default(),
        keys: st.pool_keys(),
    };
    let desc = pool_description(&pool);
    st.pools.insert(id, pool);
    Ok(json!({ "UserPool": desc }))
}

pub(crate) fn update_user_pool(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = b.str("UserPoolId")?;
    validate_pool_config(b)?;
    let now = st.now_f();
    let pool = st.pool_mut(id)?;
    store_config(&mut pool.config, b.0);
    pool.s = PoolSettings::from_config(&pool.config);
    pool.modified = now;
    Ok(json!({}))
}

pub(crate) fn describe_user_pool(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool = st.pool(b.str("UserPoolId")?)?;
    Ok(json!({ "UserPool": pool_description(pool) }))
}

pub(crate) fn delete_user_pool(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = b.str("UserPoolId")?.to_string();
    st.pool(&id)?;
    st.pools.remove(&id);
    st.clients.retain(|_, c| c.pool_id != id);
    st.sessions.retain(|_, s| s.pool_id != id);
    st.refresh.remove_pool(&id);
    st.custom.remove(&id);
    Ok(json!({}))
}

pub(crate) fn list_user_pools(st: &mut State, _b: &Body) -> ApiResult<Value> {
    let pools: Vec<Value> = st
        .pools
        .values()
        .map(|p| {
            json!({"Id": p.id, "Name": p.name, "CreationDate": p.created,
                   "LastModifiedDate": p.modified})
        })
        .collect();
    Ok(json!({ "UserPools": pools }))
}

fn unit_secs(units: Option<&Body>, key: &str, default_unit: &str) -> ApiResult<u64> {
    let unit = match units {
        Some(u) => u.opt_str(key)?.unwrap_or(default_unit),
        None => default_unit,
    };
    Ok(match unit {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        "days" => 86400,
        other => return Err(invalid_param(format!("Invalid time unit {other}"))),
    })
}

/// A token lifetime in seconds, between 1 s and `max_secs`.
fn validity(name: &str, value: i64, unit: u64, max_secs: u64) -> ApiResult<u64> {
    u64::try_from(value)
        .ok()
        .and_then(|v| v.checked_mul(unit))
        .filter(|s| (1..=max_secs).contains(s))
        .ok_or_else(|| invalid_param(format!("{name} is out of range")))
}

fn apply_client_config(c: &mut Client, b: &Body) -> ApiResult<()> {
    if let Some(flows) = b.opt_str_list("ExplicitAuthFlows")? {
        let mut v: Vec<String> = Vec::new();
        for f in flows {
            let f = match f.as_str() {
                "ADMIN_NO_SRP_AUTH" => "ALLOW_ADMIN_USER_PASSWORD_AUTH".to_string(),
                "USER_PASSWORD_AUTH" => "ALLOW_USER_PASSWORD_AUTH".to_string(),
                "CUSTOM_AUTH_FLOW_ONLY" => "ALLOW_CUSTOM_AUTH".to_string(),
                "ALLOW_ADMIN_USER_PASSWORD_AUTH"
                | "ALLOW_CUSTOM_AUTH"
                | "ALLOW_USER_PASSWORD_AUTH"
                | "ALLOW_USER_SRP_AUTH"
                | "ALLOW_REFRESH_TOKEN_AUTH"
                | "ALLOW_USER_AUTH" => f,
                other => {
                    return Err(invalid_param(format!(
                        "Invalid ExplicitAuthFlows value {other}"
                    )));
                }
            };
            v.push(f);
        }
        if !v.iter().any(|f| f == "ALLOW_REFRESH_TOKEN_AUTH") {
            v.push("ALLOW_REFRESH_TOKEN_AUTH".to_string());
        }
        c.flows = v;
    }
    if let Some(p) = b.opt_str("PreventUserExistenceErrors")? {
        c.prevent_existence = match p {
            "ENABLED" => true,
            "LEGACY" => false,
            other => {
                return Err(invalid_param(format!(
                    "Invalid PreventUserExistenceErrors {other}"
                )));
            }
        };
    }
    let units = b.opt_obj("TokenValidityUnits")?;
    // AWS allows 5 min – 1 day (access, ID) and 60 min – 10 years (refresh); the emulator
    // accepts shorter lifetimes too, which tests find handy.
    if let Some(v) = b.opt_i64("AccessTokenValidity")? {
        c.access_secs = validity(
            "AccessTokenValidity",
            v,
            unit_secs(units.as_ref(), "AccessToken", "hours")?,
            86_400,
        )?;
    }
    if let Some(v) = b.opt_i64("IdTokenValidity")? {
        c.id_secs = validity(
            "IdTokenValidity",
            v,
            unit_secs(units.as_ref(), "IdToken", "hours")?,
            86_400,
        )?;
    }
    if let Some(v) = b.opt_i64("RefreshTokenValidity")? {
        c.refresh_secs = validity(
            "RefreshTokenValidity",
            v,
            unit_secs(units.as_ref(), "RefreshToken", "days")?,
            10 * 365 * 86_400,
        )?;
    }
    if let Some(v) = b.opt_i64("AuthSessionValidity")? {
        if !(3..=15).contains(&v) {
            return Err(invalid_param(
                "AuthSessionValidity must be between 3 and 15",
            ));
        }
        c.session_secs = v as u64 * 60;
    }
    if let Some(v) = b.opt_bool("EnableTokenRevocation")? {
        c.revocation = v;
    }
    if let Some(r) = b.opt_obj("RefreshTokenRotation")? {
        c.rotation = r.opt_str("Feature")? == Some("ENABLED");
        if let Some(g) = r.opt_i64("RetryGracePeriodSeconds")? {
            if !(0..=60).contains(&g) {
                return Err(invalid_param(
                    "RetryGracePeriodSeconds must be between 0 and 60",
                ));
            }
            c.grace_secs = g as u64;
        }
    }
    if let Some(r) = b.opt_str_list("ReadAttributes")? {
        c.read_attrs = Some(r);
    }
    if let Some(w) = b.opt_str_list("WriteAttributes")? {
        c.write_attrs = Some(w);
    }
    for (k, v) in b.0 {
        if k != "UserPoolId" && k != "ClientId" {
            c.config.insert(k.clone(), v.clone());
        }
    }
    Ok(())
}

fn client_description(c: &Client) -> Value {
    let mut m = c.config.clone();
    m.insert("UserPoolId".into(), json!(c.pool_id));
    m.insert("ClientName".into(), json!(c.name));
    m.insert("ClientId".into(), json!(c.id));
    if let Some(s) = &c.secret {
        m.insert("ClientSecret".into(), json!(s.expose_secret()));
    }
    m.remove("GenerateSecret");
    m.insert("ExplicitAuthFlows".into(), json!(c.flows));
    m.insert(
        "PreventUserExistenceErrors".into(),
        json!(if c.prevent_existence {
            "ENABLED"
        } else {
            "LEGACY"
        }),
    );
    m.insert("EnableTokenRevocation".into(), json!(c.revocation));
    m.insert("AuthSessionValidity".into(), json!(c.session_secs / 60));
    m.insert("CreationDate".into(), json!(c.created));
    m.insert("LastModifiedDate".into(), json!(c.created));
    Value::Object(m)
}

pub(crate) fn create_user_pool_client(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool_id = b.str("UserPoolId")?.to_string();
    let name = b.str_len("ClientName", 1, 128)?.to_string();
    st.pool(&pool_id)?;
    let mut c = Client {
        id: crate::util::client_id(),
        pool_id,
        name,
        secret: b
            .opt_bool("GenerateSecret")?
            .unwrap_or(false)
            .then(|| crate::util::client_secret().into()),
        flows: vec![
            "ALLOW_REFRESH_TOKEN_AUTH".to_string(),
            "ALLOW_USER_SRP_AUTH".to_string(),
            "ALLOW_CUSTOM_AUTH".to_string(),
        ],
        prevent_existence: false,
        access_secs: 3600,
        id_secs: 3600,
        refresh_secs: 30 * 86400,
        session_secs: 180,
        revocation: true,
        rotation: false,
        grace_secs: 0,
        read_attrs: None,
        write_attrs: None,
        config: Map::new(),
        created: st.now_f(),
    };
    apply_client_config(&mut c, b)?;
    let desc = client_description(&c);
    st.clients.insert(c.id.clone(), c);
    Ok(json!({ "UserPoolClient": desc }))
}

pub(crate) fn update_user_pool_client(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool_id = b.str("UserPoolId")?;
    let client_id = b.str("ClientId")?;
    let mut c = st.client(client_id)?;
    if c.pool_id != pool_id {
        return Err(not_found(format!(
            "User pool client {client_id} does not exist."
        )));
    }
    if let Some(n) = b.opt_str("ClientName")? {
        c.name = n.to_string();
    }
    apply_client_config(&mut c, b)?;
    let desc = client_description(&c);
    st.clients.insert(c.id.clone(), c);
    Ok(json!({ "UserPoolClient": desc }))
}

pub(crate) fn describe_user_pool_client(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool_id = b.str("UserPoolId")?;
    let c = st.client(b.str("ClientId")?)?;
    if c.pool_id != pool_id {
        return Err(not_found(format!(
            "User pool client {} does not exist.",
            c.id
        )));
    }
    Ok(json!({ "UserPoolClient": client_description(&c) }))
}

pub(crate) fn delete_user_pool_client(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = st.client(b.str("ClientId")?)?;
    st.clients.remove(&c.id);
    Ok(json!({}))
}

pub(crate) fn set_user_pool_mfa_config(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool = st.pool_mut(b.str("UserPoolId")?)?;
    if let Some(m) = b.opt_str("MfaConfiguration")? {
        if !matches!(m, "OFF" | "ON" | "OPTIONAL") {
            return Err(invalid_param(format!("Invalid MfaConfiguration {m}")));
        }
        pool.config.insert("MfaConfiguration".into(), json!(m));
    }
    for key in [
        "SmsMfaConfiguration",
        "SoftwareTokenMfaConfiguration",
        "EmailMfaConfiguration",
        "WebAuthnConfiguration",
    ] {
        if let Some(v) = b.0.get(key) {
            let mut v = v.clone();
            if key == "SmsMfaConfiguration"
                && let Some(o) = v.as_object_mut()
            {
                o.entry("Enabled").or_insert(json!(true));
            }
            pool.config.insert(key.into(), v);
        }
    }
    pool.s = PoolSettings::from_config(&pool.config);
    get_mfa(pool)
}

fn get_mfa(pool: &Pool) -> ApiResult<Value> {
    let mfa = match pool.s.mfa {
        Mfa::Off => "OFF",
        Mfa::Optional => "OPTIONAL",
        Mfa::On => "ON",
    };
    Ok(json!({
        "MfaConfiguration": mfa,
        "SoftwareTokenMfaConfiguration": {"Enabled": pool.s.totp_mfa},
        "SmsMfaConfiguration": pool.config.get("SmsMfaConfiguration").cloned().unwrap_or(json!({})),
        "EmailMfaConfiguration": pool.config.get("EmailMfaConfiguration").cloned().unwrap_or(json!({})),
    }))
}

pub(crate) fn get_user_pool_mfa_config(st: &mut State, b: &Body) -> ApiResult<Value> {
    get_mfa(st.pool(b.str("UserPoolId")?)?)
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
    pool.users.remove(&username);
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

/// `ListUsers` with the simple filters `attr = "v"` and `attr ^= "v"`.
pub(crate) fn list_users(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool = st.pool(b.str("UserPoolId")?)?;
    let filter = b.opt_str("Filter")?.map(parse_filter).transpose()?;
    let limit = b.opt_i64("Limit")?.unwrap_or(60).clamp(0, 60) as usize;
    let users: Vec<Value> = pool
        .users
        .values()
        .filter(|u| match &filter {
            None => true,
            Some((attr, prefix, val)) => {
                let have = match attr.as_str() {
                    "username" => Some(u.username.as_str()),
                    "sub" => Some(u.sub.as_str()),
                    "status" | "cognito:user_status" => Some(u.status),
                    a => u.attr(a),
                };
                have.is_some_and(|h| {
                    if *prefix {
                        h.starts_with(val.as_str())
                    } else {
                        h == val
                    }
                })
            }
        })
        .take(limit)
        .map(|u| user_type(u, "Attributes"))
        .collect();
    Ok(json!({ "Users": users }))
}

fn parse_filter(f: &str) -> ApiResult<(String, bool, String)> {
    let bad = || invalid_param("Invalid search filter");
    let (attr, prefix, rest) = if let Some((a, r)) = f.split_once("^=") {
        (a, true, r)
    } else if let Some((a, r)) = f.split_once('=') {
        (a, false, r)
    } else {
        return Err(bad());
    };
    let val = rest
        .trim()
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .ok_or_else(bad)?;
    Ok((attr.trim().to_string(), prefix, val.to_string()))
}
