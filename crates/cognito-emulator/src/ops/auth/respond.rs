//! `RespondToAuthChallenge`: the session's step decides which answer is expected; each step
//! has its own function below.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::custom_flow::custom_next;
use super::srp::{begin_device_srp, verify_claim};
use super::{
    after_first_factor, challenge, check_temp_password, delivery_params, missing, param,
    start_first_factor, start_mfa,
};
use crate::api::{
    ApiError, ApiResult, Body, code_mismatch, incorrect_credentials, invalid_param, not_authorized,
    not_found, session_expired,
};
use crate::challenge::ChallengeName;
use crate::ops::{
    check_lockout, check_password_policy, check_secret_hash, check_user_can_sign_in,
    record_failure, set_password,
};
use crate::schema::{WriteKind, Writer};
use crate::srp_server::ct_eq;
use crate::state::{AuthSession, Client, FlowCtx, Handshake, RoundResult, State, Step};
use crate::triggers::{self, Trigger};

/// Wrong answers a code challenge tolerates within one session.
const CHALLENGE_ATTEMPTS: u32 = 3;

/// One answer to a challenge, after its session was taken and checked.
struct Turn {
    client: Client,
    /// The session's user (internal username).
    username: String,
    /// `ChallengeResponses`.
    resp: BTreeMap<String, String>,
    /// The flow so far, with the answer's `DEVICE_KEY` if it named one.
    ctx: FlowCtx,
    now: u64,
    /// The session id and the session, for a wrong code that may be tried again.
    sid: String,
    sess: AuthSession,
}

pub(crate) fn respond_to_auth_challenge(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (t, step) = take_session(st, b)?;
    match step {
        Step::PasswordVerifier(hs) => password_verifier(st, t, &hs),
        Step::DeviceSrpAuth => device_srp_auth(st, t),
        Step::DevicePasswordVerifier(hs, dk) => device_password_verifier(st, t, &hs, dk),
        Step::NewPasswordRequired => new_password_required(st, t),
        Step::MfaSetup { totp_verified } => mfa_setup(st, t, totp_verified),
        Step::MfaSetupEmail { email, code } => mfa_setup_email(st, t, email, code),
        Step::Mfa { kind, code } => mfa_code(st, t, kind, code),
        Step::SelectMfaType { options } => select_mfa_type(st, t, options),
        Step::Custom { private, code } => custom_challenge(st, t, private, code),
        Step::SelectChallenge { available } => select_challenge(st, t, available),
        Step::Otp { kind, code } => one_time_code(st, t, kind, code),
        Step::WebAuthn { challenge: ch } => web_authn(st, t, ch),
    }
}

/// Validates the request, then takes its session out of the table (sessions are single-use;
/// only a retryable wrong code puts one back) and checks that it belongs to this client, this
/// challenge and this user.
fn take_session(st: &mut State, b: &Body) -> ApiResult<(Turn, Step)> {
    let client_id = b.str("ClientId")?;
    let name = b.str("ChallengeName")?;
    let Some(name) = ChallengeName::parse(name) else {
        return Err(crate::api::beyond_model("ChallengeName", name));
    };
    let resp = b.str_map("ChallengeResponses")?;
    let session = b.opt_str("Session")?;
    let client = st.client(client_id)?;
    let sid = match session {
        Some(s) => s.to_string(),
        None if name == ChallengeName::PasswordVerifier => {
            let block = param(&resp, "PASSWORD_CLAIM_SECRET_BLOCK")?;
            st.sessions()
                .by_secret_block(block)
                .map(str::to_string)
                .ok_or_else(session_expired)?
        }
        None => return Err(invalid_param("Missing required parameter Session")),
    };
    let sess = st.sessions_mut().take(&sid).ok_or_else(session_expired)?;
    if triggers::any(st, &sess.pool_id) {
        // Put back if the answer stops at a trigger: the next pass needs the session.
        st.run_mut().restore.push((sid.clone(), sess.clone()));
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
    let mut ctx = sess.ctx.clone();
    if let Some(dk) = resp.get("DEVICE_KEY") {
        ctx.device_key = Some(dk.clone());
    }
    let step = sess.step.clone();
    let turn = Turn {
        client,
        username: sess.username.clone(),
        resp,
        ctx,
        now,
        sid,
        sess,
    };
    Ok((turn, step))
}

/// The password handshake's answer (`PASSWORD_VERIFIER`).
fn password_verifier(st: &mut State, t: Turn, hs: &Handshake) -> ApiResult<Value> {
    let Turn {
        client,
        username,
        resp,
        mut ctx,
        now,
        ..
    } = t;
    let ok = verify_claim(st, hs, &resp)?;
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

/// `DEVICE_SRP_AUTH`: the remembered device's `SRP_A` opens its handshake.
fn device_srp_auth(st: &mut State, t: Turn) -> ApiResult<Value> {
    let Turn {
        client,
        username,
        resp,
        ctx,
        ..
    } = t;
    begin_device_srp(st, &client, &username, &resp, ctx)
}

/// The device handshake's answer (`DEVICE_PASSWORD_VERIFIER`): it stands in for MFA.
fn device_password_verifier(
    st: &mut State,
    t: Turn,
    hs: &Handshake,
    dk: String,
) -> ApiResult<Value> {
    let Turn {
        client,
        username,
        resp,
        mut ctx,
        ..
    } = t;
    if resp.get("DEVICE_KEY").is_some_and(|d| *d != dk) {
        return Err(not_found("Device does not exist."));
    }
    if !verify_claim(st, hs, &resp)? {
        return Err(incorrect_credentials());
    }
    let now_f = st.now_f();
    let user = st.users_mut(&client.pool_id)?.user_mut(&username)?;
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

/// `NEW_PASSWORD_REQUIRED`: the new password and the required attributes still missing.
fn new_password_required(st: &mut State, t: Turn) -> ApiResult<Value> {
    let Turn {
        client,
        username,
        resp,
        mut ctx,
        now,
        ..
    } = t;
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

/// `MFA_SETUP`: a software token verified meanwhile, or an e-mail address for e-mail MFA.
fn mfa_setup(st: &mut State, t: Turn, totp_verified: bool) -> ApiResult<Value> {
    let Turn {
        client,
        username,
        resp,
        mut ctx,
        ..
    } = t;
    if totp_verified {
        ctx.mfa_done = true;
        return after_first_factor(st, &client, &username, ctx);
    }
    let email_allowed = st.pool(&client.pool_id)?.s.email_mfa;
    if let Some(email) = resp.get("EMAIL").filter(|_| email_allowed) {
        let code = crate::util::six_digits();
        triggers::deliver(st, &client.pool_id, &username, email, "EMAIL", "MFA", &code);
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

/// The code sent to the address given in `MFA_SETUP`.
fn mfa_setup_email(st: &mut State, t: Turn, email: String, code: String) -> ApiResult<Value> {
    let Turn {
        client,
        username,
        resp,
        mut ctx,
        sid,
        sess,
        ..
    } = t;
    let answer = resp
        .get("EMAIL_OTP_CODE")
        .or_else(|| resp.get("EMAIL_MFA_CODE"))
        .ok_or_else(|| missing("EMAIL_OTP_CODE"))?;
    if !ct_eq(answer, &code) {
        return retry(st, sid, sess);
    }
    let users = st.users_mut(&client.pool_id)?;
    // The address is verified by the code just answered; it must not be another
    // user's alias.
    let after = crate::ops::admin::apply_changes(
        users.user(&username)?.attrs(),
        &[
            ("email".to_string(), email),
            ("email_verified".to_string(), "true".to_string()),
        ],
    );
    if let Some(clash) = users.alias_clash(&username, &after) {
        return Err(clash.error());
    }
    users.update_attrs(&username, |a| *a = after)?;
    let user = users.user_mut(&username)?;
    user.email_mfa = true;
    if user.preferred.is_none() {
        user.preferred = Some("EMAIL_OTP".into());
    }
    ctx.mfa_done = true;
    after_first_factor(st, &client, &username, ctx)
}

/// `SMS_MFA`, `EMAIL_OTP` or `SOFTWARE_TOKEN_MFA`: the second factor's code.
fn mfa_code(
    st: &mut State,
    t: Turn,
    kind: ChallengeName,
    code: Option<String>,
) -> ApiResult<Value> {
    let Turn {
        client,
        username,
        resp,
        mut ctx,
        now,
        sid,
        sess,
    } = t;
    let ok = match (kind, code) {
        (ChallengeName::SmsMfa, Some(c)) => resp.get("SMS_MFA_CODE").is_some_and(|a| ct_eq(a, &c)),
        (ChallengeName::EmailOtp, Some(c)) => resp
            .get("EMAIL_OTP_CODE")
            .or_else(|| resp.get("EMAIL_MFA_CODE"))
            .is_some_and(|a| ct_eq(a, &c)),
        _ => {
            use crate::totp::{TotpCheck, check_and_consume};
            let a = param(&resp, "SOFTWARE_TOKEN_MFA_CODE")?;
            let user = st.users_mut(&client.pool_id)?.user_mut(&username)?;
            let check = match &user.totp_key {
                Some(k) => check_and_consume(k.expose_secret(), a, now, &mut user.totp_used_steps),
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

/// `SELECT_MFA_TYPE`: the factor the user picked among those offered.
fn select_mfa_type(st: &mut State, t: Turn, options: Vec<ChallengeName>) -> ApiResult<Value> {
    let Turn {
        client,
        username,
        resp,
        ctx,
        ..
    } = t;
    let answer = param(&resp, "ANSWER")?;
    match ChallengeName::parse_mfa(answer) {
        Some(kind) if options.contains(&kind) => start_mfa(st, &client, &username, kind, ctx),
        _ => Err(invalid_param(format!("Invalid ANSWER {answer}"))),
    }
}

/// `CUSTOM_CHALLENGE`: the answer, judged by VerifyAuthChallengeResponse or the built-in scenario.
fn custom_challenge(
    st: &mut State,
    t: Turn,
    private: BTreeMap<String, String>,
    code: Option<String>,
) -> ApiResult<Value> {
    let Turn {
        client,
        username,
        resp,
        mut ctx,
        ..
    } = t;
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

/// `SELECT_CHALLENGE`: the `USER_AUTH` first factor the user picked.
fn select_challenge(st: &mut State, t: Turn, available: Vec<ChallengeName>) -> ApiResult<Value> {
    let Turn {
        client,
        username,
        resp,
        ctx,
        ..
    } = t;
    let answer = param(&resp, "ANSWER")?;
    match ChallengeName::parse_first_factor(answer) {
        Some(factor) if available.contains(&factor) => {
            start_first_factor(st, &client, &username, factor, &resp, ctx)
        }
        _ => Err(invalid_param(format!("Invalid ANSWER {answer}"))),
    }
}

/// `EMAIL_OTP` / `SMS_OTP` as a `USER_AUTH` first factor.
fn one_time_code(st: &mut State, t: Turn, kind: ChallengeName, code: String) -> ApiResult<Value> {
    let Turn {
        client,
        username,
        resp,
        mut ctx,
        sid,
        sess,
        ..
    } = t;
    let key = if kind == ChallengeName::SmsOtp {
        "SMS_OTP_CODE"
    } else {
        "EMAIL_OTP_CODE"
    };
    let ok = resp.get(key).is_some_and(|a| ct_eq(a, &code));
    if !ok {
        return retry(st, sid, sess);
    }
    if kind == ChallengeName::EmailOtp {
        // The code proves the address; it becomes verified unless that would make it
        // a second holder of another user's verified alias.
        let users = st.users_mut(&client.pool_id)?;
        let mut after = users.user(&username)?.attrs().clone();
        after.insert("email_verified".into(), "true".into());
        if users.alias_clash(&username, &after).is_none() {
            users.update_attrs(&username, |a| *a = after)?;
        }
    }
    ctx.mfa_done = true;
    after_first_factor(st, &client, &username, ctx)
}

/// `WEB_AUTHN`: a passkey assertion over the challenge the sign-in sent.
fn web_authn(st: &mut State, t: Turn, ch: String) -> ApiResult<Value> {
    let Turn {
        client,
        username,
        resp,
        mut ctx,
        ..
    } = t;
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
    if !st
        .pool(&client.pool_id)?
        .user(&username)?
        .passkeys
        .contains_key(&id)
    {
        return Err(incorrect_credentials());
    }
    let user = st.users_mut(&client.pool_id)?.user_mut(&username)?;
    let user_handle = URL_SAFE_NO_PAD.encode(user.sub.as_bytes());
    let Some(passkey) = user.passkeys.get_mut(&id) else {
        return Err(incorrect_credentials());
    };
    match crate::webauthn::authenticate(&cred, &expected, passkey, &user_handle) {
        Ok(count) => passkey.sign_count = count,
        // The session is spent: a failed assertion starts the sign-in over. An assertion made
        // for another challenge fails the same way: `RespondToAuthChallenge` declares none of
        // the WebAuthn exceptions that the registration operations answer.
        Err(_) => return Err(incorrect_credentials()),
    }
    ctx.mfa_done = true;
    after_first_factor(st, &client, &username, ctx)
}

/// The username a challenge response names must be the session's user.
fn same_user(st: &State, sess: &AuthSession, given: &str) -> bool {
    if given == sess.username {
        return true;
    }
    st.pools()
        .get(&sess.pool_id)
        .and_then(|p| p.resolve(given))
        .is_some_and(|u| u == sess.username)
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
        st.sessions_mut().put_back(sid, sess);
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
