//! `InitiateAuth` and `RespondToAuthChallenge`: every flow and challenge of docs/protocol.md#3-flows-challenges-and-sessions.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use num_bigint::BigUint;
use serde_json::{Value, json};

use crate::api::{
    ApiError, ApiResult, Body, check_len, code_mismatch, incorrect_credentials, invalid_param,
    not_authorized, not_found, session_expired,
};
use crate::ops::tokens::issue;
use crate::ops::{
    check_lockout, check_password_policy, check_secret_hash, check_user_can_sign_in,
    password_matches, record_failure, set_password,
};
use crate::schema::{WriteKind, Writer};
use crate::srp_server::{ct_eq, expected_signature, parse_srp_a, prim, server_ephemeral};
use crate::state::{
    AuthSession, Client, FlowCtx, Handshake, Mfa, RoundResult, State, Step, pool_name,
};
use crate::triggers::{self, Trigger};
use crate::util::{mask_email, mask_phone};

/// Allowed distance between a client's TIMESTAMP and the emulator clock.
pub(crate) const TIMESTAMP_SKEW_SECS: u64 = 300;
/// Wrong answers a code challenge tolerates within one session.
const CHALLENGE_ATTEMPTS: u32 = 3;
/// Wrong answers after which the built-in custom-auth scenario fails.
const CUSTOM_MAX_WRONG: usize = 3;

const CHALLENGE_NAMES: &[&str] = &[
    "SMS_MFA",
    "EMAIL_OTP",
    "SOFTWARE_TOKEN_MFA",
    "SELECT_MFA_TYPE",
    "MFA_SETUP",
    "PASSWORD_VERIFIER",
    "CUSTOM_CHALLENGE",
    "SELECT_CHALLENGE",
    "DEVICE_SRP_AUTH",
    "DEVICE_PASSWORD_VERIFIER",
    "ADMIN_NO_SRP_AUTH",
    "NEW_PASSWORD_REQUIRED",
    "SMS_OTP",
    "PASSWORD",
    "WEB_AUTHN",
    "PASSWORD_SRP",
];

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
    sweep_sessions(st);
    let sid = crate::util::session_token();
    let available = match &step {
        Step::SelectChallenge { available } => Some(available.clone()),
        _ => None,
    };
    if let Step::PasswordVerifier(hs) = &step {
        st.secret_blocks
            .insert(hs.secret_block_b64.clone(), sid.clone());
    }
    let now = st.now();
    st.sessions.insert(
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
    if !params.contains_key("USERNAME") && name != "PASSWORD_VERIFIER" {
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

/// Drops expired sessions (and their SECRET_BLOCK index) once the table has doubled since the
/// last sweep (at least 1024 entries), so that sweeping stays amortized O(1) per session even
/// when many sessions are alive at once.
fn sweep_sessions(st: &mut State) {
    if st.sessions.len() < st.sweep_sessions_at.max(1024) {
        return;
    }
    let now = st.now();
    st.sessions.retain(|_, s| s.expires > now);
    let live = &st.sessions;
    st.secret_blocks.retain(|_, sid| live.contains_key(sid));
    st.sweep_sessions_at = st.sessions.len().saturating_mul(2);
}

/// Starts an SRP handshake for a user (or a plausible one for an unknown user).
fn begin_srp(
    st: &mut State,
    client: &Client,
    username: &str,
    srp_a: &str,
    ctx: FlowCtx,
) -> ApiResult<Value> {
    let a = parse_srp_a(srp_a).ok_or_else(|| invalid_param("Invalid SRP_A value"))?;
    let realm = pool_name(&client.pool_id)?.to_string();
    let pool = st.pool(&client.pool_id)?;
    let (salt, v) = match pool.users.get(username).and_then(|u| u.password.clone()) {
        Some(rec) => (rec.salt, rec.verifier),
        None => {
            // Unknown user under PreventUserExistenceErrors, or a passwordless user:
            // a plausible challenge that can never verify.
            let salt = BigUint::from_bytes_be(&crate::util::random_bytes(16));
            let v = prim::pow_g(&BigUint::from_bytes_be(&crate::util::random_bytes(32)));
            (salt, v)
        }
    };
    let (b, big_b) = server_ephemeral(&v);
    let block = crate::util::random_bytes(128);
    let block_b64 = STANDARD.encode(&block);
    let hs = Handshake {
        a,
        b: std::sync::Arc::new(b),
        big_b: big_b.clone(),
        v,
        realm,
        user: username.to_string(),
        secret_block: block,
        secret_block_b64: block_b64.clone(),
    };
    let params = serde_json::Map::from_iter([
        ("SALT".to_string(), json!(prim::to_hex(&salt))),
        ("SRP_B".to_string(), json!(prim::to_hex(&big_b))),
        ("SECRET_BLOCK".to_string(), json!(block_b64)),
        ("USER_ID_FOR_SRP".to_string(), json!(username)),
        ("USERNAME".to_string(), json!(username)),
    ]);
    Ok(challenge(
        st,
        client,
        username,
        Step::PasswordVerifier(Box::new(hs)),
        ctx,
        params,
    ))
}

/// Is `s` shaped like a TIMESTAMP at all (names, digits), even if not strictly valid?
fn timestamp_parseable(s: &str) -> bool {
    let p: Vec<&str> = s.split(' ').filter(|x| !x.is_empty()).collect();
    if p.len() != 6 {
        return false;
    }
    const WD: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MO: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let digits = |x: &str, min: usize, max: usize| {
        (min..=max).contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit())
    };
    WD.contains(&p[0])
        && MO.contains(&p[1])
        && digits(p[2], 1, 2)
        && p[3].split(':').count() == 3
        && p[3].split(':').all(|x| digits(x, 1, 2))
        && p[4].chars().all(|c| c.is_ascii_uppercase())
        && digits(p[5], 4, 4)
}

/// Verifies a `*_PASSWORD_VERIFIER` answer against its handshake (docs/protocol.md#46-server-side steps 2–5).
fn verify_claim(st: &State, hs: &Handshake, resp: &BTreeMap<String, String>) -> ApiResult<bool> {
    let block = param(resp, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let sig = param(resp, "PASSWORD_CLAIM_SIGNATURE")?;
    let ts = param(resp, "TIMESTAMP")?;
    let Some(t) = prim::parse_timestamp(ts) else {
        if timestamp_parseable(ts) {
            // Zero-padded day or wrong weekday: AWS answers like a wrong password.
            return Ok(false);
        }
        return Err(invalid_param(
            "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.",
        ));
    };
    if !ct_eq(block, &hs.secret_block_b64) {
        return Ok(false);
    }
    if t.abs_diff(st.now()) > TIMESTAMP_SKEW_SECS {
        return Ok(false);
    }
    // Computed before the lock was taken, for this very handshake (its secret block is unique
    // and a handshake never changes).
    if let Some(pre) = &st.precomputed_claim
        && pre.secret_block_b64 == hs.secret_block_b64
        && pre.timestamp == ts
    {
        return Ok(pre.expected.as_deref().is_some_and(|e| ct_eq(e, sig)));
    }
    let Some(expected) = expected_signature(
        &hs.a,
        hs.b.expose_secret(),
        &hs.big_b,
        &hs.v,
        &hs.realm,
        &hs.user,
        &hs.secret_block,
        ts,
    ) else {
        return Ok(false);
    };
    Ok(ct_eq(&expected, sig))
}

/// The username a challenge response names must be the session's user.
fn same_user(st: &State, sess: &AuthSession, given: &str) -> bool {
    if given == sess.username {
        return true;
    }
    st.pools
        .get(&sess.pool_id)
        .and_then(|p| p.resolve(given))
        .is_some_and(|u| u == sess.username)
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
            if !client.allows("ALLOW_USER_PASSWORD_AUTH") && !st.trigger_run.hosted {
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
                    Next::Challenge(name) if name == "PASSWORD_VERIFIER" => {
                        begin_srp(st, &client, &username, srp_a, ctx)
                    }
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
            let pref = params.get("PREFERRED_CHALLENGE").map(String::as_str);
            if let Some(p) = pref
                && ![
                    "PASSWORD",
                    "PASSWORD_SRP",
                    "EMAIL_OTP",
                    "SMS_OTP",
                    "WEB_AUTHN",
                ]
                .contains(&p)
            {
                return Err(invalid_param(format!("Invalid PREFERRED_CHALLENGE {p}")));
            }
            if client.prevent_existence && st.pool(&client.pool_id)?.resolve(given).is_none() {
                pre_authentication(st, &client, given)?;
                // A plausible answer for an unknown user (docs/protocol.md#74-preventuserexistenceerrors): nothing ever verifies.
                return match pref {
                    Some("PASSWORD_SRP") => {
                        begin_srp(st, &client, given, param(&params, "SRP_A")?, ctx)
                    }
                    Some("PASSWORD") => Err(incorrect_credentials()),
                    _ => {
                        let available = vec!["PASSWORD_SRP".to_string(), "PASSWORD".to_string()];
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
                check_len("Session", sess, 20, 4096)?;
                let now = st.now();
                let s = st.signups.remove(sess).ok_or_else(session_expired)?;
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
                && available.iter().any(|a| a == pref)
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
        other => Err(invalid_param(format!(
            "1 validation error detected: Value '{other}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"
        ))),
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
    let pool = st.pool_mut(&client.pool_id)?;
    let temp_days = pool.s.temp_days;
    let pool_id = pool.id.clone();
    let user = pool.user_mut(username)?;
    check_user_can_sign_in(user)?;
    check_lockout(user, now)?;
    if !password_matches(user, &pool_id, password) {
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

fn available_first_factors(st: &State, client: &Client, username: &str) -> ApiResult<Vec<String>> {
    let pool = st.pool(&client.pool_id)?;
    let user = pool.user(username)?;
    let mut v = Vec::new();
    for f in &pool.s.first_factors {
        match f.as_str() {
            "PASSWORD" if user.password.is_some() => {
                v.push("PASSWORD_SRP".to_string());
                v.push("PASSWORD".to_string());
            }
            "EMAIL_OTP" if user.attr("email").is_some() => v.push(f.clone()),
            "SMS_OTP" if user.attr("phone_number").is_some() => v.push(f.clone()),
            "WEB_AUTHN" if !user.webauthn.is_empty() => v.push(f.clone()),
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
    factor: &str,
    params: &BTreeMap<String, String>,
    ctx: FlowCtx,
) -> ApiResult<Value> {
    if !st.pool(&client.pool_id)?.users.contains_key(username) {
        // The unknown user of a PreventUserExistenceErrors client.
        return match factor {
            "PASSWORD_SRP" => begin_srp(st, client, username, param(params, "SRP_A")?, ctx),
            _ => Err(incorrect_credentials()),
        };
    }
    match factor {
        "PASSWORD" => {
            let password = param(params, "PASSWORD")?;
            password_first_factor(st, client, username, password)?;
            after_first_factor(st, client, username, ctx)
        }
        "PASSWORD_SRP" => {
            let srp_a = param(params, "SRP_A")?;
            let user = st.pool(&client.pool_id)?.user(username)?;
            check_lockout(user, st.now())?;
            begin_srp(st, client, username, srp_a, ctx)
        }
        "EMAIL_OTP" | "SMS_OTP" => {
            let (attr, medium) = if factor == "EMAIL_OTP" {
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
            st.deliver(&client.pool_id, username, &dest, medium, "OTP", &code);
            let params = delivery_params(medium, &dest);
            let step = Step::Otp {
                kind: factor.to_string(),
                code,
            };
            Ok(challenge(st, client, username, step, ctx, params))
        }
        "WEB_AUTHN" => {
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
        let pick = match &user.preferred {
            Some(p) if factors.contains(p) => Some(p.clone()),
            _ if factors.len() == 1 => factors.first().cloned(),
            _ => None,
        };
        return match pick {
            Some(kind) => start_mfa(st, client, username, &kind, ctx),
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
    kind: &str,
    ctx: FlowCtx,
) -> ApiResult<Value> {
    match kind {
        "SMS_MFA" | "EMAIL_OTP" => {
            let (attr, medium) = if kind == "SMS_MFA" {
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
            st.deliver(&client.pool_id, username, &dest, medium, "MFA", &code);
            let mut params = delivery_params(medium, &dest);
            params.insert("USER_ID_FOR_SRP".into(), json!(username));
            let step = Step::Mfa {
                kind: kind.to_string(),
                code: Some(code),
            };
            Ok(challenge(st, client, username, step, ctx, params))
        }
        _ => {
            let step = Step::Mfa {
                kind: "SOFTWARE_TOKEN_MFA".to_string(),
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

/// What a DefineAuthChallenge decision leads to.
enum Next {
    Tokens,
    Fail,
    Challenge(String),
}

fn define(st: &mut State, client: &Client, username: &str, ctx: &FlowCtx) -> ApiResult<Next> {
    if triggers::custom_auth_plugged(st, &client.pool_id) {
        let request = json!({
            "userAttributes": triggers::user_attributes(st.pool(&client.pool_id)?.user(username)?),
            "session": history(ctx),
            "clientMetadata": triggers::client_metadata(st),
            "userNotFound": false,
        });
        let response =
            json!({"challengeName": null, "issueTokens": false, "failAuthentication": false});
        let event = triggers::event(
            st,
            &client.pool_id,
            1,
            "DefineAuthChallenge_Authentication",
            username,
            request,
            response,
        );
        let resp = triggers::call(st, &client.pool_id, Trigger::DefineAuthChallenge, event)?
            .unwrap_or_default();
        let fail = triggers::flag(&resp, "failAuthentication")?;
        let issue_tokens = triggers::flag(&resp, "issueTokens")?;
        let name = triggers::string(&resp, "challengeName")?;
        return Ok(if fail {
            Next::Fail
        } else if issue_tokens {
            Next::Tokens
        } else {
            match name {
                Some(n) => Next::Challenge(n),
                None => {
                    return Err(ApiError::new(
                        "InvalidLambdaResponseException",
                        "DefineAuthChallenge returned no decision.",
                    ));
                }
            }
        });
    }
    // Built-in scenario: optional SRP first, then up to three code rounds.
    let last = ctx.custom_history.last();
    Ok(match last {
        Some(r) if r.challenge_name == "SRP_A" => Next::Challenge("PASSWORD_VERIFIER".into()),
        Some(r) if r.challenge_name == "CUSTOM_CHALLENGE" && r.result => Next::Tokens,
        _ => {
            let wrong = ctx
                .custom_history
                .iter()
                .filter(|r| r.challenge_name == "CUSTOM_CHALLENGE" && !r.result)
                .count();
            if wrong >= CUSTOM_MAX_WRONG {
                Next::Fail
            } else {
                Next::Challenge("CUSTOM_CHALLENGE".into())
            }
        }
    })
}

/// The `session` of the custom-auth trio's events: the rounds so far.
fn history(ctx: &FlowCtx) -> Value {
    Value::Array(
        ctx.custom_history
            .iter()
            .map(|r| {
                json!({"challengeName": r.challenge_name, "challengeResult": r.result,
                       "challengeMetadata": r.metadata})
            })
            .collect(),
    )
}

fn custom_next(st: &mut State, client: &Client, username: &str, ctx: FlowCtx) -> ApiResult<Value> {
    let next = define(st, client, username, &ctx)?;
    custom_apply(st, client, username, ctx, next)
}

fn custom_apply(
    st: &mut State,
    client: &Client,
    username: &str,
    mut ctx: FlowCtx,
    next: Next,
) -> ApiResult<Value> {
    match next {
        Next::Fail => Err(incorrect_credentials()),
        Next::Tokens => {
            ctx.mfa_done = true;
            ctx.new_password_done = true;
            after_first_factor(st, client, username, ctx)
        }
        Next::Challenge(name) if name == "CUSTOM_CHALLENGE" => {
            if triggers::custom_auth_plugged(st, &client.pool_id) {
                let request = json!({
                    "userAttributes": triggers::user_attributes(st.pool(&client.pool_id)?.user(username)?),
                    "challengeName": name,
                    "session": history(&ctx),
                    "clientMetadata": triggers::client_metadata(st),
                    "userNotFound": false,
                });
                let response = json!({"publicChallengeParameters": {},
                    "privateChallengeParameters": {}, "challengeMetadata": null});
                let event = triggers::event(
                    st,
                    &client.pool_id,
                    1,
                    "CreateAuthChallenge_Authentication",
                    username,
                    request,
                    response,
                );
                let resp =
                    triggers::call(st, &client.pool_id, Trigger::CreateAuthChallenge, event)?
                        .unwrap_or_default();
                let public = triggers::string_map(&resp, "publicChallengeParameters")?;
                let mut private =
                    triggers::string_map(&resp, "privateChallengeParameters")?.unwrap_or_default();
                if let Some(m) = triggers::string(&resp, "challengeMetadata")? {
                    private.insert("\u{0}metadata".into(), m);
                }
                let mut params = serde_json::Map::new();
                for (k, v) in public.unwrap_or_default() {
                    params.insert(k, json!(v));
                }
                let step = Step::Custom {
                    private,
                    code: None,
                };
                return Ok(challenge(st, client, username, step, ctx, params));
            }
            let user = st.pool(&client.pool_id)?.user(username)?;
            let (dest, medium) = match (user.attr("email"), user.attr("phone_number")) {
                (Some(e), _) => (e.to_string(), "EMAIL"),
                (None, Some(p)) => (p.to_string(), "SMS"),
                (None, None) => (format!("{username}@placeholder.invalid"), "EMAIL"),
            };
            let code = crate::util::six_digits();
            st.deliver(&client.pool_id, username, &dest, medium, "CUSTOM", &code);
            let round = ctx
                .custom_history
                .iter()
                .filter(|r| r.challenge_name == "CUSTOM_CHALLENGE")
                .count()
                + 1;
            let mut params = delivery_params(medium, &dest);
            params.insert("ROUND".into(), json!(round.to_string()));
            let step = Step::Custom {
                private: BTreeMap::new(),
                code: Some(code),
            };
            Ok(challenge(st, client, username, step, ctx, params))
        }
        Next::Challenge(other) => Err(ApiError::new(
            "InvalidLambdaResponseException",
            format!("Unsupported challenge {other} from DefineAuthChallenge"),
        )),
    }
}

pub(crate) fn respond_to_auth_challenge(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client_id = b.str("ClientId")?;
    let name = b.str("ChallengeName")?;
    if !CHALLENGE_NAMES.contains(&name) {
        return Err(invalid_param(format!(
            "1 validation error detected: Value '{name}' at 'challengeName' failed to satisfy constraint: Member must satisfy enum value set"
        )));
    }
    let resp = b.str_map("ChallengeResponses")?;
    let session = b.opt_str("Session")?;
    let client = st.client(client_id)?;
    let sid = match session {
        Some(s) => {
            check_len("Session", s, 20, 4096)?;
            s.to_string()
        }
        None if name == "PASSWORD_VERIFIER" => {
            let block = param(&resp, "PASSWORD_CLAIM_SECRET_BLOCK")?;
            st.secret_blocks
                .get(block)
                .cloned()
                .ok_or_else(session_expired)?
        }
        None => return Err(invalid_param("Missing required parameter Session")),
    };
    // Sessions are single-use: take it out now; only a retryable code mismatch puts it back.
    let sess = st.sessions.remove(&sid).ok_or_else(session_expired)?;
    if triggers::any(st, &sess.pool_id) {
        // Put back if the answer stops at a trigger: the next pass needs the session.
        st.trigger_run.restore.push((sid.clone(), sess.clone()));
    }
    if let Step::PasswordVerifier(hs) = &sess.step {
        st.secret_blocks.remove(&hs.secret_block_b64);
    }
    let now = st.now();
    if sess.expires <= now {
        return Err(session_expired());
    }
    if sess.client_id != client.id || sess.step.name() != name {
        return Err(not_authorized("Invalid session for the user."));
    }
    let given = param(&resp, "USERNAME")?;
    check_secret_hash(&client, given, resp.get("SECRET_HASH").map(String::as_str))?;
    if !same_user(st, &sess, given) {
        return Err(incorrect_credentials());
    }
    let username = sess.username.clone();
    let mut ctx = sess.ctx.clone();
    if let Some(dk) = resp.get("DEVICE_KEY") {
        ctx.device_key = Some(dk.clone());
    }
    let step = sess.step.clone();
    match step {
        Step::PasswordVerifier(hs) => {
            let ok = verify_claim(st, &hs, &resp)?;
            let pool = st.pool_mut(&client.pool_id)?;
            let temp_days = pool.s.temp_days;
            let Some(user) = pool.users.get_mut(&username) else {
                return Err(incorrect_credentials());
            };
            check_user_can_sign_in(user)?;
            check_lockout(user, now)?;
            if !ok {
                return Err(record_failure(user, now));
            }
            check_temp_password(user, temp_days, now)?;
            if ctx.custom {
                ctx.custom_history.push(RoundResult {
                    challenge_name: "PASSWORD_VERIFIER".into(),
                    result: true,
                    metadata: None,
                });
                return custom_next(st, &client, &username, ctx);
            }
            after_first_factor(st, &client, &username, ctx)
        }
        Step::DeviceSrpAuth => {
            let dk = param(&resp, "DEVICE_KEY")?.to_string();
            let srp_a = param(&resp, "SRP_A")?;
            let a = parse_srp_a(srp_a).ok_or_else(|| invalid_param("Invalid SRP_A value"))?;
            let user = st.pool(&client.pool_id)?.user(&username)?;
            let dev = user
                .devices
                .get(&dk)
                .ok_or_else(|| not_found("Device does not exist."))?;
            let (Some(salt), Some(v)) = (dev.salt.clone(), dev.verifier.clone()) else {
                return Err(not_found("Device does not exist."));
            };
            let realm = user.device_group_key.clone();
            let (bb, big_b) = server_ephemeral(&v);
            let block = crate::util::random_bytes(128);
            let block_b64 = STANDARD.encode(&block);
            let hs = Handshake {
                a,
                b: std::sync::Arc::new(bb),
                big_b: big_b.clone(),
                v,
                realm,
                user: dk.clone(),
                secret_block: block,
                secret_block_b64: block_b64.clone(),
            };
            let params = serde_json::Map::from_iter([
                ("SALT".to_string(), json!(prim::to_hex(&salt))),
                ("SRP_B".to_string(), json!(prim::to_hex(&big_b))),
                ("SECRET_BLOCK".to_string(), json!(block_b64)),
                ("USERNAME".to_string(), json!(username)),
                ("DEVICE_KEY".to_string(), json!(dk)),
            ]);
            let step = Step::DevicePasswordVerifier(Box::new(hs), dk);
            Ok(challenge(st, &client, &username, step, ctx, params))
        }
        Step::DevicePasswordVerifier(hs, dk) => {
            if resp.get("DEVICE_KEY").is_some_and(|d| *d != dk) {
                return Err(not_found("Device does not exist."));
            }
            if !verify_claim(st, &hs, &resp)? {
                return Err(incorrect_credentials());
            }
            let now_f = st.now_f();
            let user = st.pool_mut(&client.pool_id)?.user_mut(&username)?;
            let dev = user
                .devices
                .get_mut(&dk)
                .ok_or_else(|| not_found("Device does not exist."))?;
            dev.last_auth = now_f;
            ctx.device_key = Some(dk);
            ctx.device_done = true;
            ctx.mfa_done = true;
            after_first_factor(st, &client, &username, ctx)
        }
        Step::NewPasswordRequired => {
            let pw = param(&resp, "NEW_PASSWORD")?;
            let pool = st.pool_mut(&client.pool_id)?;
            let s = pool.s.clone();
            let pool_id = pool.id.clone();
            check_password_policy(&s, pw)?;
            let write = client.write_attrs.clone();
            let user = pool.user(&username)?;
            // Validate every attribute before changing anything: the client's write rules
            // apply (no verification flag, no reserved or unknown name), and a required
            // attribute that already has a value cannot be changed here.
            let given: Vec<(String, String)> = resp
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("userAttributes.")
                        .map(|a| (a.to_string(), v.clone()))
                })
                .collect();
            let updates = pool.schema.check_writes(
                &given,
                Writer::Client(write.as_deref()),
                WriteKind::Update,
                &|n: &str| user.attr(n).map(str::to_string),
            )?;
            let required: Vec<String> = pool.schema.required().map(str::to_string).collect();
            for (attr, _) in &updates {
                if required.iter().any(|r| r == attr) && user.attr(attr).is_some() {
                    return Err(invalid_param(format!(
                        "Cannot modify an already provided {attr}"
                    )));
                }
            }
            for r in &required {
                let given = updates.iter().any(|(k, v)| k == r && !v.is_empty());
                if user.attr(r).is_none() && !given {
                    return Err(invalid_param(format!(
                        "Invalid attributes given, {r} is missing"
                    )));
                }
            }
            let after = crate::ops::admin::apply_changes(user.attrs(), &updates);
            if let Some(clash) = pool.users.alias_clash(&username, &after) {
                return Err(clash.error());
            }
            pool.users.update_attrs(&username, |a| *a = after)?;
            let user = pool.user_mut(&username)?;
            set_password(user, &pool_id, pw, now)?;
            user.status = "CONFIRMED";
            ctx.new_password_done = true;
            after_first_factor(st, &client, &username, ctx)
        }
        Step::MfaSetup { totp_verified } => {
            if totp_verified {
                ctx.mfa_done = true;
                return after_first_factor(st, &client, &username, ctx);
            }
            let email_allowed = st.pool(&client.pool_id)?.s.email_mfa;
            if let Some(email) = resp.get("EMAIL").filter(|_| email_allowed) {
                let code = crate::util::six_digits();
                st.deliver(&client.pool_id, &username, email, "EMAIL", "MFA", &code);
                let params = delivery_params("EMAIL", email);
                let step = Step::MfaSetupEmail {
                    email: email.clone(),
                    code,
                };
                return Ok(challenge(st, &client, &username, step, ctx, params));
            }
            Err(invalid_param(
                "MFA_SETUP requires a verified software token or an EMAIL",
            ))
        }
        Step::MfaSetupEmail { email, code } => {
            let answer = resp
                .get("EMAIL_OTP_CODE")
                .or_else(|| resp.get("EMAIL_MFA_CODE"))
                .ok_or_else(|| missing("EMAIL_OTP_CODE"))?;
            if !ct_eq(answer, &code) {
                return retry(st, sid, sess);
            }
            let pool = st.pool_mut(&client.pool_id)?;
            // The address is verified by the code just answered; it must not be another
            // user's alias.
            let after = crate::ops::admin::apply_changes(
                pool.user(&username)?.attrs(),
                &[
                    ("email".to_string(), email),
                    ("email_verified".to_string(), "true".to_string()),
                ],
            );
            if let Some(clash) = pool.users.alias_clash(&username, &after) {
                return Err(clash.error());
            }
            pool.users.update_attrs(&username, |a| *a = after)?;
            let user = pool.user_mut(&username)?;
            user.email_mfa = true;
            if user.preferred.is_none() {
                user.preferred = Some("EMAIL_OTP".into());
            }
            ctx.mfa_done = true;
            after_first_factor(st, &client, &username, ctx)
        }
        Step::Mfa { kind, code } => {
            let ok = match (kind.as_str(), code) {
                ("SMS_MFA", Some(c)) => resp.get("SMS_MFA_CODE").is_some_and(|a| ct_eq(a, &c)),
                ("EMAIL_OTP", Some(c)) => resp
                    .get("EMAIL_OTP_CODE")
                    .or_else(|| resp.get("EMAIL_MFA_CODE"))
                    .is_some_and(|a| ct_eq(a, &c)),
                _ => {
                    use crate::totp::{TotpCheck, check_and_consume};
                    let a = param(&resp, "SOFTWARE_TOKEN_MFA_CODE")?;
                    let user = st.pool_mut(&client.pool_id)?.user_mut(&username)?;
                    let check = match &user.totp_key {
                        Some(k) => {
                            check_and_consume(k.expose_secret(), a, now, &mut user.totp_used_steps)
                        }
                        None => TotpCheck::Mismatch,
                    };
                    if check == TotpCheck::Reused {
                        return retry_with(st, sid, sess, totp_reused());
                    }
                    check == TotpCheck::Accepted
                }
            };
            if !ok {
                return retry(st, sid, sess);
            }
            ctx.mfa_done = true;
            after_first_factor(st, &client, &username, ctx)
        }
        Step::SelectMfaType { options } => {
            let mut answer = param(&resp, "ANSWER")?.to_string();
            if answer == "EMAIL_MFA" {
                answer = "EMAIL_OTP".into();
            }
            if !options.contains(&answer) {
                return Err(invalid_param(format!("Invalid ANSWER {answer}")));
            }
            start_mfa(st, &client, &username, &answer, ctx)
        }
        Step::Custom { private, code } => {
            let answer = param(&resp, "ANSWER")?;
            let mut private = private;
            let metadata = private.remove("\u{0}metadata");
            let correct = match code {
                Some(c) => ct_eq(&c, answer),
                None if triggers::custom_auth_plugged(st, &client.pool_id) => {
                    let request = json!({
                        "userAttributes": triggers::user_attributes(st.pool(&client.pool_id)?.user(&username)?),
                        "privateChallengeParameters": private,
                        "challengeAnswer": answer,
                        "clientMetadata": triggers::client_metadata(st),
                        "userNotFound": false,
                    });
                    let event = triggers::event(
                        st,
                        &client.pool_id,
                        1,
                        "VerifyAuthChallengeResponse_Authentication",
                        &username,
                        request,
                        json!({"answerCorrect": false}),
                    );
                    let resp = triggers::call(
                        st,
                        &client.pool_id,
                        Trigger::VerifyAuthChallengeResponse,
                        event,
                    )?
                    .unwrap_or_default();
                    triggers::flag(&resp, "answerCorrect")?
                }
                None => false,
            };
            ctx.custom_history.push(RoundResult {
                challenge_name: "CUSTOM_CHALLENGE".into(),
                result: correct,
                metadata,
            });
            custom_next(st, &client, &username, ctx)
        }
        Step::SelectChallenge { available } => {
            let answer = param(&resp, "ANSWER")?.to_string();
            if !available.contains(&answer) {
                return Err(invalid_param(format!("Invalid ANSWER {answer}")));
            }
            start_first_factor(st, &client, &username, &answer, &resp, ctx)
        }
        Step::Otp { kind, code } => {
            let key = if kind == "SMS_OTP" {
                "SMS_OTP_CODE"
            } else {
                "EMAIL_OTP_CODE"
            };
            let ok = resp.get(key).is_some_and(|a| ct_eq(a, &code));
            if !ok {
                return retry(st, sid, sess);
            }
            if kind == "EMAIL_OTP" {
                // The code proves the address; it becomes verified unless that would make it
                // a second holder of another user's verified alias.
                let pool = st.pool_mut(&client.pool_id)?;
                let mut after = pool.user(&username)?.attrs().clone();
                after.insert("email_verified".into(), "true".into());
                if pool.users.alias_clash(&username, &after).is_none() {
                    pool.users.update_attrs(&username, |a| *a = after)?;
                }
            }
            ctx.mfa_done = true;
            after_first_factor(st, &client, &username, ctx)
        }
        Step::WebAuthn { challenge: ch } => {
            let cred = param(&resp, "CREDENTIAL")?;
            let cred: Value =
                serde_json::from_str(cred).map_err(|_| invalid_param("CREDENTIAL is not JSON"))?;
            let id = crate::webauthn::assertion_credential_id(&cred).unwrap_or_default();
            let rp = crate::ops::profile::relying_party(st, &client.pool_id);
            let expected = crate::webauthn::Expected {
                challenge: &ch,
                rp_id: &rp,
                require_user_verification: crate::ops::profile::requires_user_verification(
                    st,
                    &client.pool_id,
                ),
            };
            let user = st.pool_mut(&client.pool_id)?.user_mut(&username)?;
            let user_handle = URL_SAFE_NO_PAD.encode(user.sub.as_bytes());
            let Some(passkey) = user.passkeys.get_mut(&id) else {
                return Err(incorrect_credentials());
            };
            match crate::webauthn::authenticate(&cred, &expected, passkey, &user_handle) {
                Ok(count) => passkey.sign_count = count,
                Err(crate::webauthn::Refusal::Challenge) => {
                    return Err(ApiError::new(
                        "WebAuthnChallengeNotFoundException",
                        "The challenge does not match a pending WebAuthn challenge.",
                    ));
                }
                // The session is spent: a failed assertion starts the sign-in over.
                Err(_) => return Err(incorrect_credentials()),
            }
            ctx.mfa_done = true;
            after_first_factor(st, &client, &username, ctx)
        }
    }
}

/// A wrong code: keep the session for another try, up to the attempt cap.
fn retry(st: &mut State, sid: String, sess: AuthSession) -> ApiResult<Value> {
    retry_with(st, sid, sess, code_mismatch())
}

/// A refused answer that counts as a wrong attempt, answered with `error`.
fn retry_with(
    st: &mut State,
    sid: String,
    mut sess: AuthSession,
    error: ApiError,
) -> ApiResult<Value> {
    sess.attempts += 1;
    if sess.attempts < CHALLENGE_ATTEMPTS {
        st.sessions.insert(sid, sess);
    }
    Err(error)
}

/// A TOTP code that was already accepted once (in its time step). AWS answers a replayed
/// software-token code with `ExpiredCodeException`; the message is AWS's as we know it.
fn totp_reused() -> ApiError {
    ApiError::new(
        "ExpiredCodeException",
        "Your software token has already been used once.",
    )
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
        "validationData": st.trigger_run.client_metadata.clone().unwrap_or(Value::Null),
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
