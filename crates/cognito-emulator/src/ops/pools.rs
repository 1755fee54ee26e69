//! User pools and app clients as stored resources: created, described with AWS's defaults,
//! replaced by `Update*` (an omitted setting returns to its default, as AWS documents), listed
//! page by page, and the pool's MFA configuration.

use serde_json::{Map, Value, json};

use crate::api::{ApiError, ApiResult, Body, invalid_param, not_found};
use crate::ops::page;
use crate::schema::Schema;
use crate::state::{
    Client, MFA_CONFIGURED, MFA_METHOD_KEYS, Mfa, Pool, PoolResources, PoolSettings, State,
};

/// `CreateUserPool` members that `UpdateUserPool` cannot change: they survive an update.
const IMMUTABLE_POOL_MEMBERS: &[&str] = &[
    "Schema",
    "UsernameAttributes",
    "AliasAttributes",
    "UsernameConfiguration",
];

/// Members stored as given and described only when the request carried them.
const OPTIONAL_POOL_MEMBERS: &[&str] = &[
    "AutoVerifiedAttributes",
    "AliasAttributes",
    "UsernameAttributes",
    "DeviceConfiguration",
    "SmsConfiguration",
    "UserPoolAddOns",
    "DcrConfiguration",
    "KeyConfiguration",
    "IssuerConfiguration",
    "AcrConfiguration",
];

fn get<'a>(c: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    c.get(key).filter(|v| !v.is_null())
}

fn obj(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}

/// The pool's ARN (the emulator's fixed account id).
pub(crate) fn pool_arn(pool_id: &str) -> String {
    let region = pool_id.split('_').next().unwrap_or("us-east-1");
    format!("arn:aws:cognito-idp:{region}:000000000000:userpool/{pool_id}")
}

/// `PasswordPolicy` with AWS's defaults: a pool created without a policy requires every
/// character class; a policy given without some flag has that flag off.
fn password_policy(c: &Map<String, Value>) -> Value {
    let given = get(c, "Policies")
        .and_then(|p| p.get("PasswordPolicy"))
        .and_then(Value::as_object);
    let flag = |k: &str| {
        given
            .map(|p| p.get(k).and_then(Value::as_bool).unwrap_or(false))
            .unwrap_or(true)
    };
    let mut pp = json!({
        "MinimumLength": given.and_then(|p| p.get("MinimumLength")).and_then(Value::as_i64).unwrap_or(8),
        "RequireUppercase": flag("RequireUppercase"),
        "RequireLowercase": flag("RequireLowercase"),
        "RequireNumbers": flag("RequireNumbers"),
        "RequireSymbols": flag("RequireSymbols"),
        "TemporaryPasswordValidityDays": given
            .and_then(|p| p.get("TemporaryPasswordValidityDays"))
            .and_then(Value::as_i64)
            .unwrap_or(7),
    });
    if let Some(h) = given.and_then(|p| p.get("PasswordHistorySize")) {
        pp["PasswordHistorySize"] = h.clone();
    }
    pp
}

/// `VerificationMessageTemplate` and the legacy members it shares its messages with: each
/// message given either way is described both ways.
fn verification_messages(c: &Map<String, Value>, m: &mut Map<String, Value>) {
    let mut t = obj(get(c, "VerificationMessageTemplate"));
    for (legacy, member) in [
        ("SmsVerificationMessage", "SmsMessage"),
        ("EmailVerificationMessage", "EmailMessage"),
        ("EmailVerificationSubject", "EmailSubject"),
    ] {
        if !t.contains_key(member)
            && let Some(v) = get(c, legacy)
        {
            t.insert(member.into(), v.clone());
        }
        if let Some(v) = t.get(member) {
            m.insert(legacy.into(), v.clone());
        }
    }
    t.entry("DefaultEmailOption")
        .or_insert_with(|| json!("CONFIRM_WITH_CODE"));
    m.insert("VerificationMessageTemplate".into(), Value::Object(t));
}

/// The `UserPoolType` of `DescribeUserPool`, `CreateUserPool` and `UpdateUserPool`.
pub(crate) fn pool_description(p: &Pool) -> Value {
    let c = &p.config;
    let mut m = Map::new();
    m.insert("Id".into(), json!(p.id));
    m.insert("Name".into(), json!(p.name));
    let mut policies = json!({ "PasswordPolicy": password_policy(c) });
    policies["SignInPolicy"] = get(c, "Policies")
        .and_then(|p| p.get("SignInPolicy"))
        .cloned()
        .unwrap_or_else(|| json!({"AllowedFirstAuthFactors": ["PASSWORD"]}));
    m.insert("Policies".into(), policies);
    m.insert(
        "DeletionProtection".into(),
        get(c, "DeletionProtection")
            .cloned()
            .unwrap_or(json!("INACTIVE")),
    );
    m.insert(
        "LambdaConfig".into(),
        get(c, "LambdaConfig").cloned().unwrap_or(json!({})),
    );
    m.insert("LastModifiedDate".into(), json!(p.modified));
    m.insert("CreationDate".into(), json!(p.created));
    m.insert("SchemaAttributes".into(), p.schema.describe());
    for k in OPTIONAL_POOL_MEMBERS {
        if let Some(v) = get(c, k) {
            m.insert((*k).into(), v.clone());
        }
    }
    verification_messages(c, &mut m);
    if let Some(v) = get(c, "SmsAuthenticationMessage") {
        m.insert("SmsAuthenticationMessage".into(), v.clone());
    }
    m.insert(
        "UserAttributeUpdateSettings".into(),
        get(c, "UserAttributeUpdateSettings")
            .cloned()
            .unwrap_or_else(|| json!({"AttributesRequireVerificationBeforeUpdate": []})),
    );
    m.insert("MfaConfiguration".into(), json!(mfa_name(p.s.mfa)));
    m.insert("EstimatedNumberOfUsers".into(), json!(p.users.len()));
    m.insert(
        "EmailConfiguration".into(),
        get(c, "EmailConfiguration")
            .cloned()
            .unwrap_or_else(|| json!({"EmailSendingAccount": "COGNITO_DEFAULT"})),
    );
    m.insert(
        "UserPoolTags".into(),
        get(c, "UserPoolTags").cloned().unwrap_or(json!({})),
    );
    if let Some(d) = &p.res.domain {
        m.insert("Domain".into(), json!(d));
    }
    if let Some(d) = &p.res.custom_domain {
        m.insert("CustomDomain".into(), json!(d));
    }
    let mut acu = obj(get(c, "AdminCreateUserConfig"));
    acu.entry("AllowAdminCreateUserOnly")
        .or_insert(json!(false));
    acu.entry("UnusedAccountValidityDays")
        .or_insert_with(|| json!(p.s.temp_days));
    m.insert("AdminCreateUserConfig".into(), Value::Object(acu));
    // Absent when never set, like AccountRecoverySetting below: such a pool is case sensitive,
    // the API's default (UsernameConfigurationType in AWS's API reference).
    if let Some(u) = get(c, "UsernameConfiguration") {
        m.insert("UsernameConfiguration".into(), u.clone());
    }
    m.insert("Arn".into(), json!(pool_arn(&p.id)));
    // Absent when never set: the pool then follows Cognito's legacy recovery rule, which
    // AWS's model documents as the meaning of an absent setting.
    if let Some(a) = get(c, "AccountRecoverySetting") {
        m.insert("AccountRecoverySetting".into(), a.clone());
    }
    m.insert(
        "UserPoolTier".into(),
        get(c, "UserPoolTier")
            .cloned()
            .unwrap_or(json!("ESSENTIALS")),
    );
    Value::Object(m)
}

fn mfa_name(m: Mfa) -> &'static str {
    match m {
        Mfa::Off => "OFF",
        Mfa::Optional => "OPTIONAL",
        Mfa::On => "ON",
    }
}

/// Refuses an MFA mode that needs a method when the pool's methods are configured and none
/// is enabled.
fn check_mfa_methods(s: &PoolSettings, explicit: bool) -> ApiResult<()> {
    if explicit && s.mfa != Mfa::Off && !(s.sms_mfa || s.totp_mfa || s.email_mfa) {
        return Err(invalid_param(
            "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
        ));
    }
    Ok(())
}

fn has_explicit_mfa(c: &Map<String, Value>) -> bool {
    MFA_METHOD_KEYS.iter().any(|k| c.contains_key(*k))
}

/// Refuses an attribute that must be verified before it changes but that the pool does not
/// verify: the new value could then never take effect.
fn check_update_verification(s: &PoolSettings) -> ApiResult<()> {
    if s.verify_before_update
        .iter()
        .any(|a| !s.auto_verified.contains(a))
    {
        return Err(invalid_param(
            "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes",
        ));
    }
    Ok(())
}

pub(crate) fn create_user_pool(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str("PoolName")?.to_string();
    let mut config = Map::new();
    for (k, v) in b.0 {
        if k != "PoolName"
            && !v.is_null()
            && crate::model::declares_input_member("CreateUserPool", k)
        {
            config.insert(k.clone(), v.clone());
        }
    }
    // Username attributes replace the username and aliases sit beside it: a pool signs in
    // one way or the other, never both.
    let non_empty = |k: &str| {
        b.0.get(k)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    if non_empty("UsernameAttributes") && non_empty("AliasAttributes") {
        return Err(invalid_param(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    let schema = Schema::from_request(b.0.get("Schema"))?;
    let now = st.now_f();
    let id = crate::util::pool_id(st.region());
    let s = PoolSettings::from_config(&config);
    check_update_verification(&s)?;
    let mut users = crate::state::Users::new(&id);
    users.set_alias_attrs(Pool::alias_attrs_of(&s), !s.case_sensitive);
    let pool = Pool {
        id: id.clone(),
        name,
        created: now,
        modified: now,
        s,
        config,
        users,
        keys: st.new_pool_keys(),
        schema,
        res: PoolResources::new(&id),
    };
    let desc = pool_description(&pool);
    st.insert_pool(pool);
    Ok(json!({ "UserPool": desc }))
}

/// `UpdateUserPool` replaces the pool's settings: what the request omits returns to its
/// default. The immutable members (schema, sign-in attributes), the MFA methods and WebAuthn
/// settings (owned by `SetUserPoolMfaConfig`) and the tags (owned by `TagResource` when the
/// request has none) are kept.
pub(crate) fn update_user_pool(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = b.str("UserPoolId")?;
    let name = b.opt_str("PoolName")?.map(str::to_string);
    let now = st.now_f();
    let pool = st.pool(id)?;
    let mut config = Map::new();
    for k in IMMUTABLE_POOL_MEMBERS
        .iter()
        .chain(MFA_METHOD_KEYS.iter())
        .chain(["UserPoolTags", "WebAuthnConfiguration"].iter())
    {
        if let Some(v) = pool.config.get(*k) {
            config.insert((*k).to_string(), v.clone());
        }
    }
    // Only UpdateUserPool's own members: a sign-in attribute or schema sent along (say, a
    // DescribeUserPool answer sent back whole) must not change what AWS fixes at creation.
    for (k, v) in b.0 {
        if k != "UserPoolId"
            && k != "PoolName"
            && !v.is_null()
            && crate::model::declares_input_member("UpdateUserPool", k)
        {
            config.insert(k.clone(), v.clone());
        }
    }
    let s = PoolSettings::from_config(&config);
    check_mfa_methods(&s, has_explicit_mfa(&config))?;
    check_update_verification(&s)?;
    let pool = st.pool_mut(id)?;
    pool.config = config;
    pool.s = s;
    let aliases = Pool::alias_attrs_of(&pool.s);
    pool.users.set_alias_attrs(aliases, !pool.s.case_sensitive);
    if let Some(n) = name {
        pool.name = n;
    }
    pool.modified = now;
    Ok(json!({}))
}

pub(crate) fn describe_user_pool(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool = st.pool(b.str("UserPoolId")?)?;
    Ok(json!({ "UserPool": pool_description(pool) }))
}

pub(crate) fn delete_user_pool(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = b.str("UserPoolId")?.to_string();
    let pool = st.pool(&id)?;
    if get(&pool.config, "DeletionProtection").and_then(Value::as_str) == Some("ACTIVE") {
        return Err(invalid_param(
            "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
        ));
    }
    if pool.res.domain.is_some() || pool.res.custom_domain.is_some() {
        return Err(invalid_param(
            "User pool cannot be deleted. It has a domain configured that should be deleted first.",
        ));
    }
    st.delete_pool(&id);
    Ok(json!({}))
}

pub(crate) fn list_user_pools(st: &mut State, b: &Body) -> ApiResult<Value> {
    let limit = page::limit(b, "MaxResults", 60)?;
    let items = st.pools().values().map(|p| {
        let d = json!({"Id": p.id, "Name": p.name,
            "LambdaConfig": get(&p.config, "LambdaConfig").cloned().unwrap_or(json!({})),
            "CreationDate": p.created, "LastModifiedDate": p.modified});
        (p.id.clone(), d)
    });
    let (pools, next) = page::page(st, "ListUserPools", b.opt_str("NextToken")?, limit, items)?;
    let mut out = json!({ "UserPools": pools });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// App clients

/// Names of the legacy `ExplicitAuthFlows` values, which predate the `ALLOW_` ones.
const LEGACY_FLOWS: &[&str] = &[
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
];

/// The `ALLOW_` flows an `ExplicitAuthFlows` list enables.
///
/// Legacy lists keep what legacy clients always had (SRP, refresh and custom
/// authentication) and add the flows they name, except that `CUSTOM_AUTH_FLOW_ONLY` limits
/// the client to custom authentication (and refresh). A list cannot mix the two styles, as
/// AWS documents. Refresh is always allowed: AWS's clients cannot turn it off.
fn effective_flows(given: &[String]) -> ApiResult<Vec<String>> {
    let legacy = given
        .iter()
        .filter(|f| LEGACY_FLOWS.contains(&f.as_str()))
        .count();
    if legacy > 0 && legacy < given.len() {
        return Err(invalid_param(
            "ExplicitAuthFlows cannot mix the legacy values ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH with values that begin with ALLOW_.",
        ));
    }
    let mut v: Vec<String> = Vec::new();
    let mut push = |f: &str| {
        if !v.iter().any(|x| x == f) {
            v.push(f.to_string());
        }
    };
    if legacy > 0 {
        let custom_only = given.iter().any(|f| f == "CUSTOM_AUTH_FLOW_ONLY");
        push("ALLOW_REFRESH_TOKEN_AUTH");
        push("ALLOW_CUSTOM_AUTH");
        if !custom_only {
            push("ALLOW_USER_SRP_AUTH");
        }
        for f in given {
            match f.as_str() {
                "ADMIN_NO_SRP_AUTH" => push("ALLOW_ADMIN_USER_PASSWORD_AUTH"),
                "USER_PASSWORD_AUTH" if !custom_only => push("ALLOW_USER_PASSWORD_AUTH"),
                _ => {}
            }
        }
        return Ok(v);
    }
    for f in given {
        match f.as_str() {
            "ALLOW_ADMIN_USER_PASSWORD_AUTH"
            | "ALLOW_CUSTOM_AUTH"
            | "ALLOW_USER_PASSWORD_AUTH"
            | "ALLOW_USER_SRP_AUTH"
            | "ALLOW_REFRESH_TOKEN_AUTH"
            | "ALLOW_USER_AUTH"
            | "ALLOW_TOKEN_EXCHANGE_DELEGATION"
            | "ALLOW_TOKEN_EXCHANGE_IMPERSONATION" => push(f),
            other => return Err(crate::api::beyond_model("ExplicitAuthFlows", other)),
        }
    }
    // AWS refuses a list of ALLOW_ flows that leaves refresh out (CloudFormation and CDK users
    // meet it as the error below); the legacy values imply it.
    if !given.is_empty() && !given.iter().any(|f| f == "ALLOW_REFRESH_TOKEN_AUTH") {
        return Err(invalid_param(
            "REFRESH_TOKEN_AUTH should always be allowed.",
        ));
    }
    push("ALLOW_REFRESH_TOKEN_AUTH");
    Ok(v)
}

/// The flows of a client created without `ExplicitAuthFlows`, as AWS documents them.
const DEFAULT_FLOWS: [&str; 3] = [
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_CUSTOM_AUTH",
];

fn unit_secs(unit: &str) -> ApiResult<u64> {
    Ok(match unit {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        "days" => 86400,
        other => return Err(crate::api::beyond_model("TokenValidityUnits", other)),
    })
}

/// The lifetimes AWS accepts, in seconds: access and ID tokens from 5 minutes to one day,
/// refresh tokens from 60 minutes to ten years.
const ACCESS_ID_RANGE: std::ops::RangeInclusive<u64> = 300..=86_400;
const REFRESH_RANGE: std::ops::RangeInclusive<u64> = 3_600..=315_360_000;

/// A token lifetime in seconds, within `range`; AWS answers one message for every token and
/// unit, so the error does not say which lifetime is wrong.
fn validity(value: i64, unit: u64, range: std::ops::RangeInclusive<u64>) -> ApiResult<u64> {
    u64::try_from(value)
        .ok()
        .and_then(|v| v.checked_mul(unit))
        .filter(|s| range.contains(s))
        .ok_or_else(|| invalid_param("Invalid range for token validity."))
}

/// Client members stored and described as given.
const CLIENT_STORED_MEMBERS: &[&str] = &[
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration",
    "EnablePropagateAdditionalUserContextData",
];

/// A client with AWS's defaults.
fn default_client(id: String, pool_id: String, name: String, now: f64) -> Client {
    Client {
        id,
        pool_id,
        name,
        secret: None,
        flows: DEFAULT_FLOWS.iter().map(|s| s.to_string()).collect(),
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
        units: ["minutes".into(), "minutes".into(), "days".into()],
        config: Map::new(),
        created: now,
        modified: now,
    }
}

/// Applies a create or update request to a client holding AWS's defaults.
fn apply_client_config(c: &mut Client, b: &Body) -> ApiResult<()> {
    if let Some(flows) = b.opt_str_list("ExplicitAuthFlows")? {
        c.flows = effective_flows(&flows)?;
        c.config.insert("ExplicitAuthFlows".into(), json!(flows));
    }
    if let Some(p) = b.opt_str("PreventUserExistenceErrors")? {
        c.prevent_existence = match p {
            "ENABLED" => true,
            "LEGACY" => false,
            other => {
                return Err(crate::api::beyond_model(
                    "PreventUserExistenceErrors",
                    other,
                ));
            }
        };
    }
    let units = b.opt_obj("TokenValidityUnits")?;
    let any_validity = [
        "AccessTokenValidity",
        "IdTokenValidity",
        "RefreshTokenValidity",
    ]
    .iter()
    .any(|k| b.0.get(*k).is_some_and(|v| !v.is_null()));
    if units.is_some() || any_validity {
        // Values given without a unit are in AWS's documented API units.
        for (i, (key, default_unit)) in [
            ("AccessToken", "hours"),
            ("IdToken", "hours"),
            ("RefreshToken", "days"),
        ]
        .into_iter()
        .enumerate()
        {
            let unit = match &units {
                Some(u) => u.opt_str(key)?.unwrap_or(default_unit),
                None => default_unit,
            };
            c.units[i] = unit.to_string();
        }
        // A lifetime the request omits keeps its default duration, described in the unit.
    }
    // Tests that need a token to expire move the emulator's clock instead of asking for a
    // lifetime AWS would refuse.
    if let Some(v) = b.opt_i64("AccessTokenValidity")? {
        c.access_secs = validity(v, unit_secs(&c.units[0])?, ACCESS_ID_RANGE)?;
    }
    if let Some(v) = b.opt_i64("IdTokenValidity")? {
        c.id_secs = validity(v, unit_secs(&c.units[1])?, ACCESS_ID_RANGE)?;
    }
    // A refresh lifetime of 0 is AWS's documented way to ask for the default (30 days).
    if let Some(v) = b.opt_i64("RefreshTokenValidity")?.filter(|v| *v != 0) {
        c.refresh_secs = validity(v, unit_secs(&c.units[2])?, REFRESH_RANGE)?;
    }
    if let Some(v) = b.opt_i64("AuthSessionValidity")? {
        c.session_secs = v as u64 * 60;
    }
    if let Some(v) = b.opt_bool("EnableTokenRevocation")? {
        c.revocation = v;
    }
    if let Some(r) = b.opt_obj("RefreshTokenRotation")? {
        c.rotation = r.opt_str("Feature")? == Some("ENABLED");
        if let Some(g) = r.opt_i64("RetryGracePeriodSeconds")? {
            c.grace_secs = g.max(0) as u64;
        }
        c.config.insert(
            "RefreshTokenRotation".into(),
            json!({"Feature": if c.rotation { "ENABLED" } else { "DISABLED" },
                   "RetryGracePeriodSeconds": c.grace_secs}),
        );
    }
    if let Some(r) = b.opt_str_list("ReadAttributes")? {
        c.read_attrs = Some(r);
    }
    if let Some(w) = b.opt_str_list("WriteAttributes")? {
        c.write_attrs = Some(w);
    }
    for k in CLIENT_STORED_MEMBERS {
        if let Some(v) = b.0.get(*k).filter(|v| !v.is_null()) {
            c.config.insert((*k).to_string(), v.clone());
        }
    }
    Ok(())
}

/// Checks a client's `ReadAttributes` and `WriteAttributes` against its pool's schema, as
/// AWS does: every name must be an attribute of the pool; a client can never write `sub` or
/// the verification flags (only Cognito and admins set them); and every required attribute
/// must stay writable, or sign-up through the client could never succeed.
fn check_attribute_permissions(st: &State, c: &Client, creating: bool) -> ApiResult<()> {
    let schema = &st.pool(&c.pool_id)?.schema;
    let action = if creating { "creating" } else { "updating" };
    if let Some(read) = &c.read_attrs
        && read.iter().any(|a| schema.get(a).is_none())
    {
        return Err(invalid_param(format!(
            "Invalid read attributes specified while {action} a client"
        )));
    }
    if let Some(write) = &c.write_attrs {
        let unwritable = write.iter().any(|a| {
            schema.get(a).is_none() || a == "sub" || crate::schema::is_verification_flag(a)
        });
        let required_missing = schema.required().any(|r| !write.iter().any(|w| w == r));
        if unwritable || required_missing {
            return Err(invalid_param(format!(
                "Invalid write attributes specified while {action} a client"
            )));
        }
    }
    Ok(())
}

/// A lifetime in seconds, described in its unit.
fn in_unit(secs: u64, unit: &str) -> u64 {
    secs / unit_secs(unit).unwrap_or(1)
}

/// The `UserPoolClientType` of the client operations.
pub(crate) fn client_description(c: &Client) -> Value {
    let mut m = Map::new();
    m.insert("UserPoolId".into(), json!(c.pool_id));
    m.insert("ClientName".into(), json!(c.name));
    m.insert("ClientId".into(), json!(c.id));
    if let Some(s) = &c.secret {
        m.insert("ClientSecret".into(), json!(s.expose_secret()));
    }
    m.insert("LastModifiedDate".into(), json!(c.modified));
    m.insert("CreationDate".into(), json!(c.created));
    m.insert(
        "RefreshTokenValidity".into(),
        json!(in_unit(c.refresh_secs, &c.units[2])),
    );
    m.insert(
        "AccessTokenValidity".into(),
        json!(in_unit(c.access_secs, &c.units[0])),
    );
    m.insert(
        "IdTokenValidity".into(),
        json!(in_unit(c.id_secs, &c.units[1])),
    );
    m.insert(
        "TokenValidityUnits".into(),
        json!({"AccessToken": c.units[0], "IdToken": c.units[1], "RefreshToken": c.units[2]}),
    );
    if let Some(r) = &c.read_attrs {
        m.insert("ReadAttributes".into(), json!(r));
    }
    if let Some(w) = &c.write_attrs {
        m.insert("WriteAttributes".into(), json!(w));
    }
    m.insert(
        "ExplicitAuthFlows".into(),
        c.config
            .get("ExplicitAuthFlows")
            .cloned()
            .unwrap_or_else(|| json!(DEFAULT_FLOWS)),
    );
    for k in CLIENT_STORED_MEMBERS {
        if let Some(v) = c.config.get(*k) {
            m.insert((*k).to_string(), v.clone());
        }
    }
    m.entry("AllowedOAuthFlowsUserPoolClient")
        .or_insert(json!(false));
    m.entry("EnablePropagateAdditionalUserContextData")
        .or_insert(json!(false));
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
    if let Some(r) = c.config.get("RefreshTokenRotation") {
        m.insert("RefreshTokenRotation".into(), r.clone());
    }
    Value::Object(m)
}

pub(crate) fn create_user_pool_client(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool_id = b.str("UserPoolId")?.to_string();
    let name = b.str("ClientName")?.to_string();
    let generate = b.opt_bool("GenerateSecret")?.unwrap_or(false);
    let chosen = b.opt_str("ClientSecret")?;
    if generate && chosen.is_some() {
        return Err(invalid_param(
            "You cannot specify both GenerateSecret as true and provide a ClientSecret value.",
        ));
    }
    st.pool(&pool_id)?;
    let mut c = default_client(crate::util::client_id(), pool_id, name, st.now_f());
    c.secret = match chosen {
        Some(s) => Some(s.to_string().into()),
        None => generate.then(|| crate::util::client_secret().into()),
    };
    apply_client_config(&mut c, b)?;
    check_attribute_permissions(st, &c, true)?;
    super::oauth_settings::validate(st, &c)?;
    let desc = client_description(&c);
    st.insert_client(c);
    Ok(json!({ "UserPoolClient": desc }))
}

fn pool_client(st: &State, b: &Body) -> ApiResult<Client> {
    let pool_id = b.str("UserPoolId")?;
    let client_id = b.str("ClientId")?;
    st.pool(pool_id)?;
    let c = st.client(client_id)?;
    if c.pool_id != pool_id {
        return Err(not_found(format!(
            "User pool client {client_id} does not exist."
        )));
    }
    Ok(c)
}

/// `UpdateUserPoolClient` replaces the client's settings with the request's: omitted ones
/// return to AWS's defaults. The id, secret, creation date and (when omitted) name stay.
pub(crate) fn update_user_pool_client(st: &mut State, b: &Body) -> ApiResult<Value> {
    let old = pool_client(st, b)?;
    let name = b
        .opt_str("ClientName")?
        .map_or_else(|| old.name.clone(), str::to_string);
    let mut c = default_client(old.id.clone(), old.pool_id.clone(), name, old.created);
    c.secret = old.secret.clone();
    c.modified = st.now_f();
    apply_client_config(&mut c, b)?;
    check_attribute_permissions(st, &c, false)?;
    super::oauth_settings::validate(st, &c)?;
    let desc = client_description(&c);
    st.insert_client(c);
    Ok(json!({ "UserPoolClient": desc }))
}

pub(crate) fn describe_user_pool_client(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = pool_client(st, b)?;
    Ok(json!({ "UserPoolClient": client_description(&c) }))
}

pub(crate) fn delete_user_pool_client(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = pool_client(st, b)?;
    st.delete_client(&c.id);
    Ok(json!({}))
}

pub(crate) fn list_user_pool_clients(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool_id = b.str("UserPoolId")?;
    let limit = page::limit(b, "MaxResults", 60)?;
    st.pool(pool_id)?;
    let mut items: Vec<(String, Value)> = st
        .clients()
        .values()
        .filter(|c| c.pool_id == pool_id)
        .map(|c| {
            (
                c.id.clone(),
                json!({"ClientId": c.id, "UserPoolId": c.pool_id, "ClientName": c.name}),
            )
        })
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let scope = format!("ListUserPoolClients\0{pool_id}");
    let (clients, next) = page::page(st, &scope, b.opt_str("NextToken")?, limit, items)?;
    let mut out = json!({ "UserPoolClients": clients });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// MFA configuration

/// `SetUserPoolMfaConfig` replaces the pool's MFA methods: a method the request omits is
/// disabled (AWS refuses `ON` without a method for that reason). SMS and e-mail
/// configurations have no `Enabled` member: a present configuration enables the method.
pub(crate) fn set_user_pool_mfa_config(st: &mut State, b: &Body) -> ApiResult<Value> {
    let mode = b.opt_str("MfaConfiguration")?;
    let sms = b.opt_obj("SmsMfaConfiguration")?;
    let totp = b.opt_obj("SoftwareTokenMfaConfiguration")?;
    let email = b.opt_obj("EmailMfaConfiguration")?;
    let totp_on = match &totp {
        Some(t) => t.opt_bool("Enabled")?.unwrap_or(false),
        None => false,
    };
    let any_method = sms.is_some() || email.is_some() || totp_on;
    let pool_id = b.str("UserPoolId")?;
    let mode = mode.unwrap_or(mfa_name(st.pool(pool_id)?.s.mfa));
    if mode == "OFF" && any_method {
        return Err(invalid_param(
            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
        ));
    }
    if mode != "OFF" && !any_method {
        return Err(invalid_param(
            "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
        ));
    }
    if email.is_some() {
        check_email_mfa_allowed(st.pool(pool_id)?)?;
    }
    let pool = st.pool_mut(pool_id)?;
    let c = &mut pool.config;
    c.insert("MfaConfiguration".into(), json!(mode));
    for k in MFA_METHOD_KEYS {
        c.remove(k);
    }
    // Only the members AWS's model declares are kept (e.g. an `Enabled` sent by habit is
    // not echoed: AWS's SMS and e-mail configurations have none).
    let declared = |o: &Body, keys: &[&str]| -> Value {
        Value::Object(
            keys.iter()
                .filter_map(|k| o.0.get(*k).map(|v| ((*k).to_string(), v.clone())))
                .collect(),
        )
    };
    if let Some(s) = &sms {
        c.insert(
            "SmsMfaConfiguration".into(),
            declared(s, &["SmsAuthenticationMessage", "SmsConfiguration"]),
        );
        // The SMS method's settings are the pool's SMS settings, as DescribeUserPool shows.
        for k in ["SmsAuthenticationMessage", "SmsConfiguration"] {
            if let Some(v) = s.0.get(k) {
                c.insert(k.into(), v.clone());
            }
        }
    }
    c.insert(MFA_CONFIGURED.into(), json!(true));
    if totp.is_some() {
        c.insert(
            "SoftwareTokenMfaConfiguration".into(),
            json!({"Enabled": totp_on}),
        );
    }
    if let Some(e) = &email {
        c.insert(
            "EmailMfaConfiguration".into(),
            declared(e, &["Message", "Subject"]),
        );
    }
    if let Some(w) = b.opt_obj("WebAuthnConfiguration")? {
        c.insert("WebAuthnConfiguration".into(), Value::Object(w.0.clone()));
    }
    pool.s = PoolSettings::from_config(&pool.config);
    Ok(mfa_config(pool))
}

/// E-mail MFA needs a pool of the Essentials or Plus tier that sends its e-mail through
/// Amazon SES (`DEVELOPER`), not Cognito's default sender; AWS refuses it otherwise, with
/// these messages.
fn check_email_mfa_allowed(pool: &Pool) -> ApiResult<()> {
    let c = &pool.config;
    if get(c, "UserPoolTier").and_then(Value::as_str) == Some("LITE") {
        return Err(ApiError::new(
            "FeatureUnavailableInTierException",
            "The following feature is not available for the LITE pricing tier configured: \
             Email MFA",
        ));
    }
    let sender = get(c, "EmailConfiguration")
        .and_then(|e| e.get("EmailSendingAccount"))
        .and_then(Value::as_str)
        .unwrap_or("COGNITO_DEFAULT");
    if sender == "COGNITO_DEFAULT" {
        return Err(invalid_param(
            "Cannot set EmailMfaConfiguration when user pool EmailConfiguration contains an \
             EmailSendingAccount of COGNITO_DEFAULT.Update the value of EmailSendingAccount",
        ));
    }
    Ok(())
}

/// The pool's MFA configuration: only the enabled methods' configurations are present.
fn mfa_config(pool: &Pool) -> Value {
    let c = &pool.config;
    let mut out = json!({ "MfaConfiguration": mfa_name(pool.s.mfa) });
    let explicit = has_explicit_mfa(c);
    // A pool whose methods were never configured has every method while MFA is on.
    let implicit = !explicit && pool.s.mfa != Mfa::Off;
    if let Some(s) = get(c, "SmsMfaConfiguration") {
        out["SmsMfaConfiguration"] = s.clone();
    } else if implicit {
        let mut s = Map::new();
        for k in ["SmsAuthenticationMessage", "SmsConfiguration"] {
            if let Some(v) = get(c, k) {
                s.insert(k.into(), v.clone());
            }
        }
        out["SmsMfaConfiguration"] = Value::Object(s);
    }
    if let Some(t) = get(c, "SoftwareTokenMfaConfiguration") {
        out["SoftwareTokenMfaConfiguration"] = t.clone();
    } else if implicit {
        out["SoftwareTokenMfaConfiguration"] = json!({"Enabled": true});
    }
    if let Some(e) = get(c, "EmailMfaConfiguration") {
        out["EmailMfaConfiguration"] = e.clone();
    } else if implicit {
        out["EmailMfaConfiguration"] = json!({});
    }
    if let Some(w) = get(c, "WebAuthnConfiguration") {
        out["WebAuthnConfiguration"] = w.clone();
    }
    out
}

pub(crate) fn get_user_pool_mfa_config(st: &mut State, b: &Body) -> ApiResult<Value> {
    Ok(mfa_config(st.pool(b.str("UserPoolId")?)?))
}
