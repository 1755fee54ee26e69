//! Sign-up, confirmation codes and forgotten passwords.

use serde_json::{Value, json};

use crate::api::{ApiError, ApiResult, Body, code_mismatch, invalid_param, not_authorized};
use crate::challenge::ChallengeName;
use crate::ops::admin::{check_required, check_username_not_alias, new_user};
use crate::ops::{check_code, check_password_policy, check_secret_hash, new_code, set_password};
use crate::schema::{WriteKind, Writer};
use crate::state::{Client, PoolSettings, SignupSession, State, User, delivery_details};
use crate::triggers::{self, Trigger};

/// Sign-up codes last 24 h, forgot-password codes 1 h (docs/protocol.md#73-codes).
const SIGNUP_CODE_SECS: u64 = 24 * 3600;
const FORGOT_CODE_SECS: u64 = 3600;

/// Where sign-up codes go: the first auto-verified attribute the user has.
fn signup_channel(s: &PoolSettings, u: &User) -> Option<(String, String)> {
    ["email", "phone_number"]
        .into_iter()
        .filter(|a| s.auto_verified.iter().any(|x| x == a))
        .find_map(|a| u.attr(a).map(|v| (a.to_string(), v.to_string())))
}

pub(crate) fn medium(attr: &str) -> &'static str {
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
    check_secret_hash(&client, given, b.opt_str("SecretHash")?)?;
    let password = b.opt_str("Password")?.unwrap_or("");
    let attrs = b.opt_attrs("UserAttributes")?.unwrap_or_default();
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
    check_username_not_alias(&pool.s, given)?;
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
    let validation = b.opt_attrs("ValidationData")?;
    let (mut user, confirmed) = pre_sign_up(st, &pool_id, user, validation, "PreSignUp_SignUp")?;
    let pool = st.pool_mut(&pool_id)?;
    let channel = signup_channel(&pool.s, &user).filter(|_| !confirmed);
    let code = channel
        .as_ref()
        .map(|_| new_code(&mut user, "SIGN_UP", now, SIGNUP_CODE_SECS));
    let username = user.username.clone();
    let sub = user.sub.clone();
    pool.users.insert(user);
    let mut out = json!({ "UserConfirmed": confirmed, "UserSub": sub });
    if let (Some((attr, value)), Some(code)) = (channel, code) {
        triggers::deliver(
            st,
            &pool_id,
            &username,
            &value,
            medium(&attr),
            "SIGN_UP",
            &code,
        );
        out["CodeDeliveryDetails"] = delivery_details(&attr, &value);
    }
    let session = crate::util::session_token();
    st.sessions_mut().insert_signup(
        session.clone(),
        SignupSession {
            client_id: client.id.clone(),
            username,
            confirmed: false,
            expires: now + client.session_secs,
        },
        now,
    );
    out["Session"] = json!(session);
    Ok(out)
}

pub(crate) fn confirm_sign_up(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client = st.client(b.str("ClientId")?)?;
    let given = b.str("Username")?;
    check_secret_hash(&client, given, b.opt_str("SecretHash")?)?;
    let code = b.str("ConfirmationCode")?;
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
    let pool_id = client.pool_id.clone();
    post_confirmation(st, &pool_id, &username, "PostConfirmation_ConfirmSignUp")?;
    // The sign-up session (when the request carries it) is spent; the answer always carries
    // a session for immediate sign-in (USER_AUTH), as AWS documents: clients such as Amplify
    // never send the sign-up session and take this one for auto sign-in.
    if let Some(sess) = b.opt_str("Session")?
        && st
            .sessions()
            .signup(sess)
            .is_some_and(|s| s.username == username && s.client_id == client.id)
    {
        st.sessions_mut().take_signup(sess);
    }
    let new = crate::util::session_token();
    st.sessions_mut().insert_signup(
        new.clone(),
        SignupSession {
            client_id: client.id.clone(),
            username,
            confirmed: true,
            expires: now + client.session_secs,
        },
        now,
    );
    Ok(json!({ "Session": new }))
}

pub(crate) fn resend_confirmation_code(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client = st.client(b.str("ClientId")?)?;
    let given = b.str("Username")?;
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
    let user = pool.user(&username)?;
    if user.status != "UNCONFIRMED" {
        return Err(invalid_param("User is already confirmed."));
    }
    let (attr, value) = signup_channel(&pool.s, user).ok_or_else(|| {
        invalid_param("Auto verification not turned on or no email/phone for the user.")
    })?;
    let code = new_code(pool.user_mut(&username)?, "SIGN_UP", now, SIGNUP_CODE_SECS);
    triggers::deliver(
        st,
        &pool_id,
        &username,
        &value,
        medium(&attr),
        "SIGN_UP",
        &code,
    );
    Ok(json!({ "CodeDeliveryDetails": delivery_details(&attr, &value) }))
}

/// A user created by an administrator has no password of their own to reset until they
/// replace the temporary one: AWS refuses both resets (the user signs in with the temporary
/// password, or an administrator sends a new invitation).
pub(crate) fn refuse_before_first_password(user: &User) -> ApiResult<()> {
    if user.status == "FORCE_CHANGE_PASSWORD" {
        return Err(not_authorized(
            "User password cannot be reset in the current state.",
        ));
    }
    Ok(())
}

pub(crate) fn forgot_password(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client = st.client(b.str("ClientId")?)?;
    let given = b.str("Username")?;
    check_secret_hash(&client, given, b.opt_str("SecretHash")?)?;
    let now = st.now();
    let pool_id = client.pool_id.clone();
    if st.pool(&pool_id)?.resolve(given).is_none() {
        migrate_user(st, &client, given, None)?;
    }
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
    let user = pool.user(&username)?;
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    refuse_before_first_password(user)?;
    let channel = recovery_channel(user, &pool.s)?;
    let Some((attr, value)) = channel else {
        return Err(invalid_param(
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        ));
    };
    let code = new_code(
        pool.user_mut(&username)?,
        "FORGOT_PASSWORD",
        now,
        FORGOT_CODE_SECS,
    );
    triggers::deliver(
        st,
        &pool_id,
        &username,
        &value,
        medium(attr),
        "FORGOT_PASSWORD",
        &code,
    );
    Ok(json!({ "CodeDeliveryDetails": delivery_details(attr, &value) }))
}

/// The refusal of a password reset in a pool whose account recovery is admin-only.
pub(crate) fn admin_only_recovery() -> ApiError {
    not_authorized("Cannot reset password for the user as the account recovery is admin only.")
}

/// Where `ForgotPassword` sends its code: the first mechanism of the pool's
/// `AccountRecoverySetting` the user qualifies for. With that setting, a phone number that
/// also receives the user's SMS MFA codes does not qualify, nor an e-mail address that receives
/// e-mail MFA codes; without it, Cognito's legacy rule prefers a verified phone number to a
/// verified e-mail address (both documented on `AccountRecoverySetting` in AWS's model).
pub(crate) fn recovery_channel(
    user: &User,
    s: &PoolSettings,
) -> ApiResult<Option<(&'static str, String)>> {
    let factors = user.enabled_factors(s);
    let (mechanisms, legacy) = match &s.recovery {
        Some(m) => (m.as_slice(), false),
        None => (
            &[
                "verified_phone_number".to_string(),
                "verified_email".to_string(),
            ][..],
            true,
        ),
    };
    for m in mechanisms {
        let found = match m.as_str() {
            "admin_only" => return Err(admin_only_recovery()),
            "verified_email"
                if user.verified("email")
                    && (legacy || !factors.contains(&ChallengeName::EmailOtp)) =>
            {
                user.attr("email").map(|v| ("email", v.to_string()))
            }
            "verified_phone_number"
                if user.verified("phone_number")
                    && (legacy || !factors.contains(&ChallengeName::SmsMfa)) =>
            {
                user.attr("phone_number")
                    .map(|v| ("phone_number", v.to_string()))
            }
            _ => None,
        };
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

pub(crate) fn confirm_forgot_password(st: &mut State, b: &Body) -> ApiResult<Value> {
    let client = st.client(b.str("ClientId")?)?;
    let given = b.str("Username")?;
    check_secret_hash(&client, given, b.opt_str("SecretHash")?)?;
    let code = b.str("ConfirmationCode")?;
    let password = b.str("Password")?;
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
    check_password_policy(&pool.s, password)?;
    let user = pool.user_mut(&username)?;
    check_code(user, "FORGOT_PASSWORD", code, now)?;
    set_password(user, &pool_id, password, now)?;
    user.status = "CONFIRMED";
    user.failed_logins = 0;
    user.locked_until = 0;
    post_confirmation(
        st,
        &pool_id,
        &username,
        "PostConfirmation_ConfirmForgotPassword",
    )?;
    Ok(json!({}))
}

/// The pre sign-up trigger for a user about to be created (`PreSignUp_SignUp` or
/// `PreSignUp_AdminCreateUser`; its error refuses the sign-up). For SignUp, applies
/// `autoVerifyEmail`/`autoVerifyPhone` to `user` and returns `autoConfirmUser`; the three are
/// ignored for AdminCreateUser, as on AWS.
pub(crate) fn pre_sign_up(
    st: &mut State,
    pool_id: &str,
    mut user: User,
    validation: Option<Vec<(String, String)>>,
    source: &str,
) -> ApiResult<(User, bool)> {
    if !triggers::any(st, pool_id) {
        return Ok((user, false));
    }
    let attrs: serde_json::Map<String, Value> = user
        .attrs()
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    let request = json!({
        "userAttributes": attrs,
        "validationData": triggers::validation_data(validation),
        "clientMetadata": triggers::client_metadata(st),
    });
    let response =
        json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false});
    let event = triggers::event(st, pool_id, 1, source, &user.username, request, response);
    let Some(resp) = triggers::call(st, pool_id, Trigger::PreSignUp, event)? else {
        return Ok((user, false));
    };
    if source != "PreSignUp_SignUp" {
        return Ok((user, false));
    }
    let confirm = triggers::flag(&resp, "autoConfirmUser")?;
    for (key, attr) in [
        ("autoVerifyEmail", "email"),
        ("autoVerifyPhone", "phone_number"),
    ] {
        if !triggers::flag(&resp, key)? {
            continue;
        }
        if user.attr(attr).is_none() {
            return Err(invalid_param(format!(
                "PreSignUp asked to verify {attr}, but the user has no {attr} attribute."
            )));
        }
        user = user.with_attr(&format!("{attr}_verified"), "true");
    }
    // A verified alias another user holds moves to the new user.
    let users = st.users_mut(pool_id)?;
    users.claim_aliases(&user.username, user.attrs(), true)?;
    if confirm {
        user.status = "CONFIRMED";
    }
    Ok((user, confirm))
}

/// The post confirmation trigger (`PostConfirmation_ConfirmSignUp` or
/// `_ConfirmForgotPassword`), invoked once the confirmation is done: its failure fails the
/// call, but the user stays confirmed, as on AWS.
pub(crate) fn post_confirmation(
    st: &mut State,
    pool_id: &str,
    username: &str,
    source: &str,
) -> ApiResult<()> {
    if !triggers::any(st, pool_id) {
        return Ok(());
    }
    let user = st.pool(pool_id)?.user(username)?;
    let request = json!({
        "userAttributes": triggers::user_attributes(user),
        "clientMetadata": triggers::client_metadata(st),
    });
    let event = triggers::event(st, pool_id, 1, source, username, request, json!({}));
    triggers::notify(st, pool_id, Trigger::PostConfirmation, event)
}

/// The user migration trigger for a user the pool does not know: `password` is the sign-in
/// password (`UserMigration_Authentication`), `None` for ForgotPassword
/// (`UserMigration_ForgotPassword`). The user is created with the returned attributes,
/// `finalUserStatus` and `messageAction`; nothing happens without the trigger.
pub(crate) fn migrate_user(
    st: &mut State,
    client: &Client,
    given: &str,
    password: Option<&str>,
) -> ApiResult<()> {
    let pool_id = client.pool_id.clone();
    if !triggers::any(st, &pool_id) {
        return Ok(());
    }
    let source = if password.is_some() {
        "UserMigration_Authentication"
    } else {
        "UserMigration_ForgotPassword"
    };
    let mut request = json!({
        "validationData": null,
        "clientMetadata": null,
    });
    let metadata = st.run_mut().client_metadata.clone().unwrap_or(Value::Null);
    if let Some(pw) = password {
        request["password"] = json!(pw);
        request["validationData"] = metadata;
    } else {
        request["clientMetadata"] = metadata;
    }
    let response = json!({
        "userAttributes": null, "finalUserStatus": null, "messageAction": null,
        "desiredDeliveryMediums": null, "forceAliasCreation": null, "enableSMSMFA": null,
    });
    let event = triggers::event(st, &pool_id, 1, source, given, request, response);
    let Some(resp) = triggers::call(st, &pool_id, Trigger::UserMigration, event)? else {
        return Ok(());
    };
    let Some(attrs) = triggers::string_map(&resp, "userAttributes")? else {
        return Err(ApiError::new(
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        ));
    };
    let status = triggers::string(&resp, "finalUserStatus")?;
    let action = triggers::string(&resp, "messageAction")?;
    let mediums = triggers::string_list(&resp, "desiredDeliveryMediums")?.unwrap_or_default();
    let force_alias = triggers::flag(&resp, "forceAliasCreation")?;
    let sms_mfa = triggers::flag(&resp, "enableSMSMFA")?;
    let now = st.now();
    let now_f = st.now_f();
    let attrs: Vec<(String, String)> = attrs
        .into_iter()
        .filter(|(k, _)| k != "sub" && k != "username" && !k.starts_with("cognito:"))
        .collect();
    let pool = st.pool_mut(&pool_id)?;
    // The trigger may vouch for any name the user typed: a name shaped like an alias of the
    // pool is refused as SignUp refuses it, or the migrated user would take the sign-ins
    // meant for whoever verifies that address later.
    check_username_not_alias(&pool.s, given)?;
    let mut user = new_user(pool, given, &attrs, now_f)?;
    // An alias (email, phone) another user holds verified moves with forceAliasCreation, else
    // the migration fails.
    pool.users
        .claim_aliases(&user.username, user.attrs(), force_alias)?;
    match (password, status.as_deref()) {
        (Some(pw), None | Some("CONFIRMED")) => {
            // The old system vouched for the password: the pool's policy does not apply.
            set_password(&mut user, &pool_id, pw, now)?;
            user.status = "CONFIRMED";
        }
        (_, Some("RESET_REQUIRED")) | (None, _) => user.status = "RESET_REQUIRED",
        (_, Some(_)) => {
            return Err(ApiError::new(
                "InvalidLambdaResponseException",
                "Unrecognizable lambda output",
            ));
        }
    }
    user.sms_mfa = sms_mfa;
    let username = user.username.clone();
    let email = user.attr("email").map(str::to_string);
    let phone = user.attr("phone_number").map(str::to_string);
    pool.users.insert(user);
    if action.as_deref() != Some("SUPPRESS") {
        // The welcome message (no code); SMS unless the trigger asked for EMAIL.
        let wants = |m: &str| mediums.iter().any(|x| x == m);
        if let (true, Some(p)) = (mediums.is_empty() || wants("SMS"), &phone) {
            triggers::deliver(st, &pool_id, &username, p, "SMS", "WELCOME", "");
        }
        if let (true, Some(e)) = (wants("EMAIL"), &email) {
            triggers::deliver(st, &pool_id, &username, e, "EMAIL", "WELCOME", "");
        }
    }
    Ok(())
}
