//! `InitiateAuth` and `RespondToAuthChallenge`: every flow and challenge of docs/protocol.md#3-flows-challenges-and-sessions.
//!
//! This file starts the flows and runs the pipeline after a first factor (new password, MFA
//! setup, remembered device, MFA); `respond` answers each challenge, `srp` holds the
//! handshake that user and device SRP share, `custom_flow` the custom-auth rounds.

mod custom_flow;
mod respond;
mod srp;

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use self::custom_flow::{Next, custom_apply, custom_next, define};
pub(crate) use self::respond::respond_to_auth_challenge;
use self::srp::begin_srp;
use crate::api::{
    ApiError, ApiResult, Body, incorrect_credentials, invalid_param, not_authorized, not_found,
    session_expired,
};
use crate::challenge::ChallengeName;
use crate::ops::tokens::issue;
use crate::ops::{
    check_lockout, check_secret_hash, check_user_can_sign_in, password_matches, record_failure,
};
use crate::state::{AuthSession, Client, FlowCtx, Mfa, RoundResult, State, Step};
use crate::triggers::{self, Trigger};
use crate::util::{mask_email, mask_phone};

fn missing(name: &str) -> ApiError {
    invalid_param(format!("Missing required parameter {name}"))
}

fn param<'a>(m: &'a BTreeMap<String, String>, name: &str) -> ApiResult<&'a str> {
    m.get(name).map(String::as_str).ok_or_else(|| missing(name))
}

/// Resolves `USERNAME`; unknown users get the error the client's existence setting asks for.
fn resolve_user(st: &State, client: &Client, given: &str) -> ApiResult<String> {
    let pool = st.pool(&client.pool_id)?;
    pool.resolve(given).ok_or_else(|| {
        if client.prevent_existence {
            incorrect_credentials()
        } else {
            crate::api::user_not_found()
        }
    })
}

/// Creates a session for `step` and returns the challenge response.
fn challenge(
    st: &mut State,
    client: &Client,
    username: &str,
    step: Step,
    ctx: FlowCtx,
    mut params: serde_json::Map<String, Value>,
) -> Value {
    let name = step.name();
    let now = st.now();
    st.sessions_mut().sweep(now);
    let sid = crate::util::session_token();
    let available = match &step {
        Step::SelectChallenge { available } => Some(available.clone()),
        _ => None,
    };
    let now = st.now();
    st.sessions_mut().insert(
        sid.clone(),
        AuthSession {
            pool_id: client.pool_id.clone(),
            client_id: client.id.clone(),
            username: username.to_string(),
            expires: now + client.session_secs,
            step,
            attempts: 0,
            ctx,
        },
    );
    if !params.contains_key("USERNAME") && name != ChallengeName::PasswordVerifier {
        params.insert("USERNAME".into(), json!(username));
    }
    let mut out = json!({
        "ChallengeName": name,
        "Session": sid,
        "ChallengeParameters": params,
    });
    if let Some(a) = available {
        out["AvailableChallenges"] = json!(a);
    }
    out
}

pub(crate) fn initiate_auth(st: &mut State, b: &Body) -> ApiResult<Value> {
    let flow = b.str("AuthFlow")?;
    let client_id = b.str("ClientId")?;
    let params = b.str_map("AuthParameters")?;
    // Checked here; the triggers read it from the request (`triggers::client_metadata`).
    b.str_map("ClientMetadata")?;
    let session = b.opt_str("Session")?;
    let client = st.client(client_id)?;
    let ctx = FlowCtx {
        device_key: params.get("DEVICE_KEY").cloned(),
        ..FlowCtx::default()
    };
    match flow {
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            crate::ops::tokens::refresh_token_auth(st, client_id, &params)
        }
        "USER_SRP_AUTH" => {
            if !client.allows("ALLOW_USER_SRP_AUTH") {
                return Err(invalid_param(
                    "USER_SRP_AUTH is not enabled for the client.",
                ));
            }
            let given = param(&params, "USERNAME")?;
            let srp_a = param(&params, "SRP_A")?;
            check_secret_hash(
                &client,
                given,
                params.get("SECRET_HASH").map(String::as_str),
            )?;
            let username = srp_user(st, &client, given)?;
            pre_authentication(st, &client, &username)?;
            begin_srp(st, &client, &username, srp_a, ctx)
        }
        "USER_PASSWORD_AUTH" => {
            // The hosted sign-in pages check passwords whatever the client's API flows are.
            if !client.allows("ALLOW_USER_PASSWORD_AUTH") && !st.run().hosted {
                return Err(invalid_param(
                    "USER_PASSWORD_AUTH flow not enabled for this client",
                ));
            }
            let given = param(&params, "USERNAME")?;
            let password = param(&params, "PASSWORD")?;
            check_secret_hash(
                &client,
                given,
                params.get("SECRET_HASH").map(String::as_str),
            )?;
            let username = resolve_or_migrate(st, &client, given, password)?;
            pre_authentication(st, &client, &username)?;
            password_first_factor(st, &client, &username, password)?;
            after_first_factor(st, &client, &username, ctx)
        }
        "CUSTOM_AUTH" => {
            if !client.allows("ALLOW_CUSTOM_AUTH") {
                return Err(invalid_param(
                    "Custom auth flow not enabled for this client",
                ));
            }
            let pool = st.pool(&client.pool_id)?;
            if !pool.s.custom_trigger && !triggers::custom_auth_plugged(st, &client.pool_id) {
                return Err(invalid_param(
                    "Custom auth lambda trigger is not configured for the user pool.",
                ));
            }
            let given = param(&params, "USERNAME")?;
            check_secret_hash(
                &client,
                given,
                params.get("SECRET_HASH").map(String::as_str),
            )?;
            let username = resolve_user(st, &client, given)?;
            {
                let user = st.pool(&client.pool_id)?.user(&username)?;
                check_user_can_sign_in(user)?;
            }
            pre_authentication(st, &client, &username)?;
            let mut ctx = ctx;
            ctx.custom = true;
            if params.get("CHALLENGE_NAME").map(String::as_str) == Some("SRP_A") {
                let srp_a = param(&params, "SRP_A")?;
                ctx.custom_history.push(RoundResult {
                    challenge_name: "SRP_A".into(),
                    result: true,
                    metadata: None,
                });
                let next = define(st, &client, &username, &ctx)?;
                return match next {
                    Next::PasswordVerifier => begin_srp(st, &client, &username, srp_a, ctx),
                    other => custom_apply(st, &client, &username, ctx, other),
                };
            }
            custom_next(st, &client, &username, ctx)
        }
        "USER_AUTH" => {
            if !client.allows("ALLOW_USER_AUTH") {
                return Err(invalid_param("USER_AUTH flow not enabled for this client"));
            }
            let given = param(&params, "USERNAME")?;
            check_secret_hash(
                &client,
                given,
                params.get("SECRET_HASH").map(String::as_str),
            )?;
            let pref = match params.get("PREFERRED_CHALLENGE") {
                None => None,
                Some(p) => Some(
                    ChallengeName::parse_first_factor(p)
                        .ok_or_else(|| invalid_param(format!("Invalid PREFERRED_CHALLENGE {p}")))?,
                ),
            };
            if client.prevent_existence && st.pool(&client.pool_id)?.resolve(given).is_none() {
                pre_authentication(st, &client, given)?;
                // A plausible answer for an unknown user (docs/protocol.md#74-preventuserexistenceerrors): nothing ever verifies.
                return match pref {
                    Some(ChallengeName::PasswordSrp) => {
                        begin_srp(st, &client, given, param(&params, "SRP_A")?, ctx)
                    }
                    Some(ChallengeName::Password) => Err(incorrect_credentials()),
                    _ => {
                        let available = vec![ChallengeName::PasswordSrp, ChallengeName::Password];
                        let step = Step::SelectChallenge { available };
                        Ok(challenge(st, &client, given, step, ctx, Default::default()))
                    }
                };
            }
            let username = resolve_user(st, &client, given)?;
            {
                let user = st.pool(&client.pool_id)?.user(&username)?;
                check_user_can_sign_in(user)?;
            }
            pre_authentication(st, &client, &username)?;
            if let Some(sess) = session {
                let now = st.now();
                let s = st
                    .sessions_mut()
                    .take_signup(sess)
                    .ok_or_else(session_expired)?;
                if !s.confirmed
                    || s.expires <= now
                    || s.client_id != client.id
                    || s.username != username
                {
                    return Err(session_expired());
                }
                let mut ctx = ctx;
                ctx.mfa_done = true;
                return after_first_factor(st, &client, &username, ctx);
            }
            let available = available_first_factors(st, &client, &username)?;
            if let Some(pref) = pref
                && available.contains(&pref)
            {
                return start_first_factor(st, &client, &username, pref, &params, ctx);
            }
            let step = Step::SelectChallenge { available };
            Ok(challenge(
                st,
                &client,
                &username,
                step,
                ctx,
                Default::default(),
            ))
        }
        "ADMIN_NO_SRP_AUTH" | "ADMIN_USER_PASSWORD_AUTH" => {
            Err(invalid_param("Initiate Auth method not supported."))
        }
        other => Err(crate::api::beyond_model("AuthFlow", other)),
    }
}

/// `AdminInitiateAuth`: the admin password flows, or any public flow for a pool's client.
pub(crate) fn admin_initiate_auth(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool_id = b.str("UserPoolId")?;
    let client = st.client(b.str("ClientId")?)?;
    if client.pool_id != pool_id {
        return Err(not_found(format!(
            "User pool client {} does not exist.",
            client.id
        )));
    }
    match b.str("AuthFlow")? {
        "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
            if !client.allows("ALLOW_ADMIN_USER_PASSWORD_AUTH") {
                return Err(invalid_param("Auth flow not enabled for this client"));
            }
            let params = b.str_map("AuthParameters")?;
            let given = param(&params, "USERNAME")?;
            let password = param(&params, "PASSWORD")?;
            check_secret_hash(
                &client,
                given,
                params.get("SECRET_HASH").map(String::as_str),
            )?;
            let username = resolve_or_migrate(st, &client, given, password)?;
            pre_authentication(st, &client, &username)?;
            password_first_factor(st, &client, &username, password)?;
            b.str_map("ClientMetadata")?;
            let ctx = FlowCtx {
                device_key: params.get("DEVICE_KEY").cloned(),
                ..FlowCtx::default()
            };
            after_first_factor(st, &client, &username, ctx)
        }
        _ => initiate_auth(st, b),
    }
}

/// `AdminRespondToAuthChallenge`: `RespondToAuthChallenge` for a pool's client.
pub(crate) fn admin_respond_to_auth_challenge(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool_id = b.str("UserPoolId")?;
    let client = st.client(b.str("ClientId")?)?;
    if client.pool_id != pool_id {
        return Err(not_found(format!(
            "User pool client {} does not exist.",
            client.id
        )));
    }
    respond_to_auth_challenge(st, b)
}

/// User lookup for SRP: unknown users under ENABLED get a handshake that cannot verify.
fn srp_user(st: &State, client: &Client, given: &str) -> ApiResult<String> {
    let pool = st.pool(&client.pool_id)?;
    match pool.resolve(given) {
        Some(u) => {
            let user = pool.user(&u)?;
            check_user_can_sign_in(user)?;
            check_lockout(user, st.now())?;
            Ok(u)
        }
        None if client.prevent_existence => Ok(given.to_string()),
        None => Err(crate::api::user_not_found()),
    }
}

/// Checks a plaintext password (USER_PASSWORD_AUTH, USER_AUTH + PASSWORD).
fn password_first_factor(
    st: &mut State,
    client: &Client,
    username: &str,
    password: &str,
) -> ApiResult<()> {
    let now = st.now();
    let pool = st.pool(&client.pool_id)?;
    let temp_days = pool.s.temp_days;
    let pool_id = pool.id.clone();
    // Looked up for reading: a durable store rewrites a user taken for writing, and only a
    // wrong password changes it.
    let user = pool.user(username)?;
    check_user_can_sign_in(user)?;
    check_lockout(user, now)?;
    if !password_matches(user, &pool_id, password) {
        let user = st.users_mut(&client.pool_id)?.user_mut(username)?;
        return Err(record_failure(user, now));
    }
    check_temp_password(user, temp_days, now)
}

fn check_temp_password(user: &crate::state::User, temp_days: u64, now: u64) -> ApiResult<()> {
    if user.status == "FORCE_CHANGE_PASSWORD"
        && let Some(rec) = &user.password
        && now > rec.set_at + temp_days * 86400
    {
        return Err(not_authorized(
            "Temporary password has expired and must be reset by an administrator.",
        ));
    }
    Ok(())
}

/// The `USER_AUTH` first factors the pool allows and the user can use.
fn available_first_factors(
    st: &State,
    client: &Client,
    username: &str,
) -> ApiResult<Vec<ChallengeName>> {
    let pool = st.pool(&client.pool_id)?;
    let user = pool.user(username)?;
    let mut v = Vec::new();
    for f in &pool.s.first_factors {
        match f.as_str() {
            "PASSWORD" if user.password.is_some() => {
                v.push(ChallengeName::PasswordSrp);
                v.push(ChallengeName::Password);
            }
            "EMAIL_OTP" if user.attr("email").is_some() => v.push(ChallengeName::EmailOtp),
            "SMS_OTP" if user.attr("phone_number").is_some() => v.push(ChallengeName::SmsOtp),
            "WEB_AUTHN" if !user.webauthn.is_empty() => v.push(ChallengeName::WebAuthn),
            _ => {}
        }
    }
    Ok(v)
}

/// Starts a USER_AUTH first factor.
fn start_first_factor(
    st: &mut State,
    client: &Client,
    username: &str,
    factor: ChallengeName,
    params: &BTreeMap<String, String>,
    ctx: FlowCtx,
) -> ApiResult<Value> {
    if !st.pool(&client.pool_id)?.users.contains_key(username) {
        // The unknown user of a PreventUserExistenceErrors client.
        return match factor {
            ChallengeName::PasswordSrp => {
                begin_srp(st, client, username, param(params, "SRP_A")?, ctx)
            }
            _ => Err(incorrect_credentials()),
        };
    }
    match factor {
        ChallengeName::Password => {
            let password = param(params, "PASSWORD")?;
            password_first_factor(st, client, username, password)?;
            after_first_factor(st, client, username, ctx)
        }
        ChallengeName::PasswordSrp => {
            let srp_a = param(params, "SRP_A")?;
            let user = st.pool(&client.pool_id)?.user(username)?;
            check_lockout(user, st.now())?;
            begin_srp(st, client, username, srp_a, ctx)
        }
        ChallengeName::EmailOtp | ChallengeName::SmsOtp => {
            let (attr, medium) = if factor == ChallengeName::EmailOtp {
                ("email", "EMAIL")
            } else {
                ("phone_number", "SMS")
            };
            let dest = st
                .pool(&client.pool_id)?
                .user(username)?
                .attr(attr)
                .ok_or_else(|| invalid_param(format!("User has no {attr}")))?
                .to_string();
            let code = crate::util::six_digits();
            triggers::deliver(st, &client.pool_id, username, &dest, medium, "OTP", &code);
            let params = delivery_params(medium, &dest);
            let step = Step::Otp { kind: factor, code };
            Ok(challenge(st, client, username, step, ctx, params))
        }
        ChallengeName::WebAuthn => {
            let rp = crate::ops::profile::relying_party(st, &client.pool_id);
            let user = st.pool(&client.pool_id)?.user(username)?;
            let allow: Vec<Value> = user
                .webauthn
                .iter()
                .map(|c| {
                    json!({"type": "public-key", "id": c["CredentialId"],
                           "transports": c["AuthenticatorTransports"]})
                })
                .collect();
            let ch = URL_SAFE_NO_PAD.encode(crate::util::random_bytes(32));
            let options = json!({
                "challenge": ch, "rpId": rp, "timeout": 180000,
                "allowCredentials": allow, "userVerification": "preferred",
            });
            let params = serde_json::Map::from_iter([(
                "CREDENTIAL_REQUEST_OPTIONS".to_string(),
                json!(options.to_string()),
            )]);
            let step = Step::WebAuthn { challenge: ch };
            Ok(challenge(st, client, username, step, ctx, params))
        }
        other => Err(invalid_param(format!("Unsupported challenge {other}"))),
    }
}

fn delivery_params(medium: &str, dest: &str) -> serde_json::Map<String, Value> {
    let masked = if medium == "SMS" {
        mask_phone(dest)
    } else {
        mask_email(dest)
    };
    serde_json::Map::from_iter([
        ("CODE_DELIVERY_DELIVERY_MEDIUM".to_string(), json!(medium)),
        ("CODE_DELIVERY_DESTINATION".to_string(), json!(masked)),
    ])
}

/// The post-first-factor pipeline of docs/protocol.md#32-challenges: NEW_PASSWORD_REQUIRED → MFA_SETUP → device → MFA.
fn after_first_factor(
    st: &mut State,
    client: &Client,
    username: &str,
    mut ctx: FlowCtx,
) -> ApiResult<Value> {
    let pool = st.pool(&client.pool_id)?;
    let s = pool.s.clone();
    let user = pool.user(username)?;
    if user.status == "FORCE_CHANGE_PASSWORD" && !ctx.new_password_done {
        let missing: Vec<String> = pool
            .schema
            .required()
            .filter(|r| user.attr(r).is_none())
            .map(|r| format!("userAttributes.{r}"))
            .collect();
        let mut attrs = serde_json::Map::new();
        for (k, v) in user.attrs() {
            attrs.insert(k.clone(), json!(v));
        }
        let params = serde_json::Map::from_iter([
            ("USER_ID_FOR_SRP".to_string(), json!(username)),
            (
                "userAttributes".to_string(),
                json!(Value::Object(attrs).to_string()),
            ),
            (
                "requiredAttributes".to_string(),
                json!(json!(missing).to_string()),
            ),
        ]);
        return Ok(challenge(
            st,
            client,
            username,
            Step::NewPasswordRequired,
            ctx,
            params,
        ));
    }
    let factors = user.enabled_factors(&s);
    if s.device.is_none() {
        ctx.device_key = None;
    }
    let mfa_due = !ctx.mfa_done && s.mfa != Mfa::Off && (s.mfa == Mfa::On || !factors.is_empty());
    if mfa_due && factors.is_empty() {
        let mut can = Vec::new();
        if s.sms_mfa {
            can.push("SMS_MFA");
        }
        if s.totp_mfa {
            can.push("SOFTWARE_TOKEN_MFA");
        }
        if s.email_mfa {
            can.push("EMAIL_OTP");
        }
        let params = serde_json::Map::from_iter([(
            "MFAS_CAN_SETUP".to_string(),
            json!(json!(can).to_string()),
        )]);
        let step = Step::MfaSetup {
            totp_verified: false,
        };
        return Ok(challenge(st, client, username, step, ctx, params));
    }
    if let Some(dk) = ctx.device_key.clone()
        && !ctx.device_done
    {
        let dev = user
            .devices
            .get(&dk)
            .ok_or_else(|| not_found("Device does not exist."))?;
        let challenge_device = s.device.is_some_and(|(required, _)| required);
        if dev.verifier.is_some() && dev.remembered && (mfa_due || challenge_device) {
            return Ok(challenge(
                st,
                client,
                username,
                Step::DeviceSrpAuth,
                ctx,
                Default::default(),
            ));
        }
    }
    if mfa_due {
        let preferred = user.preferred.as_deref().and_then(ChallengeName::parse_mfa);
        let pick = match preferred {
            Some(p) if factors.contains(&p) => Some(p),
            _ if factors.len() == 1 => factors.first().copied(),
            _ => None,
        };
        return match pick {
            Some(kind) => start_mfa(st, client, username, kind, ctx),
            None => {
                let params = serde_json::Map::from_iter([(
                    "MFAS_CAN_CHOOSE".to_string(),
                    json!(json!(factors).to_string()),
                )]);
                let step = Step::SelectMfaType { options: factors };
                Ok(challenge(st, client, username, step, ctx, params))
            }
        };
    }
    issue(st, &client.pool_id, &client.id, username, &ctx)
}

/// Sends the MFA challenge of `kind`.
fn start_mfa(
    st: &mut State,
    client: &Client,
    username: &str,
    kind: ChallengeName,
    ctx: FlowCtx,
) -> ApiResult<Value> {
    match kind {
        ChallengeName::SmsMfa | ChallengeName::EmailOtp => {
            let (attr, medium) = if kind == ChallengeName::SmsMfa {
                ("phone_number", "SMS")
            } else {
                ("email", "EMAIL")
            };
            let dest = st
                .pool(&client.pool_id)?
                .user(username)?
                .attr(attr)
                .ok_or_else(|| {
                    ApiError::new(
                        "InvalidParameterException",
                        format!("User has no {attr} for {kind}"),
                    )
                })?
                .to_string();
            let code = crate::util::six_digits();
            triggers::deliver(st, &client.pool_id, username, &dest, medium, "MFA", &code);
            let mut params = delivery_params(medium, &dest);
            params.insert("USER_ID_FOR_SRP".into(), json!(username));
            let step = Step::Mfa {
                kind,
                code: Some(code),
            };
            Ok(challenge(st, client, username, step, ctx, params))
        }
        _ => {
            let step = Step::Mfa {
                kind: ChallengeName::SoftwareTokenMfa,
                code: None,
            };
            Ok(challenge(
                st,
                client,
                username,
                step,
                ctx,
                Default::default(),
            ))
        }
    }
}

/// The pre authentication trigger of a sign-in (its error denies the sign-in). The
/// `ClientMetadata` of InitiateAuth reaches it as `validationData`.
fn pre_authentication(st: &mut State, client: &Client, username: &str) -> ApiResult<()> {
    if !triggers::any(st, &client.pool_id) {
        return Ok(());
    }
    // An unknown user gets this far only under PreventUserExistenceErrors: the trigger then
    // sees `userNotFound`.
    let (attributes, not_found) = match st.pool(&client.pool_id)?.users.get(username) {
        Some(user) => (triggers::user_attributes(user), false),
        None if client.prevent_existence => (json!({}), true),
        None => return Ok(()),
    };
    let request = json!({
        "userAttributes": attributes,
        "validationData": st.run().client_metadata.clone().unwrap_or(Value::Null),
        "userNotFound": not_found,
    });
    let event = triggers::event(
        st,
        &client.pool_id,
        1,
        "PreAuthentication_Authentication",
        username,
        request,
        json!({}),
    );
    triggers::call(st, &client.pool_id, Trigger::PreAuthentication, event)?;
    Ok(())
}

/// Resolves `USERNAME` for a password sign-in, creating the user through the user migration
/// trigger when the pool does not know it (only password flows can migrate: the trigger
/// needs the password).
fn resolve_or_migrate(
    st: &mut State,
    client: &Client,
    given: &str,
    password: &str,
) -> ApiResult<String> {
    if st.pool(&client.pool_id)?.resolve(given).is_none() {
        crate::ops::signup::migrate_user(st, client, given, Some(password))?;
    }
    resolve_user(st, client, given)
}
