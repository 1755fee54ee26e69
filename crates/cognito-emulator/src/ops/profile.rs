//! The signed-in user's own profile: attributes, password, deletion, auth factors, passkeys.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::api::{ApiError, ApiResult, Body, invalid_param};
use crate::ops::admin::{apply_changes, check_required, finish_update, mfa_settings, plan_update};
use crate::ops::tokens::{caller, caller_of_declared_errors};
use crate::ops::{check_code, check_password_policy, new_code, password_matches, set_password};
use crate::schema::{WriteKind, Writer};
use crate::state::{State, delivery_details};

/// Attribute-verification codes last 24 h (docs/protocol.md#73-codes).
pub(crate) const VERIFY_CODE_SECS: u64 = 24 * 3600;

pub(crate) fn change_password(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    let proposed = b.str("ProposedPassword")?;
    let previous = b.opt_str("PreviousPassword")?;
    let now = st.now();
    let pool = st.pool(&c.pool_id)?;
    let s = pool.s.clone();
    crate::ops::check_lockout(pool.user(&c.username)?, now)?;
    let user = st.users_mut(&c.pool_id)?.user_mut(&c.username)?;
    if user.password.is_some() {
        match previous {
            Some(p) if password_matches(user, &c.pool_id, p) => {}
            _ => return Err(crate::ops::record_failure(user, now)),
        }
    }
    check_password_policy(&s, proposed)?;
    set_password(user, &c.pool_id, proposed, now)?;
    Ok(json!({}))
}

pub(crate) fn get_user(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    let client_id = c
        .claims
        .get("client_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let read = st
        .clients()
        .get(&client_id)
        .and_then(|c| c.read_attrs.clone());
    let pool = st.pool(&c.pool_id)?;
    let user = pool.user(&c.username)?;
    let attrs: Vec<Value> = user
        .attribute_list()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|a| {
            let name = a.get("Name").and_then(Value::as_str).unwrap_or("");
            name == "sub" || pool.schema.readable(read.as_deref(), name)
        })
        .collect();
    let mut out = json!({ "Username": user.username, "UserAttributes": attrs });
    let (pref, list) = mfa_settings(user, &pool.s);
    if let Some(p) = pref {
        out["PreferredMfaSetting"] = json!(p);
    }
    if user.sms_mfa {
        out["MFAOptions"] = json!([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]);
    }
    if !list.is_empty() {
        out["UserMFASettingList"] = json!(list);
    }
    Ok(out)
}

/// The app client an access token was issued to.
fn token_client(
    st: &State,
    claims: &serde_json::Map<String, Value>,
) -> Option<crate::state::Client> {
    let id = claims.get("client_id").and_then(Value::as_str)?;
    st.clients().get(id).cloned()
}

pub(crate) fn update_user_attributes(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    let attrs = b.opt_attrs("UserAttributes")?.unwrap_or_default();
    let write = token_client(st, &c.claims).and_then(|c| c.write_attrs);
    let now_f = st.now_f();
    let pool = st.pool(&c.pool_id)?;
    let user = pool.user(&c.username)?;
    // Validate every attribute before changing anything.
    let changes = pool.schema.check_writes(
        &attrs,
        Writer::Client(write.as_deref()),
        WriteKind::Update,
        &|n: &str| user.attr(n).map(str::to_string),
    )?;
    let plan = plan_update(&pool.s, user.attrs(), &changes);
    check_required(&pool.schema, &plan.after)?;
    // A new e-mail or phone number is unverified, so it only clashes where it is an alias
    // without verification (a username attribute, preferred_username).
    if let Some(clash) = pool.users.alias_clash(&c.username, &plan.after) {
        return Err(clash.error());
    }
    let after = plan.after.clone();
    let users = st.users_mut(&c.pool_id)?;
    users.update_attrs(&c.username, |a| *a = after)?;
    users.user_mut(&c.username)?.modified = now_f;
    let details = finish_update(st, &c.pool_id, &c.username, &changes, &plan)?;
    let mut out = json!({});
    if !details.is_empty() {
        out["CodeDeliveryDetailsList"] = json!(details);
    }
    Ok(out)
}

pub(crate) fn delete_user_attributes(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    let names = b.opt_str_list("UserAttributeNames")?.unwrap_or_default();
    let write = token_client(st, &c.claims).and_then(|c| c.write_attrs);
    let now_f = st.now_f();
    let pool = st.pool(&c.pool_id)?;
    pool.schema
        .check_deletes(&names, Writer::Client(write.as_deref()))?;
    let changes: Vec<(String, String)> = names.into_iter().map(|n| (n, String::new())).collect();
    let after = apply_changes(pool.user(&c.username)?.attrs(), &changes);
    let users = st.users_mut(&c.pool_id)?;
    users.update_attrs(&c.username, |a| *a = after)?;
    users.user_mut(&c.username)?.modified = now_f;
    Ok(json!({}))
}

pub(crate) fn get_verification_code(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    let attr = b.str("AttributeName")?.to_string();
    if attr != "email" && attr != "phone_number" {
        return Err(invalid_param(format!(
            "Verification is not supported for attribute {attr}"
        )));
    }
    let now = st.now();
    // Refused before the user is taken for changing, which would note it for the durable
    // store although nothing changed. A value waiting for verification is the one a code
    // verifies, so the code goes there.
    let user = st.pool(&c.pool_id)?.user(&c.username)?;
    let value = user
        .pending_attrs
        .get(&attr)
        .map(String::as_str)
        .or_else(|| user.attr(&attr))
        .ok_or_else(|| invalid_param(format!("User does not have attribute {attr}")))?
        .to_string();
    let user = st.users_mut(&c.pool_id)?.user_mut(&c.username)?;
    let code = new_code(user, &format!("VERIFY:{attr}"), now, VERIFY_CODE_SECS);
    let medium = if attr == "phone_number" {
        "SMS"
    } else {
        "EMAIL"
    };
    crate::triggers::deliver(
        st,
        &c.pool_id,
        &c.username,
        &value,
        medium,
        "VERIFY_ATTRIBUTE",
        &code,
    );
    Ok(json!({ "CodeDeliveryDetails": delivery_details(&attr, &value) }))
}

pub(crate) fn verify_user_attribute(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    let attr = b.str("AttributeName")?.to_string();
    let code = b.str("Code")?;
    let now = st.now();
    let users = st.users_mut(&c.pool_id)?;
    let user = users.user(&c.username)?;
    let mut after = user.attrs().clone();
    // A value held back until verification replaces the old one now.
    if let Some(pending) = user.pending_attrs.get(&attr) {
        after.insert(attr.clone(), pending.clone());
    }
    if after.contains_key(&attr) {
        after.insert(format!("{attr}_verified"), "true".into());
    }
    // A verified value becomes an alias: another user's verified alias is refused.
    if let Some(clash) = users.alias_clash(&c.username, &after) {
        return Err(clash.error());
    }
    check_code(
        users.user_mut(&c.username)?,
        &format!("VERIFY:{attr}"),
        code,
        now,
    )?;
    users.update_attrs(&c.username, |a| *a = after)?;
    users.user_mut(&c.username)?.pending_attrs.remove(&attr);
    Ok(json!({}))
}

pub(crate) fn delete_user(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    st.pool_mut(&c.pool_id)?.remove_user(&c.username);
    st.revoke_user_tokens(&c.pool_id, &c.username);
    st.drop_sessions_of(&c.pool_id, &c.username);
    Ok(json!({}))
}

pub(crate) fn get_user_auth_factors(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    let pool = st.pool(&c.pool_id)?;
    let user = pool.user(&c.username)?;
    let (pref, list) = mfa_settings(user, &pool.s);
    let mut factors = Vec::new();
    if user.password.is_some() {
        factors.push("PASSWORD");
    }
    let allowed = |f: &str| pool.s.first_factors.iter().any(|x| x == f);
    if allowed("EMAIL_OTP") && user.verified("email") {
        factors.push("EMAIL_OTP");
    }
    if allowed("SMS_OTP") && user.verified("phone_number") {
        factors.push("SMS_OTP");
    }
    if !user.webauthn.is_empty() {
        factors.push("WEB_AUTHN");
    }
    if user.totp_key.is_some() {
        factors.push("SOFTWARE_TOKEN");
    }
    let mut out = json!({ "Username": user.username, "ConfiguredUserAuthFactors": factors });
    if let Some(p) = pref {
        out["PreferredMfaSetting"] = json!(p);
    }
    if !list.is_empty() {
        out["UserMFASettingList"] = json!(list);
    }
    Ok(out)
}

/// The relying party of a pool's passkeys.
pub(crate) fn relying_party(st: &State, pool_id: &str) -> String {
    st.pools()
        .get(pool_id)
        .and_then(|p| p.config.get("WebAuthnConfiguration"))
        .and_then(|w| w.get("RelyingPartyId"))
        .and_then(Value::as_str)
        .unwrap_or("localhost")
        .to_string()
}

pub(crate) fn start_webauthn_registration(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller_of_declared_errors(st, b)?;
    let rp = relying_party(st, &c.pool_id);
    let now = st.now();
    let users = st.users_mut(&c.pool_id)?;
    if users.user(&c.username)?.webauthn.len() >= 20 {
        return Err(ApiError::new(
            "LimitExceededException",
            "Passkey limit reached.",
        ));
    }
    let user = users.user_mut(&c.username)?;
    let challenge = URL_SAFE_NO_PAD.encode(crate::util::random_bytes(32));
    user.codes.insert(
        "WEBAUTHN_REG".into(),
        crate::state::PendingCode {
            code: challenge.clone(),
            expires: now + 300,
            attempts: 0,
        },
    );
    let exclude: Vec<Value> = user
        .webauthn
        .iter()
        .map(|c| json!({"type": "public-key", "id": c["CredentialId"]}))
        .collect();
    Ok(json!({ "CredentialCreationOptions": {
        "challenge": challenge,
        "rp": {"id": rp, "name": rp},
        "user": {
            "id": URL_SAFE_NO_PAD.encode(user.sub.as_bytes()),
            "name": user.username,
            "displayName": user.attr("email").unwrap_or(&user.username),
        },
        "pubKeyCredParams": [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}],
        "timeout": 60000,
        "excludeCredentials": exclude,
        "authenticatorSelection": {"residentKey": "required", "requireResidentKey": true, "userVerification": "preferred"},
    }}))
}

/// Whether the pool's `WebAuthnConfiguration` requires user verification.
pub(crate) fn requires_user_verification(st: &State, pool_id: &str) -> bool {
    st.pools()
        .get(pool_id)
        .and_then(|p| p.config.get("WebAuthnConfiguration"))
        .and_then(|w| w.get("UserVerification"))
        .and_then(Value::as_str)
        == Some("required")
}

/// The error CompleteWebAuthnRegistration answers for a refused credential.
fn registration_error(r: crate::webauthn::Refusal) -> ApiError {
    use crate::webauthn::Refusal;
    match r {
        Refusal::Challenge => ApiError::new(
            "WebAuthnChallengeNotFoundException",
            "The challenge does not match a pending WebAuthn challenge.",
        ),
        Refusal::Origin(o) => ApiError::new(
            "WebAuthnOriginNotAllowedException",
            format!("The origin {o} is not allowed for the relying party."),
        ),
        Refusal::RelyingParty => ApiError::new(
            "WebAuthnRelyingPartyMismatchException",
            "The authenticator data is for another relying party.",
        ),
        Refusal::NotSupported(m) => ApiError::new(
            "WebAuthnCredentialNotSupportedException",
            format!("The credential is not supported: {m}."),
        ),
        Refusal::Invalid(m) => invalid_param(format!("Invalid WebAuthn credential: {m}.")),
    }
}

pub(crate) fn complete_webauthn_registration(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller_of_declared_errors(st, b)?;
    let cred = b
        .opt_obj("Credential")?
        .ok_or_else(|| invalid_param("Credential is required"))?;
    cred.str_len("id", 1, 1024)?;
    if cred.opt_str("type")? != Some("public-key") {
        return Err(invalid_param("Credential type must be public-key"));
    }
    let resp = cred
        .opt_obj("response")?
        .ok_or_else(|| invalid_param("Credential response is required"))?;
    resp.str("clientDataJSON")?;
    resp.str("attestationObject")?;
    let transports = resp.opt_str_list("transports")?.unwrap_or_default();
    let attachment = cred.opt_str("authenticatorAttachment")?.map(str::to_string);
    let rp = relying_party(st, &c.pool_id);
    let require_uv = requires_user_verification(st, &c.pool_id);
    let now = st.now();
    let now_f = st.now_f();
    let users = st.users_mut(&c.pool_id)?;
    let user = users.user_mut(&c.username)?;
    let pending = user
        .codes
        .get("WEBAUTHN_REG")
        .filter(|p| p.expires > now)
        .map(|p| p.code.clone())
        .ok_or_else(|| {
            ApiError::new(
                "WebAuthnChallengeNotFoundException",
                "No pending WebAuthn registration.",
            )
        })?;
    let expected = crate::webauthn::Expected {
        challenge: &pending,
        rp_id: &rp,
        require_user_verification: require_uv,
    };
    let (id, passkey) = crate::webauthn::register(&Value::Object(cred.0.clone()), &expected)
        .map_err(registration_error)?;
    if user.passkeys.contains_key(&id) {
        return Err(invalid_param("The credential is already registered."));
    }
    user.codes.remove("WEBAUTHN_REG");
    let mut desc = json!({
        "CredentialId": id,
        "FriendlyCredentialName": format!("passkey-{}", user.webauthn.len() + 1),
        "RelyingPartyId": rp,
        "AuthenticatorTransports": transports,
        "CreatedAt": now_f,
    });
    if let Some(a) = attachment {
        desc["AuthenticatorAttachment"] = json!(a);
    }
    user.webauthn.push(desc);
    user.passkeys.insert(id, passkey);
    Ok(json!({}))
}

pub(crate) fn list_webauthn_credentials(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller_of_declared_errors(st, b)?;
    let pool = st.pool(&c.pool_id)?;
    let user = pool.user(&c.username)?;
    Ok(json!({ "Credentials": user.webauthn }))
}

pub(crate) fn delete_webauthn_credential(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller_of_declared_errors(st, b)?;
    let id = b.str("CredentialId")?.to_string();
    let users = st.users_mut(&c.pool_id)?;
    let named = |c: &Value| c.get("CredentialId").and_then(Value::as_str) == Some(id.as_str());
    if !users.user(&c.username)?.webauthn.iter().any(named) {
        return Err(crate::api::not_found("Credential does not exist."));
    }
    let user = users.user_mut(&c.username)?;
    user.webauthn.retain(|c| !named(c));
    user.passkeys.remove(&id);
    Ok(json!({}))
}
