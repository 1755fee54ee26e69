//! Remembered devices (docs/protocol.md#26-remembered-devices, docs/protocol.md#7-behaviour-an-emulator-must-reproduce).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use num_bigint::BigUint;
use num_traits::Zero;
use serde_json::{Value, json};

use crate::api::{ApiError, ApiResult, Body, invalid_param, not_found};
use crate::ops::tokens::caller;
use crate::state::{Device, State, User, Users};

pub(crate) fn device_missing() -> ApiError {
    not_found("Device does not exist.")
}

/// A user's confirmed device, or AWS's error when there is none (a device key handed out at
/// sign-in but never confirmed does not exist for the device operations).
pub(crate) fn confirmed_device<'a>(user: &'a User, key: &str) -> ApiResult<&'a Device> {
    user.devices
        .get(key)
        .filter(|d| d.confirmed())
        .ok_or_else(device_missing)
}

/// A user's confirmed device to change, or AWS's error when there is none; the user is taken
/// for writing only once the device is known to exist, so a refusal changes nothing.
pub(crate) fn device_mut<'a>(
    users: &'a mut Users,
    username: &str,
    key: &str,
) -> ApiResult<&'a mut Device> {
    confirmed_device(users.user(username)?, key)?;
    users
        .user_mut(username)?
        .devices
        .get_mut(key)
        .ok_or_else(device_missing)
}

/// Forgets a user's device, or AWS's error when there is none.
pub(crate) fn forget(users: &mut Users, username: &str, key: &str) -> ApiResult<()> {
    device_mut(users, username, key)?;
    users.user_mut(username)?.devices.remove(key);
    Ok(())
}

/// `DeviceRememberedStatus` (absent: not remembered).
pub(crate) fn remembered_status(b: &Body) -> ApiResult<bool> {
    match b.opt_str("DeviceRememberedStatus")? {
        Some("remembered") => Ok(true),
        Some("not_remembered") | None => Ok(false),
        Some(other) => Err(crate::api::beyond_model("DeviceRememberedStatus", other)),
    }
}

pub(crate) fn device_json(d: &Device) -> Value {
    let mut attrs = vec![
        json!({"Name": "device_status", "Value": "valid"}),
        json!({"Name": "dev:device_remembered_status",
               "Value": if d.remembered { "remembered" } else { "not_remembered" }}),
        json!({"Name": "last_ip_used", "Value": "127.0.0.1"}),
        json!({"Name": "dev:device_sdk", "Value": "aws-sdk"}),
    ];
    if let Some(n) = &d.name {
        attrs.push(json!({"Name": "device_name", "Value": n}));
    }
    json!({
        "DeviceKey": d.key,
        "DeviceAttributes": attrs,
        "DeviceCreateDate": d.created,
        "DeviceLastModifiedDate": d.modified,
        "DeviceLastAuthenticatedDate": d.last_auth,
    })
}

/// Longest salt accepted: clients send `PAD` of 16 random bytes (16 or 17 bytes).
const MAX_SALT_BYTES: usize = 64;

/// Decodes `base64(PAD(n))` as the clients send it, refusing anything that is not exactly
/// that encoding of a positive number (a verifier or salt that no client would produce is an
/// attempt to steer the SRP arithmetic, see [`check_verifier`]).
fn b64_padded_int(field: &str, s: &str, max_bytes: usize) -> ApiResult<BigUint> {
    let bad = || {
        invalid_param(format!(
            "Invalid DeviceSecretVerifierConfig: {field} must be the base64 encoding of a padded positive number."
        ))
    };
    let bytes = STANDARD.decode(s).map_err(|_| bad())?;
    if bytes.is_empty() || bytes.len() > max_bytes {
        return Err(bad());
    }
    let v = BigUint::from_bytes_be(&bytes);
    if v.is_zero() || cognito_proto::srp::pad(&v) != bytes {
        return Err(bad());
    }
    Ok(v)
}

/// A device verifier must be `g^x mod N` for some `x`: below `N`, and not one of the values
/// (0, 1, N−1) that make the server's shared secret `(A·v^u)^b` predictable without the
/// device password (v ≡ 0 gives S = 0; v = 1 or N−1 make `v^u` a known ±1).
fn check_verifier(v: &BigUint) -> ApiResult<()> {
    let n = crate::srp_server::prim::modulus();
    let one = BigUint::from(1u8);
    if v >= n || *v <= one || *v == n - &one {
        return Err(invalid_param(
            "Invalid DeviceSecretVerifierConfig: PasswordVerifier is not a valid SRP verifier.",
        ));
    }
    Ok(())
}

pub(crate) fn confirm_device(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    let key = b.str("DeviceKey")?.to_string();
    let name = b.opt_str("DeviceName")?.map(str::to_string);
    let cfg = b.opt_obj("DeviceSecretVerifierConfig")?;
    let (salt, verifier) = match cfg {
        Some(cfg) => {
            // N is 384 bytes, so PAD(v) of any v < N is at most 385.
            let v = b64_padded_int("PasswordVerifier", cfg.str("PasswordVerifier")?, 385)?;
            check_verifier(&v)?;
            let s = b64_padded_int("Salt", cfg.str("Salt")?, MAX_SALT_BYTES)?;
            (Some(s), Some(v))
        }
        None => (None, None),
    };
    let now = st.now_f();
    let on_prompt = st
        .pool(&c.pool_id)?
        .s
        .device
        .map(|(_, p)| p)
        .ok_or_else(|| {
            ApiError::new(
                "InvalidUserPoolConfigurationException",
                "Device tracking is not enabled for this user pool.",
            )
        })?;
    let users = st.users_mut(&c.pool_id)?;
    match users.user(&c.username)?.devices.get(&key) {
        None => return Err(device_missing()),
        Some(d) if d.confirmed() => {
            return Err(ApiError::new(
                "DeviceKeyExistsException",
                "Device key already exists.",
            ));
        }
        Some(_) => {}
    }
    let user = users.user_mut(&c.username)?;
    let dev = user.devices.get_mut(&key).ok_or_else(device_missing)?;
    dev.confirmed_without_verifier = verifier.is_none();
    dev.salt = salt;
    dev.verifier = verifier;
    dev.name = name;
    dev.remembered = !on_prompt;
    dev.modified = now;
    Ok(json!({ "UserConfirmationNecessary": on_prompt }))
}

pub(crate) fn list_devices(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    crate::ops::admin_devices::device_page(st, &c.pool_id, &c.username, b)
}

pub(crate) fn get_device(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    let key = b.str("DeviceKey")?;
    let user = st.pool(&c.pool_id)?.user(&c.username)?;
    let d = confirmed_device(user, key)?;
    Ok(json!({ "Device": device_json(d) }))
}

pub(crate) fn update_device_status(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    let key = b.str("DeviceKey")?.to_string();
    let remembered = remembered_status(b)?;
    let now = st.now_f();
    let d = device_mut(st.users_mut(&c.pool_id)?, &c.username, &key)?;
    d.remembered = remembered;
    d.modified = now;
    Ok(json!({}))
}

pub(crate) fn forget_device(st: &mut State, b: &Body) -> ApiResult<Value> {
    let c = caller(st, b)?;
    let key = b.str("DeviceKey")?.to_string();
    forget(st.users_mut(&c.pool_id)?, &c.username, &key)?;
    Ok(json!({}))
}
