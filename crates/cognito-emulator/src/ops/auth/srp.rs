//! The SRP handshakes of a sign-in: the user's password (`PASSWORD_VERIFIER`) and a remembered
//! device's secret (`DEVICE_PASSWORD_VERIFIER`) run the same exchange with a different verifier,
//! realm and SRP user id (docs/protocol.md#46-server-side).

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use num_bigint::BigUint;
use serde_json::{Value, json};

use super::{challenge, param};
use crate::api::{ApiResult, invalid_param, not_found};
use crate::srp_server::{ct_eq, parse_srp_a, prim, server_ephemeral};
use crate::state::{Client, FlowCtx, Handshake, State, Step, pool_name};

/// Allowed distance between a client's TIMESTAMP and the emulator clock.
pub(crate) const TIMESTAMP_SKEW_SECS: u64 = 300;

/// Whose secret a handshake proves.
enum Prover {
    /// The user's password, in the pool's realm, for `username`.
    User,
    /// A remembered device's secret, in the user's device group, for `device_key`.
    Device(String),
}

/// Answers `SRP_A` with `B`, the salt and a fresh secret block, and opens the session that
/// waits for the matching `*_PASSWORD_VERIFIER`.
#[allow(clippy::too_many_arguments)]
fn handshake(
    st: &mut State,
    client: &Client,
    username: &str,
    a: BigUint,
    (salt, v): (BigUint, BigUint),
    realm: String,
    prover: Prover,
    ctx: FlowCtx,
) -> ApiResult<Value> {
    let (b, big_b) = server_ephemeral(&v);
    let block = crate::util::random_bytes(128);
    let block_b64 = STANDARD.encode(&block);
    let srp_user = match &prover {
        Prover::User => username.to_string(),
        Prover::Device(dk) => dk.clone(),
    };
    let hs = Box::new(Handshake {
        a,
        b: std::sync::Arc::new(b),
        big_b: big_b.clone(),
        v,
        realm,
        user: srp_user,
        secret_block: block,
        secret_block_b64: block_b64.clone(),
    });
    let mut params = serde_json::Map::from_iter([
        ("SALT".to_string(), json!(prim::to_hex(&salt))),
        ("SRP_B".to_string(), json!(prim::to_hex(&big_b))),
        ("SECRET_BLOCK".to_string(), json!(block_b64)),
        ("USERNAME".to_string(), json!(username)),
    ]);
    let step = match prover {
        Prover::User => {
            params.insert("USER_ID_FOR_SRP".to_string(), json!(username));
            Step::PasswordVerifier(hs)
        }
        Prover::Device(dk) => {
            params.insert("DEVICE_KEY".to_string(), json!(dk));
            Step::DevicePasswordVerifier(hs, dk)
        }
    };
    Ok(challenge(st, client, username, step, ctx, params))
}

fn parse_a(srp_a: &str) -> ApiResult<BigUint> {
    parse_srp_a(srp_a).ok_or_else(|| invalid_param("Invalid SRP_A value"))
}

/// Starts the password handshake for a user (or a plausible one for an unknown user).
pub(super) fn begin_srp(
    st: &mut State,
    client: &Client,
    username: &str,
    srp_a: &str,
    ctx: FlowCtx,
) -> ApiResult<Value> {
    let a = parse_a(srp_a)?;
    let realm = pool_name(&client.pool_id)?.to_string();
    let pool = st.pool(&client.pool_id)?;
    let secret = match pool.users.get(username).and_then(|u| u.password.clone()) {
        Some(rec) => (rec.salt, rec.verifier),
        None => {
            // Unknown user under PreventUserExistenceErrors, or a passwordless user:
            // a plausible challenge that can never verify.
            let salt = BigUint::from_bytes_be(&crate::util::random_bytes(16));
            let v = prim::pow_g(&BigUint::from_bytes_be(&crate::util::random_bytes(32)));
            (salt, v)
        }
    };
    handshake(st, client, username, a, secret, realm, Prover::User, ctx)
}

/// Starts the handshake of the remembered device `DEVICE_KEY` names (`DEVICE_SRP_AUTH`).
pub(super) fn begin_device_srp(
    st: &mut State,
    client: &Client,
    username: &str,
    resp: &BTreeMap<String, String>,
    ctx: FlowCtx,
) -> ApiResult<Value> {
    let dk = param(resp, "DEVICE_KEY")?.to_string();
    let a = parse_a(param(resp, "SRP_A")?)?;
    let user = st.pool(&client.pool_id)?.user(username)?;
    let dev = user
        .devices
        .get(&dk)
        .ok_or_else(|| not_found("Device does not exist."))?;
    let (Some(salt), Some(v)) = (dev.salt.clone(), dev.verifier.clone()) else {
        return Err(not_found("Device does not exist."));
    };
    let realm = user.device_group_key.clone();
    let device = Prover::Device(dk);
    handshake(st, client, username, a, (salt, v), realm, device, ctx)
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
pub(super) fn verify_claim(
    st: &State,
    hs: &Handshake,
    resp: &BTreeMap<String, String>,
) -> ApiResult<bool> {
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
    if let Some(pre) = st.precomputed_claim()
        && pre.secret_block_b64 == hs.secret_block_b64
        && pre.timestamp == ts
    {
        return Ok(pre.expected.as_deref().is_some_and(|e| ct_eq(e, sig)));
    }
    let Some(expected) = hs.expected_signature(ts) else {
        return Ok(false);
    };
    Ok(ct_eq(&expected, sig))
}
